//! Access advisor (service last accessed data): the reports GenerateServiceLastAccessedDetails
//! builds from the policies of a user, group, role or managed policy (`grants`: which services
//! and actions they allow, against `catalog`) and from the audit trail (`trail`: who of the
//! entities concerned attempted which service when). A report is built within the Generate
//! call and kept in `iam_access_advisor_jobs` (`<account>/<job id>`); the Get operations
//! answer from it.

pub(crate) mod catalog;
pub(crate) mod grants;
pub(crate) mod trail;

use grants::Grants;
use serde::{Deserialize, Serialize};
use trail::Attempt;

/// Access advisor reports. Row: `<account>/<job id>`.
pub const JOBS: &str = "iam_access_advisor_jobs";

/// Row key of a job.
pub(crate) fn job_row(account: &str, job_id: &str) -> String {
    format!("{account}/{job_id}")
}

/// Services whose actions access advisor tracks at `ACTION_LEVEL` (AWS tracks management
/// actions of these; of Rampart's services, IAM's).
pub(crate) const TRACKED: &[&str] = &["ec2", "iam", "lambda", "s3"];

/// A user, group or role as `EntityInfo` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct EntityRecord {
    pub arn: String,
    pub name: String,
    /// `USER`, `ROLE` or `GROUP`.
    pub kind: String,
    pub id: String,
    pub path: String,
    /// The users and roles whose attempts count for this entity: itself, or a group's
    /// members.
    pub acting: Vec<String>,
}

/// The most recent attempt on a service or action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LastAccess {
    pub time_ms: i64,
    pub entity: String,
    pub region: String,
}

/// One service of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ServiceReport {
    pub namespace: String,
    pub name: String,
    pub last: Option<LastAccess>,
    /// Distinct users and roles that attempted the service.
    pub total_entities: i32,
    /// `ACTION_LEVEL` only: the tracked actions attempted, by action name.
    pub actions: Vec<(String, LastAccess)>,
    /// For each entity of the report (by index into `JobRecord::entities`), its last attempt.
    pub entity_last_ms: Vec<Option<i64>>,
}

/// A stored report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct JobRecord {
    pub job_id: String,
    /// The ARN the report is about.
    pub arn: String,
    /// `SERVICE_LEVEL` or `ACTION_LEVEL`.
    pub granularity: String,
    pub created_ms: i64,
    pub completed_ms: i64,
    /// The entities GetServiceLastAccessedDetailsWithEntities lists.
    pub entities: Vec<EntityRecord>,
    pub services: Vec<ServiceReport>,
}

/// Builds the per-service part of a report: every service `grants` allows, with the
/// attempts of the entities' acting users and roles.
pub(crate) fn build(
    grants: &Grants,
    entities: &[EntityRecord],
    attempts: &[Attempt],
    action_level: bool,
) -> Vec<ServiceReport> {
    grants
        .services()
        .into_iter()
        .map(|namespace| {
            let used: Vec<&Attempt> = attempts
                .iter()
                .filter(|a| a.namespace == namespace)
                .collect();
            service_report(namespace, grants, entities, &used, action_level)
        })
        .collect()
}

fn service_report(
    namespace: String,
    grants: &Grants,
    entities: &[EntityRecord],
    used: &[&Attempt],
    action_level: bool,
) -> ServiceReport {
    let mut distinct: Vec<&str> = used.iter().map(|a| a.entity.as_str()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let actions = if action_level && TRACKED.contains(&namespace.as_str()) {
        tracked_actions(&namespace, grants, used)
    } else {
        Vec::new()
    };
    let entity_last_ms = entities
        .iter()
        .map(|e| {
            used.iter()
                .filter(|a| e.acting.contains(&a.entity))
                .map(|a| a.time * 1000)
                .max()
        })
        .collect();
    ServiceReport {
        name: catalog::service_name(&namespace)
            .unwrap_or(namespace.as_str())
            .to_owned(),
        last: latest(used.iter().copied()),
        total_entities: i32::try_from(distinct.len()).unwrap_or(i32::MAX),
        actions,
        entity_last_ms,
        namespace,
    }
}

/// The tracked actions of `namespace` attempted and allowed by `grants`, by name.
fn tracked_actions(
    namespace: &str,
    grants: &Grants,
    used: &[&Attempt],
) -> Vec<(String, LastAccess)> {
    let mut names: Vec<&str> = used.iter().map(|a| a.action.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter(|name| grants.grants_action(&format!("{namespace}:{name}")))
        .filter_map(|name| {
            let last = latest(used.iter().copied().filter(|a| a.action == name))?;
            Some((name.to_owned(), last))
        })
        .collect()
}

/// The most recent of `attempts`.
fn latest<'a>(attempts: impl Iterator<Item = &'a Attempt>) -> Option<LastAccess> {
    attempts.max_by_key(|a| a.time).map(|a| LastAccess {
        time_ms: a.time * 1000,
        entity: a.entity.clone(),
        region: a.region.clone(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn attempt(time: i64, namespace: &str, action: &str, entity: &str) -> Attempt {
        Attempt {
            time,
            namespace: namespace.into(),
            action: action.into(),
            region: "eu-west-1".into(),
            entity: entity.into(),
        }
    }

    fn user(name: &str) -> EntityRecord {
        let arn = format!("arn:aws:iam::111122223333:user/{name}");
        EntityRecord {
            arn: arn.clone(),
            name: name.into(),
            kind: "USER".into(),
            id: format!("AIDA{name}"),
            path: "/".into(),
            acting: vec![arn],
        }
    }

    #[test]
    fn services_granted_carry_the_latest_attempt() {
        let doc =
            r#"{"Statement":{"Effect":"Allow","Action":["kms:*","iam:List*"],"Resource":"*"}}"#;
        let grants = Grants::of([doc]);
        let (a, b) = (user("a"), user("b"));
        let attempts = [
            attempt(100, "kms", "Encrypt", &a.arn),
            attempt(300, "kms", "Decrypt", &b.arn),
            attempt(200, "iam", "ListUsers", &a.arn),
            attempt(250, "iam", "CreateUser", &a.arn),
            attempt(400, "sts", "GetCallerIdentity", &a.arn),
        ];
        let report = build(&grants, &[a.clone(), b.clone()], &attempts, true);
        let names: Vec<&str> = report.iter().map(|s| s.namespace.as_str()).collect();
        assert_eq!(names, ["iam", "kms"]);
        let kms = &report[1];
        assert_eq!(kms.name, "AWS Key Management Service");
        assert_eq!(kms.last.as_ref().unwrap().entity, b.arn);
        assert_eq!(kms.last.as_ref().unwrap().time_ms, 300_000);
        assert_eq!(kms.total_entities, 2);
        assert_eq!(kms.entity_last_ms, [Some(100_000), Some(300_000)]);
        assert!(kms.actions.is_empty(), "KMS actions are not tracked");
        let iam = &report[0];
        let tracked: Vec<&str> = iam.actions.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(tracked, ["ListUsers"], "CreateUser is not allowed");
        assert_eq!(iam.entity_last_ms, [Some(250_000), None]);
        let service_level = build(&grants, &[a], &attempts, false);
        assert!(service_level[0].actions.is_empty());
    }
}

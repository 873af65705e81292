//! GenerateServiceLastAccessedDetails: the report on a user, group, role or managed policy,
//! built within the call (see `crate::access_advisor`) from the subject's permissions
//! policies and the audit trail, and stored under a new job id. The entities of a report:
//! the user or role itself; a group's members; the users, groups and roles a managed policy is
//! attached to (a group acting through its members).

use super::common::{required, store_failure};
use super::entity::Keys;
use super::managed::{Managed, policy_not_found};
use super::usage::Kinds;
use crate::IamService;
use crate::access_advisor::grants::Grants;
use crate::access_advisor::{EntityRecord, JOBS, JobRecord, build, job_row, trail};
use crate::generated::GenerateServiceLastAccessedDetails;
use crate::generated::enums::AccessAdvisorUsageGranularityType;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::ids;
use crate::records::{GroupRecord, RoleRecord, UserRecord};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::{Expect, Table};
use std::collections::HashSet;

const ACTION: &str = "iam:GenerateServiceLastAccessedDetails";

/// What a report is computed from.
#[derive(Default)]
pub(super) struct Subject {
    /// The permissions policy documents that apply.
    pub documents: Vec<String>,
    pub entities: Vec<EntityRecord>,
}

impl GenerateServiceLastAccessedDetails for IamService {
    async fn generate_service_last_accessed_details(
        &self,
        ctx: &RequestContext,
        input: GenerateServiceLastAccessedDetailsRequest,
    ) -> Result<GenerateServiceLastAccessedDetailsResponse, ServiceError> {
        let arn = required(input.arn, "arn")?;
        let granularity = input
            .granularity
            .unwrap_or(AccessAdvisorUsageGranularityType::ServiceLevel);
        let subject = self.advisor_subject(ctx, &arn).await?;
        let acting: HashSet<String> = subject
            .entities
            .iter()
            .flat_map(|e| e.acting.iter().cloned())
            .collect();
        let account = ctx.account().as_str();
        let created_ms = self.now_ms();
        let store = &self.dir.tables.store;
        let attempts = trail::attempts(store, self.audit_log, account, &acting, created_ms / 1000);
        let attempts = attempts.await.map_err(store_failure)?;
        let grants = Grants::of(subject.documents.iter().map(String::as_str));
        let action_level = granularity == AccessAdvisorUsageGranularityType::ActionLevel;
        let job = JobRecord {
            job_id: ids::job_id(),
            arn,
            granularity: granularity.as_str().to_owned(),
            created_ms,
            completed_ms: self.now_ms(),
            services: build(&grants, &subject.entities, &attempts, action_level),
            entities: subject.entities,
        };
        let put = self
            .job_table()
            .put(&job_row(account, &job.job_id), &job, Expect::Absent);
        store
            .transact(vec![put.map_err(store_failure)?])
            .await
            .map_err(store_failure)?;
        Ok(GenerateServiceLastAccessedDetailsResponse {
            job_id: Some(job.job_id),
        })
    }
}

impl IamService {
    /// The stored reports.
    pub(super) fn job_table(&self) -> Table<JobRecord> {
        Table::new(self.dir.tables.store.clone(), JOBS)
    }

    /// The policies and entities of the report on `arn`, after authorizing the caller;
    /// `InvalidInput` for an ARN that names no user, group, role or policy of the account,
    /// `NoSuchEntity` for one that does not exist.
    async fn advisor_subject(
        &self,
        ctx: &RequestContext,
        arn: &str,
    ) -> Result<Subject, ServiceError> {
        let (kind, name) = entity_arn_parts(ctx.account().as_str(), arn, true)?;
        match kind {
            "user" => {
                let user = self.existing::<UserRecord>(ctx, ACTION, name, Keys::Plain);
                let user = same_arn(user.await?.value, arn, |u| u.arn(), "user", name)?;
                let documents = self.user_documents(ctx, &user).await?;
                let entities = vec![user_entity(&user)];
                Ok(Subject {
                    documents,
                    entities,
                })
            }
            "group" => {
                let group = self.existing::<GroupRecord>(ctx, ACTION, name, Keys::Plain);
                let group = same_arn(group.await?.value, arn, |g| g.arn(), "group", name)?;
                let documents = self.group_documents(&group).await?;
                let members = self.group_members(ctx, &group).await?;
                let entities = members.iter().map(user_entity).collect();
                Ok(Subject {
                    documents,
                    entities,
                })
            }
            "role" => {
                let role = self.existing::<RoleRecord>(ctx, ACTION, name, Keys::Plain);
                let role = same_arn(role.await?.value, arn, |r| r.arn(), "role", name)?;
                let mut documents: Vec<String> = role.inline_policies.values().cloned().collect();
                documents.extend(self.managed_documents(&role.attached_policies).await?);
                Ok(Subject {
                    documents,
                    entities: vec![role_entity(&role)],
                })
            }
            _ => self.policy_subject(ctx, arn).await,
        }
    }

    /// A managed policy's default document and the entities it is attached to.
    async fn policy_subject(
        &self,
        ctx: &RequestContext,
        arn: &str,
    ) -> Result<Subject, ServiceError> {
        let found = self
            .authorized_policy(ctx, ACTION, arn, Keys::Plain)
            .await?;
        let document = match &found {
            Some(Managed::Customer(p)) => p.value.default_document().map(str::to_owned),
            Some(Managed::Aws(p)) => Some(p.document.to_owned()),
            None => return Err(policy_not_found(arn)),
        };
        let account = ctx.account().as_str();
        let users = self.policy_users(account, arn, Kinds::ALL).await?;
        let attached = |list: &[String]| list.iter().any(|a| a == arn);
        let mut entities: Vec<EntityRecord> = Vec::new();
        for user in users
            .users
            .iter()
            .filter(|u| attached(&u.attached_policies))
        {
            entities.push(user_entity(user));
        }
        for group in users
            .groups
            .iter()
            .filter(|g| attached(&g.attached_policies))
        {
            let members = self.group_members(ctx, group).await?;
            entities.push(group_entity(group, &members));
        }
        for role in users
            .roles
            .iter()
            .filter(|r| attached(&r.attached_policies))
        {
            entities.push(role_entity(role));
        }
        Ok(Subject {
            documents: document.into_iter().collect(),
            entities,
        })
    }

    /// A user's inline and attached policies and those of their groups.
    pub(super) async fn user_documents(
        &self,
        ctx: &RequestContext,
        user: &UserRecord,
    ) -> Result<Vec<String>, ServiceError> {
        let mut documents: Vec<String> = user.inline_policies.values().cloned().collect();
        documents.extend(self.managed_documents(&user.attached_policies).await?);
        for name in &user.groups {
            if let Some(group) = self.find::<GroupRecord>(ctx, name).await? {
                documents.extend(self.group_documents(&group.value).await?);
            }
        }
        Ok(documents)
    }

    async fn group_documents(&self, group: &GroupRecord) -> Result<Vec<String>, ServiceError> {
        let mut documents: Vec<String> = group.inline_policies.values().cloned().collect();
        documents.extend(self.managed_documents(&group.attached_policies).await?);
        Ok(documents)
    }

    /// The default documents of the managed policies `arns` (missing ones skipped).
    pub(super) async fn managed_documents(
        &self,
        arns: &[String],
    ) -> Result<Vec<String>, ServiceError> {
        let mut out = Vec::with_capacity(arns.len());
        for arn in arns {
            let doc = self.dir.managed_document(arn).await;
            out.extend(doc.map_err(store_failure)?);
        }
        Ok(out)
    }

    /// The users of a group, in member order.
    async fn group_members(
        &self,
        ctx: &RequestContext,
        group: &GroupRecord,
    ) -> Result<Vec<UserRecord>, ServiceError> {
        let mut out = Vec::with_capacity(group.members.len());
        for name in &group.members {
            if let Some(user) = self.find::<UserRecord>(ctx, name).await? {
                out.push(user.value);
            }
        }
        Ok(out)
    }
}

/// The kind (`user`, `group`, `role`, or `policy` when `policies` allows it) and name of an
/// IAM ARN of `account` (a policy's may be AWS's); `InvalidInput` otherwise.
pub(super) fn entity_arn_parts<'a>(
    account: &str,
    arn: &'a str,
    policies: bool,
) -> Result<(&'a str, &'a str), ServiceError> {
    let invalid = || errors::invalid_input_exception(format!("ARN {arn} is not valid."));
    let rest = arn.strip_prefix("arn:aws:iam::").ok_or_else(invalid)?;
    let (owner, resource) = rest.split_once(':').ok_or_else(invalid)?;
    let (kind, path_name) = resource.split_once('/').ok_or_else(invalid)?;
    let allowed = match kind {
        "user" | "group" | "role" => owner == account,
        "policy" => policies && (owner == account || owner == "aws"),
        _ => false,
    };
    let name = path_name.rsplit('/').next().unwrap_or_default();
    if !allowed || name.is_empty() {
        return Err(invalid());
    }
    Ok((kind, name))
}

/// The entity, when its ARN (with its path) is `arn`; `NoSuchEntity` otherwise.
fn same_arn<E>(
    entity: E,
    arn: &str,
    arn_of: impl Fn(&E) -> String,
    kind: &str,
    name: &str,
) -> Result<E, ServiceError> {
    if arn_of(&entity) == arn {
        Ok(entity)
    } else {
        Err(super::common::no_such(kind, name))
    }
}

fn user_entity(user: &UserRecord) -> EntityRecord {
    EntityRecord {
        arn: user.arn(),
        name: user.name.clone(),
        kind: String::from("USER"),
        id: user.user_id.clone(),
        path: user.path.clone(),
        acting: vec![user.arn()],
    }
}

fn role_entity(role: &RoleRecord) -> EntityRecord {
    EntityRecord {
        arn: role.arn(),
        name: role.name.clone(),
        kind: String::from("ROLE"),
        id: role.role_id.clone(),
        path: role.path.clone(),
        acting: vec![role.arn()],
    }
}

fn group_entity(group: &GroupRecord, members: &[UserRecord]) -> EntityRecord {
    EntityRecord {
        arn: group.arn(),
        name: group.name.clone(),
        kind: String::from("GROUP"),
        id: group.group_id.clone(),
        path: group.path.clone(),
        acting: members.iter().map(UserRecord::arn).collect(),
    }
}

//! Parameter policies at work: PutParameter enqueues one due item per policy of the new
//! version (Expiration at its time, ExpirationNotification that long before it,
//! NoChangeNotification that long after the change) on the `ssm_policies` queue, in the put's
//! transaction. A cluster job drains the due items on the service clock: an item whose version
//! is no longer the latest is stale and dropped (a newer put enqueued its own); Expiration
//! deletes the parameter; each acted item publishes a "Parameter Store Policy Action" event.

use crate::SsmService;
use crate::events::{Change, change_event_in};
use crate::names::arn_in;
use crate::ops::policies::{duration_ms, expiration_ms};
use crate::record::{ParameterRecord, VersionRecord, parameter_row};
use crate::rows;
use rampart_core::{Job, JobContext, JobFuture, JobOutcome, JobScope};
use rampart_jobs::{DueQueue, drain_due};
use rampart_module::{ServiceEvent, publish};
use rampart_store::{StoreError, Versioned, Write};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// The queue of due policy actions.
pub const POLICY_QUEUE: DueQueue = DueQueue::named("ssm_policies");

/// One due policy action.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Due {
    account: String,
    region: String,
    name: String,
    version: i64,
    policy: String,
}

/// The items `version` of `name` schedules, due at their times.
pub fn schedule(account: &str, region: &str, name: &str, version: &VersionRecord) -> Vec<Write> {
    let parsed: Vec<Value> = version
        .policies
        .iter()
        .filter_map(|p| serde_json::from_str(p).ok())
        .collect();
    let attrs = |v: &Value| v.get("Attributes").and_then(Value::as_object).cloned();
    let expires = parsed
        .iter()
        .find(|p| p["Type"] == "Expiration")
        .and_then(|p| attrs(p).and_then(|a| expiration_ms(&a).ok()));
    let mut writes = Vec::new();
    for p in &parsed {
        let Some(a) = attrs(p) else { continue };
        let kind = p["Type"].as_str().unwrap_or_default();
        let Some(due) = due_at(kind, &a, expires, version.modified_ms) else {
            continue;
        };
        let item = Due {
            account: account.into(),
            region: region.into(),
            name: name.into(),
            version: version.version,
            policy: kind.into(),
        };
        writes.push(Write::Enqueue {
            queue: POLICY_QUEUE.name,
            payload: serde_json::to_vec(&item).unwrap_or_default(),
            visible_at_ms: due,
            dedup_key: None,
        });
    }
    writes
}

/// When a policy of `kind` with `attributes` acts, given the Expiration time `expires` and the
/// version's change time.
fn due_at(
    kind: &str,
    attributes: &serde_json::Map<String, Value>,
    expires: Option<i64>,
    changed_ms: i64,
) -> Option<i64> {
    match kind {
        "Expiration" => expires,
        "ExpirationNotification" => Some(expires? - duration_ms(attributes, "Before").ok()?),
        "NoChangeNotification" => Some(changed_ms + duration_ms(attributes, "After").ok()?),
        _ => None,
    }
}

impl SsmService {
    /// Acts on every policy item due at `ctx.now_ms`; how many acted.
    pub async fn run_due_policies(&self, ctx: &JobContext) -> Result<usize, String> {
        drain_due(&self.store, &POLICY_QUEUE, ctx, |payload| async move {
            match serde_json::from_slice::<Due>(&payload) {
                Ok(due) => self.act(&due, ctx.now_ms).await,
                Err(_) => Ok(false),
            }
        })
        .await
    }

    /// Applies one due policy; false when its version is gone or no longer the latest.
    async fn act(&self, due: &Due, now_ms: i64) -> Result<bool, StoreError> {
        let row = parameter_row(&due.account, &due.region, &due.name);
        let Some(found) = self.tables.parameters.get(&row).await? else {
            return Ok(false);
        };
        let current = found.value.current();
        if current.version != due.version {
            return Ok(false);
        }
        let mut writes = vec![policy_event(due, &found.value, current, now_ms)];
        if due.policy != "Expiration" {
            writes.extend(self.mark_acted(&row, &found, due)?);
        } else {
            writes.extend(rows::remove(&self.tables, &row, &found));
            let change = Change {
                operation: "Delete",
                name: &found.value.name,
                kind: &current.kind,
                description: current.description.as_deref(),
                labels: None,
            };
            writes.push(change_event_in(&due.account, &due.region, &change, now_ms));
        }
        self.store.transact(writes).await?;
        Ok(true)
    }
}

impl SsmService {
    /// The writes recording that `due`'s policy acted on the latest version (PolicyStatus
    /// `Finished`), conditional on the row `found` being unchanged.
    fn mark_acted(
        &self,
        row: &str,
        found: &Versioned<ParameterRecord>,
        due: &Due,
    ) -> Result<Vec<Write>, StoreError> {
        let mut record = found.value.clone();
        if !record.latest.acted.contains(&due.policy) {
            record.latest.acted.push(due.policy.clone());
        }
        rows::save(&self.tables, row, Some(found), &record)
    }
}

/// The "Parameter Store Policy Action" event of `due`.
fn policy_event(due: &Due, record: &ParameterRecord, v: &VersionRecord, now_ms: i64) -> Write {
    // Doubt: the detail keys follow AWS's documented example of this event; the reason texts
    // are Rampart's.
    let reason = match due.policy.as_str() {
        "Expiration" => "The parameter was deleted because its Expiration policy time passed.",
        "ExpirationNotification" => "The parameter will expire as its Expiration policy says.",
        _ => "The parameter has not changed for the time its NoChangeNotification policy says.",
    };
    publish(&ServiceEvent {
        account: due.account.clone(),
        region: due.region.clone(),
        source: "aws.ssm".into(),
        detail_type: "Parameter Store Policy Action".into(),
        resources: vec![arn_in(&due.account, &due.region, &record.name)],
        detail: json!({
            "parameter-name": record.name,
            "parameter-type": v.kind,
            "policy-type": due.policy,
            "policy-content": policy_text(v, &due.policy),
            "action-status": "Finished",
            "action-reason": reason,
        }),
        time_ms: now_ms,
    })
}

/// The text of `version`'s policy of type `kind`.
fn policy_text(version: &VersionRecord, kind: &str) -> String {
    let of_kind = |p: &&String| serde_json::from_str::<Value>(p).is_ok_and(|v| v["Type"] == kind);
    version
        .policies
        .iter()
        .find(of_kind)
        .cloned()
        .unwrap_or_default()
}

/// The cluster job running due policies.
pub struct PolicyJob(pub Arc<SsmService>);

impl Job for PolicyJob {
    fn name(&self) -> &'static str {
        "ssm.policies"
    }

    fn period(&self) -> Duration {
        Duration::from_secs(5)
    }

    fn scope(&self) -> JobScope {
        JobScope::Cluster
    }

    fn run(&self, ctx: JobContext) -> JobFuture<'_> {
        Box::pin(async move { self.0.run_due_policies(&ctx).await.map(JobOutcome::done) })
    }
}

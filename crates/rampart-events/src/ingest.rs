//! Events from the rest of Rampart onto each account's default bus: service events other
//! modules publish (`rampart_module::events::INGEST_QUEUE`) and, from the audit trail, one
//! "AWS API Call via CloudTrail" event per call record ([`AUDIT_QUEUE`]). A node job claims
//! both queues, gives each event an id and time, routes it and commits its deliveries; the
//! item is acked only after that commit (a crash in between routes it again: at least once).
//!
//! Which calls become events follows AWS: every management call goes on the bus, and routing
//! gives read-only ones only to rules in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.
//! PutEvents calls never become events (they are data events in AWS, and an event about a
//! PutEvents would loop back through a rule matching it).

use crate::EventsService;
use crate::generated::ServiceError;
use crate::ops::put_events::event_time;
use crate::route::{RuleSet, route_with};
use crate::store::{BusRef, commit_err};
use rampart_audit::{RecordKind, StoredRecord, decode_entry};
use rampart_core::{Job, JobContext, JobFuture, JobOutcome, JobScope};
use rampart_jobs::{DueQueue, drain_due_batched};
use rampart_module::events::{INGEST_QUEUE, ServiceEvent, decode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// The audit subscription: every audit record, enqueued with it.
pub const AUDIT_QUEUE: &str = "events_audit";

const INGEST: DueQueue = DueQueue::named(INGEST_QUEUE);
const AUDIT: DueQueue = DueQueue::named(AUDIT_QUEUE);
/// Queue items routed per transaction (an audit item holds a whole batch of records).
const BATCH: usize = 64;

/// The event of a service event: a new id, its time, on its account's default bus.
pub fn service_event(e: &ServiceEvent) -> Value {
    json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": e.detail_type,
        "source": e.source,
        "account": e.account,
        "time": event_time(e.time_ms),
        "region": e.region,
        "resources": e.resources,
        "detail": e.detail,
    })
}

/// The "AWS API Call via CloudTrail" event of one CloudTrail record, `None` for records that
/// do not become events (PutEvents calls, unreadable records).
pub fn api_call_event(record: &Value) -> Option<Value> {
    let source = record.get("eventSource")?.as_str()?;
    let name = record.get("eventName")?.as_str()?;
    if name == "PutEvents" && source == "events.amazonaws.com" {
        return None;
    }
    let service = source.strip_suffix(".amazonaws.com").unwrap_or(source);
    let time = record.get("eventTime").cloned().unwrap_or(Value::Null);
    Some(json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": "AWS API Call via CloudTrail",
        "source": format!("aws.{service}"),
        "account": record.get("recipientAccountId")?,
        "time": time,
        "region": record.get("awsRegion")?,
        "resources": [],
        "detail": record,
    }))
}

/// One final record of an audit queue item: its bus (recipient account, Region), whether it
/// is read-only, and its CloudTrail JSON made only when asked for.
struct AuditRecord(StoredRecord);

impl AuditRecord {
    /// `(account, region, read_only)`; `None` for a record that is no event.
    fn head(&self) -> Option<(String, String, bool)> {
        match &self.0 {
            StoredRecord::Compact(e) => Some((
                e.recipient_account_id.clone(),
                e.aws_region.clone(),
                e.read_only,
            )),
            StoredRecord::Json(line) => {
                let v: Value = serde_json::from_str(line).ok()?;
                let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
                let read_only = v.get("readOnly").and_then(Value::as_bool) == Some(true);
                Some((text("recipientAccountId")?, text("awsRegion")?, read_only))
            }
        }
    }

    fn json(&self) -> Option<Value> {
        match &self.0 {
            StoredRecord::Compact(e) => serde_json::from_str(&e.to_cloudtrail_json()).ok(),
            StoredRecord::Json(line) => serde_json::from_str(line).ok(),
        }
    }
}

/// The final records of an audit queue item (intent records are not events).
fn audit_records(payload: &[u8]) -> impl Iterator<Item = AuditRecord> {
    decode_entry(payload)
        .into_iter()
        .filter(|r| !matches!(r, StoredRecord::Compact(e) if e.kind == RecordKind::Intent))
        .map(AuditRecord)
}

/// The rule sets of the buses one ingest batch touches, each read once.
#[derive(Default)]
struct BatchSets(HashMap<BusRef, Arc<RuleSet>>);

impl BatchSets {
    async fn of(
        &mut self,
        service: &EventsService,
        bus: &BusRef,
    ) -> Result<Arc<RuleSet>, ServiceError> {
        if let Some(set) = self.0.get(bus) {
            return Ok(set.clone());
        }
        let set = service.rule_set(bus).await?;
        self.0.insert(bus.clone(), set.clone());
        Ok(set)
    }
}

impl EventsService {
    /// Routes `events` on the default buses of their accounts in one transaction; how many
    /// were routed to at least one target.
    async fn put_on_default_buses(
        &self,
        sets: &mut BatchSets,
        events: &[Value],
    ) -> Result<usize, ServiceError> {
        let mut writes = Vec::new();
        let mut routed = 0;
        for event in events {
            let (Some(account), Some(region)) = (
                event.get("account").and_then(Value::as_str),
                event.get("region").and_then(Value::as_str),
            ) else {
                continue;
            };
            let bus = BusRef::resolve(account, region, None);
            let set = sets.of(self, &bus).await?;
            let more = route_with(&bus, &set, event, None);
            routed += usize::from(!more.is_empty());
            writes.extend(more);
        }
        self.store.transact(writes).await.map_err(commit_err)?;
        Ok(routed)
    }

    /// The "AWS API Call via CloudTrail" events of the records of audit queue items that a
    /// rule could take: a read-only call only when a rule of its bus takes all management
    /// events (the bulk of calls, KMS's cryptographic ones, then cost no JSON at all).
    async fn api_call_events(
        &self,
        sets: &mut BatchSets,
        payloads: &[Vec<u8>],
    ) -> Result<Vec<Value>, ServiceError> {
        let mut events = Vec::new();
        for record in payloads.iter().flat_map(|p| audit_records(p)) {
            let Some((account, region, read_only)) = record.head() else {
                continue;
            };
            if read_only {
                let set = sets
                    .of(self, &BusRef::resolve(&account, &region, None))
                    .await?;
                if !set.rules.iter().any(|r| r.all_management_events) {
                    continue;
                }
            }
            events.extend(record.json().as_ref().and_then(api_call_event));
        }
        Ok(events)
    }

    /// Ingests every waiting service event and audit record, a batch of queue items per
    /// transaction (each item acked with its batch, after the batch's deliveries committed);
    /// returns how many events were routed.
    pub async fn ingest(&self, ctx: &JobContext) -> Result<usize, String> {
        // Rules another node stored reach this node's gate here, within a pass.
        self.refresh_management_gate()
            .await
            .map_err(|e| e.message)?;
        let services = drain_due_batched(&self.store, &INGEST, ctx, BATCH, |payloads| async move {
            let events: Vec<Value> = payloads
                .iter()
                .filter_map(|p| decode(p))
                .map(|e| service_event(&e))
                .collect();
            self.put_on_default_buses(&mut BatchSets::default(), &events)
                .await
        })
        .await?;
        let calls = drain_due_batched(&self.store, &AUDIT, ctx, BATCH, |payloads| async move {
            // One read of each bus's rules serves the read-only check and the routing.
            let mut sets = BatchSets::default();
            let events = self.api_call_events(&mut sets, &payloads).await?;
            self.put_on_default_buses(&mut sets, &events).await
        })
        .await?;
        Ok(services + calls)
    }
}

/// The node job ingesting service events and audit records.
pub struct IngestJob(pub Arc<EventsService>);

impl Job for IngestJob {
    fn name(&self) -> &'static str {
        "events.ingest"
    }

    fn period(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn scope(&self) -> JobScope {
        JobScope::Node
    }

    fn run(&self, ctx: JobContext) -> JobFuture<'_> {
        Box::pin(async move { self.0.ingest(&ctx).await.map(JobOutcome::done) })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn api_calls_become_cloudtrail_events_but_put_events_does_not() {
        let record = json!({"eventSource": "kms.amazonaws.com", "eventName": "CreateKey",
            "eventTime": "2026-01-01T00:00:00Z", "awsRegion": "us-east-1",
            "recipientAccountId": "111122223333", "readOnly": false});
        let event = api_call_event(&record).unwrap();
        assert_eq!(event["source"], "aws.kms");
        assert_eq!(event["detail-type"], "AWS API Call via CloudTrail");
        assert_eq!(event["account"], "111122223333");
        assert_eq!(event["detail"], record);
        let put = json!({"eventSource": "events.amazonaws.com", "eventName": "PutEvents",
            "awsRegion": "us-east-1", "recipientAccountId": "111122223333"});
        assert!(api_call_event(&put).is_none());
    }
}

//! PutEvents: each entry is checked (per-entry errors as AWS reports them), made into an event
//! envelope, authorized on its bus (another account's bus only when its resource policy allows
//! the caller) and routed; every accepted entry's deliveries commit in one transaction.

use super::buses::caller_bus;
use crate::EventsService;
use crate::access::{authorize, bus_not_found, validation};
use crate::generated::*;
use crate::outbox::Delivery;
use crate::route::{RuleSet, route_with};
use crate::store::{BusRef, commit_err};
use rampart_core::RequestContext;
use rampart_core::rampart_policy::{Policy, PolicyKind};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// The most a request's entries may total (AWS's entry-size calculation).
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;

/// An entry's size as AWS documents it ("Calculating PutEvents event entry size"): 14 bytes
/// for a Time, plus the UTF-8 lengths of Source, DetailType, Detail and each Resource.
pub fn entry_size(entry: &PutEventsRequestEntry) -> usize {
    let len = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    let time = if entry.time.is_some() { 14 } else { 0 };
    let resources: usize = entry.resources.iter().flatten().map(String::len).sum();
    time + len(&entry.source) + len(&entry.detail_type) + len(&entry.detail) + resources
}

/// An event `time`: ISO 8601 in UTC to the second.
pub fn event_time(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A failed entry.
fn failed(code: &str, message: impl Into<String>) -> PutEventsResultEntry {
    PutEventsResultEntry {
        error_code: Some(code.to_owned()),
        error_message: Some(message.into()),
        event_id: None,
    }
}

/// The per-entry error of a missing required member.
fn missing(member: &str) -> PutEventsResultEntry {
    failed(
        "InvalidArgument",
        format!("Parameter {member} is not valid. Reason: {member} is a required argument."),
    )
}

/// The entry's event envelope, or the per-entry error AWS reports for it.
pub fn envelope(
    entry: &PutEventsRequestEntry,
    account: &str,
    region: &str,
    now_ms: i64,
) -> Result<Value, PutEventsResultEntry> {
    let source = entry.source.as_deref().ok_or_else(|| missing("Source"))?;
    let detail_type = entry
        .detail_type
        .as_deref()
        .ok_or_else(|| missing("DetailType"))?;
    let detail = entry.detail.as_deref().ok_or_else(|| missing("Detail"))?;
    let detail: Value = serde_json::from_str(detail)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| failed("MalformedDetail", "Detail is malformed."))?;
    let time_ms = entry.time.map_or(now_ms, |t| {
        i64::try_from(t.epoch_millis()).unwrap_or(now_ms)
    });
    Ok(json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": event_time(time_ms),
        "region": region,
        "resources": entry.resources.clone().unwrap_or_default(),
        "detail": detail,
    }))
}

/// A bus's resource policy, parsed (`None` when it has none or it no longer parses).
fn parse_policy(text: Option<&str>) -> Option<Policy> {
    Policy::parse(text?, PolicyKind::Resource).ok()
}

impl EventsService {
    /// Authorizes `events:PutEvents` on `bus` for `ctx`'s caller (another account's bus
    /// needs its policy's allow) and checks the bus exists.
    async fn authorize_put(&self, ctx: &RequestContext, bus: &BusRef) -> Result<(), ServiceError> {
        let record = self.tables.bus(bus).await?;
        let exists = record.is_some() || bus.name == crate::store::DEFAULT_BUS;
        let own = bus.account == ctx.account().as_str();
        if !exists && own {
            return Err(bus_not_found(&bus.name));
        }
        let policy = parse_policy(record.as_ref().and_then(|r| r.value.policy.as_deref()));
        authorize(ctx, "PutEvents", &bus.arn(), &bus.account, policy.as_ref())?;
        if !exists {
            return Err(bus_not_found(&bus.name));
        }
        Ok(())
    }

    /// One entry: its event and its deliveries' writes, or its failure. `sets` keeps the
    /// rule sets this call already read (one rule-set version read per bus and call).
    async fn accept(
        &self,
        ctx: &RequestContext,
        entry: &PutEventsRequestEntry,
        writes: &mut Vec<rampart_store::Write>,
        sets: &mut HashMap<BusRef, Arc<RuleSet>>,
    ) -> Result<String, PutEventsResultEntry> {
        let bus = caller_bus(ctx, entry.event_bus_name.as_deref());
        let event = envelope(
            entry,
            ctx.account().as_str(),
            ctx.region.as_str(),
            self.now_ms(),
        )?;
        if bus.region != ctx.region.as_str() {
            return Err(failed(
                "ResourceNotFoundException",
                bus_not_found(&bus.name).message,
            ));
        }
        // A denied or missing bus fails its entry, not the call (entries may name several
        // buses). AWS documents AccessDeniedException ("You do not have sufficient access to
        // perform this action") among PutEventsResultEntry's non-retryable ErrorCodes, beside
        // NotAuthorizedForSourceException/…DetailTypeException, so a denial is an entry's.
        let as_entry = |e: ServiceError| failed(&e.code, e.message);
        self.authorize_put(ctx, &bus).await.map_err(as_entry)?;
        let set = match sets.get(&bus) {
            Some(set) => set.clone(),
            None => self.rule_set(&bus).await.map_err(as_entry)?,
        };
        writes.extend(route_with(&bus, &set, &event, None));
        sets.insert(bus, set);
        Ok(event["id"].as_str().unwrap_or_default().to_owned())
    }
}

impl PutEvents for EventsService {
    async fn put_events(
        &self,
        ctx: &RequestContext,
        input: PutEventsRequest,
    ) -> Result<PutEventsResponse, ServiceError> {
        if input.endpoint_id.is_some() {
            return Err(validation(
                "Global endpoints (EndpointId) are not supported by Rampart.",
            ));
        }
        let entries = input.entries.unwrap_or_default();
        let total: usize = entries.iter().map(entry_size).sum();
        if total > MAX_REQUEST_BYTES {
            // AWS documents the limit ("the total entry size must be less than 256KB", sized
            // as `entry_size` does) but not its message; this text is Rampart's. Doubt kept.
            return Err(validation(
                "Total size of the entries in the request is over the limit.",
            ));
        }
        let mut writes = Vec::new();
        let mut sets = HashMap::new();
        let mut results = Vec::with_capacity(entries.len());
        for entry in &entries {
            results.push(
                match self.accept(ctx, entry, &mut writes, &mut sets).await {
                    Ok(id) => PutEventsResultEntry {
                        event_id: Some(id),
                        ..Default::default()
                    },
                    Err(failure) => failure,
                },
            );
        }
        self.store.transact(writes).await.map_err(commit_err)?;
        let failed_count = results.iter().filter(|r| r.error_code.is_some()).count();
        Ok(PutEventsResponse {
            entries: Some(results),
            failed_entry_count: Some(i32::try_from(failed_count).unwrap_or(i32::MAX)),
        })
    }
}

/// Whether a delivery from `delivery.account` may put its event on `bus`: always within the
/// account, across accounts only when the bus's resource policy allows `events:PutEvents`.
pub(crate) async fn check_forward(
    service: &EventsService,
    delivery: &Delivery,
    bus: &BusRef,
) -> Result<(), ServiceError> {
    let ctx = RequestContext::for_account_root(&delivery.account, &delivery.region)
        .ok_or_else(|| validation("the delivery's account is not valid"))?;
    service.authorize_put(&ctx, bus).await
}

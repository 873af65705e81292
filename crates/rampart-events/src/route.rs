//! Routing: an event put on a bus is matched against the bus's enabled rules, and each matched
//! rule's targets get one outbox [`Delivery`](crate::outbox::Delivery) each.
//!
//! Compiled rule sets are cached per bus. Every rule change rewrites the bus's rule-set row
//! (`store::RULE_SETS`) in its transaction, so a router on any node reads that row's version
//! and recompiles when it moved: one small read per routed batch, never a stale rule set.

use crate::EventsService;
use crate::generated::{ServiceError, Target};
use crate::outbox::{DELIVERY_QUEUE, Delivery};
use crate::pattern::Pattern;
use crate::store::{BusRef, RuleRecord, parse_bus_arn, store_err};
use crate::transform::target_input;
use rampart_store::Write;
use serde_json::Value;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// AWS's default RetryPolicy.
const DEFAULT_RETRY_ATTEMPTS: u32 = 185;
const DEFAULT_EVENT_AGE_S: u32 = 86_400;

/// Why a delivery attempt failed; `retryable` failures are tried again within the RetryPolicy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryError {
    /// The reason, as a dead-letter record shows it.
    pub reason: String,
    /// Whether another attempt may succeed.
    pub retryable: bool,
}

/// One rule, compiled.
#[derive(Debug)]
pub(crate) struct CompiledRule {
    pub arn: String,
    pub name: String,
    /// `None` for a rule without a pattern (schedule only): it matches no put event.
    pub pattern: Option<Pattern>,
    /// Whether read-only CloudTrail management events match too.
    pub all_management_events: bool,
    pub targets: Vec<Target>,
    /// For an archive's managed rule, the archive id its matches are stored under (instead of
    /// enqueueing deliveries).
    pub archive_id: Option<String>,
}

/// A bus's enabled rules at one rule-set version.
#[derive(Debug, Default)]
pub(crate) struct RuleSet {
    pub version: u64,
    pub rules: Vec<CompiledRule>,
}

/// Compiled rule sets by bus.
#[derive(Debug, Default)]
pub(crate) struct RouteCache(Mutex<HashMap<BusRef, Arc<RuleSet>>>);

impl RouteCache {
    fn get(&self, bus: &BusRef) -> Option<Arc<RuleSet>> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(bus).cloned()
    }

    fn put(&self, bus: BusRef, set: Arc<RuleSet>) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(bus, set);
    }

    /// Forgets every compiled set (after a dev reset).
    pub(crate) fn clear(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// Whether `event` is a read-only CloudTrail management event, which only rules in state
/// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS receive.
fn read_only_api_call(event: &Value) -> bool {
    event.get("detail-type").and_then(Value::as_str) == Some("AWS API Call via CloudTrail")
        && event.pointer("/detail/readOnly") == Some(&Value::Bool(true))
}

fn compile(bus: &BusRef, record: &RuleRecord) -> Option<CompiledRule> {
    if !record.enabled() {
        return None;
    }
    Some(CompiledRule {
        arn: bus.rule_arn(&record.name),
        name: record.name.clone(),
        pattern: record
            .event_pattern
            .as_deref()
            .and_then(|p| Pattern::parse(p).ok()),
        all_management_events: record.takes_all_management_events(),
        targets: record.targets.clone(),
        archive_id: crate::archive::rule::archive_id(record),
    })
}

/// The write storing `event` in the archive of the archive rule `rule` (`None` for other rules).
pub(crate) fn archive_write(rule: &CompiledRule, event: &Value) -> Option<Write> {
    let id = rule.archive_id.as_deref()?;
    let matched = rule.pattern.as_ref().is_some_and(|p| p.matches(event));
    matched.then(|| crate::archive::store_write(id, event, event_time_ms(event)))
}

/// The outbox delivery of `event` to `target` of the rule `rule_arn` on `bus`.
pub(crate) fn delivery(bus: &BusRef, rule_arn: &str, target: &Target, event: &Value) -> Delivery {
    delivery_with(bus, rule_arn, target, event, &OnceCell::new())
}

/// [`delivery`], with the event's JSON text made at most once for all its targets.
fn delivery_with(
    bus: &BusRef,
    rule_arn: &str,
    target: &Target,
    event: &Value,
    text: &OnceCell<String>,
) -> Delivery {
    let whole =
        target.input.is_none() && target.input_path.is_none() && target.input_transformer.is_none();
    let input = if whole {
        text.get_or_init(|| event.to_string()).clone()
    } else {
        target_input(target, event, rule_arn)
    };
    let retry = target.retry_policy.as_ref();
    let positive = |v: Option<i32>| v.and_then(|v| u32::try_from(v).ok());
    Delivery {
        account: bus.account.clone(),
        region: bus.region.clone(),
        rule_arn: rule_arn.to_owned(),
        target_id: target.id.clone().unwrap_or_default(),
        target_arn: target.arn.clone().unwrap_or_default(),
        role_arn: target.role_arn.clone(),
        input,
        event_id: event
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        event_time_ms: event_time_ms(event),
        max_retry_attempts: positive(retry.and_then(|r| r.maximum_retry_attempts))
            .unwrap_or(DEFAULT_RETRY_ATTEMPTS),
        max_event_age_s: positive(retry.and_then(|r| r.maximum_event_age_in_seconds))
            .unwrap_or(DEFAULT_EVENT_AGE_S),
        dead_letter_arn: target
            .dead_letter_config
            .as_ref()
            .and_then(|d| d.arn.clone()),
        http_parameters: target
            .http_parameters
            .as_ref()
            .and_then(|h| serde_json::to_value(h).ok())
            .unwrap_or(Value::Null),
        failed_sends: 0,
    }
}

/// The event's `time` as epoch milliseconds (0 when unreadable).
fn event_time_ms(event: &Value) -> i64 {
    let rfc3339 = &time::format_description::well_known::Rfc3339;
    event
        .get("time")
        .and_then(Value::as_str)
        .and_then(|t| time::OffsetDateTime::parse(t, rfc3339).ok())
        .map_or(0, |t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// The enqueue of one delivery, visible at once.
pub(crate) fn enqueue(d: &Delivery) -> Write {
    Write::Enqueue {
        queue: DELIVERY_QUEUE,
        payload: d.encode(),
        visible_at_ms: 0,
        dedup_key: None,
    }
}

impl EventsService {
    /// The bus's compiled enabled rules, recompiled when its rule-set version moved.
    pub(crate) async fn rule_set(&self, bus: &BusRef) -> Result<Arc<RuleSet>, ServiceError> {
        let version = self.tables.rule_set_version(bus).await?;
        if let Some(set) = self.routes.get(bus).filter(|s| s.version == version) {
            return Ok(set);
        }
        let mut rules = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self
                .tables
                .rules
                .scan(&bus.rules_prefix(), after.as_deref(), 500)
                .await
                .map_err(store_err)?;
            let Some((last, _)) = page.last() else { break };
            after = Some(last.clone());
            rules.extend(page.iter().filter_map(|(_, r)| compile(bus, &r.value)));
        }
        let set = Arc::new(RuleSet { version, rules });
        self.routes.put(bus.clone(), set.clone());
        Ok(set)
    }

    /// Puts `event` (a full envelope: version, id, detail-type, source, account, time, region,
    /// resources, detail) on the bus `bus_arn`: matches the bus's enabled rules (only those
    /// named in `rules`, for a replay) and returns the writes that enqueue one delivery per
    /// matched target, to commit with whatever accepted the event.
    pub(crate) async fn route(
        &self,
        bus_arn: &str,
        event: &Value,
        rules: Option<&[String]>,
    ) -> Result<Vec<Write>, ServiceError> {
        let bus = parse_bus_arn(bus_arn).ok_or_else(|| {
            crate::access::validation(format!("{bus_arn} is not an event bus ARN."))
        })?;
        let set = self.rule_set(&bus).await?;
        Ok(route_with(&bus, &set, event, rules))
    }

    /// Delivers to an event-bus target: the event goes on that bus (another account's only if
    /// its resource policy allows this account's PutEvents), routed there in one transaction.
    /// The event keeps its id on another bus of the same Region and gets a new one in another
    /// Region (AWS: cross-Region events are new events).
    pub(crate) async fn forward_to_bus(&self, delivery: &Delivery) -> Result<(), DeliveryError> {
        let fail = |reason: String, retryable: bool| DeliveryError { reason, retryable };
        let bus = parse_bus_arn(&delivery.target_arn).ok_or_else(|| {
            fail(
                format!("{} is not an event bus", delivery.target_arn),
                false,
            )
        })?;
        let mut event: Value = serde_json::from_str(&delivery.input)
            .map_err(|_| fail("the input is not a JSON event".into(), false))?;
        crate::ops::put_events::check_forward(self, delivery, &bus)
            .await
            .map_err(|e| fail(e.to_string(), e.is_server_fault()))?;
        if bus.region != delivery.region {
            event["id"] = Value::String(uuid::Uuid::new_v4().to_string());
        }
        let writes = self
            .route(&bus.arn(), &event, None)
            .await
            .map_err(|e| fail(e.to_string(), true))?;
        self.tables
            .store
            .transact(writes)
            .await
            .map_err(|e| fail(format!("store: {e}"), true))
    }
}

/// The deliveries of `event` through `set`, as enqueue writes, and its archiving by the archive
/// rules that match it.
pub(crate) fn route_with(
    bus: &BusRef,
    set: &RuleSet,
    event: &Value,
    only: Option<&[String]>,
) -> Vec<Write> {
    let read_only = read_only_api_call(event);
    let text = OnceCell::new();
    let mut writes = Vec::new();
    for rule in &set.rules {
        if only.is_some_and(|only| !only.iter().any(|r| *r == rule.arn || *r == rule.name)) {
            continue;
        }
        if read_only && !rule.all_management_events {
            continue;
        }
        if !rule.pattern.as_ref().is_some_and(|p| p.matches(event)) {
            continue;
        }
        if let Some(id) = &rule.archive_id {
            writes.push(crate::archive::store_write(id, event, event_time_ms(event)));
            continue;
        }
        writes.extend(
            rule.targets
                .iter()
                .map(|t| enqueue(&delivery_with(bus, &rule.arn, t, event, &text))),
        );
    }
    writes
}

#[cfg(test)]
#[path = "route_tests.rs"]
mod tests;

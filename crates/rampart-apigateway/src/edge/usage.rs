//! API key metering at the edge: a method with `apiKeyRequired` needs an `x-api-key` header
//! naming an enabled key of a usage plan on the stage (else 403 Forbidden); the plan's
//! throttle (or its per-method one) is a token bucket per key (429 Too Many Requests); its
//! quota counts requests per key per period (DAY, WEEK from Sunday, MONTH from the 1st, each
//! shifted by `offset` days, UTC) in memory on this node (429 Limit Exceeded); every admitted
//! request is counted per plan, key and day and added to the usage rows in batches by
//! [`flush_usage_periodically`], which GetUsage reads. With several nodes each node enforces
//! quotas on the requests it saw (so a plan's quota holds per node) while the stored usage is
//! the sum over nodes.

use crate::edge::body::EdgeBody;
use crate::edge::keys::{KeyIndex, PlanView};
use crate::edge::respond::{gateway_error, throttled};
use crate::edge::route::Matched;
use crate::edge::server::Edge;
use crate::edge::snapshot::{ApiView, StageView};
use crate::edge::throttle::Throttle;
use crate::plans::{FINGERPRINT_LABEL, QuotaRecord, USAGE, UsageRecord};
use rampart_core::Clock;
use rampart_crypto::root::DomainKey;
use rampart_store::{Expect, Store, Table};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::Date;

/// How often counted usage is written to the store.
pub const FLUSH_PERIOD: Duration = Duration::from_secs(1);

/// Why a request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 403 Forbidden: no key, an unknown or disabled one, or one of no plan of the stage.
    Forbidden,
    /// 429 Too Many Requests: the key's throttle.
    Throttled,
    /// 429 Limit Exceeded: the key's quota.
    OverQuota,
}

/// What a request asks to be metered.
#[derive(Debug)]
pub struct Metered<'a> {
    pub api: &'a str,
    pub stage: &'a str,
    /// `/<resource path>/<METHOD>`, as a plan's per-method throttles are keyed.
    pub method_key: String,
    pub api_key: Option<&'a str>,
}

/// Seals and recognises key values, and counts what keys use.
pub struct Metering {
    store: Store,
    seal: DomainKey,
    clock: Arc<dyn Clock>,
    buckets: Throttle,
    /// `<plan>/<key>` → (start of the current quota period, requests in it).
    quota: Mutex<HashMap<String, (Date, i64)>>,
    /// Usage row key → requests not yet written.
    pending: Mutex<HashMap<String, i64>>,
}

impl std::fmt::Debug for Metering {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metering").finish_non_exhaustive()
    }
}

impl Metering {
    /// Metering over `store`, keys sealed under `seal`, periods on `clock`.
    pub fn new(store: Store, seal: DomainKey, clock: Arc<dyn Clock>) -> Self {
        Metering {
            store,
            seal,
            clock,
            buckets: Throttle::default(),
            quota: Mutex::new(HashMap::new()),
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// The hex fingerprint of a key value.
    pub fn fingerprint(&self, value: &str) -> String {
        let mac = self.seal.mac(FINGERPRINT_LABEL, value.as_bytes());
        mac.iter().fold(String::with_capacity(64), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
    }

    /// A key value sealed to row `row` (base64).
    pub fn seal_value(&self, value: &str, row: &str) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .encode(self.seal.wrap(value.as_bytes(), row.as_bytes()))
    }

    /// The value sealed to row `row`, or `None` when it does not open.
    pub fn open_value(&self, sealed: &str, row: &str) -> Option<String> {
        use base64::Engine;
        let blob = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .ok()?;
        let plain = self.seal.unwrap(&blob, row.as_bytes()).ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }

    /// Admits a request to a method requiring an API key, or says why not.
    pub fn admit(&self, index: &KeyIndex, request: &Metered<'_>) -> Result<(), Refusal> {
        let value = request.api_key.ok_or(Refusal::Forbidden)?;
        let key = index
            .by_fingerprint
            .get(&self.fingerprint(value))
            .filter(|k| k.enabled)
            .ok_or(Refusal::Forbidden)?;
        let plan = index
            .plan_for(request.api, request.stage, key)
            .ok_or(Refusal::Forbidden)?;
        if !self.throttle_admits(plan, &key.id, &request.method_key) {
            return Err(Refusal::Throttled);
        }
        let today = self.clock.now().date();
        if !self.quota_admits(plan, &key.id, today) {
            return Err(Refusal::OverQuota);
        }
        self.count(plan, &key.id, today);
        Ok(())
    }

    /// Takes a token from the key's bucket for the method's throttle, else the plan's.
    fn throttle_admits(&self, plan: &PlanView, key: &str, method_key: &str) -> bool {
        let (bucket, limits) = match plan.method_throttle.get(method_key) {
            Some(t) => (format!("{}/{key}/{method_key}", plan.id), t),
            None => match &plan.throttle {
                Some(t) => (format!("{}/{key}", plan.id), t),
                None => return true,
            },
        };
        let Some(rate) = limits.rate_limit else {
            return true;
        };
        let burst = limits
            .burst_limit
            .unwrap_or_else(|| rate.ceil().max(1.0) as i32);
        self.buckets.admit(&bucket, rate, burst)
    }

    /// Counts the request against the key's quota of the current period; false when spent.
    fn quota_admits(&self, plan: &PlanView, key: &str, today: Date) -> bool {
        let Some(quota) = &plan.quota else {
            return true;
        };
        let start = period_start(quota, today);
        let Ok(mut counters) = self.quota.lock() else {
            return true;
        };
        let entry = counters
            .entry(format!("{}/{key}", plan.id))
            .or_insert((start, 0));
        if entry.0 != start {
            *entry = (start, 0);
        }
        if entry.1 >= i64::from(quota.limit) {
            return false;
        }
        entry.1 += 1;
        true
    }

    /// Gives `key` on plan `plan` `delta` more requests (fewer when negative) in the quota
    /// period starting `start`, as UpdateUsage changed its remaining quota.
    pub fn grant(&self, plan: &str, key: &str, start: Date, delta: i64) {
        let Ok(mut counters) = self.quota.lock() else {
            return;
        };
        let entry = counters
            .entry(format!("{plan}/{key}"))
            .or_insert((start, 0));
        if entry.0 != start {
            *entry = (start, 0);
        }
        entry.1 -= delta;
    }

    /// Notes one request of `key` on `plan` today, for the next flush.
    fn count(&self, plan: &PlanView, key: &str, today: Date) {
        let row = usage_row(&plan.owner, &plan.id, key, today);
        if let Ok(mut pending) = self.pending.lock() {
            *pending.entry(row).or_insert(0) += 1;
        }
    }

    /// Adds the pending counts to the usage rows; what fails to write waits for the next flush.
    pub async fn flush(&self) {
        let drained: Vec<(String, i64)> = match self.pending.lock() {
            Ok(mut pending) => pending.drain().collect(),
            Err(_) => return,
        };
        let table: Table<UsageRecord> = Table::new(self.store.clone(), USAGE);
        for (row, add) in drained {
            if !add_usage(&self.store, &table, &row, add).await
                && let Ok(mut pending) = self.pending.lock()
            {
                *pending.entry(row).or_insert(0) += add;
            }
        }
    }
}

/// Adds `add` to usage row `row` under compare-and-swap; false when it could not.
async fn add_usage(store: &Store, table: &Table<UsageRecord>, row: &str, add: i64) -> bool {
    for _ in 0..8 {
        let Ok(found) = table.get(row).await else {
            return false;
        };
        let (mut record, expect) = match found {
            Some(v) => (v.value, Expect::Version(v.version)),
            None => (UsageRecord::default(), Expect::Absent),
        };
        record.used += add;
        let Ok(put) = table.put(row, &record, expect) else {
            return false;
        };
        match store.transact(vec![put]).await {
            Ok(()) => return true,
            Err(e) if e.is_conflict() => continue,
            Err(e) => {
                tracing::warn!(error = %e, "API Gateway usage write failed");
                return false;
            }
        }
    }
    false
}

/// The usage row of `key` on plan `plan` of `owner` (`<account>/<region>`) on `day`.
pub fn usage_row(owner: &str, plan: &str, key: &str, day: Date) -> String {
    format!("{owner}/{plan}/{key}/{day}")
}

/// The first day of the quota period holding `day`.
pub fn period_start(quota: &QuotaRecord, day: Date) -> Date {
    let offset = i64::from(quota.offset.max(0));
    match quota.period.as_str() {
        "WEEK" => {
            let from_sunday = i64::from(day.weekday().number_days_from_sunday());
            let back = (from_sunday - offset).rem_euclid(7);
            day - time::Duration::days(back)
        }
        "MONTH" => {
            let this = day.replace_day(1).unwrap_or(day) + time::Duration::days(offset);
            if day >= this {
                return this;
            }
            let last_month = day.replace_day(1).unwrap_or(day) - time::Duration::days(1);
            last_month.replace_day(1).unwrap_or(last_month) + time::Duration::days(offset)
        }
        _ => day,
    }
}

/// Writes counted usage every [`FLUSH_PERIOD`], forever.
pub async fn flush_usage_periodically(metering: Arc<Metering>) {
    loop {
        tokio::time::sleep(FLUSH_PERIOD).await;
        metering.flush().await;
    }
}

/// The answer refusing a request for an API key reason: 403 Forbidden, or 429 Too Many
/// Requests / Limit Exceeded, as API Gateway answers them.
pub fn refused(refusal: Refusal, request_id: &str) -> http::Response<EdgeBody> {
    match refusal {
        Refusal::Forbidden => gateway_error(request_id, 403, "ForbiddenException", "Forbidden"),
        Refusal::Throttled => throttled(request_id),
        Refusal::OverQuota => {
            gateway_error(request_id, 429, "LimitExceededException", "Limit Exceeded")
        }
    }
}

/// Meters a request to `matched` on `stage` of `api` when its method requires an API key:
/// `None` to go on, or the refusal's answer.
pub fn check_api_key(
    edge: &Edge,
    api: &ApiView,
    stage: &StageView,
    matched: &Matched<'_>,
    headers: &http::HeaderMap,
    request_id: &str,
) -> Option<http::Response<EdgeBody>> {
    if !matched.method.api_key_required {
        return None;
    }
    let request = Metered {
        api: &api.id,
        stage: &stage.name,
        method_key: format!("{}/{}", matched.resource.path, matched.method.http_method),
        api_key: headers.get("x-api-key").and_then(|v| v.to_str().ok()),
    };
    let snapshot = edge.live.snapshot();
    let verdict = edge.metering.admit(&snapshot.keys, &request);
    verdict.err().map(|refusal| refused(refusal, request_id))
}

#[cfg(test)]
#[path = "usage_tests.rs"]
mod tests;

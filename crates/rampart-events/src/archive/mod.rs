//! Archives: the stored events
//! (`events_archive_events`, keyed `<archive id>/<time ms>/<event id>`, so a window of time is
//! one key range), their count and size, and retention (a cluster job on the service clock).
//!
//! Which events an archive keeps is decided by its managed rule `Events-Archive-<name>`
//! (`rule.rs`), matched by routing like any rule; events that reach an `archive/<name>` target
//! through the outbox are stored too.

pub(crate) mod replay;
pub(crate) mod rule;

use crate::EventsService;
use rampart_store::{Expect, Store, StoreError, Write, decode_record};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Archives: `<account>/<region>/<name>` → [`ArchiveRecord`].
pub(crate) const ARCHIVES: &str = "events_archives";
/// Archived events: `<archive id>/<time ms, 16 digits>/<event id>` → the event's JSON.
pub(crate) const ARCHIVE_EVENTS: &str = "events_archive_events";

/// Rows read per store call.
const PAGE: usize = 500;

/// An archive as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ArchiveRecord {
    pub name: String,
    pub arn: String,
    /// Internal id keying its events (a recreated archive starts empty).
    pub id: String,
    pub description: Option<String>,
    /// The bus it archives.
    pub event_source_arn: String,
    pub event_pattern: Option<String>,
    /// 0: kept forever.
    pub retention_days: i32,
    pub kms_key_identifier: Option<String>,
    pub created_ms: i64,
}

/// The `(account, region)` of an EventBridge ARN.
pub(crate) fn arn_scope(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, region, account) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    (service == "events").then_some((account, region))
}

/// The key of an archived event.
fn event_key(archive_id: &str, time_ms: i64, event_id: &str) -> String {
    format!("{archive_id}/{:016}/{event_id}", time_ms.max(0))
}

/// The event's `time` (RFC 3339) in epoch milliseconds.
pub(crate) fn event_time_ms(event: &Value) -> Option<i64> {
    let text = event.get("time")?.as_str()?;
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// The write storing `event` in the archive of id `archive_id`.
pub(crate) fn store_write(archive_id: &str, event: &Value, fallback_ms: i64) -> Write {
    let time = event_time_ms(event).unwrap_or(fallback_ms);
    let id = event.get("id").and_then(Value::as_str).unwrap_or_default();
    Write::Put {
        table: ARCHIVE_EVENTS,
        key: event_key(archive_id, time, id),
        value: event.to_string().into_bytes(),
        expect: Expect::Any,
    }
}

/// Every archive of `account` and `region` (or of every account, with `None`).
pub(crate) async fn archives(
    store: &Store,
    scope: Option<(&str, &str)>,
) -> Result<Vec<ArchiveRecord>, StoreError> {
    let prefix = scope.map_or(String::new(), |(a, r)| format!("{a}/{r}/"));
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let rows = store
            .scan(ARCHIVES, &prefix, after.as_deref(), PAGE)
            .await?;
        for row in &rows {
            out.push(decode_record(&row.value)?);
        }
        match rows.last() {
            Some(last) if rows.len() == PAGE => after = Some(last.key.clone()),
            _ => return Ok(out),
        }
    }
}

/// `(EventCount, SizeBytes)` of an archive.
pub(crate) async fn usage(store: &Store, archive_id: &str) -> Result<(i64, i64), StoreError> {
    let prefix = format!("{archive_id}/");
    let (mut count, mut size) = (0_i64, 0_i64);
    let mut after: Option<String> = None;
    loop {
        let rows = store
            .scan(ARCHIVE_EVENTS, &prefix, after.as_deref(), PAGE)
            .await?;
        count += i64::try_from(rows.len()).unwrap_or(0);
        size += rows
            .iter()
            .map(|r| i64::try_from(r.value.len()).unwrap_or(0))
            .sum::<i64>();
        match rows.last() {
            Some(last) if rows.len() == PAGE => after = Some(last.key.clone()),
            _ => return Ok((count, size)),
        }
    }
}

/// Deletes the archived events of `archive_id` older than `before_ms` (all with `i64::MAX`);
/// how many.
pub(crate) async fn purge(
    store: &Store,
    archive_id: &str,
    before_ms: i64,
) -> Result<usize, StoreError> {
    let prefix = format!("{archive_id}/");
    let cutoff = event_key(archive_id, before_ms, "");
    let mut done = 0;
    loop {
        let keys = store.scan_keys(ARCHIVE_EVENTS, &prefix, None, PAGE).await?;
        let old: Vec<String> = keys.into_iter().filter(|k| *k < cutoff).collect();
        if old.is_empty() {
            return Ok(done);
        }
        done += old.len();
        let writes = old
            .into_iter()
            .map(|key| Write::Delete {
                table: ARCHIVE_EVENTS,
                key,
                expect: Expect::Any,
            })
            .collect();
        store.transact(writes).await?;
    }
}

impl EventsService {
    /// The writes archiving `event` (just put on the bus `bus_arn`) through that bus's archive
    /// rules (`Events-Archive-<name>`, whose patterns exclude replayed events); `route` makes
    /// the same writes along with the event's deliveries.
    pub async fn archive_writes(
        &self,
        bus_arn: &str,
        event: &Value,
    ) -> Result<Vec<Write>, crate::generated::ServiceError> {
        let bus = crate::store::parse_bus_arn(bus_arn).ok_or_else(|| {
            crate::access::validation(format!("{bus_arn} is not an event bus ARN."))
        })?;
        let set = self.rule_set(&bus).await?;
        Ok(set
            .rules
            .iter()
            .filter(|r| r.archive_id.is_some())
            .filter_map(|r| crate::route::archive_write(r, event))
            .collect())
    }

    /// Delivers to an `archive/<name>` target: stores the delivery's input (the event).
    pub(crate) async fn deliver_to_archive(
        &self,
        delivery: &crate::outbox::Delivery,
    ) -> Result<(), crate::DeliveryError> {
        let fail = |reason: String, retryable| crate::DeliveryError { reason, retryable };
        let name = delivery
            .target_arn
            .rsplit_once(":archive/")
            .map(|(_, n)| n)
            .unwrap_or_default();
        let scope =
            arn_scope(&delivery.target_arn).ok_or_else(|| fail("bad archive ARN".into(), false))?;
        let key = format!("{}/{}/{name}", scope.0, scope.1);
        let row = self
            .store
            .get(ARCHIVES, &key)
            .await
            .map_err(|e| fail(e.to_string(), true))?;
        let row = row.ok_or_else(|| fail(format!("archive {name} does not exist"), false))?;
        let archive: ArchiveRecord =
            decode_record(&row.value).map_err(|e| fail(e.to_string(), false))?;
        let event: Value = serde_json::from_str(&delivery.input)
            .map_err(|_| fail("the archived input is not JSON".into(), false))?;
        let write = store_write(&archive.id, &event, delivery.event_time_ms);
        self.store
            .transact(vec![write])
            .await
            .map_err(|e| fail(e.to_string(), true))
    }

    /// Writes the managed rule of every archive that lacks it (archives stored by an earlier
    /// Rampart, which matched archives without a rule); how many it wrote.
    pub async fn backfill_archive_rules(&self) -> Result<usize, String> {
        let all = archives(&self.store, None)
            .await
            .map_err(|e| e.to_string())?;
        let mut written = 0;
        for archive in &all {
            let Some(bus) = crate::store::parse_bus_arn(&archive.event_source_arn) else {
                continue;
            };
            let rule = rule::rule_record(archive, &bus);
            if self
                .tables
                .rule(&bus, &rule.name)
                .await
                .map_err(|e| e.message)?
                .is_some()
            {
                continue;
            }
            let put = self
                .tables
                .rules
                .put(&bus.rule_row(&rule.name), &rule, Expect::Absent);
            let touch = self.tables.touch_rule_set(&bus).map_err(|e| e.message)?;
            match self
                .tables
                .commit(vec![put.map_err(|e| e.to_string())?, touch])
                .await
            {
                Ok(()) => written += 1,
                Err(e) if crate::store::is_conflict(&e) => {}
                Err(e) => return Err(e.message),
            }
        }
        Ok(written)
    }

    /// Deletes archived events past their archive's retention at `now_ms`; how many.
    pub async fn enforce_retention(&self, now_ms: i64) -> Result<usize, String> {
        let all = archives(&self.store, None)
            .await
            .map_err(|e| e.to_string())?;
        let mut done = 0;
        for archive in all.iter().filter(|a| a.retention_days > 0) {
            let keep_ms = i64::from(archive.retention_days) * 86_400_000;
            done += purge(&self.store, &archive.id, now_ms.saturating_sub(keep_ms))
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(done)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_sort_by_time() {
        assert!(event_key("a", 9, "x") < event_key("a", 10, "a"));
        let event = serde_json::json!({"time": "2024-01-02T03:04:05Z"});
        assert_eq!(event_time_ms(&event), Some(1_704_164_645_000));
        assert_eq!(
            arn_scope("arn:aws:events:r:123:event-bus/b"),
            Some(("123", "r"))
        );
    }
}

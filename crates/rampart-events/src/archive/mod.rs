//! Archives: which events of a bus an archive keeps (its own compiled pattern, matched when the
//! event is put: [`EventsService::archive_writes`]), the stored events
//! (`events_archive_events`, keyed `<archive id>/<time ms>/<event id>`, so a window of time is
//! one key range), their count and size, and retention (a cluster job on the service clock).
//!
//! AWS implements an archive as a managed rule `Events-Archive-<name>` (ManagedBy
//! `events.amazonaws.com`) with the archive as its target; Rampart keeps the matching here
//! instead, and also stores events that reach an `archive/<name>` target through the outbox.

pub(crate) mod replay;

use crate::EventsService;
use crate::pattern::Pattern;
use rampart_store::{Expect, Store, StoreError, Write, decode_record};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// The write storing `event` in `archive`.
pub(crate) fn store_write(archive: &ArchiveRecord, event: &Value, fallback_ms: i64) -> Write {
    let time = event_time_ms(event).unwrap_or(fallback_ms);
    let id = event.get("id").and_then(Value::as_str).unwrap_or_default();
    Write::Put {
        table: ARCHIVE_EVENTS,
        key: event_key(&archive.id, time, id),
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

/// An archive with its compiled pattern (`None`: every event).
type Compiled = (ArchiveRecord, Option<Pattern>);

/// How long this node reuses an account's archives before reading them again (another node's
/// CreateArchive takes effect within this; this node's own changes at once).
const CACHE_TTL: Duration = Duration::from_secs(1);

/// The archives of each account and Region, compiled, as PutEvents matches them.
#[derive(Default)]
pub(crate) struct ArchiveCache {
    #[allow(clippy::type_complexity, reason = "a plain cache map")]
    entries: Mutex<HashMap<(String, String), (Instant, Arc<Vec<Compiled>>)>>,
}

impl ArchiveCache {
    async fn of(
        &self,
        store: &Store,
        (account, region): (&str, &str),
    ) -> Result<Arc<Vec<Compiled>>, StoreError> {
        let key = (account.to_owned(), region.to_owned());
        if let Ok(entries) = self.entries.lock()
            && let Some((at, compiled)) = entries.get(&key)
            && at.elapsed() < CACHE_TTL
        {
            return Ok(compiled.clone());
        }
        let compiled: Vec<Compiled> = archives(store, Some((account, region)))
            .await?
            .into_iter()
            .map(|a| {
                let pattern = a
                    .event_pattern
                    .as_deref()
                    .and_then(|p| Pattern::parse(p).ok());
                (a, pattern)
            })
            .collect();
        let compiled = Arc::new(compiled);
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(key, (Instant::now(), compiled.clone()));
        }
        Ok(compiled)
    }

    /// Forgets the archives of `account` and `region` (after this node changed one), or all.
    pub(crate) fn forget(&self, scope: Option<(&str, &str)>) {
        if let Ok(mut entries) = self.entries.lock() {
            match scope {
                Some((a, r)) => entries.remove(&(a.to_owned(), r.to_owned())),
                None => {
                    entries.clear();
                    None
                }
            };
        }
    }
}

impl EventsService {
    /// The writes archiving `event` (just put on the bus `bus_arn`) in every archive of that bus
    /// whose pattern matches it; commit them with whatever accepted the event. Replayed events
    /// (with `replay-name`) are not archived again, as AWS's managed archive rules exclude them.
    ///
    /// `route` calls this for each event it routes.
    pub async fn archive_writes(
        &self,
        bus_arn: &str,
        event: &Value,
    ) -> Result<Vec<Write>, StoreError> {
        if event.get("replay-name").is_some() {
            return Ok(Vec::new());
        }
        let Some(scope) = arn_scope(bus_arn) else {
            return Ok(Vec::new());
        };
        let now = crate::delivery::now_ms(self.clock.as_ref());
        let compiled = self.archives.of(&self.store, scope).await?;
        Ok(compiled
            .iter()
            .filter(|(a, pattern)| {
                a.event_source_arn == bus_arn && pattern.as_ref().is_none_or(|p| p.matches(event))
            })
            .map(|(a, _)| store_write(a, event, now))
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
        let write = store_write(&archive, &event, delivery.event_time_ms);
        self.store
            .transact(vec![write])
            .await
            .map_err(|e| fail(e.to_string(), true))
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

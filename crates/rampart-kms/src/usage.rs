//! Usage metering (beyond AWS's API): per account, Region and key, the month-to-date count of API
//! requests, the last successful cryptographic use of each key (for GetKeyLastUsage), and, in
//! [`report`], the key-months and the estimated charge at AWS's list prices.
//!
//! The request path only increments an in-memory counter ([`Meter::record`]: one mutex, one hash
//! lookup, no allocation once the row exists, no await). The background jobs call
//! [`KmsService::flush_usage`] every few seconds (and the server once more at shutdown), which adds
//! the counts to durable rows with compare-and-swap, so several nodes can flush into one
//! database. Counts not yet flushed when the process is killed (at most one flush interval,
//! ~5 s) are lost; a clean SIGTERM flushes them. Months are calendar months in UTC, taken from
//! the time each request arrived. A request is counted once, against the first key it touched
//! (`-` when none, e.g. ListKeys or GenerateRandom).

mod report;

pub use report::{AccountUsage, KeyUsage, UsageReport, charge_usd, month_of, usage_report};

use crate::KmsService;
use crate::convert::KEY_RESOURCE;
use crate::domain::{KeyRecord, KmsError};
use rampart_core::RequestContext;
use rampart_store::{Expect, StoreError, Table, Write};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Request counts: `<yyyy-mm>/<account>/<region>/<key id or ->` → [`UsageRecord`].
pub const USAGE: &str = "kms_usage";
/// Last successful cryptographic use: `<account>/<region>/<key id>` → [`LastUsageRecord`].
pub const LAST_USAGE: &str = "kms_last_usage";
/// Keys deleted by the sweeper, kept for key-month billing: `<account>/<region>/<key id>`.
pub const RETIRED_KEYS: &str = "kms_retired_keys";
/// Metering metadata (when GetKeyLastUsage tracking started).
const META: &str = "kms_usage_meta";
/// The META row holding the tracking start.
const TRACKING_START_ROW: &str = "tracking-start";
/// Attempts of one flush before the counts are put back for the next one.
const FLUSH_ATTEMPTS: usize = 5;

/// One month's request count for one account, Region and key (or `-`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageRecord {
    /// Record schema version.
    pub schema: u32,
    /// Requests counted.
    pub requests: u64,
}

/// The last successful cryptographic operation with one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastUsageRecord {
    /// Record schema version.
    pub schema: u32,
    /// When the request arrived, epoch milliseconds.
    pub ms: i64,
    /// The operation (`KeyLastUsageTrackingOperation`), e.g. `Encrypt`.
    pub operation: String,
    /// The request id (`KmsRequestId`).
    pub request_id: String,
}

/// A deleted key, remembered for the key-months of the months it existed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetiredKey {
    /// Record schema version.
    pub schema: u32,
    /// Owning account.
    pub account: String,
    /// Region.
    pub region: String,
    /// Key id.
    pub key_id: String,
    /// `CUSTOMER` or `AWS` (only customer-managed keys are charged).
    pub key_manager: String,
    /// Creation time, epoch milliseconds.
    pub created_ms: i64,
    /// End of the charged period: when its deletion was scheduled (keys pending deletion are
    /// not charged), epoch milliseconds.
    pub charged_until_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct TrackingStart {
    schema: u32,
    ms: i64,
}

/// One key's last successful cryptographic use, not yet flushed.
#[derive(Debug, Clone)]
struct LastUse {
    ms: i64,
    operation: &'static str,
    request_id: String,
}

#[derive(Debug, Default)]
struct Pending {
    /// Row key (as in [`USAGE`]) → requests since the last flush.
    requests: HashMap<String, u64>,
    /// Row key (as in [`LAST_USAGE`]) → latest use since the last flush.
    last: HashMap<String, LastUse>,
    /// Reused buffer for building row keys without allocating.
    buf: String,
}

/// In-memory request counters since the last flush.
#[derive(Debug, Default)]
pub struct Meter {
    pending: Mutex<Pending>,
    tracking_start_known: AtomicBool,
}

impl Meter {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts one request of `ctx` (the first key it noted, in that key's account and Region —
    /// another account's for a cross-account call — else the caller's). `operation` is its
    /// model name (e.g. `Encrypt`); when `ok`, a cryptographic operation also becomes the last
    /// use of every key it touched.
    pub fn record(&self, ctx: &RequestContext, operation: &str, ok: bool) {
        let operation = if ok {
            tracked_operation(operation)
        } else {
            None
        };
        let resources = ctx.resources.lock().unwrap_or_else(|p| p.into_inner());
        let mut keys = resources
            .iter()
            .filter(|r| r.resource_type == KEY_RESOURCE)
            .filter_map(|r| key_of(&r.arn));
        let first = keys.next();
        let at = ctx.received_at.to_offset(time::UtcOffset::UTC);
        let mut guard = self.lock();
        let Pending {
            requests,
            last,
            buf,
        } = &mut *guard;
        let caller = (ctx.account().as_str(), ctx.region.as_str(), "-");
        usage_row_into(buf, at, first.unwrap_or(caller));
        match requests.get_mut(buf.as_str()) {
            Some(n) => *n += 1,
            None => {
                requests.insert(buf.clone(), 1);
            }
        }
        let Some(operation) = operation else {
            return;
        };
        let ms = i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        for (account, region, key_id) in first.into_iter().chain(keys) {
            buf.clear();
            let _ = write!(buf, "{account}/{region}/{key_id}");
            match last.get_mut(buf.as_str()) {
                Some(entry) if entry.ms <= ms => {
                    entry.ms = ms;
                    entry.operation = operation;
                    entry.request_id.clone_from(&ctx.request_id);
                }
                Some(_) => {}
                None => {
                    let entry = LastUse {
                        ms,
                        operation,
                        request_id: ctx.request_id.clone(),
                    };
                    last.insert(buf.clone(), entry);
                }
            }
        }
    }

    /// Takes everything counted since the last flush.
    fn take(&self) -> (HashMap<String, u64>, HashMap<String, LastUse>) {
        let mut guard = self.lock();
        (
            std::mem::take(&mut guard.requests),
            std::mem::take(&mut guard.last),
        )
    }

    /// Puts back counts a flush could not store, merged with what arrived meanwhile.
    fn restore(&self, requests: HashMap<String, u64>, last: HashMap<String, LastUse>) {
        let mut guard = self.lock();
        for (row, n) in requests {
            *guard.requests.entry(row).or_insert(0) += n;
        }
        for (row, used) in last {
            let entry = guard.last.entry(row).or_insert_with(|| used.clone());
            if entry.ms < used.ms {
                *entry = used;
            }
        }
    }

    /// The unflushed last use of the key at `row` (a [`LAST_USAGE`] row key).
    fn pending_last(&self, row: &str) -> Option<LastUse> {
        self.lock().last.get(row).cloned()
    }
}

/// Writes `<yyyy-mm>/<account>/<region>/<key>` into `buf`.
fn usage_row_into(buf: &mut String, at: time::OffsetDateTime, key: (&str, &str, &str)) {
    let (account, region, key_id) = key;
    buf.clear();
    let _ = write!(
        buf,
        "{:04}-{:02}/{account}/{region}/{key_id}",
        at.year(),
        u8::from(at.month()),
    );
}

/// (account, Region, key id) of a key ARN (`arn:<p>:kms:<region>:<account>:key/<id>`).
fn key_of(arn: &str) -> Option<(&str, &str, &str)> {
    let arn = rampart_core::Arn::parse(arn)?;
    let key_id = arn.resource.strip_prefix("key/")?;
    Some((arn.account, arn.region, key_id))
}

/// The `KeyLastUsageTrackingOperation` of an operation, for the cryptographic operations AWS
/// tracks.
pub fn tracked_operation(operation: &str) -> Option<&'static str> {
    TRACKED.iter().copied().find(|t| *t == operation)
}

/// The operations GetKeyLastUsage reports (`KeyLastUsageTrackingOperation`).
const TRACKED: &[&str] = &[
    "Encrypt",
    "Decrypt",
    "ReEncrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "Sign",
    "Verify",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
    "Encapsulate",
    "Decapsulate",
];

/// The last use of a key as GetKeyLastUsage reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LastUsed {
    pub ms: i64,
    pub operation: String,
    pub request_id: String,
}

impl KmsService {
    /// Adds the counters gathered since the last flush to the store (compare-and-swap, retried;
    /// on failure the counts are kept for the next flush).
    pub async fn flush_usage(&self) -> Result<(), KmsError> {
        let (requests, last) = self.meter.take();
        if requests.is_empty() && last.is_empty() {
            return Ok(());
        }
        if !self.meter.tracking_start_known.load(Ordering::Relaxed) {
            self.tracking_start_ms().await?;
        }
        let outcome = self.write_usage(&requests, &last).await;
        if outcome.is_err() {
            self.meter.restore(requests, last);
        }
        outcome
    }

    async fn write_usage(
        &self,
        requests: &HashMap<String, u64>,
        last: &HashMap<String, LastUse>,
    ) -> Result<(), KmsError> {
        let counts: Table<UsageRecord> = Table::new(self.tables.store.clone(), USAGE);
        let lasts: Table<LastUsageRecord> = Table::new(self.tables.store.clone(), LAST_USAGE);
        for _ in 0..FLUSH_ATTEMPTS {
            let mut writes = Vec::with_capacity(requests.len() + last.len());
            for (row, n) in requests {
                let (mut record, expect) = match counts.get(row).await? {
                    Some(v) => (v.value, Expect::Version(v.version)),
                    None => (UsageRecord::default(), Expect::Absent),
                };
                record.schema = 1;
                record.requests = record.requests.saturating_add(*n);
                writes.push(counts.put(row, &record, expect)?);
            }
            for (row, used) in last {
                writes.extend(last_usage_write(&lasts, row, used).await?);
            }
            match self.tables.store.transact(writes).await {
                Ok(()) => return Ok(()),
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(KmsError::Internal("usage flush kept conflicting".into()))
    }

    /// When GetKeyLastUsage tracking started: recorded once per database, on first need.
    pub(crate) async fn tracking_start_ms(&self) -> Result<i64, KmsError> {
        let meta: Table<TrackingStart> = Table::new(self.tables.store.clone(), META);
        for _ in 0..FLUSH_ATTEMPTS {
            if let Some(found) = meta.get(TRACKING_START_ROW).await? {
                self.meter
                    .tracking_start_known
                    .store(true, Ordering::Relaxed);
                return Ok(found.value.ms);
            }
            let start = TrackingStart {
                schema: 1,
                ms: self.now_ms(),
            };
            let write = meta.put(TRACKING_START_ROW, &start, Expect::Absent)?;
            match self.tables.store.transact(vec![write]).await {
                Ok(()) | Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(KmsError::Internal("tracking start kept conflicting".into()))
    }

    /// The last successful cryptographic use of `key`: the newer of the stored and the
    /// not-yet-flushed one.
    pub(crate) async fn last_usage(&self, key: &KeyRecord) -> Result<Option<LastUsed>, KmsError> {
        let row = format!("{}/{}/{}", key.account, key.region, key.key_id);
        let lasts: Table<LastUsageRecord> = Table::new(self.tables.store.clone(), LAST_USAGE);
        let stored = lasts.get(&row).await?.map(|v| LastUsed {
            ms: v.value.ms,
            operation: v.value.operation,
            request_id: v.value.request_id,
        });
        let pending = self.meter.pending_last(&row).map(|p| LastUsed {
            ms: p.ms,
            operation: p.operation.to_owned(),
            request_id: p.request_id,
        });
        Ok(match (stored, pending) {
            (Some(s), Some(p)) => Some(if p.ms >= s.ms { p } else { s }),
            (s, p) => s.or(p),
        })
    }

    /// The write remembering a key the sweeper is deleting, for the key-months of its months.
    pub(crate) fn retired_key_write(&self, key: &KeyRecord) -> Result<Write, KmsError> {
        let retired = RetiredKey {
            schema: 1,
            account: key.account.clone(),
            region: key.region.clone(),
            key_id: key.key_id.clone(),
            key_manager: key.key_manager.clone(),
            created_ms: key.created_ms,
            charged_until_ms: report::charged_until(key, self.now_ms()),
        };
        let table: Table<RetiredKey> = Table::new(self.tables.store.clone(), RETIRED_KEYS);
        let row = format!("{}/{}/{}", key.account, key.region, key.key_id);
        Ok(table.put(&row, &retired, Expect::Any)?)
    }
}

/// The write storing `used` as the last use at `row` unless a newer one is stored.
async fn last_usage_write(
    table: &Table<LastUsageRecord>,
    row: &str,
    used: &LastUse,
) -> Result<Option<Write>, KmsError> {
    let current = table.get(row).await?;
    if current.as_ref().is_some_and(|c| c.value.ms > used.ms) {
        return Ok(None);
    }
    let record = LastUsageRecord {
        schema: 1,
        ms: used.ms,
        operation: used.operation.to_owned(),
        request_id: used.request_id.clone(),
    };
    let expect = current.map_or(Expect::Absent, |c| Expect::Version(c.version));
    Ok(Some(table.put(row, &record, expect)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cryptographic_operations_are_tracked() {
        assert_eq!(tracked_operation("Encrypt"), Some("Encrypt"));
        assert_eq!(tracked_operation("ReEncrypt"), Some("ReEncrypt"));
        assert_eq!(
            tracked_operation("GenerateDataKeyPairWithoutPlaintext"),
            Some("GenerateDataKeyPairWithoutPlaintext")
        );
        assert_eq!(tracked_operation("Decapsulate"), Some("Decapsulate"));
        assert_eq!(tracked_operation("DescribeKey"), None);
        assert_eq!(tracked_operation("GenerateRandom"), None);
        assert_eq!(tracked_operation("encrypt"), None);
    }

    #[test]
    fn key_ids_come_from_key_arns() {
        assert_eq!(
            key_of("arn:aws:kms:us-east-1:111122223333:key/mrk-1"),
            Some(("111122223333", "us-east-1", "mrk-1"))
        );
        assert_eq!(key_of("arn:aws:kms:us-east-1:111122223333:alias/x"), None);
    }
}

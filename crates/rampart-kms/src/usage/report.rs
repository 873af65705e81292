//! The month-to-date usage report behind `rampart usage`: request counts from the flushed meter
//! rows, key-months from the key records (live and deleted), and the estimated charge at AWS's
//! list prices: $1 per customer-managed (or imported) key-month, prorated by the hour, and $0.03
//! per 10,000 requests. AWS-managed keys are free; keys are not charged while pending deletion
//! (a cancelled deletion is charged as if it never happened, as AWS does). Not modelled: AWS's
//! free tier of 20,000 requests a month, and the extra $1/month for each of the first two
//! rotations of a key.

use super::{RETIRED_KEYS, RetiredKey, USAGE, UsageRecord};
use crate::domain::{KeyRecord, KeyState, KmsError};
use crate::store::KEYS;
use rampart_store::{Store, Table, Versioned};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, Month, OffsetDateTime, UtcOffset};

/// $ per key-month.
pub const USD_PER_KEY_MONTH: f64 = 1.0;
/// $ per 10,000 requests.
pub const USD_PER_10K_REQUESTS: f64 = 0.03;

const MILLIS_PER_HOUR: i64 = 3_600_000;
const MILLIS_PER_DAY: i64 = 86_400_000;
const SCAN_BATCH: usize = 500;

/// One key's (or the keyless `-` line's) usage in one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyUsage {
    /// Account.
    pub account: String,
    /// Region.
    pub region: String,
    /// Key id, or `-` for requests that touched no key.
    pub key_id: String,
    /// Requests counted this month.
    pub requests: u64,
    /// Key-months charged this month (0 for AWS-managed keys).
    pub key_months: f64,
    /// Estimated charge, USD.
    pub charge_usd: f64,
}

/// One account's totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountUsage {
    /// Account.
    pub account: String,
    /// Requests counted this month.
    pub requests: u64,
    /// Key-months charged this month.
    pub key_months: f64,
    /// Estimated charge, USD.
    pub charge_usd: f64,
}

/// The usage of one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageReport {
    /// `YYYY-MM` (UTC).
    pub month: String,
    /// The report's "now", epoch milliseconds (key-months count up to here).
    pub as_of_ms: i64,
    /// Per key, ordered by account, Region, key id.
    pub keys: Vec<KeyUsage>,
    /// Per account, ordered by account.
    pub accounts: Vec<AccountUsage>,
}

/// The estimated charge of `key_months` and `requests`, USD.
pub fn charge_usd(key_months: f64, requests: u64) -> f64 {
    // Request counts stay far below 2^52, where f64 stops being exact.
    #[allow(clippy::cast_precision_loss)]
    let requests = requests as f64;
    key_months * USD_PER_KEY_MONTH + requests * USD_PER_10K_REQUESTS / 10_000.0
}

/// The `YYYY-MM` month (UTC) of `ms`.
pub fn month_of(ms: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(UtcOffset::UTC);
    format!("{:04}-{:02}", at.year(), u8::from(at.month()))
}

/// `[start, end)` of a `YYYY-MM` month in epoch milliseconds (UTC), or ValidationException.
fn month_bounds(month: &str) -> Result<(i64, i64), KmsError> {
    let bad = || KmsError::Validation(format!("month must be YYYY-MM, got {month:?}"));
    let (y, m) = month.split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month_no: u8 = m.parse().map_err(|_| bad())?;
    let first = Date::from_calendar_date(year, Month::try_from(month_no).map_err(|_| bad())?, 1)
        .map_err(|_| bad())?;
    let (next_year, next_month) = if month_no == 12 {
        (year + 1, Month::January)
    } else {
        (year, Month::try_from(month_no + 1).map_err(|_| bad())?)
    };
    let next = Date::from_calendar_date(next_year, next_month, 1).map_err(|_| bad())?;
    let ms = |d: Date| d.midnight().assume_utc().unix_timestamp() * 1000;
    Ok((ms(first), ms(next)))
}

/// End of the charged period of a live key at `now_ms`: when its deletion was scheduled for a
/// key pending deletion, `now_ms` otherwise.
pub(crate) fn charged_until(key: &KeyRecord, now_ms: i64) -> i64 {
    match (key.state, key.deletion_ms, key.pending_window_days) {
        (KeyState::PendingDeletion, Some(due), Some(days)) => due
            .saturating_sub(i64::from(days) * MILLIS_PER_DAY)
            .min(now_ms),
        _ => now_ms,
    }
}

/// Key-months of a key charged over `[from, until)` within the month `[start, end)`, counted in
/// started hours as AWS prorates.
fn key_months(from: i64, until: i64, (start, end): (i64, i64)) -> f64 {
    let overlap = until.min(end).saturating_sub(from.max(start));
    if overlap <= 0 {
        return 0.0;
    }
    let hours = (overlap + MILLIS_PER_HOUR - 1) / MILLIS_PER_HOUR;
    let month_hours = (end - start) / MILLIS_PER_HOUR;
    // Hour counts are tiny integers: exact in f64.
    #[allow(clippy::cast_precision_loss)]
    let fraction = hours as f64 / month_hours.max(1) as f64;
    fraction
}

/// The usage of `month` (default: the month of `now_ms`), for one account or all, as of `now_ms`.
/// Counts reflect what has been flushed (a running server flushes every few seconds).
pub async fn usage_report(
    store: &Store,
    month: Option<&str>,
    account: Option<&str>,
    now_ms: i64,
) -> Result<UsageReport, KmsError> {
    let month = month.map_or_else(|| month_of(now_ms), str::to_owned);
    let bounds = month_bounds(&month)?;
    let as_of = now_ms.min(bounds.1);
    let account_prefix = account.map(|a| format!("{a}/")).unwrap_or_default();
    let mut lines: BTreeMap<(String, String, String), (u64, f64)> = BTreeMap::new();
    let counts: Vec<(String, Versioned<UsageRecord>)> =
        scan_all(store, USAGE, &format!("{month}/{account_prefix}")).await?;
    for (row, count) in counts {
        let mut parts = row.splitn(4, '/').skip(1);
        if let (Some(a), Some(r), Some(k)) = (parts.next(), parts.next(), parts.next()) {
            let line = lines.entry((a.into(), r.into(), k.into())).or_default();
            line.0 = line.0.saturating_add(count.value.requests);
        }
    }
    let keys: Vec<(String, Versioned<KeyRecord>)> = scan_all(store, KEYS, &account_prefix).await?;
    for (_, key) in keys {
        let k = key.value;
        if k.key_manager == "CUSTOMER" {
            let months = key_months(k.created_ms, charged_until(&k, as_of), bounds);
            add_key_months(&mut lines, (k.account, k.region, k.key_id), months);
        }
    }
    let retired: Vec<(String, Versioned<RetiredKey>)> =
        scan_all(store, RETIRED_KEYS, &account_prefix).await?;
    for (_, key) in retired {
        let k = key.value;
        if k.key_manager == "CUSTOMER" {
            let months = key_months(k.created_ms, k.charged_until_ms.min(as_of), bounds);
            add_key_months(&mut lines, (k.account, k.region, k.key_id), months);
        }
    }
    Ok(build_report(month, as_of, lines))
}

fn add_key_months(
    lines: &mut BTreeMap<(String, String, String), (u64, f64)>,
    id: (String, String, String),
    months: f64,
) {
    if months > 0.0 {
        lines.entry(id).or_default().1 += months;
    }
}

fn build_report(
    month: String,
    as_of_ms: i64,
    lines: BTreeMap<(String, String, String), (u64, f64)>,
) -> UsageReport {
    let mut accounts: BTreeMap<String, (u64, f64)> = BTreeMap::new();
    let keys: Vec<KeyUsage> = lines
        .into_iter()
        .map(|((account, region, key_id), (requests, months))| {
            let total = accounts.entry(account.clone()).or_default();
            total.0 = total.0.saturating_add(requests);
            total.1 += months;
            KeyUsage {
                account,
                region,
                key_id,
                requests,
                key_months: months,
                charge_usd: charge_usd(months, requests),
            }
        })
        .collect();
    UsageReport {
        month,
        as_of_ms,
        keys,
        accounts: accounts
            .into_iter()
            .map(|(account, (requests, months))| AccountUsage {
                account,
                requests,
                key_months: months,
                charge_usd: charge_usd(months, requests),
            })
            .collect(),
    }
}

/// Every row of `table` under `prefix`, in key order.
async fn scan_all<T: Serialize + DeserializeOwned>(
    store: &Store,
    table: &'static str,
    prefix: &str,
) -> Result<Vec<(String, Versioned<T>)>, KmsError> {
    let view: Table<T> = Table::new(store.clone(), table);
    let mut rows = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let batch = view.scan(prefix, after.as_deref(), SCAN_BATCH).await?;
        let done = batch.len() < SCAN_BATCH;
        after = batch.last().map(|(row, _)| row.clone());
        rows.extend(batch);
        if done {
            return Ok(rows);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_utc_calendar_months() {
        let (start, end) = month_bounds("2024-02").unwrap_or_default();
        assert_eq!(end - start, 29 * MILLIS_PER_DAY);
        let (start, end) = month_bounds("2023-12").unwrap_or_default();
        assert_eq!(month_of(start), "2023-12");
        assert_eq!(month_of(end), "2024-01");
        for bad in ["2024-13", "2024-1", "24-01", "x", "2024-00"] {
            assert!(month_bounds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn key_months_count_started_hours() {
        let month = month_bounds("2024-04").unwrap_or_default();
        let hours = 30.0 * 24.0;
        assert!((key_months(month.0, month.1, month) - 1.0).abs() < 1e-9);
        let one_minute = key_months(month.0, month.0 + 60_000, month);
        assert!((one_minute - 1.0 / hours).abs() < 1e-12);
        assert_eq!(key_months(month.1, month.1 + 1, month), 0.0);
        assert_eq!(key_months(month.0 - 10, month.0, month), 0.0);
    }

    #[test]
    fn charge_follows_list_prices() {
        assert!((charge_usd(2.0, 20_000) - 2.06).abs() < 1e-9);
        assert!((charge_usd(0.0, 1) - 0.000_003).abs() < 1e-12);
    }
}

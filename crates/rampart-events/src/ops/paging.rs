//! Reading the `<account>/<region>/<name>` keyed tables of connections, API destinations,
//! archives and replays: one record with its version, and the List operations' pages
//! (NamePrefix, Limit 1 to 100, default 100, NextToken the last name of the previous page).

use super::connections::internal;
use crate::generated::ServiceError;
use rampart_store::{Store, Versioned, decode_record};
use serde::de::DeserializeOwned;

/// Rows read per store call.
const SCAN: usize = 200;

/// The record at `key` of `table` with its version; `missing()` when there is none.
pub(super) async fn read_versioned<T: DeserializeOwned>(
    store: &Store,
    table: &'static str,
    key: &str,
    missing: impl FnOnce() -> ServiceError,
) -> Result<Versioned<T>, ServiceError> {
    let row = store.get(table, key).await.map_err(internal)?;
    let row = row.ok_or_else(missing)?;
    Ok(Versioned {
        value: decode_record(&row.value).map_err(internal)?,
        version: row.version,
    })
}

/// One page of records.
pub(super) struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

impl<T> Page<T> {
    fn of(items: Vec<T>, next_token: Option<&str>) -> Page<T> {
        Page {
            items,
            next_token: next_token.map(str::to_owned),
        }
    }
}

/// The records under `scope` whose name starts with `name_prefix` and that `keep` accepts,
/// after the name `next_token`, at most `limit`.
pub(super) async fn page<T: DeserializeOwned>(
    store: &Store,
    table: &'static str,
    scope: &str,
    name_prefix: Option<&str>,
    next_token: Option<&str>,
    limit: Option<i32>,
    keep: impl Fn(&T) -> bool,
) -> Result<Page<T>, ServiceError> {
    let limit = usize::try_from(limit.unwrap_or(100))
        .unwrap_or(100)
        .clamp(1, 100);
    let prefix = format!("{scope}{}", name_prefix.unwrap_or_default());
    let mut after = next_token.map(|name| format!("{scope}{name}"));
    let mut items = Vec::new();
    loop {
        let rows = store
            .scan(table, &prefix, after.as_deref(), SCAN)
            .await
            .map_err(internal)?;
        let exhausted = rows.len() < SCAN;
        for row in rows {
            let record: T = decode_record(&row.value).map_err(internal)?;
            if keep(&record) {
                items.push(record);
            }
            after = Some(row.key);
            if items.len() == limit {
                let next_token = after.as_deref().and_then(|k| k.strip_prefix(scope));
                return Ok(Page::of(items, next_token));
            }
        }
        if exhausted {
            return Ok(Page::of(items, None));
        }
    }
}

/// AWS's default quota of connections, and of API destinations, per account per Region
/// (EventBridge quotas: "Connections … 3,000 … The maximum number of connections per account
/// per Region"; "Api destinations … 3,000").
pub(super) const MAX_PER_REGION: usize = 3000;

/// LimitExceededException when the caller's account already has [`MAX_PER_REGION`] rows of
/// `table` in its Region (the message the crate answers for buses and rules too).
pub(super) async fn check_region_quota(
    store: &Store,
    table: &'static str,
    ctx: &rampart_core::RequestContext,
) -> Result<(), ServiceError> {
    let prefix = format!("{}/{}/", ctx.account().as_str(), ctx.region.as_str());
    let keys = store
        .scan_keys(table, &prefix, None, MAX_PER_REGION)
        .await
        .map_err(internal)?;
    if keys.len() >= MAX_PER_REGION {
        return Err(crate::generated::errors::limit_exceeded_exception(
            "The requested resource exceeds the maximum number allowed.",
        ));
    }
    Ok(())
}

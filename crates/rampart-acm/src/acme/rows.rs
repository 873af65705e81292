//! What the ACME operations share over their tables: reading every row under a prefix,
//! compare-and-swap changes of one row, pages with an opaque offset token, idempotency
//! tokens and tag lists.

use crate::generated::errors::validation_exception;
use crate::generated::{ServiceError, Tag};
use crate::ops::list::{decode_token, encode_token};
use crate::record::{TokenRecord, token_row};
use crate::service::{AcmService, internal};
use rampart_core::Scope;
use rampart_store::{Expect, Store, StoreError, Table};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The most rows one scan reads.
const SCAN_BATCH: usize = 1000;
/// Attempts at a compare-and-swap write before giving up.
const CAS_ATTEMPTS: usize = 8;
/// How long an idempotency token answers the resource it made.
const TOKEN_WINDOW_MS: i64 = 60 * 60 * 1000;
/// The page size when MaxResults is absent.
const DEFAULT_PAGE: usize = 100;

/// Every row under `prefix`, with its key, in key order.
pub async fn scan_all<T: Serialize + DeserializeOwned>(
    table: &Table<T>,
    prefix: &str,
) -> Result<Vec<(String, T)>, ServiceError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let rows = table
            .scan(prefix, after.as_deref(), SCAN_BATCH)
            .await
            .map_err(internal)?;
        let full = rows.len() == SCAN_BATCH;
        after = rows.last().map(|(key, _)| key.clone());
        out.extend(rows.into_iter().map(|(k, v)| (k, v.value)));
        if !full {
            return Ok(out);
        }
    }
}

/// Applies `change` to row `row` (`missing` when it does not exist), retrying on conflicts.
pub async fn mutate<T, F>(
    store: &Store,
    table: &Table<T>,
    row: &str,
    missing: impl Fn() -> ServiceError,
    change: F,
) -> Result<T, ServiceError>
where
    T: Serialize + DeserializeOwned,
    F: Fn(&mut T) -> Result<(), ServiceError>,
{
    for _ in 0..CAS_ATTEMPTS {
        let found = table.get(row).await.map_err(internal)?;
        let found = found.ok_or_else(&missing)?;
        let mut value = found.value;
        change(&mut value)?;
        let put = table.put(row, &value, Expect::Version(found.version));
        match store.transact(vec![put.map_err(internal)?]).await {
            Ok(()) => return Ok(value),
            Err(e) if e.is_conflict() => continue,
            Err(e) => return Err(internal(e)),
        }
    }
    Err(internal(StoreError::Backend(
        "ACME writes kept conflicting".into(),
    )))
}

/// One page of `items` from the request's token, and the token of the next.
pub fn page<T>(
    items: Vec<T>,
    max_results: Option<i32>,
    next_token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), ServiceError> {
    let offset = next_token.map(decode_token).transpose()?.unwrap_or(0);
    let size = max_results.map_or(DEFAULT_PAGE, |n| n.max(1) as usize);
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(offset).take(size).collect();
    let next = offset + page.len();
    Ok((page, (next < total).then(|| encode_token(next))))
}

/// Wire tags as `(key, value)` pairs (a missing value is empty); `aws:` keys and repeated
/// keys refused.
pub fn tag_pairs(tags: Option<&[Tag]>) -> Result<Vec<(String, String)>, ServiceError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for tag in tags.unwrap_or_default() {
        let key = tag.key.clone().unwrap_or_default();
        if key.starts_with("aws:") || out.iter().any(|(k, _)| *k == key) {
            // Doubt: AWS's wording for reserved or repeated tag keys is not documented.
            return Err(validation_exception(format!(
                "The tag key '{key}' is reserved or repeated."
            )));
        }
        out.push((key, tag.value.clone().unwrap_or_default()));
    }
    Ok(out)
}

/// Pairs as wire tags (`None` when there are none).
pub fn wire_tags(tags: &[(String, String)]) -> Option<Vec<Tag>> {
    (!tags.is_empty()).then(|| {
        tags.iter()
            .map(|(k, v)| Tag {
                key: Some(k.clone()),
                value: Some(v.clone()),
            })
            .collect()
    })
}

/// An idempotency token of an operation in a scope.
pub struct Token {
    row: String,
    expect: Expect,
}

impl AcmService {
    /// The ARN `token` made for `operation` in the last hour, else how to record it anew.
    pub(crate) async fn acme_token(
        &self,
        scope: &Scope,
        operation: &str,
        token: Option<&str>,
    ) -> Result<(Option<String>, Option<Token>), ServiceError> {
        let Some(token) = token else {
            return Ok((None, None));
        };
        let row = token_row(&format!("{}acme/{operation}/", scope.prefix()), token);
        let found = self.tables.tokens.get(&row).await.map_err(internal)?;
        let expect = match found {
            Some(f) if self.now_ms() - f.value.used_ms < TOKEN_WINDOW_MS => {
                return Ok((Some(f.value.arn), None));
            }
            Some(f) => Expect::Version(f.version),
            None => Expect::Absent,
        };
        Ok((None, Some(Token { row, expect })))
    }

    /// The write recording that `token` made `arn`.
    pub(crate) fn token_write(
        &self,
        token: Option<Token>,
        arn: &str,
    ) -> Option<Result<rampart_store::Write, StoreError>> {
        let token = token?;
        let used = TokenRecord {
            arn: arn.to_owned(),
            used_ms: self.now_ms(),
        };
        Some(self.tables.tokens.put(&token.row, &used, token.expect))
    }
}

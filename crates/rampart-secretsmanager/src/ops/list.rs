//! ListSecrets (filters, IncludePlannedDeletion, SortBy/SortOrder, pagination) and the
//! offset pages every list shares.

use super::describe::list_entry;
use super::filters::matches;
use crate::SecretsManagerService;
use crate::generated::errors::invalid_next_token_exception;
use crate::generated::{Filter, ListSecrets, ListSecretsRequest, ListSecretsResponse};
use crate::generated::{ServiceError, SortByType, SortOrderType};
use crate::record::{SecretRecord, scope_prefix};
use crate::service::{authorize, internal};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rampart_core::RequestContext;

/// Rows read per store scan.
const SCAN_BATCH: usize = 500;

/// One page of `items` from the offset `token` names, at most `max` (default 100) long, and
/// the token of the next page.
pub fn page<T>(
    items: Vec<T>,
    max: Option<i32>,
    token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), ServiceError> {
    let start = match token {
        Some(t) => {
            decode(t).ok_or_else(|| invalid_next_token_exception("The nextToken is not valid."))?
        }
        None => 0,
    };
    let max = usize::try_from(max.unwrap_or(100)).unwrap_or(100).max(1);
    let total = items.len();
    let out: Vec<T> = items.into_iter().skip(start).take(max).collect();
    let end = start.saturating_add(out.len());
    let next = (end < total).then(|| URL_SAFE_NO_PAD.encode(format!("o:{end}")));
    Ok((out, next))
}

fn decode(token: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("o:")?
        .parse()
        .ok()
}

impl SecretsManagerService {
    /// Every secret of the caller's account and Region passing `filters` (those scheduled
    /// for deletion only when `deleted`), in row order.
    pub(crate) async fn matching(
        &self,
        ctx: &RequestContext,
        filters: &[Filter],
        deleted: bool,
    ) -> Result<Vec<SecretRecord>, ServiceError> {
        let prefix = scope_prefix(ctx.account().as_str(), ctx.region.as_str());
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let rows = self
                .tables
                .secrets
                .scan(&prefix, after.as_deref(), SCAN_BATCH);
            let rows = rows.await.map_err(internal)?;
            let done = rows.len() < SCAN_BATCH;
            after = rows.last().map(|(k, _)| k.clone());
            out.extend(
                rows.into_iter()
                    .map(|(_, v)| v.value)
                    .filter(|r| (deleted || r.deleted_ms.is_none()) && matches(r, filters)),
            );
            if done {
                return Ok(out);
            }
        }
    }
}

/// Orders `records` by `by` (CreatedDate by default), ascending unless `order` is `desc`.
/// Doubt: AWS documents only that "secrets are listed by CreatedDate"; ascending is assumed.
fn sort(records: &mut [SecretRecord], by: Option<&SortByType>, order: Option<&SortOrderType>) {
    match by {
        Some(SortByType::Name) => records.sort_by(|a, b| a.name.cmp(&b.name)),
        Some(SortByType::LastAccessedDate) => records.sort_by_key(|r| r.last_accessed_ms),
        Some(SortByType::LastChangedDate) => records.sort_by_key(|r| r.last_changed_ms),
        _ => records.sort_by_key(|r| r.created_ms),
    }
    if matches!(order, Some(SortOrderType::Desc)) {
        records.reverse();
    }
}

impl ListSecrets for SecretsManagerService {
    async fn list_secrets(
        &self,
        ctx: &RequestContext,
        input: ListSecretsRequest,
    ) -> Result<ListSecretsResponse, ServiceError> {
        authorize(ctx, "secretsmanager:ListSecrets", "*")?;
        let filters = input.filters.unwrap_or_default();
        let deleted = input.include_planned_deletion.unwrap_or(false);
        let mut records = self.matching(ctx, &filters, deleted).await?;
        sort(
            &mut records,
            input.sort_by.as_ref(),
            input.sort_order.as_ref(),
        );
        let (records, next_token) = page(records, input.max_results, input.next_token.as_deref())?;
        Ok(ListSecretsResponse {
            secret_list: Some(records.iter().map(list_entry).collect()),
            next_token,
        })
    }
}

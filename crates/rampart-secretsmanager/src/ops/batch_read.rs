//! The reads of a BatchGetSecretValue by SecretIdList, done together: the secret rows the ids
//! name directly (a name in the caller's account and Region, or a full ARN), then the stored
//! values of their AWSCURRENT versions, each set in one store read instead of one per secret.
//! An id this cannot place (a partial ARN, a name that is not there) is read as GetSecretValue
//! reads it, so the answers are the same.

use crate::SecretsManagerService;
use crate::generated::ServiceError;
use crate::policy::{owner_of, region_of};
use crate::record::{SecretRecord, ValueRecord, secret_row, value_row};
use crate::service::internal;
use rampart_core::RequestContext;

/// A secret found ahead of its read, with its AWSCURRENT value when stored.
pub(crate) struct Prefetched {
    pub record: SecretRecord,
    pub current: Option<ValueRecord>,
}

/// The row an id names directly, and the ARN the row's secret must have (for an ARN).
fn direct_row<'a>(ctx: &RequestContext, id: &'a str) -> (String, Option<&'a str>) {
    if !id.starts_with("arn:") {
        return (
            secret_row(ctx.account().as_str(), ctx.region.as_str(), id),
            None,
        );
    }
    let name = id.split_once(":secret:").map_or("", |(_, n)| n);
    let stem = name.len().checked_sub(7).and_then(|i| name.get(..i));
    let row = secret_row(owner_of(id), region_of(id), stem.unwrap_or(name));
    (row, Some(id))
}

impl SecretsManagerService {
    /// For each of `ids`, the secret it names and its current value when two store reads can
    /// find them; `None` where the id needs the full resolution.
    pub(crate) async fn prefetch(
        &self,
        ctx: &RequestContext,
        ids: &[String],
    ) -> Result<Vec<Option<Prefetched>>, ServiceError> {
        let direct: Vec<_> = ids.iter().map(|id| direct_row(ctx, id)).collect();
        let rows: Vec<String> = direct.iter().map(|(row, _)| row.clone()).collect();
        let found = self
            .tables
            .secrets
            .get_many(&rows)
            .await
            .map_err(internal)?;
        let records: Vec<Option<SecretRecord>> = found
            .into_iter()
            .zip(&direct)
            .map(|(found, (_, arn))| {
                let record = found?.value;
                arn.is_none_or(|arn| record.arn == arn).then_some(record)
            })
            .collect();
        let value_rows: Vec<String> = records
            .iter()
            .filter_map(|r| r.as_ref())
            .filter_map(|r| Some(value_row(&r.arn, &r.staged(crate::labels::CURRENT)?.id)))
            .collect();
        let values = self.tables.values.get_many(&value_rows).await;
        let mut values = values.map_err(internal)?.into_iter();
        Ok(records
            .into_iter()
            .map(|record| {
                let record = record?;
                let has_current = record.staged(crate::labels::CURRENT).is_some();
                let current = if has_current {
                    values.next().flatten()
                } else {
                    None
                };
                Some(Prefetched {
                    record,
                    current: current.map(|v| v.value),
                })
            })
            .collect())
    }
}

//! DescribeParameters: the metadata of the account's parameters (never their values), filtered
//! by Filters or ParameterFilters, in name order, at most MaxResults (1..50) a page.

use super::filters::{self, Filter, Use};
use crate::generated::{DescribeParameters, DescribeParametersRequest};
use crate::generated::{DescribeParametersResult, ParameterInlinePolicy, ParameterMetadata};
use crate::generated::{ParameterTier, ParameterType, ServiceError};
use crate::names::parameter_arn;
use crate::record::{ParameterRecord, VersionRecord, scope_prefix};
use crate::service::{authorize, internal};
use crate::{SsmService, token};
use rampart_codec::Timestamp;
use rampart_core::RequestContext;
use serde_json::Value;

const BATCH: usize = 64;
const DEFAULT_MAX: usize = 10;

impl DescribeParameters for SsmService {
    async fn describe_parameters(
        &self,
        ctx: &RequestContext,
        input: DescribeParametersRequest,
    ) -> Result<DescribeParametersResult, ServiceError> {
        authorize(ctx, "ssm:DescribeParameters", "*")?;
        let legacy = input.filters.as_deref().unwrap_or_default();
        let modern = input.parameter_filters.as_deref().unwrap_or_default();
        if !legacy.is_empty() && !modern.is_empty() {
            return Err(ServiceError::validation(
                "You can use either Filters or ParameterFilters in a single request.",
            ));
        }
        let filters = match legacy.is_empty() {
            true => filters::parse(modern, Use::Describe)?,
            false => filters::legacy(legacy),
        };
        let prefix = scope_prefix(ctx.account().as_str(), ctx.region.as_str());
        let start = match input.next_token.as_deref() {
            Some(t) => Some(token::decode(t, &prefix)?),
            None => None,
        };
        // Parameters shared with the account by others: Rampart shares none.
        if input.shared == Some(true) {
            return Ok(DescribeParametersResult {
                next_token: None,
                parameters: Some(Vec::new()),
            });
        }
        let max = input
            .max_results
            .and_then(|m| usize::try_from(m).ok())
            .unwrap_or(DEFAULT_MAX);
        let (records, next) = self.describe_page(&prefix, start, &filters, max).await?;
        Ok(DescribeParametersResult {
            next_token: next.map(|k| token::encode(&k)),
            parameters: Some(records.iter().map(|r| metadata(ctx, r)).collect()),
        })
    }
}

impl SsmService {
    async fn describe_page(
        &self,
        prefix: &str,
        mut start: Option<String>,
        filters: &[Filter],
        max: usize,
    ) -> Result<(Vec<ParameterRecord>, Option<String>), ServiceError> {
        let mut page = Vec::new();
        loop {
            let rows = self
                .tables
                .parameters
                .scan(prefix, start.as_deref(), BATCH)
                .await
                .map_err(internal)?;
            let exhausted = rows.len() < BATCH;
            for (key, row) in rows {
                start = Some(key.clone());
                if filters::matches(filters, &row.value) {
                    page.push(row.value);
                    if page.len() == max {
                        return Ok((page, Some(key)));
                    }
                }
            }
            if exhausted {
                return Ok((page, None));
            }
        }
    }
}

/// A parameter's latest version as DescribeParameters shows it.
fn metadata(ctx: &RequestContext, record: &ParameterRecord) -> ParameterMetadata {
    let v = record.current();
    ParameterMetadata {
        arn: Some(parameter_arn(ctx, &record.name)),
        allowed_pattern: v.allowed_pattern.clone(),
        data_type: Some(v.data_type.clone()),
        description: v.description.clone(),
        key_id: v.key_id.clone(),
        last_modified_date: Some(Timestamp::from_epoch_millis(v.modified_ms)),
        last_modified_user: Some(v.modified_user.clone()),
        name: Some(record.name.clone()),
        policies: Some(inline_policies(v)),
        tier: Some(ParameterTier::from(v.tier.as_str())),
        type_: Some(ParameterType::from(v.kind.as_str())),
        version: Some(v.version),
    }
}

/// A version's policies as `ParameterInlinePolicy` entries: `Finished` once the policy acted
/// (its notification was published, or its expiry ran), `Pending` until then.
pub fn inline_policies(version: &VersionRecord) -> Vec<ParameterInlinePolicy> {
    version
        .policies
        .iter()
        .map(|text| {
            let kind = serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|v| v.get("Type").and_then(Value::as_str).map(str::to_owned));
            let acted = kind.as_ref().is_some_and(|k| version.acted.contains(k));
            ParameterInlinePolicy {
                policy_status: Some(if acted { "Finished" } else { "Pending" }.into()),
                policy_text: Some(text.clone()),
                policy_type: kind,
            }
        })
        .collect()
}

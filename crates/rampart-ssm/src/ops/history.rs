//! GetParameterHistory: every kept version of a parameter, oldest first, with labels and
//! policies, SecureString values decrypted as the caller on request; pages of MaxResults
//! (1..50), each one range read of the version rows after the token's version.

use super::describe::inline_policies;
use crate::generated::{GetParameterHistory, GetParameterHistoryRequest};
use crate::generated::{GetParameterHistoryResult, ParameterHistory, ParameterTier};
use crate::generated::{ParameterType, ServiceError};
use crate::names::{Selector, parameter_arn, parse_reference};
use crate::record::{ParameterRecord, VersionRecord, parameter_row, versions_prefix};
use crate::service::{authorize, internal, not_found};
use crate::{SsmService, token};
use rampart_codec::Timestamp;
use rampart_core::RequestContext;

const DEFAULT_MAX: usize = 50;

impl GetParameterHistory for SsmService {
    async fn get_parameter_history(
        &self,
        ctx: &RequestContext,
        input: GetParameterHistoryRequest,
    ) -> Result<GetParameterHistoryResult, ServiceError> {
        let raw = input.name.unwrap_or_default();
        let Some((name, Selector::Latest)) = parse_reference(ctx, &raw) else {
            return Err(not_found());
        };
        let arn = parameter_arn(ctx, &name);
        authorize(ctx, "ssm:GetParameterHistory", &arn)?;
        let record = self.load(ctx, &name).await?.ok_or_else(not_found)?.value;
        let row = parameter_row(ctx.account().as_str(), ctx.region.as_str(), &name);
        let scope = versions_prefix(&row);
        let after = match input.next_token.as_deref() {
            Some(t) => resume_after(&token::decode(t, &scope)?, &scope)?,
            None => 0,
        };
        let max = input
            .max_results
            .and_then(|m| usize::try_from(m).ok())
            .unwrap_or(DEFAULT_MAX);
        let page = self
            .versions_after(&row, &record, after, max)
            .await
            .map_err(internal)?;
        let decrypt = input.with_decryption.unwrap_or(false);
        let mut parameters = Vec::with_capacity(page.len());
        for v in &page {
            let value = match decrypt && v.kind == ParameterType::SecureString.as_str() {
                true => self.open(ctx, &arn, &v.value, v.envelope).await?,
                false => v.value.clone(),
            };
            parameters.push(history_entry(&record, v, value));
        }
        let next = page
            .last()
            .filter(|last| last.version < record.current().version)
            .map(|last| token::encode(&format!("{scope}{}", last.version)));
        Ok(GetParameterHistoryResult {
            next_token: next,
            parameters: Some(parameters),
        })
    }
}

/// The version a page token resumes after.
fn resume_after(decoded: &str, scope: &str) -> Result<i64, ServiceError> {
    decoded[scope.len()..]
        .parse()
        .map_err(|_| crate::generated::errors::invalid_next_token("The nextToken is not valid."))
}

fn history_entry(record: &ParameterRecord, v: &VersionRecord, value: String) -> ParameterHistory {
    ParameterHistory {
        allowed_pattern: v.allowed_pattern.clone(),
        data_type: Some(v.data_type.clone()),
        description: v.description.clone(),
        key_id: v.key_id.clone(),
        labels: Some(record.labels_of(v.version)),
        last_modified_date: Some(Timestamp::from_epoch_millis(v.modified_ms)),
        last_modified_user: Some(v.modified_user.clone()),
        name: Some(record.name.clone()),
        policies: Some(inline_policies(v)),
        tier: Some(ParameterTier::from(v.tier.as_str())),
        type_: Some(ParameterType::from(v.kind.as_str())),
        value: Some(value),
        version: Some(v.version),
    }
}

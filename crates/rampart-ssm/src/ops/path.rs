//! GetParametersByPath: the parameters one level (or, with Recursive, every level) under a
//! path, filtered, in name order, a page of at most MaxResults (1..10) at a time.

use super::filters::{self, Filter, Use};
use crate::generated::errors::hierarchy_level_limit_exceeded_exception;
use crate::generated::{GetParametersByPath, GetParametersByPathRequest};
use crate::generated::{GetParametersByPathResult, ServiceError};
use crate::names::parameter_arn;
use crate::ops::get::Found;
use crate::record::scope_prefix;
use crate::service::{authorize, internal};
use crate::{SsmService, names, token};
use rampart_core::RequestContext;

/// Rows read per store scan.
const BATCH: usize = 64;
const DEFAULT_MAX: usize = 10;

/// What one page lists.
struct PathQuery {
    prefix: String,
    recursive: bool,
    filters: Vec<Filter>,
    max: usize,
}

impl GetParametersByPath for SsmService {
    async fn get_parameters_by_path(
        &self,
        ctx: &RequestContext,
        input: GetParametersByPathRequest,
    ) -> Result<GetParametersByPathResult, ServiceError> {
        let path = input.path.as_deref().unwrap_or_default().trim();
        check_path(path)?;
        authorize(
            ctx,
            "ssm:GetParametersByPath",
            &parameter_arn(ctx, path.trim_end_matches('/')),
        )?;
        let filters = filters::parse(
            input.parameter_filters.as_deref().unwrap_or_default(),
            Use::ByPath,
        )?;
        let prefix = path_prefix(ctx, path);
        let start = match input.next_token.as_deref() {
            Some(t) => Some(token::decode(t, &prefix)?),
            None => None,
        };
        let query = PathQuery {
            prefix,
            recursive: input.recursive.unwrap_or(false),
            filters,
            max: input
                .max_results
                .and_then(|m| usize::try_from(m).ok())
                .unwrap_or(DEFAULT_MAX),
        };
        let (found, next) = self.path_page(&query, start).await?;
        let decrypt = input.with_decryption.unwrap_or(false);
        let mut parameters = Vec::with_capacity(found.len());
        for f in found {
            parameters.push(self.to_parameter(ctx, f, decrypt).await?);
        }
        Ok(GetParametersByPathResult {
            next_token: next.map(|k| token::encode(&k)),
            parameters: Some(parameters),
        })
    }
}

impl SsmService {
    /// One page of `query` after row `start`: the parameters and the row to resume after.
    async fn path_page(
        &self,
        query: &PathQuery,
        mut start: Option<String>,
    ) -> Result<(Vec<Found>, Option<String>), ServiceError> {
        let mut page = Vec::new();
        loop {
            let rows = self
                .tables
                .parameters
                .scan(&query.prefix, start.as_deref(), BATCH)
                .await
                .map_err(internal)?;
            let exhausted = rows.len() < BATCH;
            for (key, row) in rows {
                start = Some(key.clone());
                let rest = &key[query.prefix.len()..];
                let record = row.value;
                let listed = record.name.starts_with('/')
                    && (query.recursive || !rest.contains('/'))
                    && filters::matches(&query.filters, &record);
                if !listed {
                    continue;
                }
                page.push(Found {
                    version: record.current().clone(),
                    record,
                    selector: names::Selector::Latest,
                });
                if page.len() == query.max {
                    return Ok((page, Some(key)));
                }
            }
            if exhausted {
                return Ok((page, None));
            }
        }
    }
}

/// The row prefix of the parameters under `path`.
fn path_prefix(ctx: &RequestContext, path: &str) -> String {
    let scope = scope_prefix(ctx.account().as_str(), ctx.region.as_str());
    match path.trim_matches('/') {
        "" => scope,
        trimmed => format!("{scope}{trimmed}/"),
    }
}

/// A path must be `/`-rooted, of valid characters, at most 15 levels deep.
fn check_path(path: &str) -> Result<(), ServiceError> {
    let bad = !path.starts_with('/')
        || path.contains("//")
        || !path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'));
    if bad {
        return Err(ServiceError::validation(
            "The parameter doesn't meet the parameter name requirements. The parameter name \
             must begin with a forward slash \"/\". It can't be prefixed with \"aws\" or \"ssm\" \
             (case-insensitive). It must use only letters, numbers, or the following symbols: . \
             (period), - (hyphen), _ (underscore). Special characters are not allowed. All \
             sub-paths, if specified, must use the forward slash symbol \"/\". Valid example: \
             /get/parameters2-/by1./path0_.",
        ));
    }
    if path.split('/').filter(|s| !s.is_empty()).count() > 15 {
        return Err(hierarchy_level_limit_exceeded_exception(
            "A hierarchy can have a maximum of 15 levels.",
        ));
    }
    Ok(())
}

//! DeleteParameter and DeleteParameters: the parameter row (labels, tags) and every version
//! row, with a "Delete" change event in the same transaction.

use crate::SsmService;
use crate::events::{Change, change_event};
use crate::generated::ServiceError;
use crate::generated::{DeleteParameter, DeleteParameterRequest, DeleteParameterResult};
use crate::generated::{DeleteParameters, DeleteParametersRequest, DeleteParametersResult};
use crate::names::{Selector, parameter_arn, parse_reference};
use crate::record::parameter_row;
use crate::rows;
use crate::service::{authorize, internal, not_found};
use rampart_core::RequestContext;

impl SsmService {
    /// Deletes parameter `raw` if it exists (authorized as `action`); whether it did.
    async fn remove(
        &self,
        ctx: &RequestContext,
        raw: &str,
        action: &str,
    ) -> Result<bool, ServiceError> {
        let Some((name, Selector::Latest)) = parse_reference(ctx, raw) else {
            return Ok(false);
        };
        authorize(ctx, action, &parameter_arn(ctx, &name))?;
        let Some(found) = self.load(ctx, &name).await? else {
            return Ok(false);
        };
        let row = parameter_row(ctx.account().as_str(), ctx.region.as_str(), &name);
        let current = found.value.current();
        let change = Change {
            operation: "Delete",
            name: &found.value.name,
            kind: &current.kind,
            description: current.description.as_deref(),
            labels: None,
        };
        let mut writes = rows::remove(&self.tables, &row, &found);
        writes.push(change_event(ctx, &change, self.now_ms()));
        match self.store.transact(writes).await {
            Ok(()) => Ok(true),
            // Changed or deleted meanwhile: deleting again removes whatever is there now.
            Err(e) if e.is_conflict() => Box::pin(self.remove(ctx, raw, action)).await,
            Err(e) => Err(internal(e)),
        }
    }
}

impl DeleteParameter for SsmService {
    async fn delete_parameter(
        &self,
        ctx: &RequestContext,
        input: DeleteParameterRequest,
    ) -> Result<DeleteParameterResult, ServiceError> {
        let raw = input.name.unwrap_or_default();
        match self.remove(ctx, &raw, "ssm:DeleteParameter").await? {
            true => Ok(DeleteParameterResult {}),
            false => Err(not_found()),
        }
    }
}

impl DeleteParameters for SsmService {
    async fn delete_parameters(
        &self,
        ctx: &RequestContext,
        input: DeleteParametersRequest,
    ) -> Result<DeleteParametersResult, ServiceError> {
        let mut deleted = Vec::new();
        let mut invalid = Vec::new();
        for raw in input.names.unwrap_or_default() {
            if deleted.contains(&raw) || invalid.contains(&raw) {
                continue;
            }
            match self.remove(ctx, &raw, "ssm:DeleteParameters").await? {
                true => deleted.push(raw),
                false => invalid.push(raw),
            }
        }
        Ok(DeleteParametersResult {
            deleted_parameters: Some(deleted),
            invalid_parameters: Some(invalid),
        })
    }
}

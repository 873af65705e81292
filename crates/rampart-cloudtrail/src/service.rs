//! `CloudTrailService`: LookupEvents over the audit log, behind the generated `CloudTrailApi`.

use crate::generated::{self, AuditParams, CloudTrailApi, Invocation, ServiceError};
use crate::generated::{LookupEventsRequest, LookupEventsResponse};
use crate::query::{Query, Scope};
use crate::{scan, token};
use rampart_codec::deserialize_input;
use rampart_core::{Clock, RequestContext};
use rampart_store::Store;
use std::sync::Arc;

/// The CloudTrail service: event history from the store's audit log.
pub struct CloudTrailService {
    store: Store,
    log: &'static str,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for CloudTrailService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudTrailService")
            .field("log", &self.log)
            .finish_non_exhaustive()
    }
}

impl CloudTrailService {
    /// Event history over the append-only log `log` of `store` (where the audit writer puts
    /// CloudTrail-shaped records as newline-separated JSON batches).
    pub fn new(store: Store, log: &'static str, clock: Arc<dyn Clock>) -> CloudTrailService {
        CloudTrailService { store, log, clock }
    }

    /// Decodes, runs and encodes one operation.
    ///
    /// CloudTrail checks LookupEvents itself, with its own exceptions
    /// (InvalidMaxResultsException, InvalidLookupAttributesException, ...) rather than model
    /// validation, so those checks run before the generated dispatcher validates the input.
    pub async fn invoke(&self, ctx: &RequestContext, operation: &str, body: &[u8]) -> Invocation {
        if operation == "LookupEvents"
            && let Some(refused) = self.refuse_lookup(ctx, body)
        {
            return refused;
        }
        generated::dispatch(self, ctx, operation, body).await
    }

    /// The refusal of a LookupEvents body that decodes but fails CloudTrail's checks.
    fn refuse_lookup(&self, ctx: &RequestContext, body: &[u8]) -> Option<Invocation> {
        let input: LookupEventsRequest = deserialize_input(body).ok()?;
        let error = Query::new(&input, scope(ctx), self.clock.now()).err()?;
        Some(Invocation {
            operation: "LookupEvents",
            result: Err(error),
            request_parameters: input.audit_json(),
            response_elements: None,
            read_only: true,
        })
    }
}

fn scope(ctx: &RequestContext) -> Scope<'_> {
    Scope {
        account: ctx.account().as_str(),
        region: ctx.region.as_str(),
    }
}

/// LookupEvents needs `cloudtrail:LookupEvents` (resource `*`) in the caller's policies.
fn authorize_lookup(ctx: &RequestContext) -> Result<(), ServiceError> {
    ctx.authorize_own("cloudtrail:LookupEvents", "*", &ctx.policy_context())
        .map_err(|denied| ServiceError::new("AccessDeniedException", 400, denied.message))
}

impl CloudTrailApi for CloudTrailService {
    async fn lookup_events(
        &self,
        ctx: &RequestContext,
        input: LookupEventsRequest,
    ) -> Result<LookupEventsResponse, ServiceError> {
        authorize_lookup(ctx)?;
        let scope = scope(ctx);
        let query = Query::new(&input, scope, self.clock.now())?;
        let page = scan::lookup(&self.store, self.log, scope, &query)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "LookupEvents could not read the audit log");
                ServiceError::internal()
            })?;
        Ok(LookupEventsResponse {
            events: Some(page.events),
            next_token: page.next.map(|c| token::encode(c, &query.fingerprint)),
        })
    }
}

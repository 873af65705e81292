//! `CloudTrailService`: LookupEvents over the audit log, behind the generated `CloudTrailApi`
//! (served through the generated `Endpoint`).

use crate::generated::{CloudTrailHandler, LookupEvents, ServiceError};
use crate::generated::{LookupEventsRequest, LookupEventsResponse};
use crate::query::{Query, Scope};
use crate::{scan, token};
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
        .map_err(|denied| ServiceError::access_denied(denied.message))
}

/// CloudTrail's operations answer AWS errors directly.
impl CloudTrailHandler for CloudTrailService {
    type Error = ServiceError;
}

impl LookupEvents for CloudTrailService {
    /// CloudTrail checks LookupEvents itself, with its own exceptions
    /// (InvalidMaxResultsException, InvalidLookupAttributesException, ...) rather than model
    /// validation, so the generated dispatcher runs these checks before validating the input.
    fn check_lookup_events(
        &self,
        ctx: &RequestContext,
        input: &LookupEventsRequest,
    ) -> Result<(), ServiceError> {
        Query::new(input, scope(ctx), self.clock.now()).map(drop)
    }

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

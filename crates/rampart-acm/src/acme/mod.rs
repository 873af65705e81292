//! ACM's ACME endpoints: the control plane's records (`record`), names (`names`) and the row
//! helpers its operations share (`rows`); the operations themselves are in `ops/acme_*.rs`.
//! The RFC 8555 server behind each endpoint is `server`, over `state`'s nonces, orders and
//! authorizations, with JWS verification (`jws`), problem documents (`problem`) and the
//! http-01 fetch (`fetch`).

pub(crate) mod fetch;
pub(crate) mod jws;
pub(crate) mod names;
pub(crate) mod prevalidation;
pub(crate) mod problem;
pub(crate) mod prune;
pub(crate) mod record;
pub(crate) mod rows;
pub(crate) mod server;
pub(crate) mod state;
pub(crate) mod tags;

use crate::generated::ServiceError;
use crate::service::authorize_typed;
use rampart_core::RequestContext;

/// Authorizes `acm:<operation>` on the ACME resource `arn` of `account`.
pub(crate) fn authorize(
    ctx: &RequestContext,
    operation: &str,
    arn: &str,
    account: &str,
) -> Result<(), ServiceError> {
    authorize_typed(ctx, operation, arn, account, "AWS::ACM::AcmeEndpoint")
}

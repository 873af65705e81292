//! The hook a per-request filter (the WAF) plugs into: it sees each request the edge routed
//! to a deployed stage before the integration runs, with the start of its body, and lets it
//! through or answers it.

use bytes::Bytes;
use std::net::IpAddr;

/// What a filter sees of a request.
#[derive(Debug)]
pub struct FilterRequest<'a> {
    /// The client's address (the TCP peer).
    pub client_ip: IpAddr,
    pub method: &'a http::Method,
    /// The request path as the client sent it (percent-encoded).
    pub path: &'a str,
    /// The query string without `?` (empty when none).
    pub query: &'a str,
    pub headers: &'a http::HeaderMap,
    /// The first [`RequestFilter::body_prefix_len`] bytes of the body (fewer if it is shorter).
    pub body_prefix: &'a [u8],
    /// The stage's ARN (`arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>`), which
    /// a web ACL is associated with.
    pub stage_arn: &'a str,
}

/// A filter's decision.
#[derive(Debug)]
pub enum Verdict {
    /// Go on to the integration.
    Allow,
    /// Answer with this response instead (a WAF block: 403 and its body).
    Respond(http::Response<Bytes>),
}

/// A per-request filter run by the edge (the WAF implements it). It must not block: it runs
/// on the request's task.
pub trait RequestFilter: Send + Sync {
    /// How much of the body the filter inspects (WAF: 8 KiB for API Gateway by default).
    fn body_prefix_len(&self) -> usize {
        8 * 1024
    }

    /// Decides on one request.
    fn check(&self, request: &FilterRequest<'_>) -> Verdict;
}

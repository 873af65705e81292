//! The contract between the edge data plane (API Gateway's listener) and a per-request filter
//! (the WAF): what the filter sees of a request routed to a deployed stage, and what it
//! decides. It lives here so the WAF and the edge need not depend on each other.

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
    /// `HTTP/1.1`, `HTTP/2.0`…
    pub http_version: &'a str,
    /// The first [`RequestFilter::body_prefix_len`] bytes of the body (fewer if it is shorter).
    pub body_prefix: &'a [u8],
    /// The body's length when the request declares it (`Content-Length`).
    pub body_len: Option<usize>,
    /// The stage's ARN (`arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>`), which
    /// a web ACL is associated with.
    pub stage_arn: &'a str,
    /// The edge's request id.
    pub request_id: &'a str,
}

/// A filter's decision.
#[derive(Debug)]
pub enum Verdict {
    /// Go on to the integration, with these headers added to the forwarded request
    /// (the WAF's `CustomRequestHandling`, `x-amzn-waf-…`).
    Allow(Vec<(String, String)>),
    /// Answer with this response instead (a block, a custom response, a CAPTCHA or challenge).
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

    /// The filter's counters as Prometheus text, served on the edge listener's `GET /metrics`
    /// (a request no API route claims); none by default.
    fn metrics(&self) -> Option<String> {
        None
    }
}

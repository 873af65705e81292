//! The protocol plug-ins of the request pipeline ([`crate::pipeline`]): each protocol family
//! claims the requests it speaks from their head, chooses the service (and, where the head
//! names it, the operation), and renders answers and errors in its own form. The pipeline runs
//! the same steps for all of them; a new protocol is one more entry of [`PROTOCOLS`].

mod cbor;
mod http_target;
mod json;
mod query;
mod rest_json;
mod rest_route;
mod rest_xml;
mod unserved;

use crate::host::{AuthFailure, Ready};
use crate::respond::Body;
use http::Response;
use http::request::Parts;
use rampart_codec::{BoxFuture, HttpInvocation, ServiceError};
use rampart_core::RequestContext;

/// The protocol plug-ins in claiming order: the first whose [`Protocol::claims`] is true
/// takes the request. Query first (a form body or an `Action` parameter, no `X-Amz-Target`),
/// then awsJson (`X-Amz-Target`), RPC v2 CBOR (`smithy-protocol: rpc-v2-cbor`), restXml (a
/// request for a registered restXml service, by scope or route), and restJson1, which takes
/// every request left.
pub(crate) static PROTOCOLS: [&dyn Protocol; 5] = [
    &query::Query,
    &json::Json,
    &cbor::Cbor,
    &rest_xml::RestXml,
    &rest_json::RestJson,
];

/// The plug-in that takes `parts` (restJson1 when no other does); `ready` is `None` while the
/// server is sealed.
pub(crate) fn claim(parts: &Parts, ready: Option<&Ready>) -> &'static dyn Protocol {
    PROTOCOLS
        .iter()
        .copied()
        .find(|p| p.claims(parts, ready))
        .unwrap_or(&rest_json::RestJson)
}

/// The plug-in whose form the operator routes' refusals take: query XML for a query
/// request, else awsJson 1.1 (as before the pipeline had plug-ins).
pub(crate) fn operator(parts: &Parts) -> &'static dyn Protocol {
    if query::Query.claims(parts, None) {
        &query::Query
    } else {
        &json::Json
    }
}

/// One protocol family's part of the request path.
pub(crate) trait Protocol: Send + Sync {
    /// True when the request is in this protocol, judged from its head and, once the server
    /// is unsealed, the service registry `ready` (`None` while sealed).
    fn claims(&self, parts: &Parts, ready: Option<&Ready>) -> bool;

    /// Chooses the service before the body is read. `dev` is the server's `--dev` mode.
    fn route<'r>(
        &self,
        ready: &'r Ready,
        parts: &'r Parts,
        request_id: &str,
        dev: bool,
    ) -> Routed<'r>;

    /// Chooses the service of a [`Routed::Deferred`] request from its body; the error is
    /// answered in the protocol's form ([`Protocol::refuse`]). Only protocols that defer
    /// implement it.
    fn route_body<'r>(
        &self,
        ready: &'r Ready,
        parts: &'r Parts,
        body: &[u8],
    ) -> Result<Box<dyn Target + 'r>, ServiceError> {
        let _ = (ready, parts, body);
        Err(ServiceError::unknown_operation())
    }

    /// Renders an error answered before any service is chosen (sealed, body refusals).
    fn refuse(&self, err: &ServiceError, request_id: &str) -> Response<Body>;

    /// True when the gateway's own errors take the query protocol's codes (`ServiceUnavailable`,
    /// `RequestEntityTooLarge`) rather than the JSON ones (`…Exception`).
    fn query_codes(&self) -> bool {
        false
    }
}

/// The outcome of routing a request's head.
pub(crate) enum Routed<'r> {
    /// The service: prechecked with its signing name, the body read under the full limit.
    Service(Box<dyn Target + 'r>),
    /// The body names the service ([`Protocol::route_body`]); it is read under `cap` (if any)
    /// and the size limit, without a precheck.
    Deferred {
        /// The most read of a body nobody could authenticate before it is read.
        cap: Option<usize>,
    },
    /// Nothing takes the request: this answer, at once.
    Refused(Response<Body>),
}

/// The request after its body was read, as a service's invoker reads it.
#[derive(Clone, Copy)]
pub(crate) struct Incoming<'a> {
    /// Method, URI and headers.
    pub(crate) parts: &'a Parts,
    /// The body.
    pub(crate) body: &'a [u8],
}

/// A request's service as its protocol sees it: what the pipeline needs to authenticate, call,
/// render and audit.
pub(crate) trait Target: Send + Sync {
    /// The SigV4 signing name the request is prechecked and authenticated for.
    fn signing_name(&self) -> &'static str;

    /// The CloudTrail event source of the audit record.
    fn event_source(&self) -> &'static str;

    /// For a global service, the Region every request is served and audited in.
    fn global_region(&self) -> Option<&'static str> {
        None
    }

    /// The protocol's error for an authentication failure (the JSON codes, by default).
    fn auth_error(&self, f: AuthFailure) -> ServiceError {
        ServiceError::new(f.code, f.status, f.message)
    }

    /// Decodes, runs and encodes the call (the success's status and headers kept).
    fn invoke<'a>(
        &'a self,
        ctx: &'a RequestContext,
        req: Incoming<'a>,
    ) -> BoxFuture<'a, HttpInvocation>;

    /// Renders a success: the encoded body with the invocation's status and headers.
    fn render_success(
        &self,
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        request_id: &str,
    ) -> Response<Body>;

    /// Renders an error (authentication, unknown operation, the service's own).
    fn render_error(&self, err: &ServiceError, request_id: &str) -> Response<Body>;
}

#[cfg(test)]
mod http_tests;
#[cfg(test)]
mod public_tests;
#[cfg(test)]
mod refuse_tests;
#[cfg(test)]
mod rest_xml_tests;

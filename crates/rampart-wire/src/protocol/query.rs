//! The AWS query protocol (IAM, STS): no `X-Amz-Target`, a form-encoded body or an `Action`
//! in the query string. The service is the one the SigV4 credential scope names, else (unsigned
//! dev-mode requests) the one that has the `Action`, found once the body is read. Every
//! answer, errors included, is query XML; a global service's calls run in its Region.

use super::{Incoming, Protocol, Routed, Target};
use crate::AwsQueryService;
use crate::host::{AuthFailure, Ready};
use crate::respond::{Body, xml};
use http::Response;
use http::request::Parts;
use rampart_codec::xml::error_document;
use rampart_codec::{
    BoxFuture, HttpInvocation, Invocation, QueryNode, ServiceError, invalid_action, unknown_action,
};
use rampart_core::RequestContext;
use std::sync::Arc;

const FORM: &str = "application/x-www-form-urlencoded";
/// The body read of an unsigned query request outside `--dev` mode (it will be refused; the
/// body only tells which service's words to refuse it in).
const UNSIGNED_BODY_LIMIT: usize = 64 * 1024;

/// The query plug-in.
pub(crate) struct Query;

impl Protocol for Query {
    fn claims(&self, parts: &Parts, _ready: Option<&Ready>) -> bool {
        is_query_request(parts)
    }

    fn route<'r>(
        &self,
        ready: &'r Ready,
        parts: &'r Parts,
        _request_id: &str,
        dev: bool,
    ) -> Routed<'r> {
        match by_scope(ready, parts) {
            Some(service) => Routed::Service(Box::new(QueryTarget {
                service: service.as_ref(),
                params: None,
            })),
            None => Routed::Deferred {
                cap: (!dev).then_some(UNSIGNED_BODY_LIMIT),
            },
        }
    }

    /// The service that has the `Action` (the scope named none); `InvalidAction` without a
    /// namespace when none has it.
    fn route_body<'r>(
        &self,
        ready: &'r Ready,
        parts: &'r Parts,
        body: &[u8],
    ) -> Result<Box<dyn Target + 'r>, ServiceError> {
        let params = params(parts, body);
        let action = params.param("Action");
        match action.and_then(|a| ready.query_service_for_action(a)) {
            Some(service) => Ok(Box::new(QueryTarget {
                service: service.as_ref(),
                params: Some(params),
            })),
            None => {
                let version = params.param("Version").unwrap_or_default();
                let mut err = invalid_action(params.param("Action"), version);
                if let Some(message) = super::unserved::unserved_scope(ready, parts) {
                    err.message = message;
                }
                Err(err)
            }
        }
    }

    fn refuse(&self, err: &ServiceError, request_id: &str) -> Response<Body> {
        error_response(err, "", request_id)
    }

    fn query_codes(&self) -> bool {
        true
    }
}

/// True for requests the query protocol answers (and that must get XML errors).
pub(crate) fn is_query_request(parts: &Parts) -> bool {
    !parts.headers.contains_key("x-amz-target")
        && (is_form(&parts.headers) || query_names_action(parts.uri.query()))
}

fn is_form(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.get(..FORM.len()))
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case(FORM))
}

fn query_names_action(query: Option<&str>) -> bool {
    query.is_some_and(|q| {
        rampart_codec::query::form_pairs(q.as_bytes())
            .iter()
            .any(|(k, _)| k == "Action")
    })
}

/// The request's parameters: the query string's, then a form body's.
fn params(parts: &Parts, body: &[u8]) -> QueryNode {
    let mut params = QueryNode::parse_form(parts.uri.query().unwrap_or("").as_bytes());
    if is_form(&parts.headers) {
        params.merge_form(body);
    }
    params
}

/// The query service the request's SigV4 credential scope names, if any.
fn by_scope<'r>(ready: &'r Ready, parts: &Parts) -> Option<&'r Arc<dyn AwsQueryService>> {
    let headers = crate::pipeline::signed_headers(parts);
    let head = crate::pipeline::signed_request(parts, &headers, b"", None);
    rampart_auth::parse_authorization(&head)
        .ok()
        .and_then(|(_, scope)| ready.query_service(&scope.service))
}

/// An XML error response; `namespace` may be empty when no service could be chosen.
fn error_response(err: &ServiceError, namespace: &str, request_id: &str) -> Response<Body> {
    if err.is_server_fault() {
        tracing::error!(request_id, code = %err.code, "service failure");
    }
    xml(
        err.status,
        error_document(err, namespace, request_id),
        request_id,
    )
}

/// A query service, with the parameters already parsed when routing needed them.
struct QueryTarget<'r> {
    service: &'r dyn AwsQueryService,
    params: Option<QueryNode>,
}

impl Target for QueryTarget<'_> {
    fn signing_name(&self) -> &'static str {
        self.service.signing_name()
    }

    fn event_source(&self) -> &'static str {
        self.service.event_source()
    }

    fn global_region(&self) -> Option<&'static str> {
        self.service.global_region()
    }

    /// The query protocol's code and status for an authentication failure (JSON services
    /// answer `InvalidSignatureException`; query services `SignatureDoesNotMatch`, 403).
    fn auth_error(&self, f: AuthFailure) -> ServiceError {
        let (code, status) = match f.code {
            "MissingAuthenticationTokenException" => ("MissingAuthenticationToken", 403),
            "IncompleteSignatureException" => ("IncompleteSignature", 400),
            "InvalidSignatureException" => ("SignatureDoesNotMatch", 403),
            "UnrecognizedClientException" => ("InvalidClientTokenId", 403),
            "ExpiredTokenException" => ("ExpiredToken", 403),
            "AccessDeniedException" => ("AccessDenied", 403),
            other => (other, f.status),
        };
        ServiceError::new(code, status, f.message)
    }

    fn invoke<'a>(
        &'a self,
        ctx: &'a RequestContext,
        req: Incoming<'a>,
    ) -> BoxFuture<'a, HttpInvocation> {
        Box::pin(async move {
            let parsed;
            let params = match &self.params {
                Some(params) => params,
                None => {
                    parsed = params(req.parts, req.body);
                    &parsed
                }
            };
            HttpInvocation::from_invocation(run(self.service, ctx, params).await)
        })
    }

    fn render_success(
        &self,
        _status: u16,
        _headers: Vec<(String, String)>,
        body: Vec<u8>,
        request_id: &str,
    ) -> Response<Body> {
        xml(200, body, request_id)
    }

    fn render_error(&self, err: &ServiceError, request_id: &str) -> Response<Body> {
        error_response(err, self.service.xml_namespace(), request_id)
    }
}

/// Dispatches the `Action`; a missing one, or a `Version` other than the service's, is
/// `InvalidAction` like an unknown one.
async fn run(
    service: &dyn AwsQueryService,
    ctx: &RequestContext,
    params: &QueryNode,
) -> Invocation {
    let action = params.param("Action").unwrap_or_default();
    let version = params.param("Version");
    match version {
        Some(v) if v != service.api_version() => unknown_action(action, v),
        _ if action.is_empty() => Invocation {
            result: Err(invalid_action(None, service.api_version())),
            ..unknown_action(action, service.api_version())
        },
        _ => service.invoke(ctx, action, params).await,
    }
}

#[cfg(test)]
#[path = "query_tests.rs"]
pub(crate) mod tests;

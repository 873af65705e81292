//! AWS query protocol requests (IAM, STS): no `X-Amz-Target`, a form-encoded body or an
//! `Action` in the query string. The service is the one the SigV4 credential scope names, else
//! (unsigned dev-mode requests) the one that has the `Action`. Authentication and auditing are
//! the JSON path's; every answer, errors included, is query XML.

use crate::AwsQueryService;
use crate::body::ReadBody;
use crate::gateway::{context, header_text, signed_headers, signed_request};
use crate::host::{AuthFailure, Ready, SignedRequest};
use crate::respond::{Body, xml};
use http::Response;
use rampart_audit::{call_events, run_audited};
use rampart_codec::xml::error_document;
use rampart_codec::{Invocation, QueryNode, ServiceError, invalid_action, unknown_action};
use rampart_core::Region;
use std::net::SocketAddr;
use std::sync::Arc;

const FORM: &str = "application/x-www-form-urlencoded";
/// The body read of an unsigned query request outside `--dev` mode (it will be refused; the
/// body only tells which service's words to refuse it in).
const UNSIGNED_BODY_LIMIT: usize = 64 * 1024;

/// True for requests the query protocol answers (and that must get XML errors).
pub(crate) fn is_query_request(parts: &http::request::Parts) -> bool {
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

/// An XML error response; `namespace` may be empty when no service could be chosen.
pub(crate) fn error_response(
    err: &ServiceError,
    namespace: &str,
    request_id: &str,
) -> Response<Body> {
    if err.is_server_fault() {
        tracing::error!(request_id, code = %err.code, "service failure");
    }
    xml(
        err.status,
        error_document(err, namespace, request_id),
        request_id,
    )
}

/// The query protocol's code and status for an authentication failure (JSON services answer
/// `InvalidSignatureException`; query services `SignatureDoesNotMatch`, 403).
pub(crate) fn auth_error(f: AuthFailure) -> ServiceError {
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

/// Where a request came from: the peer address and whether the listener terminated TLS.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Connection {
    pub(crate) remote: SocketAddr,
    pub(crate) secure_transport: bool,
}

/// Answers one query-protocol request.
pub(crate) async fn handle(
    ready: &Ready,
    parts: &http::request::Parts,
    read: &ReadBody,
    conn: Connection,
    request_id: String,
) -> Response<Body> {
    let body = &read.bytes;
    let mut params = QueryNode::parse_form(parts.uri.query().unwrap_or("").as_bytes());
    if is_form(&parts.headers) {
        params.merge_form(body);
    }
    let headers = signed_headers(parts);
    let signed = signed_request(parts, &headers, body, Some(read.sha256));
    let Some(service) = choose(ready, &signed, params.param("Action")) else {
        // No credential scope and no known Action: nothing names a service.
        let version = params.param("Version").unwrap_or_default();
        let err = invalid_action(params.param("Action"), version);
        return error_response(&err, "", &request_id);
    };
    let namespace = service.xml_namespace();
    let caller = match ready
        .auth
        .authenticate(&signed, service.signing_name())
        .await
    {
        Ok(caller) => caller,
        Err(f) => return error_response(&auth_error(f), namespace, &request_id),
    };
    let user_agent = header_text(&parts.headers, "user-agent");
    let mut ctx = context(caller, request_id, conn, user_agent);
    if let Some(region) = service.global_region() {
        ctx.region = Region::new(region);
    }
    let call = run(service.as_ref(), &ctx, &params);
    let invocation = run_audited(service.event_source(), &ctx, call).await;
    respond_and_audit(ready, service.as_ref(), &ctx, invocation).await
}

/// Renders the invocation's XML and records its audit event (waiting as the sink asks).
async fn respond_and_audit(
    ready: &Ready,
    service: &dyn AwsQueryService,
    ctx: &rampart_core::RequestContext,
    mut invocation: Invocation,
) -> Response<Body> {
    let namespace = service.xml_namespace();
    let result = std::mem::replace(&mut invocation.result, Ok(Vec::new()));
    let error = result
        .as_ref()
        .err()
        .map(|e| (e.code.to_string(), e.message.clone()));
    let response = match result {
        Ok(document) => xml(200, document, &ctx.request_id),
        Err(err) => error_response(&err, namespace, &ctx.request_id),
    };
    let read_only = invocation.read_only;
    let events = call_events(service.event_source(), ctx, invocation, error);
    ready.audit.record_call(events, read_only).await;
    response
}

/// The checks before the body is read, for a request whose credential scope names a query
/// service (its errors in that service's XML namespace). Answers the body limit: the full
/// `limit`, except that an unsigned request outside `--dev` mode is read only as far as
/// [`UNSIGNED_BODY_LIMIT`] (enough to find its `Action` and answer in that service's words).
pub(crate) async fn preflight(
    ready: &Ready,
    head: &SignedRequest<'_>,
    dev: bool,
    limit: usize,
    request_id: &str,
) -> Result<usize, Response<Body>> {
    match by_scope(ready, head) {
        Some(service) => match ready.auth.precheck(head, service.signing_name()).await {
            Ok(()) => Ok(limit),
            Err(f) => Err(error_response(
                &auth_error(f),
                service.xml_namespace(),
                request_id,
            )),
        },
        None if dev => Ok(limit),
        None => Ok(limit.min(UNSIGNED_BODY_LIMIT)),
    }
}

/// The service the credential scope names; unsigned requests (or scopes naming no query
/// service) go to the service that has the `Action`.
fn choose<'r>(
    ready: &'r Ready,
    signed: &SignedRequest<'_>,
    action: Option<&str>,
) -> Option<&'r Arc<dyn AwsQueryService>> {
    by_scope(ready, signed).or_else(|| action.and_then(|a| ready.query_service_for_action(a)))
}

/// The query service the request's SigV4 credential scope names, if any.
fn by_scope<'r>(
    ready: &'r Ready,
    signed: &SignedRequest<'_>,
) -> Option<&'r Arc<dyn AwsQueryService>> {
    rampart_auth::parse_authorization(signed)
        .ok()
        .and_then(|(_, scope)| ready.query_service(&scope.service))
}

/// Dispatches the `Action`; a missing one, or a `Version` other than the service's, is
/// `InvalidAction` like an unknown one.
async fn run(
    service: &dyn AwsQueryService,
    ctx: &rampart_core::RequestContext,
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
#[path = "query_route_tests.rs"]
pub(crate) mod tests;

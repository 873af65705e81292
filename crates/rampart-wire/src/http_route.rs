//! restJson1 and Smithy RPC v2 CBOR requests: `smithy-protocol: rpc-v2-cbor` with a
//! `/service/<name>/operation/<Operation>` path goes to the CBOR service of that name; a request
//! with neither `X-Amz-Target` nor a query `Action` goes to the restJson1 service its SigV4
//! scope names, else (unsigned) to the one whose route table matches. Authentication and
//! auditing are the JSON path's; status, headers and body come from the service's
//! `HttpInvocation`, errors rendered in the service's protocol.

use crate::body::ReadBody;
use crate::gateway::{context, header_text, signed_headers, signed_request};
use crate::host::{AuthFailure, Ready, SignedRequest};
use crate::query_route::Connection;
use crate::respond::Body;
use crate::{AwsHttpService, HttpProtocol};
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Response, StatusCode, header};
use http_body_util::Full;
use rampart_audit::call_events;
use rampart_codec::cbor::SMITHY_PROTOCOL;
use rampart_codec::{
    HttpInvocation, HttpRequest, HttpResponse, ServiceError, cbor_error_response,
    rest_error_response,
};
use rampart_core::RequestContext;
use std::sync::Arc;

/// True for a request announcing Smithy RPC v2 CBOR (`smithy-protocol: rpc-v2-cbor`).
fn is_cbor(parts: &http::request::Parts) -> bool {
    parts
        .headers
        .get("smithy-protocol")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case(SMITHY_PROTOCOL))
}

/// The HTTP-bound service answering a request that names no JSON target and is not a query
/// request, if any.
pub(crate) fn choose<'r>(
    ready: &'r Ready,
    parts: &http::request::Parts,
) -> Option<&'r Arc<dyn AwsHttpService>> {
    if is_cbor(parts) {
        let (name, _) = rampart_codec::cbor_route(parts.uri.path())?;
        return ready.cbor_service(name);
    }
    if parts.headers.contains_key("x-amz-target") {
        return None;
    }
    let headers = signed_headers(parts);
    let head = signed_request(parts, &headers, b"", None);
    let by_scope = rampart_auth::parse_authorization(&head)
        .ok()
        .and_then(|(_, scope)| ready.rest_service(&scope.service));
    let query = parts.uri.query().unwrap_or("");
    by_scope.or_else(|| ready.rest_service_for_route(parts.method.as_str(), head.path, query))
}

/// The answer to a request no service takes: RPC v2 CBOR requests get a CBOR error, others
/// the JSON `UnknownOperationException`.
pub(crate) fn unknown(parts: &http::request::Parts, request_id: &str) -> Response<Body> {
    if is_cbor(parts) {
        let err = ServiceError::unknown_operation();
        return to_response(
            cbor_error_response(&err),
            HttpProtocol::RpcV2Cbor,
            request_id,
        );
    }
    crate::refuse::unknown_operation(request_id)
}

/// The pre-body checks (SigV4 parameters, date, scope, access key) for `service`; answers the
/// body limit, or the refusal in the service's protocol.
pub(crate) async fn preflight(
    ready: &Ready,
    service: &dyn AwsHttpService,
    head: &SignedRequest<'_>,
    limit: usize,
    request_id: &str,
) -> Result<usize, Response<Body>> {
    match ready.auth.precheck(head, service.signing_name()).await {
        Ok(()) => Ok(limit),
        Err(f) => Err(error_response(
            service.protocol(),
            &auth_error(f),
            request_id,
        )),
    }
}

/// Answers one restJson1 or RPC v2 CBOR request (or the unknown-operation error when no
/// service takes it).
pub(crate) async fn handle(
    ready: &Ready,
    parts: &http::request::Parts,
    read: &ReadBody,
    conn: Connection,
    request_id: String,
) -> Response<Body> {
    let Some(service) = choose(ready, parts) else {
        return unknown(parts, &request_id);
    };
    let headers = signed_headers(parts);
    let signed = signed_request(parts, &headers, &read.bytes, Some(read.sha256));
    let caller = match ready
        .auth
        .authenticate(&signed, service.signing_name())
        .await
    {
        Ok(caller) => caller,
        Err(f) => return error_response(service.protocol(), &auth_error(f), &request_id),
    };
    let user_agent = header_text(&parts.headers, "user-agent");
    let ctx = context(caller, request_id, conn, user_agent);
    let header_list = header_list(&parts.headers);
    let req = HttpRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &header_list,
        body: &read.bytes,
    };
    let invocation = service.invoke(&ctx, &req).await;
    respond_and_audit(ready, service.as_ref(), &ctx, invocation).await
}

/// Renders the invocation's response and records its audit event (waiting as the sink asks).
async fn respond_and_audit(
    ready: &Ready,
    service: &dyn AwsHttpService,
    ctx: &RequestContext,
    mut answer: HttpInvocation,
) -> Response<Body> {
    let result = std::mem::replace(&mut answer.invocation.result, Ok(Vec::new()));
    let error = result
        .as_ref()
        .err()
        .map(|e| (e.code.to_string(), e.message.clone()));
    let protocol = service.protocol();
    let response = match result {
        Ok(body) => {
            let http = HttpResponse {
                status: answer.status,
                headers: std::mem::take(&mut answer.headers),
                body,
            };
            to_response(http, protocol, &ctx.request_id)
        }
        Err(err) => error_response(protocol, &err, &ctx.request_id),
    };
    let read_only = answer.invocation.read_only;
    let events = call_events(service.event_source(), ctx, answer.invocation, error);
    ready.audit.record_call(events, read_only).await;
    response
}

/// An error in `protocol`'s form: restJson1 with `X-Amzn-ErrorType` and a JSON body, RPC v2
/// CBOR as a CBOR map with `smithy-protocol`.
fn error_response(protocol: HttpProtocol, err: &ServiceError, request_id: &str) -> Response<Body> {
    if err.is_server_fault() {
        tracing::error!(request_id, code = %err.code, "service failure");
    }
    let http = match protocol {
        HttpProtocol::RestJson1 => rest_error_response(err),
        HttpProtocol::RpcV2Cbor => cbor_error_response(err),
        HttpProtocol::RestXml => rampart_codec::rest_xml_error_response(err, request_id),
    };
    to_response(http, protocol, request_id)
}

/// The protocol error of an authentication failure (the JSON services' codes and statuses).
fn auth_error(f: AuthFailure) -> ServiceError {
    ServiceError::new(f.code, f.status, f.message)
}

/// The HTTP response of a codec `HttpResponse`, with the request id header; a restJson1 body
/// without a content type is `application/json`.
fn to_response(http: HttpResponse, protocol: HttpProtocol, request_id: &str) -> Response<Body> {
    let has_body = !http.body.is_empty();
    let mut response = Response::new(Full::new(Bytes::from(http.body)));
    *response.status_mut() =
        StatusCode::from_u16(http.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    for (name, value) in &http.headers {
        let name = HeaderName::from_bytes(name.as_bytes());
        if let (Ok(name), Ok(value)) = (name, HeaderValue::from_str(value)) {
            headers.append(name, value);
        }
    }
    let json = protocol == HttpProtocol::RestJson1;
    if json && has_body && !headers.contains_key(header::CONTENT_TYPE) {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", value);
    }
    response
}

/// The request's headers as the codec reads them (values that are not text are skipped).
fn header_list(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
        .collect()
}

#[cfg(test)]
#[path = "http_route_tests.rs"]
mod tests;

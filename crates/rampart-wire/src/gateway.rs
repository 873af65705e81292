//! The request path: operator endpoints ([`crate::operator`]), body limit, target dispatch,
//! SigV4, service call, audit.

use crate::audit::{AuditEvent, EventResource, UserIdentity, for_each_recipient};
use crate::codec::{Invocation, ServiceError, encode_error};
use crate::host::{Authenticated, Host, Ready, SignedRequest};
use crate::operator::{self, Route};
use crate::query_route;
use crate::respond::{Body, amz_json_content_type, aws_error, json};
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Limited};
use rampart_core::RequestContext;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

const JSON_11: &str = "application/x-amz-json-1.1";

/// Routes every HTTP request the server receives.
pub struct Gateway {
    host: Arc<dyn Host>,
    max_body_bytes: usize,
    secure_transport: bool,
}

impl Gateway {
    /// A gateway over `host`, refusing bodies larger than `max_body_bytes`.
    pub fn new(host: Arc<dyn Host>, max_body_bytes: usize) -> Self {
        Self {
            host,
            max_body_bytes,
            secure_transport: false,
        }
    }

    /// Marks requests as arriving over TLS (aws:SecureTransport): set when the listener
    /// terminates TLS.
    pub fn with_secure_transport(mut self, secure: bool) -> Self {
        self.secure_transport = secure;
        self
    }

    /// Answers one request; never fails and never panics on client input.
    pub async fn handle<B>(&self, req: Request<B>, remote: SocketAddr) -> Response<Body>
    where
        B: hyper::body::Body<Data = Bytes> + Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let request_id = uuid::Uuid::new_v4().to_string();
        if let Some(response) = self.operator_route(&req, &request_id).await {
            return response;
        }
        let (parts, body) = req.into_parts();
        let unseal = operator::route(&parts.method, parts.uri.path()) == Some(Route::Unseal);
        let limit = if unseal {
            operator::MAX_UNSEAL_BODY
        } else {
            self.max_body_bytes
        };
        let bytes = match Limited::new(body, limit).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => {
                let xml = query_route::is_query_request(&parts);
                return too_large(limit, &request_id, xml);
            }
        };
        if unseal {
            return operator::unseal(self.host.as_ref(), &bytes, remote, &request_id).await;
        }
        let Some(ready) = self.host.ready() else {
            return sealed(&request_id, query_route::is_query_request(&parts));
        };
        self.aws_request(&ready, &parts, &bytes, remote, request_id)
            .await
    }

    /// Health and reset, which need no body.
    async fn operator_route<B>(
        &self,
        req: &Request<B>,
        request_id: &str,
    ) -> Option<Response<Body>> {
        match operator::route(req.method(), req.uri().path())? {
            Route::Health => Some(operator::health(self.host.as_ref(), request_id, None)),
            Route::Reset => Some(operator::reset(self.host.as_ref(), request_id).await),
            Route::Unseal => None,
        }
    }

    async fn aws_request(
        &self,
        ready: &Ready,
        parts: &http::request::Parts,
        body: &Bytes,
        remote: SocketAddr,
        request_id: String,
    ) -> Response<Body> {
        if query_route::is_query_request(parts) {
            let conn = query_route::Connection {
                remote,
                secure_transport: self.secure_transport,
            };
            return query_route::handle(ready, parts, body, conn, request_id).await;
        }
        let target = parts
            .headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok());
        // The operation follows the last dot: some prefixes contain dots
        // (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`).
        let Some((prefix, operation)) = target.and_then(|t| t.rsplit_once('.')) else {
            return unknown_operation(&request_id);
        };
        let Some(service) = ready.service(prefix) else {
            return unknown_operation(&request_id);
        };
        let content_type = amz_json_content_type(service.json_version());
        let headers = signed_headers(parts);
        let signed = signed_request(parts, &headers, body);
        let caller = match ready
            .auth
            .authenticate(&signed, service.signing_name())
            .await
        {
            Ok(caller) => caller,
            Err(f) => return aws_error(f.status, content_type, f.code, &f.message, &request_id),
        };
        let user_agent = header_text(&parts.headers, "user-agent");
        let conn = query_route::Connection {
            remote,
            secure_transport: self.secure_transport,
        };
        let ctx = context(caller, request_id, conn, user_agent);
        let mut invocation = service.invoke(&ctx, operation, body).await;
        let result = std::mem::replace(&mut invocation.result, Ok(Vec::new()));
        let error = result
            .as_ref()
            .err()
            .map(|e| (e.code.to_string(), e.message.clone()));
        let response = render(result, content_type, &ctx.request_id);
        for event in audit_event(service.event_source(), &ctx, invocation, error) {
            ready.audit.record(event);
        }
        response
    }
}

/// The request's headers as SigV4 sees them: as received, plus `host` from the URI authority
/// when the request has none (HTTP/2 sends `:authority` instead).
pub(crate) fn signed_headers(parts: &http::request::Parts) -> Vec<(&str, &[u8])> {
    let headers = &parts.headers;
    let mut list: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    let authority = parts.uri.authority().map(http::uri::Authority::as_str);
    if let Some(authority) = authority.filter(|_| !headers.contains_key(http::header::HOST)) {
        list.push(("host", authority.as_bytes()));
    }
    list
}

/// What SigV4 signs of a request: method, raw path and query, `headers`
/// ([`signed_headers`]) and the body.
pub(crate) fn signed_request<'a>(
    parts: &'a http::request::Parts,
    headers: &'a [(&'a str, &'a [u8])],
    body: &'a [u8],
) -> SignedRequest<'a> {
    SignedRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers,
        body,
        body_sha256: None,
    }
}

pub(crate) fn header_text(headers: &http::HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub(crate) fn context(
    caller: Authenticated,
    request_id: String,
    conn: query_route::Connection,
    user_agent: String,
) -> RequestContext {
    RequestContext {
        request_id,
        region: caller.region,
        principal: caller.principal,
        source_ip: conn.remote.ip().to_string(),
        user_agent,
        received_at: OffsetDateTime::now_utc(),
        resources: Mutex::new(Vec::new()),
        caller: caller.caller,
        secure_transport: conn.secure_transport,
    }
}

fn render(
    result: Result<Vec<u8>, ServiceError>,
    content_type: &'static str,
    request_id: &str,
) -> Response<Body> {
    match result {
        Ok(body) => json(200, content_type, body, request_id),
        Err(err) => {
            if err.status >= 500 {
                tracing::error!(request_id, code = %err.code, "service failure");
            }
            let mut response = json(err.status, content_type, encode_error(&err), request_id);
            if let Ok(value) = http::HeaderValue::from_str(&err.code) {
                response.headers_mut().insert("x-amzn-errortype", value);
            }
            response
        }
    }
}

/// The audit events of one request: the caller's account's, plus a copy for each other account
/// whose resources it used (see [`crate::audit::for_each_recipient`]). Failed calls, access
/// denials included, are recorded with their `errorCode` and `errorMessage`.
pub(crate) fn audit_event(
    event_source: &'static str,
    ctx: &RequestContext,
    invocation: Invocation,
    error: Option<(String, String)>,
) -> Vec<AuditEvent> {
    let account = ctx.account().to_string();
    let resources = ctx
        .take_resources()
        .into_iter()
        .map(|r| EventResource::of(r, &account))
        .collect();
    let (error_code, error_message) = error.unzip();
    let event = AuditEvent {
        event_version: "1.08",
        user_identity: UserIdentity::of(&ctx.principal),
        event_time: ctx.received_at,
        event_source,
        event_name: invocation.operation.to_owned(),
        aws_region: ctx.region.to_string(),
        source_ip_address: ctx.source_ip.clone(),
        user_agent: ctx.user_agent.clone(),
        error_code,
        error_message,
        request_parameters: invocation.request_parameters,
        response_elements: invocation.response_elements,
        request_id: ctx.request_id.clone(),
        event_id: uuid::Uuid::new_v4().to_string(),
        read_only: invocation.read_only,
        resources,
        event_type: "AwsApiCall",
        management_event: true,
        recipient_account_id: account,
        shared_event_id: None,
        event_category: "Management",
    };
    for_each_recipient(event, &ctx.principal)
}

fn unknown_operation(request_id: &str) -> Response<Body> {
    aws_error(400, JSON_11, "UnknownOperationException", "", request_id)
}

fn sealed(request_id: &str, xml: bool) -> Response<Body> {
    let message = "Rampart is sealed: unseal it first (rampart operator unseal).";
    if xml {
        let err = ServiceError::new("ServiceUnavailable", 503, message);
        return query_route::error_response(&err, "", request_id);
    }
    aws_error(
        503,
        JSON_11,
        "ServiceUnavailableException",
        message,
        request_id,
    )
}

fn too_large(limit: usize, request_id: &str, xml: bool) -> Response<Body> {
    let message = format!("Request body exceeds the limit of {limit} bytes.");
    if xml {
        let err = ServiceError::new("RequestEntityTooLarge", 413, message);
        return query_route::error_response(&err, "", request_id);
    }
    aws_error(
        413,
        JSON_11,
        "RequestEntityTooLargeException",
        &message,
        request_id,
    )
}

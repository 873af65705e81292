//! The request path: operator endpoints ([`crate::operator`]), pre-authentication checks
//! before the body is read, the body under its limits, target dispatch (awsJson, query
//! [`crate::query_route`], restJson1 and RPC v2 CBOR [`crate::http_route`]), SigV4, service
//! call, audit.

use crate::body::{BodyBudget, BodyRules, ReadBody, read_body};
use crate::host::{Authenticated, Host, Ready, SignedRequest};
use crate::http_route;
use crate::limits::ServerLimits;
use crate::operator::{self, Route};
use crate::query_route;
use crate::refuse::{self, Shape};
use crate::respond::{Body, amz_json_content_type, aws_error, json};
use bytes::Bytes;
use http::{Request, Response};
use rampart_audit::{call_events, run_audited};
use rampart_codec::{ServiceError, encode_error};
use rampart_core::RequestContext;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// Routes every HTTP request the server receives.
pub struct Gateway {
    host: Arc<dyn Host>,
    limits: ServerLimits,
    budget: BodyBudget,
    secure_transport: bool,
}

impl Gateway {
    /// A gateway over `host` enforcing `limits` (body size, rate and memory budget).
    pub fn new(host: Arc<dyn Host>, limits: ServerLimits) -> Self {
        Self {
            host,
            budget: BodyBudget::new(limits.body_budget_bytes),
            limits,
            secure_transport: false,
        }
    }

    /// Marks requests as arriving over TLS (aws:SecureTransport): set when the listener
    /// terminates TLS.
    pub fn with_secure_transport(mut self, secure: bool) -> Self {
        self.secure_transport = secure;
        self
    }

    /// The limits this gateway and its listener enforce.
    pub fn limits(&self) -> &ServerLimits {
        &self.limits
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
        let shape = Shape::of(&parts);
        let route = operator::route(&parts.method, parts.uri.path());
        if let Some(route @ (Route::Unseal | Route::Clock)) = route {
            let limit = operator::MAX_UNSEAL_BODY;
            let host = self.host.as_ref();
            return match self.read(body, limit).await {
                Ok(read) if route == Route::Clock => {
                    operator::advance_clock(host, &read.bytes, &request_id).await
                }
                Ok(read) => operator::unseal(host, &read.bytes, remote, &request_id).await,
                Err(err) => refuse::body(err, limit, &request_id, shape),
            };
        }
        let Some(ready) = self.host.ready() else {
            return refuse::sealed(&request_id, shape);
        };
        let limit = self.limits.max_body_bytes;
        if declared_length(&body).is_some_and(|n| n > limit as u64) {
            return refuse::body(crate::body::BodyError::TooLarge, limit, &request_id, shape);
        }
        let limit = match self.preflight(&ready, &parts, &request_id).await {
            Ok(limit) => limit,
            Err(mut refused) => {
                refuse::close_after(&mut refused, parts.version);
                return refused;
            }
        };
        match self.read(body, limit).await {
            Ok(read) => {
                self.aws_request(&ready, &parts, &read, remote, request_id)
                    .await
            }
            Err(err) => refuse::body(err, limit, &request_id, shape),
        }
    }

    /// Reads a body under `limit`, the rate rules and the shared memory budget.
    async fn read<B>(&self, body: B, limit: usize) -> Result<ReadBody, crate::body::BodyError>
    where
        B: hyper::body::Body<Data = Bytes>,
    {
        let rules = BodyRules {
            limit,
            declared: declared_length(&body),
            limits: &self.limits,
            budget: &self.budget,
        };
        read_body(body, &rules).await
    }

    /// The checks before the body is read: the operation exists and the signature's
    /// parameters, date, scope and access key pass. Answers the body limit to read under, or
    /// the refusal.
    async fn preflight(
        &self,
        ready: &Ready,
        parts: &http::request::Parts,
        request_id: &str,
    ) -> Result<usize, Response<Body>> {
        let headers = signed_headers(parts);
        let head = signed_request(parts, &headers, b"", None);
        let limit = self.limits.max_body_bytes;
        if query_route::is_query_request(parts) {
            let dev = self.host.dev_mode();
            return query_route::preflight(ready, &head, dev, limit, request_id).await;
        }
        let Some((service, _)) = json_target(ready, parts) else {
            return match http_route::choose(ready, parts) {
                Some(http) => {
                    http_route::preflight(ready, http.as_ref(), &head, limit, request_id).await
                }
                None => Err(http_route::unknown(parts, request_id)),
            };
        };
        match ready.auth.precheck(&head, service.signing_name()).await {
            Ok(()) => Ok(limit),
            Err(f) => {
                let content_type = amz_json_content_type(service.json_version());
                Err(aws_error(
                    f.status,
                    content_type,
                    f.code,
                    &f.message,
                    request_id,
                ))
            }
        }
    }

    /// Health and reset, which need no body (unseal and clock do).
    async fn operator_route<B>(
        &self,
        req: &Request<B>,
        request_id: &str,
    ) -> Option<Response<Body>> {
        match operator::route(req.method(), req.uri().path())? {
            Route::Health => Some(operator::health(self.host.as_ref(), request_id, None)),
            Route::Reset => Some(operator::reset(self.host.as_ref(), request_id).await),
            Route::Unseal | Route::Clock => None,
        }
    }

    async fn aws_request(
        &self,
        ready: &Ready,
        parts: &http::request::Parts,
        read: &ReadBody,
        remote: SocketAddr,
        request_id: String,
    ) -> Response<Body> {
        let conn = query_route::Connection {
            remote,
            secure_transport: self.secure_transport,
        };
        if query_route::is_query_request(parts) {
            return query_route::handle(ready, parts, read, conn, request_id).await;
        }
        let Some((service, operation)) = json_target(ready, parts) else {
            return http_route::handle(ready, parts, read, conn, request_id).await;
        };
        let body = &read.bytes;
        let content_type = amz_json_content_type(service.json_version());
        let headers = signed_headers(parts);
        let signed = signed_request(parts, &headers, body, Some(read.sha256));
        let caller = match ready
            .auth
            .authenticate(&signed, service.signing_name())
            .await
        {
            Ok(caller) => caller,
            Err(f) => return aws_error(f.status, content_type, f.code, &f.message, &request_id),
        };
        let user_agent = header_text(&parts.headers, "user-agent");
        let ctx = context(caller, request_id, conn, user_agent);
        let call = service.invoke(&ctx, operation, body);
        let invocation = run_audited(service.event_source(), &ctx, call).await;
        respond_and_audit(ready, service.as_ref(), &ctx, invocation).await
    }
}

/// Renders a JSON invocation and records its audit event (waiting as the sink asks).
async fn respond_and_audit(
    ready: &Ready,
    service: &dyn crate::AwsJsonService,
    ctx: &RequestContext,
    mut invocation: rampart_codec::Invocation,
) -> Response<Body> {
    let content_type = amz_json_content_type(service.json_version());
    let result = std::mem::replace(&mut invocation.result, Ok(Vec::new()));
    let error = result
        .as_ref()
        .err()
        .map(|e| (e.code.to_string(), e.message.clone()));
    let response = render(result, content_type, &ctx.request_id);
    let read_only = invocation.read_only;
    let events = call_events(service.event_source(), ctx, invocation, error);
    ready.audit.record_call(events, read_only).await;
    response
}

/// The JSON service and operation `X-Amz-Target` names. The operation follows the last dot:
/// some prefixes contain dots (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.X`).
fn json_target<'r, 'p>(
    ready: &'r Ready,
    parts: &'p http::request::Parts,
) -> Option<(&'r Arc<dyn crate::AwsJsonService>, &'p str)> {
    let target = parts.headers.get("x-amz-target")?.to_str().ok()?;
    let (prefix, operation) = target.rsplit_once('.')?;
    Some((ready.service(prefix)?, operation))
}

/// The body length the request declares (`Content-Length`), when it does.
fn declared_length<B: hyper::body::Body>(body: &B) -> Option<u64> {
    body.size_hint().exact()
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
/// ([`signed_headers`]) and the body (with its SHA-256 when already computed).
pub(crate) fn signed_request<'a>(
    parts: &'a http::request::Parts,
    headers: &'a [(&'a str, &'a [u8])],
    body: &'a [u8],
    body_sha256: Option<[u8; 32]>,
) -> SignedRequest<'a> {
    SignedRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers,
        body,
        body_sha256,
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

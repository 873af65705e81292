//! The request pipeline of every AWS protocol: route (the claiming [`Protocol`] plug-in
//! chooses the service) → SigV4 precheck before the body → body under its limits →
//! authenticate → `RequestContext` → invoke → render in the protocol's form → audit, once.

use crate::Gateway;
use crate::body::ReadBody;
use crate::host::{Authenticated, Ready, SignedRequest};
use crate::protocol::{Incoming, Protocol, Routed, Target};
use crate::refuse::{self, Shape};
use crate::respond::Body;
use bytes::Bytes;
use http::Response;
use http::request::Parts;
use rampart_audit::call_events;
use rampart_codec::HttpInvocation;
use rampart_core::{Region, RequestContext};
use std::net::SocketAddr;
use std::sync::Mutex;
use time::OffsetDateTime;

/// Where a request came from: the peer address and whether the listener terminated TLS.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Connection {
    pub(crate) remote: SocketAddr,
    pub(crate) secure_transport: bool,
}

/// A routed request before its body is read: its service (unless the body names it) and the
/// body limit.
type Preflight<'r> = (Option<Box<dyn Target + 'r>>, usize);

impl Gateway {
    /// Serves one AWS request in `protocol`, the server unsealed.
    pub(crate) async fn serve<B>(
        &self,
        ready: &Ready,
        protocol: &'static dyn Protocol,
        parts: &Parts,
        body: B,
        conn: Connection,
        request_id: String,
    ) -> Response<Body>
    where
        B: hyper::body::Body<Data = Bytes>,
    {
        let (target, limit) = match self.preflight(ready, protocol, parts, &request_id).await {
            Ok(preflight) => preflight,
            Err(mut refused) => {
                refuse::close_after(&mut refused, parts.version);
                return refused;
            }
        };
        let read = match self.read(body, limit).await {
            Ok(read) => read,
            Err(err) => {
                let shape = Shape::new(protocol, parts.version);
                return refuse::body(err, limit, &request_id, shape);
            }
        };
        let target = match target {
            Some(target) => target,
            None => match protocol.route_body(ready, parts, &read.bytes) {
                Ok(target) => target,
                Err(err) => return protocol.refuse(&err, &request_id),
            },
        };
        call(ready, target.as_ref(), parts, &read, conn, request_id).await
    }

    /// The checks before the body is read: a service takes the request and the signature's
    /// parameters, date, scope and access key pass for it. Answers the service (`None`: the
    /// body names it) and the body limit, or the refusal in the protocol's form.
    async fn preflight<'r>(
        &self,
        ready: &'r Ready,
        protocol: &dyn Protocol,
        parts: &'r Parts,
        request_id: &str,
    ) -> Result<Preflight<'r>, Response<Body>> {
        let limit = self.limits().max_body_bytes;
        let target = match protocol.route(ready, parts, request_id, self.dev_mode()) {
            Routed::Refused(refused) => return Err(refused),
            Routed::Deferred { cap } => return Ok((None, cap.map_or(limit, |c| limit.min(c)))),
            Routed::Service(target) => target,
        };
        let headers = signed_headers(parts);
        let head = signed_request(parts, &headers, b"", None);
        match ready.auth.precheck(&head, target.signing_name()).await {
            Ok(()) => Ok((Some(target), limit)),
            Err(f) => Err(target.render_error(&target.auth_error(f), request_id)),
        }
    }
}

/// Authenticates, builds the context, invokes, renders and audits one call.
async fn call(
    ready: &Ready,
    target: &dyn Target,
    parts: &Parts,
    read: &ReadBody,
    conn: Connection,
    request_id: String,
) -> Response<Body> {
    let headers = signed_headers(parts);
    let signed = signed_request(parts, &headers, &read.bytes, Some(read.sha256));
    let caller = match ready
        .auth
        .authenticate(&signed, target.signing_name())
        .await
    {
        Ok(caller) => caller,
        Err(f) => return target.render_error(&target.auth_error(f), &request_id),
    };
    let user_agent = header_text(&parts.headers, "user-agent");
    let mut ctx = context(caller, request_id, conn, user_agent);
    if let Some(region) = target.global_region() {
        ctx.region = Region::new(region);
    }
    let req = Incoming {
        parts,
        body: &read.bytes,
    };
    let answer = target.invoke(&ctx, req).await;
    respond_and_audit(ready, target, &ctx, answer).await
}

/// Renders the call's answer and records its audit events (waiting as the sink asks).
async fn respond_and_audit(
    ready: &Ready,
    target: &dyn Target,
    ctx: &RequestContext,
    mut answer: HttpInvocation,
) -> Response<Body> {
    let result = std::mem::replace(&mut answer.invocation.result, Ok(Vec::new()));
    let error = result
        .as_ref()
        .err()
        .map(|e| (e.code.to_string(), e.message.clone()));
    let response = match result {
        Ok(body) => {
            let headers = std::mem::take(&mut answer.headers);
            target.render_success(answer.status, headers, body, &ctx.request_id)
        }
        Err(err) => target.render_error(&err, &ctx.request_id),
    };
    let read_only = answer.invocation.read_only;
    let events = call_events(target.event_source(), ctx, answer.invocation, error);
    ready.audit.record_call(events, read_only).await;
    response
}

/// The request's headers as SigV4 sees them: as received, plus `host` from the URI authority
/// when the request has none (HTTP/2 sends `:authority` instead).
pub(crate) fn signed_headers(parts: &Parts) -> Vec<(&str, &[u8])> {
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
    parts: &'a Parts,
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

/// A header's text, empty when absent or not text.
pub(crate) fn header_text(headers: &http::HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn context(
    caller: Authenticated,
    request_id: String,
    conn: Connection,
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

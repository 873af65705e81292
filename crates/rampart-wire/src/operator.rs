//! The operator endpoints: `GET /health` (and its aliases), `POST /_rampart/reset` and
//! `POST /_rampart/clock {"advance_seconds": N}` (dev mode) and
//! `POST /_rampart/unseal {"secret": ...}`. The gateway routes TCP requests here, with the
//! unseal body already read (at most [`MAX_UNSEAL_BODY`] bytes); the local unseal socket
//! ([`crate::local`]) serves the same health and unseal handlers.

use crate::host::{Host, UnsealError, UnsealProgress, UnsealReply, UnsealSource};
use crate::respond::{Body, aws_error, operator_json};
use http::{HeaderValue, Method, Response};
use std::net::SocketAddr;
use std::time::Duration;

/// The unseal endpoint.
pub const UNSEAL_PATH: &str = "/_rampart/unseal";
/// The dev-mode clock endpoint.
pub const CLOCK_PATH: &str = "/_rampart/clock";
/// The most one clock request may move time forward: 100 years, so dates stay in range.
const MAX_CLOCK_ADVANCE_SECONDS: u64 = 100 * 365 * 86_400;
/// The largest unseal (or clock) request body read (a share or passphrase is far smaller).
pub const MAX_UNSEAL_BODY: usize = 64 * 1024;

const JSON: &str = "application/json";

/// Which operator endpoint a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Health,
    Reset,
    Unseal,
    Clock,
}

/// The operator endpoint named by `method` and `path`, if any.
pub fn route(method: &Method, path: &str) -> Option<Route> {
    match (method, path) {
        (&Method::GET, "/health" | "/_rampart/health" | "/_localstack/health") => {
            Some(Route::Health)
        }
        (&Method::POST, "/_rampart/reset" | "/moto-api/reset" | "/_localstack/state/reset") => {
            Some(Route::Reset)
        }
        (&Method::POST, UNSEAL_PATH) => Some(Route::Unseal),
        (&Method::POST, CLOCK_PATH) => Some(Route::Clock),
        _ => None,
    }
}

/// Health: running or sealed, and the services. Unseal progress only when given (the local
/// socket passes it; over TCP a sealed server says only that it is sealed).
pub fn health(
    host: &dyn Host,
    request_id: &str,
    progress: Option<UnsealProgress>,
) -> Response<Body> {
    let ready = host.ready();
    let state = if ready.is_some() { "running" } else { "sealed" };
    let services: serde_json::Map<String, serde_json::Value> = ready
        .iter()
        .flat_map(|r| {
            let json = r.services.iter().map(|s| s.signing_name());
            json.chain(r.query_services.iter().map(|s| s.signing_name()))
        })
        .map(|name| (name.to_owned(), serde_json::Value::from(state)))
        .collect();
    let mut body = serde_json::json!({
        "status": if ready.is_some() { "ok" } else { "sealed" },
        "sealed": ready.is_none(),
        "services": services,
        "edition": "rampart",
        "version": env!("CARGO_PKG_VERSION"),
    });
    if let Some(p) = progress.filter(|_| ready.is_none()) {
        body["progress"] = p.given.into();
        body["threshold"] = p.threshold.into();
    }
    operator_json(200, &body, request_id)
}

/// Wipes all state in dev mode; 403 otherwise.
pub async fn reset(host: &dyn Host, request_id: &str) -> Response<Body> {
    if !host.dev_mode() {
        let message = "The reset endpoint is only available in --dev mode.";
        return aws_error(403, JSON, "AccessDeniedException", message, request_id);
    }
    match host.reset().await {
        Ok(()) => operator_json(200, &serde_json::json!({"status": "reset"}), request_id),
        Err(err) => {
            tracing::error!(request_id, error = %err, "reset failed");
            aws_error(500, JSON, "InternalFailure", "Reset failed.", request_id)
        }
    }
}

/// `POST /_rampart/clock {"advance_seconds": N}`: moves the clock forward and runs the
/// background jobs at once, in dev mode; 403 otherwise.
pub async fn advance_clock(host: &dyn Host, body: &[u8], request_id: &str) -> Response<Body> {
    if !host.dev_mode() {
        let message = "The clock endpoint is only available in --dev mode.";
        return aws_error(403, JSON, "AccessDeniedException", message, request_id);
    }
    let seconds = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("advance_seconds").and_then(serde_json::Value::as_u64))
        .filter(|n| *n <= MAX_CLOCK_ADVANCE_SECONDS);
    let Some(seconds) = seconds else {
        let message = "Expected a JSON body {\"advance_seconds\": N} with 0 <= N <= 3153600000 \
                       (100 years).";
        return aws_error(400, JSON, "ValidationException", message, request_id);
    };
    match host.advance_clock(seconds).await {
        Ok(offset) => {
            let body = serde_json::json!({"offset_seconds": offset});
            operator_json(200, &body, request_id)
        }
        Err(err) => {
            tracing::error!(request_id, error = %err, "advancing the clock failed");
            aws_error(
                500,
                JSON,
                "InternalFailure",
                "Advancing the clock failed.",
                request_id,
            )
        }
    }
}

/// `POST /_rampart/unseal` over TCP from `remote`, with the body already read.
pub async fn unseal(
    host: &dyn Host,
    body: &[u8],
    remote: SocketAddr,
    request_id: &str,
) -> Response<Body> {
    unseal_from(host, body, UnsealSource::Remote(remote.ip()), request_id).await
}

/// `POST /_rampart/unseal` from `source`: `{"secret": "..."}` → the host.
pub async fn unseal_from(
    host: &dyn Host,
    body: &[u8],
    source: UnsealSource,
    request_id: &str,
) -> Response<Body> {
    let secret = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("secret").and_then(|s| s.as_str()).map(str::to_owned));
    let Some(secret) = secret else {
        tracing::warn!(%source, request_id, outcome = "refused: malformed request", "unseal attempt");
        let message = "Expected a JSON body {\"secret\": \"...\"}.";
        return aws_error(400, JSON, "ValidationException", message, request_id);
    };
    match host.unseal(secret, source).await {
        Ok(reply) => operator_json(200, &reply_json(&reply), request_id),
        Err(err) => unseal_error(&err, request_id),
    }
}

fn reply_json(reply: &UnsealReply) -> serde_json::Value {
    let mut body = serde_json::json!({ "sealed": reply.sealed });
    if let Some(p) = reply.progress.filter(|_| reply.sealed) {
        body["progress"] = p.given.into();
        body["threshold"] = p.threshold.into();
    }
    body
}

/// The AWS-shaped error for a refused unseal request.
fn unseal_error(err: &UnsealError, request_id: &str) -> Response<Body> {
    match err {
        UnsealError::Refused(message) => {
            aws_error(400, JSON, "UnsealFailedException", message, request_id)
        }
        UnsealError::Throttled {
            retry_after,
            reason,
        } => throttled(*retry_after, reason, request_id),
        UnsealError::NetworkUnsealOff { socket } => {
            let message = format!(
                "Unsealing over the network is turned off on this server (network_unseal = false). \
                 Unseal on its host through the local socket {socket}: \
                 rampart operator unseal --socket {socket}"
            );
            aws_error(403, JSON, "AccessDeniedException", &message, request_id)
        }
        UnsealError::Internal(_) => {
            let message = "Unsealing failed; see the server log.";
            aws_error(500, JSON, "InternalFailure", message, request_id)
        }
    }
}

/// 429 `ThrottlingException` with `Retry-After` (whole seconds, at least 1) and the same delay
/// as `retryAfterSeconds` in the body.
fn throttled(retry_after: Duration, reason: &str, request_id: &str) -> Response<Body> {
    let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    let body = serde_json::json!({
        "__type": "ThrottlingException",
        "message": format!("{reason}; retry in {seconds} s."),
        "retryAfterSeconds": seconds,
    });
    let mut response = crate::respond::json(429, JSON, body.to_string().into_bytes(), request_id);
    let headers = response.headers_mut();
    headers.insert("retry-after", HeaderValue::from(seconds));
    headers.insert(
        "x-amzn-errortype",
        HeaderValue::from_static("ThrottlingException"),
    );
    response
}

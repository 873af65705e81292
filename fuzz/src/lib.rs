//! Helpers shared by the fuzz targets: a lenient HTTP request reader for the SigV4 targets, the
//! SigV4 checks both of them run, a request context and a one-poll executor for the generated
//! dispatchers.

use rampart_auth::{SignedRequest, VerifyOptions, parse_authorization, precheck};
use rampart_core::{AccountId, Principal, Region, RequestContext};
use std::future::Future;
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};
use time::OffsetDateTime;
use time::macros::datetime;

/// The clock of the official SigV4 suite (its requests are signed at this time).
pub const SUITE_NOW: OffsetDateTime = datetime!(2015-08-30 12:36:00 UTC);
/// The suite's service name and secret (for `AKIDEXAMPLE`).
pub const SUITE_SERVICE: &str = "service";
pub const SUITE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// An HTTP request read from text: `METHOD target[ HTTP/1.1]`, `Name:value` header lines (a
/// line starting with a space or tab continues the previous value), an empty line, the body.
/// Never fails: whatever does not fit is skipped, non-UTF-8 text is replaced.
pub struct HttpText {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl HttpText {
    pub fn parse(data: &[u8]) -> Self {
        let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
            Some(at) => (&data[..at], data[at + 2..].to_vec()),
            None => (data, Vec::new()),
        };
        let mut lines = head.split(|b| *b == b'\n');
        let line = String::from_utf8_lossy(lines.next().unwrap_or_default());
        let (method, rest) = line.split_once(' ').unwrap_or((&line, ""));
        let target = rest.strip_suffix(" HTTP/1.1").unwrap_or(rest);
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
        for line in lines.filter(|l| !l.is_empty()) {
            if line[0] == b' ' || line[0] == b'\t' {
                if let Some(last) = headers.last_mut() {
                    last.1.push(b'\n');
                    last.1.extend_from_slice(line);
                }
            } else if let Some(colon) = line.iter().position(|b| *b == b':') {
                let name = String::from_utf8_lossy(&line[..colon]).into_owned();
                headers.push((name, line[colon + 1..].to_vec()));
            }
        }
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body,
        }
    }
}

/// Runs the SigV4 entry points on one request: `parse_authorization`, `precheck` at the
/// suite's time, and `verify_secret` with the suite's secret under both canonical-URI modes.
/// Checks that they agree with each other.
pub fn check_sigv4(method: &str, path: &str, query: &str, headers: &[(&str, &[u8])], body: &[u8]) {
    let req = SignedRequest {
        method,
        path,
        query,
        headers,
        body,
        body_sha256: None,
    };
    let parsed = parse_authorization(&req);
    let aws_style = VerifyOptions::for_service(SUITE_SERVICE);
    let s3_style = VerifyOptions {
        normalize_path: false,
        encode_path: false,
        unsigned_query_session_token: true,
    };
    for opts in [aws_style, s3_style] {
        let Ok(pending) = precheck(&req, SUITE_NOW, SUITE_SERVICE) else {
            continue;
        };
        // A request that passes the precheck has a parseable Authorization.
        let (key, scope) = parsed.clone().expect("precheck passed, parse failed");
        assert_eq!(pending.access_key_id(), key);
        assert_eq!(pending.region(), scope.region);
        if let Ok(verified) = pending.verify_secret(SUITE_SECRET, &opts) {
            assert_eq!(verified.access_key_id, key);
            assert_eq!(verified.scope, scope);
        }
    }
}

/// A request context for the root user of 111122223333 in us-east-1.
pub fn context() -> &'static RequestContext {
    static CTX: LazyLock<RequestContext> = LazyLock::new(|| {
        let account = AccountId::parse("111122223333").expect("valid account id");
        RequestContext::new(
            Principal::root(account, "AKIAIOSFODNN7EXAMPLE"),
            Region::new("us-east-1"),
        )
    });
    &CTX
}

/// Polls `fut` once: the generated dispatchers with the default (not implemented) handlers
/// never wait, so one poll finishes them.
pub fn run_ready<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a dispatcher with default handlers waited"),
    }
}

//! Sending a delivery to an API destination: the destination's method and endpoint (its `*`s
//! filled with the target's PathParameterValues), the target's and the connection's header and
//! query string parameters (the connection's win), the connection's authorization, the
//! delivery's input as an `application/json` body; at most InvocationRateLimitPerSecond calls
//! per second per destination on this node.
//!
//! AWS's documented retry behaviour: 401, 407, 409, 429 and 5xx answers (and timeouts) are
//! retried; other 4xx (and 1xx/3xx) are not. A 401 or 407 also acts on the connection, as AWS
//! documents (User Guide, De-authorizing connections; Authorization methods for connections):
//! an API_KEY or BASIC connection is de-authorized at once (DEAUTHORIZED with a StateReason, so
//! the delivery dead-letters instead of retrying); an OAuth connection's token is refreshed
//! there and then, and the connection is de-authorized only when that refresh is refused.

use super::http::{Failure, Outgoing};
use super::{Outbound, Outcome};
use crate::connection::destination::{self, API_DESTINATIONS, DestinationRecord};
use crate::connection::state::{TokenOutcome, record_token_outcome};
use crate::connection::{self, CONNECTIONS, ConnectionRecord, SecretParts, auth};
use crate::outbox::Delivery;
use crate::route::DeliveryError;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rampart_store::decode_record;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a resolved destination (and its connection) is reused before it is read again.
const RESOLVED_TTL: Duration = Duration::from_secs(1);
/// Rate-limited sends wait at most this long in the worker; longer waits are rescheduled.
const MAX_WAIT: Duration = Duration::from_secs(1);
/// Characters left as they are in query strings (RFC 3986 unreserved).
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A destination with its connection and the connection's secrets.
pub(crate) struct Resolved {
    destination: DestinationRecord,
    connection: ConnectionRecord,
    secrets: SecretParts,
}

/// Per-destination token buckets (this node's share of the rate limit).
#[derive(Default)]
pub(crate) struct Limiter {
    next: std::sync::Mutex<HashMap<String, Instant>>,
}

impl Limiter {
    /// Reserves the next call slot of `arn` at `rate` per second (bursts up to one second's
    /// worth after idling) if it comes within `max_wait`: `Ok(wait)`; else `Err(wait)` without
    /// taking it (the caller comes back then).
    pub(crate) fn reserve(
        &self,
        arn: &str,
        rate: i32,
        max_wait: Duration,
    ) -> Result<Duration, Duration> {
        let interval = Duration::from_secs(1) / u32::try_from(rate.max(1)).unwrap_or(1);
        let now = Instant::now();
        let Ok(mut next) = self.next.lock() else {
            return Ok(Duration::ZERO);
        };
        let floor = now.checked_sub(Duration::from_secs(1)).unwrap_or(now);
        let slot = next.get(arn).copied().unwrap_or(floor).max(floor);
        let wait = slot.saturating_duration_since(now);
        if wait > max_wait {
            return Err(wait);
        }
        next.insert(arn.to_owned(), slot + interval);
        Ok(wait)
    }
}

fn fail(reason: impl Into<String>, retryable: bool) -> Outcome {
    Outcome::Failed(DeliveryError {
        reason: reason.into(),
        retryable,
    })
}

/// Delivers `delivery` to the API destination of its target ARN at `now_ms`.
pub(crate) async fn send(out: &Outbound, delivery: &Delivery, now_ms: i64) -> Outcome {
    let resolved = match resolve(out, &delivery.target_arn).await {
        Ok(resolved) => resolved,
        Err(outcome) => return outcome,
    };
    let (arn, rate) = (
        &resolved.destination.arn,
        resolved.destination.rate_per_second,
    );
    let wait = match out.limiter.reserve(arn, rate, MAX_WAIT) {
        Ok(wait) => wait,
        Err(wait) => return Outcome::Throttled(wait),
    };
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let mut request = match request_for(&resolved.destination, delivery) {
        Ok(request) => request,
        Err(reason) => return fail(reason, false),
    };
    invoke(out, &resolved, &mut request, delivery, now_ms).await
}

/// Records what an OAuth connection's token request did to its state: AUTHORIZING becomes
/// AUTHORIZED with a token; a refusal (a failure a retry would not fix) makes it DEAUTHORIZED.
/// Whether the stored state changed.
async fn note_token_outcome(
    out: &Outbound,
    resolved: &Resolved,
    error: Option<&auth::AuthError>,
    now_ms: i64,
) -> bool {
    let connection = &resolved.connection;
    let oauth = connection.authorization_type == "OAUTH_CLIENT_CREDENTIALS";
    let asked = matches!(connection.state.as_str(), "AUTHORIZING" | "AUTHORIZED");
    let outcome = match error {
        _ if !oauth || !asked => return false,
        None if connection.state == "AUTHORIZED" => return false,
        None => TokenOutcome::Granted,
        Some(e) if e.retryable => return false,
        Some(e) => TokenOutcome::Refused(e.reason.clone()),
    };
    record_outcome(out, resolved, &outcome, now_ms).await
}

/// Stores `outcome` over the connection as `resolved` read it; whether the state changed. The
/// destination's cached copy is then dropped so the next delivery reads the new state.
async fn record_outcome(
    out: &Outbound,
    resolved: &Resolved,
    outcome: &TokenOutcome,
    now_ms: i64,
) -> bool {
    match record_token_outcome(&out.store, &resolved.connection, outcome, now_ms).await {
        Ok(true) => {
            if let Ok(mut cache) = out.resolved.lock() {
                cache.remove(&resolved.destination.arn);
            }
            true
        }
        Ok(false) => false,
        Err(error) => {
            tracing::warn!(%error, "recording a connection's authorization failed");
            false
        }
    }
}

/// What a 401 or 407 answer does to the connection; whether it is now DEAUTHORIZED. API_KEY
/// and BASIC: de-authorized, the StateReason naming the destination and the status (never a
/// credential). OAuth: the token is forgotten and a fresh one requested at once; only a
/// refusal of that request de-authorizes (a granted token serves the delivery's retry).
async fn on_unauthorized(out: &Outbound, resolved: &Resolved, status: u16, now_ms: i64) -> bool {
    let connection = &resolved.connection;
    if connection.authorization_type == "OAUTH_CLIENT_CREDENTIALS" {
        out.tokens.forget(connection);
        let refreshed = out
            .tokens
            .token(&out.http, connection, &resolved.secrets)
            .await;
        return note_token_outcome(out, resolved, refreshed.as_ref().err(), now_ms).await;
    }
    let reason = format!(
        "the endpoint of API destination {} answered HTTP {status}",
        resolved.destination.name
    );
    record_outcome(out, resolved, &TokenOutcome::Refused(reason), now_ms).await
}

async fn invoke(
    out: &Outbound,
    resolved: &Resolved,
    request: &mut (Outgoing, Vec<(String, String)>),
    delivery: &Delivery,
    now_ms: i64,
) -> Outcome {
    let (request, query) = request;
    let (connection, secrets) = (&resolved.connection, &resolved.secrets);
    let authorized =
        auth::authorize(request, query, &out.http, &out.tokens, connection, secrets).await;
    note_token_outcome(out, resolved, authorized.as_ref().err(), now_ms).await;
    if let Err(e) = authorized {
        return fail(e.reason, e.retryable);
    }
    dedup_headers(&mut request.headers);
    request.url = with_query(&request.url, &dedup_pairs(query));
    match out.http.send(request).await {
        Ok(answer) if (200..300).contains(&answer.status) => Outcome::Delivered,
        Ok(answer) => {
            let deauthorized = matches!(answer.status, 401 | 407)
                && on_unauthorized(out, resolved, answer.status, now_ms).await;
            let retryable = matches!(answer.status, 401 | 407 | 409 | 429 | 500..=599);
            let now = if deauthorized {
                format!("; connection {} is now DEAUTHORIZED", connection.name)
            } else {
                String::new()
            };
            let reason = format!(
                "API destination {} answered HTTP {} to event {}{now}",
                resolved.destination.name, answer.status, delivery.event_id
            );
            fail(reason, retryable && !deauthorized)
        }
        Err(Failure::BadUrl(reason)) => fail(reason, false),
        Err(Failure::Transport(reason)) => fail(reason, true),
    }
}

/// The destination and its connection, from the cache or the store.
async fn resolve(out: &Outbound, arn: &str) -> Result<Arc<Resolved>, Outcome> {
    if let Ok(cache) = out.resolved.lock()
        && let Some((at, resolved)) = cache.get(arn)
        && at.elapsed() < RESOLVED_TTL
    {
        return Ok(resolved.clone());
    }
    let resolved = Arc::new(read(out, arn).await?);
    if let Ok(mut cache) = out.resolved.lock() {
        cache.insert(arn.to_owned(), (Instant::now(), resolved.clone()));
    }
    Ok(resolved)
}

async fn read(out: &Outbound, arn: &str) -> Result<Resolved, Outcome> {
    let gone = || fail(format!("API destination {arn} does not exist"), false);
    let (account, region, name) = destination::parse_arn(arn).ok_or_else(gone)?;
    let destination: DestinationRecord = read_row(
        out,
        API_DESTINATIONS,
        &connection::key(account, region, name),
    )
    .await?
    .filter(|d: &DestinationRecord| d.arn == arn)
    .ok_or_else(gone)?;
    let no_connection = || {
        fail(
            format!("connection {} does not exist", destination.connection_arn),
            false,
        )
    };
    let (account, region, name) =
        connection::parse_arn(&destination.connection_arn).ok_or_else(no_connection)?;
    let connection: ConnectionRecord =
        read_row(out, CONNECTIONS, &connection::key(account, region, name))
            .await?
            .filter(|c: &ConnectionRecord| c.arn == destination.connection_arn)
            .ok_or_else(no_connection)?;
    let secrets = connection::unseal(&out.key, &connection.arn, &connection.sealed)
        .ok_or_else(|| fail("the connection's secrets do not open", false))?;
    Ok(Resolved {
        destination,
        connection,
        secrets,
    })
}

async fn read_row<T: serde::de::DeserializeOwned>(
    out: &Outbound,
    table: &'static str,
    key: &str,
) -> Result<Option<T>, Outcome> {
    let record = out
        .store
        .get(table, key)
        .await
        .map_err(|e| fail(format!("reading {table}: {e}"), true))?;
    match record {
        Some(r) => decode_record(&r.value)
            .map(Some)
            .map_err(|e| fail(format!("reading {table}: {e}"), false)),
        None => Ok(None),
    }
}

/// The request (without the connection's parts) and its query string parameters.
fn request_for(
    destination: &DestinationRecord,
    delivery: &Delivery,
) -> Result<(Outgoing, Vec<(String, String)>), String> {
    let parameters = &delivery.http_parameters;
    let path_values: Vec<String> = parameters
        .get("PathParameterValues")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let url = destination::substitute_path(&destination.endpoint, &path_values).ok_or_else(|| {
        format!(
            "the target has fewer PathParameterValues than API destination {} has path parameters",
            destination.name
        )
    })?;
    let mut headers = string_map(parameters.get("HeaderParameters"));
    headers.push((
        "Content-Type".into(),
        "application/json; charset=utf-8".into(),
    ));
    let query = string_map(parameters.get("QueryStringParameters"));
    let method = http::Method::from_bytes(destination.http_method.as_bytes())
        .map_err(|_| format!("bad HTTP method {}", destination.http_method))?;
    let body = if matches!(method, http::Method::GET | http::Method::HEAD) {
        bytes::Bytes::new()
    } else {
        bytes::Bytes::from(delivery.input.clone())
    };
    let request = Outgoing {
        method,
        url,
        headers,
        body,
    };
    Ok((request, query))
}

fn string_map(value: Option<&Value>) -> Vec<(String, String)> {
    value
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// Keeps the last of each header name (case-insensitively): the connection's come last.
fn dedup_headers(headers: &mut Vec<(String, String)>) {
    *headers = dedup_by(std::mem::take(headers), |k| k.to_ascii_lowercase());
}

fn dedup_pairs(pairs: &[(String, String)]) -> Vec<(String, String)> {
    dedup_by(pairs.to_vec(), Clone::clone)
}

fn dedup_by(
    pairs: Vec<(String, String)>,
    norm: impl Fn(&String) -> String,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        let n = norm(&k);
        out.retain(|(existing, _)| norm(existing) != n);
        out.push((k, v));
    }
    out
}

/// `url` with `pairs` appended to its query string.
pub(crate) fn with_query(url: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{}", encode_pairs(pairs))
}

/// `k=v&...`, percent-encoded.
pub(crate) fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, QUERY),
                utf8_percent_encode(v, QUERY)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_appended_and_encoded() {
        let pairs = vec![("a b".to_owned(), "x&y".to_owned())];
        assert_eq!(with_query("http://h/p", &pairs), "http://h/p?a%20b=x%26y");
        assert_eq!(
            with_query("http://h/p?z=1", &pairs),
            "http://h/p?z=1&a%20b=x%26y"
        );
        assert_eq!(with_query("http://h/p", &[]), "http://h/p");
    }

    #[test]
    fn later_headers_win_case_insensitively() {
        let mut headers = vec![
            ("X-A".to_owned(), "target".to_owned()),
            ("x-a".to_owned(), "connection".to_owned()),
        ];
        dedup_headers(&mut headers);
        assert_eq!(headers, vec![("x-a".to_owned(), "connection".to_owned())]);
    }

    #[test]
    fn the_limiter_spaces_calls_after_a_burst() {
        let limiter = Limiter::default();
        let second = Duration::from_secs(1);
        let waits: Vec<Duration> = (0..4)
            .map(|_| limiter.reserve("d", 2, second).unwrap())
            .collect();
        assert_eq!(waits[0], Duration::ZERO);
        assert!(waits[3] > Duration::from_millis(400), "{waits:?}");
        assert!(waits[3] <= Duration::from_millis(500), "{waits:?}");
        let too_late = limiter
            .reserve("d", 2, Duration::from_millis(100))
            .unwrap_err();
        assert!(too_late > Duration::from_millis(900), "{too_late:?}");
        let taken = limiter.reserve("d", 2, second).unwrap();
        assert!(
            taken <= Duration::from_secs(1),
            "a refused slot is not taken: {taken:?}"
        );
        assert_eq!(limiter.reserve("other", 2, second).unwrap(), Duration::ZERO);
    }
}

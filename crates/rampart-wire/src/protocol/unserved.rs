//! The answer to a request signed for a service Rampart does not serve (its SigV4 credential
//! scope names it): the protocol's usual "unknown" error, whose message names that service and
//! lists the ones served. A request signed for a served service, or unsigned, gets the error as
//! that service's AWS endpoint sends it (awsJson's `UnknownOperationException` has no message).

use super::rest_route::scope_service;
use crate::host::Ready;
use http::request::Parts;

/// The message for a request signed for a service Rampart does not serve; `None` when it is
/// unsigned or its service is served.
pub(crate) fn unserved_scope(ready: &Ready, parts: &Parts) -> Option<String> {
    let served = ready.signing_names();
    let service = scope_service(parts).filter(|s| !served.contains(&s.as_str()))?;
    let shown: String = service.chars().take(64).collect();
    Some(format!(
        "Rampart does not serve the '{shown}' service. Rampart serves: {}.",
        served.join(", ")
    ))
}

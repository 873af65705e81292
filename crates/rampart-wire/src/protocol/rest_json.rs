//! restJson1: every request no other plug-in claims. The service is the restJson1 service its
//! SigV4 credential scope names; else the one whose route table matches the method, path and
//! query. A request that names no service that way, and whose route several services share,
//! is refused without choosing one (in `--dev` mode too): an unsigned request gets AWS's
//! `MissingAuthenticationTokenException`, a request signed for another service
//! `InvalidSignatureException` naming the candidates. Errors are restJson1 (JSON with
//! `X-Amzn-ErrorType`), except that a request no service takes at all gets awsJson 1.1's
//! `UnknownOperationException`, as every request that names no protocol.

use super::http_target::{HttpTarget, error_response};
use super::{Protocol, Routed};
use crate::host::{AuthFailure, Ready};
use crate::respond::Body;
use crate::{AwsHttpService, HttpProtocol, refuse};
use http::Response;
use http::request::Parts;
use rampart_auth::AuthError;
use rampart_codec::ServiceError;
use std::sync::Arc;

/// AWS's message for a request that carries no authentication.
const MSG_MISSING_TOKEN: &str = "Missing Authentication Token";

/// The restJson1 plug-in.
pub(crate) struct RestJson;

impl Protocol for RestJson {
    fn claims(&self, _parts: &Parts) -> bool {
        true
    }

    fn route<'r>(
        &self,
        ready: &'r Ready,
        parts: &'r Parts,
        request_id: &str,
        _dev: bool,
    ) -> Routed<'r> {
        let scope = scope_service(parts);
        if let Some(service) = scope.as_deref().and_then(|s| ready.rest_service(s)) {
            return target(service);
        }
        let query = parts.uri.query().unwrap_or("");
        let method = parts.method.as_str();
        let matching: Vec<_> = ready
            .rest_services_for_route(method, parts.uri.path(), query)
            .collect();
        match matching.as_slice() {
            [] => Routed::Refused(refuse::unknown_operation(request_id)),
            [service] => target(service),
            several => {
                let err = ambiguous(scope.is_some(), several);
                Routed::Refused(self.refuse(&err, request_id))
            }
        }
    }

    fn refuse(&self, err: &ServiceError, request_id: &str) -> Response<Body> {
        error_response(HttpProtocol::RestJson1, err, request_id)
    }
}

fn target<'r>(service: &'r Arc<dyn AwsHttpService>) -> Routed<'r> {
    Routed::Service(Box::new(HttpTarget {
        service: service.as_ref(),
    }))
}

/// The service of the request's SigV4 credential scope, when it is signed.
fn scope_service(parts: &Parts) -> Option<String> {
    let headers = crate::pipeline::signed_headers(parts);
    let head = crate::pipeline::signed_request(parts, &headers, b"", None);
    let (_, scope) = rampart_auth::parse_authorization(&head).ok()?;
    Some(scope.service)
}

/// The refusal of a request whose route `several` services share and whose credential scope
/// (if `signed`) names none of them.
fn ambiguous(signed: bool, several: &[&Arc<dyn AwsHttpService>]) -> ServiceError {
    let failure = if signed {
        let names: Vec<String> = several
            .iter()
            .map(|s| format!("'{}'", s.signing_name()))
            .collect();
        let message = format!(
            "Credential should be scoped to correct service: one of {}.",
            names.join(", ")
        );
        AuthFailure::from(AuthError::InvalidSignature(message))
    } else {
        let missing = AuthError::MissingAuthenticationToken(MSG_MISSING_TOKEN.to_owned());
        AuthFailure::from(missing)
    };
    ServiceError::new(failure.code, failure.status, failure.message)
}

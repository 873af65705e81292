//! What the two REST plug-ins (restJson1, restXml) share: the service a request's SigV4
//! credential scope names, and the refusal of a route several services share.

use super::Routed;
use super::http_target::HttpTarget;
use crate::AwsHttpService;
use crate::host::AuthFailure;
use rampart_auth::AuthError;
use rampart_codec::ServiceError;
use std::sync::Arc;

/// AWS's message for a request that carries no authentication.
const MSG_MISSING_TOKEN: &str = "Missing Authentication Token";

/// The request's HTTP service, prechecked with its signing name.
pub(super) fn target<'r>(service: &'r Arc<dyn AwsHttpService>) -> Routed<'r> {
    Routed::Service(Box::new(HttpTarget {
        service: service.as_ref(),
    }))
}

/// The service of the request's SigV4 credential scope, when it is signed.
pub(super) fn scope_service(parts: &http::request::Parts) -> Option<String> {
    let headers = crate::pipeline::signed_headers(parts);
    let head = crate::pipeline::signed_request(parts, &headers, b"", None);
    let (_, scope) = rampart_auth::parse_authorization(&head).ok()?;
    Some(scope.service)
}

/// The refusal of a request whose route `several` services share and whose credential scope
/// (if `signed`) names none of them: AWS's `MissingAuthenticationTokenException` unsigned,
/// else `InvalidSignatureException` naming the candidates.
pub(super) fn ambiguous(signed: bool, several: &[&Arc<dyn AwsHttpService>]) -> ServiceError {
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

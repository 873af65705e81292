//! restJson1: every request no other plug-in claims. The service is the restJson1 service its
//! SigV4 credential scope names; else the one whose route table matches the method, path and
//! query. A request that names no service that way, and whose route several services share
//! (restJson1 or restXml ones), is refused without choosing one (in `--dev` mode too): an
//! unsigned request gets AWS's `MissingAuthenticationTokenException`, a request signed for
//! another service `InvalidSignatureException` naming the candidates. Errors are restJson1
//! (JSON with `X-Amzn-ErrorType`), except that a request no service takes at all gets awsJson
//! 1.1's `UnknownOperationException`, as every request that names no protocol.

use super::http_target::error_response;
use super::rest_route::{ambiguous, scope_service, target};
use super::{Protocol, Routed};
use crate::host::Ready;
use crate::respond::Body;
use crate::{HttpProtocol, refuse};
use http::Response;
use http::request::Parts;
use rampart_codec::ServiceError;

/// The restJson1 plug-in.
pub(crate) struct RestJson;

impl Protocol for RestJson {
    fn claims(&self, _parts: &Parts, _ready: Option<&Ready>) -> bool {
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
        let (method, path) = (parts.method.as_str(), parts.uri.path());
        let matching: Vec<_> = ready
            .rest_services_for_route(method, path, query)
            .chain(ready.rest_xml_services_for_route(method, path, query))
            .collect();
        match matching.as_slice() {
            [] => {
                let message = super::unserved::unserved_scope(ready, parts).unwrap_or_default();
                Routed::Refused(refuse::unknown_operation(&message, request_id))
            }
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

//! restXml (Route 53, CloudFront, S3): a request with no `X-Amz-Target`, query `Action` or
//! `smithy-protocol` is restXml when its SigV4 credential scope names a registered restXml
//! service, or, naming no registered REST service, when only restXml services' route tables
//! match it (a route restJson1 and restXml services share is refused by restJson1). While
//! sealed there is no registry: a request signed for one of AWS's restXml services is claimed.
//! The service is then chosen like restJson1's: by scope, else by route, refusing a route
//! several restXml services share. Every answer, the gateway's own refusals included, is a
//! restXml `<ErrorResponse>`.

use super::http_target::error_response;
use super::rest_route::{ambiguous, scope_service, target};
use super::{Protocol, Routed};
use crate::HttpProtocol;
use crate::host::Ready;
use crate::respond::Body;
use http::Response;
use http::request::Parts;
use rampart_codec::ServiceError;

/// AWS's restXml signing names: what claims a request while the server is sealed.
const AWS_REST_XML: [&str; 3] = ["s3", "route53", "cloudfront"];

/// The restXml plug-in.
pub(crate) struct RestXml;

impl Protocol for RestXml {
    fn claims(&self, parts: &Parts, ready: Option<&Ready>) -> bool {
        let scope = scope_service(parts);
        match ready {
            None => scope.is_some_and(|s| AWS_REST_XML.contains(&s.as_str())),
            Some(ready) => served_here(ready, parts, scope.as_deref()),
        }
    }

    fn route<'r>(
        &self,
        ready: &'r Ready,
        parts: &'r Parts,
        request_id: &str,
        _dev: bool,
    ) -> Routed<'r> {
        let scope = scope_service(parts);
        if let Some(service) = scope.as_deref().and_then(|s| ready.rest_xml_service(s)) {
            return target(service);
        }
        let query = parts.uri.query().unwrap_or("");
        let (method, path) = (parts.method.as_str(), parts.uri.path());
        let matching: Vec<_> = ready
            .rest_xml_services_for_route(method, path, query)
            .collect();
        let err = match matching.as_slice() {
            [service] => return target(service),
            [] => match super::unserved::unserved_scope(ready, parts) {
                Some(message) => ServiceError::new("UnknownOperationException", 400, message),
                None => ServiceError::unknown_operation(),
            },
            several => ambiguous(scope.is_some(), several),
        };
        Routed::Refused(self.refuse(&err, request_id))
    }

    fn refuse(&self, err: &ServiceError, request_id: &str) -> Response<Body> {
        error_response(HttpProtocol::RestXml, err, request_id)
    }
}

/// True when the request goes to a restXml service: its scope names one, served or one of
/// AWS's; or its scope names no REST service and only restXml routes match it.
fn served_here(ready: &Ready, parts: &Parts, scope: Option<&str>) -> bool {
    if let Some(scope) = scope {
        if ready.rest_xml_service(scope).is_some() {
            return true;
        }
        if ready.rest_service(scope).is_some() {
            return false;
        }
        if AWS_REST_XML.contains(&scope) {
            // An AWS restXml service Rampart does not serve: refused in XML, naming it.
            return true;
        }
    }
    let query = parts.uri.query().unwrap_or("");
    let (method, path) = (parts.method.as_str(), parts.uri.path());
    let mut xml = ready.rest_xml_services_for_route(method, path, query);
    let mut json = ready.rest_services_for_route(method, path, query);
    xml.next().is_some() && json.next().is_none()
}

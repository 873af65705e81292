//! The services' unsigned public routes ([`rampart_codec::PublicRoute`]: ACM PCA's published
//! CRLs and OCSP responder) in the gateway: a request carrying no AWS authentication (no
//! `Authorization`, no presigned query, no AWS protocol header) that a route claims by method,
//! host and path is read under the route's body limit and answered by it; every other request
//! goes on to the AWS protocols unchanged.

use crate::gateway::Gateway;
use crate::host::Ready;
use crate::protocol;
use crate::refuse::{self, Shape};
use crate::respond::Body;
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderName, HeaderValue, Response, StatusCode, header};
use http_body_util::Full;
use rampart_codec::{HttpRequest, HttpResponse, PublicHead, PublicRoute};
use std::sync::Arc;

/// Headers that mark a request as one of the AWS protocols'.
const AWS_HEADERS: &[&str] = &["authorization", "x-amz-target", "smithy-protocol"];
/// Query parameters of a presigned (SigV4 query) request.
const PRESIGNED: &[&str] = &["x-amz-signature=", "x-amz-credential="];

/// The public route claiming the request, if it carries no AWS authentication.
pub(crate) fn claimant(ready: &Ready, parts: &Parts) -> Option<Arc<dyn PublicRoute>> {
    if ready.public_routes.is_empty() || is_aws_request(parts) {
        return None;
    }
    let host = host_of(parts);
    let head = PublicHead {
        method: parts.method.as_str(),
        host: &host,
        path: parts.uri.path(),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
    };
    ready
        .public_routes
        .iter()
        .find(|route| route.claims(&head))
        .cloned()
}

/// Whether the request is signed or speaks an AWS protocol.
fn is_aws_request(parts: &Parts) -> bool {
    if AWS_HEADERS.iter().any(|h| parts.headers.contains_key(*h)) {
        return true;
    }
    let query = parts.uri.query().unwrap_or_default().to_ascii_lowercase();
    query
        .split('&')
        .any(|pair| PRESIGNED.iter().any(|p| pair.starts_with(p)))
}

/// The host the request names, lower-case and without its port.
fn host_of(parts: &Parts) -> String {
    let named = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))
        .unwrap_or_default();
    let without_port = match named.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => named,
    };
    without_port.to_ascii_lowercase()
}

impl Gateway {
    /// Reads the body under the route's limit and lets `route` answer.
    pub(crate) async fn public<B>(
        &self,
        route: Arc<dyn PublicRoute>,
        parts: &Parts,
        body: B,
        request_id: &str,
    ) -> Response<Body>
    where
        B: hyper::body::Body<Data = Bytes>,
    {
        let limit = route.max_body().min(self.limits().max_body_bytes);
        let read = match self.read(body, limit).await {
            Ok(read) => read,
            Err(err) => {
                let shape = Shape::new(protocol::operator(parts), parts.version);
                return refuse::body(err, limit, request_id, shape);
            }
        };
        let headers = header_list(&parts.headers);
        let request = HttpRequest {
            method: parts.method.as_str(),
            path: parts.uri.path(),
            query: parts.uri.query().unwrap_or_default(),
            headers: &headers,
            body: &read.bytes,
        };
        let answer = route.serve(&request).await;
        to_response(answer, request_id)
    }
}

/// The request's headers as text (values that are not text are skipped).
fn header_list(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
        .collect()
}

/// The HTTP response of a route's answer, with the request id header S3 sends.
fn to_response(answer: HttpResponse, request_id: &str) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    for (name, value) in &answer.headers {
        let name = HeaderName::from_bytes(name.as_bytes());
        if let (Ok(name), Ok(value)) = (name, HeaderValue::from_str(value)) {
            headers.append(name, value);
        }
    }
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-amz-request-id", value);
    }
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parts(req: http::Request<()>) -> Parts {
        req.into_parts().0
    }

    #[test]
    fn aws_requests_are_never_public() {
        let signed = http::Request::get("/b/crl/x.crl")
            .header("authorization", "AWS4-HMAC-SHA256 Credential=...")
            .body(())
            .unwrap();
        assert!(is_aws_request(&parts(signed)));
        let presigned = http::Request::get("/b/k?X-Amz-Credential=a&X-Amz-Signature=b")
            .body(())
            .unwrap();
        assert!(is_aws_request(&parts(presigned)));
        let json = http::Request::post("/")
            .header("x-amz-target", "TrentService.ListKeys")
            .body(())
            .unwrap();
        assert!(is_aws_request(&parts(json)));
        let plain = http::Request::get("/b/crl/x.crl").body(()).unwrap();
        assert!(!is_aws_request(&parts(plain)));
    }

    #[test]
    fn hosts_lose_their_port_and_case() {
        let req = http::Request::get("/k")
            .header("host", "My-Bucket.s3.us-east-1.amazonaws.com:8443")
            .body(())
            .unwrap();
        assert_eq!(host_of(&parts(req)), "my-bucket.s3.us-east-1.amazonaws.com");
        let ipv6 = http::Request::get("/k")
            .header("host", "[::1]:80")
            .body(())
            .unwrap();
        assert_eq!(host_of(&parts(ipv6)), "[::1]");
    }
}

//! The service of a restJson1, restXml or RPC v2 CBOR request (an `AwsHttpService`): the request
//! handed over with its method, path, query and headers; status, headers and body from the
//! service's `HttpInvocation`; errors in the service's protocol.

use super::{Incoming, Target};
use crate::respond::Body;
use crate::{AwsHttpService, HttpProtocol};
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Response, StatusCode, header};
use http_body_util::Full;
use rampart_codec::{
    BoxFuture, HttpInvocation, HttpRequest, HttpResponse, ServiceError, cbor_error_response,
    rest_error_response,
};
use rampart_core::RequestContext;

/// A restJson1, restXml or RPC v2 CBOR service.
pub(super) struct HttpTarget<'r> {
    pub(super) service: &'r dyn AwsHttpService,
}

impl Target for HttpTarget<'_> {
    fn signing_name(&self) -> &'static str {
        self.service.signing_name()
    }

    fn event_source(&self) -> &'static str {
        self.service.event_source()
    }

    fn invoke<'a>(
        &'a self,
        ctx: &'a RequestContext,
        req: Incoming<'a>,
    ) -> BoxFuture<'a, HttpInvocation> {
        Box::pin(async move {
            let parts = req.parts;
            let header_list = header_list(&parts.headers);
            let req = HttpRequest {
                method: parts.method.as_str(),
                path: parts.uri.path(),
                query: parts.uri.query().unwrap_or(""),
                headers: &header_list,
                body: req.body,
            };
            self.service.invoke(ctx, &req).await
        })
    }

    fn render_success(
        &self,
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        request_id: &str,
    ) -> Response<Body> {
        let http = HttpResponse {
            status,
            headers,
            body,
        };
        to_response(http, self.service.protocol(), request_id)
    }

    fn render_error(&self, err: &ServiceError, request_id: &str) -> Response<Body> {
        error_response(self.service.protocol(), err, request_id)
    }
}

/// An error in `protocol`'s form: restJson1 with `X-Amzn-ErrorType`, a JSON body and the
/// error's header-bound members as headers; RPC v2 CBOR as a CBOR map with `smithy-protocol`.
pub(super) fn error_response(
    protocol: HttpProtocol,
    err: &ServiceError,
    request_id: &str,
) -> Response<Body> {
    if err.is_server_fault() {
        tracing::error!(request_id, code = %err.code, "service failure");
    }
    let http = match protocol {
        HttpProtocol::RestJson1 => rest_error_response(err),
        HttpProtocol::RpcV2Cbor => cbor_error_response(err),
        HttpProtocol::RestXml => rampart_codec::rest_xml_error_response(err, request_id),
    };
    to_response(http, protocol, request_id)
}

/// The HTTP response of a codec `HttpResponse`, with the request id header; a restJson1 body
/// without a content type is `application/json`.
fn to_response(http: HttpResponse, protocol: HttpProtocol, request_id: &str) -> Response<Body> {
    let has_body = !http.body.is_empty();
    let mut response = Response::new(Full::new(Bytes::from(http.body)));
    *response.status_mut() =
        StatusCode::from_u16(http.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    for (name, value) in &http.headers {
        let name = HeaderName::from_bytes(name.as_bytes());
        if let (Ok(name), Ok(value)) = (name, HeaderValue::from_str(value)) {
            headers.append(name, value);
        }
    }
    let json = protocol == HttpProtocol::RestJson1;
    if json && has_body && !headers.contains_key(header::CONTENT_TYPE) {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", value);
    }
    response
}

/// The request's headers as the codec reads them (values that are not text are skipped).
fn header_list(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
        .collect()
}

//! Building HTTP responses: AWS JSON successes and errors, query-protocol XML, and small
//! operator JSON replies.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::Full;

/// The response body type used throughout.
pub type Body = Full<Bytes>;

/// A JSON response with the request id header set.
pub fn json(
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    request_id: &str,
) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", value);
    }
    response
}

/// An XML response (AWS query protocol) with the request id header set.
pub fn xml(status: u16, body: Vec<u8>, request_id: &str) -> Response<Body> {
    json(status, "text/xml", body, request_id)
}

/// An AWS JSON error: `{"__type": code, "message": message}` plus `x-amzn-ErrorType`; an empty
/// message is left out, as AWS sends none for such errors.
pub fn aws_error(
    status: u16,
    content_type: &'static str,
    code: &str,
    message: &str,
    request_id: &str,
) -> Response<Body> {
    let body = if message.is_empty() {
        serde_json::json!({ "__type": code })
    } else {
        serde_json::json!({ "__type": code, "message": message })
    };
    let mut response = json(
        status,
        content_type,
        body.to_string().into_bytes(),
        request_id,
    );
    if let Ok(value) = HeaderValue::from_str(code) {
        response.headers_mut().insert("x-amzn-errortype", value);
    }
    response
}

/// The content type for AWS JSON protocol version `1.0` or `1.1`.
pub fn amz_json_content_type(version: &str) -> &'static str {
    if version == "1.0" {
        "application/x-amz-json-1.0"
    } else {
        "application/x-amz-json-1.1"
    }
}

/// A plain `application/json` operator reply.
pub fn operator_json(status: u16, value: &serde_json::Value, request_id: &str) -> Response<Body> {
    json(
        status,
        "application/json",
        value.to_string().into_bytes(),
        request_id,
    )
}

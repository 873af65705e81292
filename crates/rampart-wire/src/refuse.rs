//! The gateway's early refusals, before a service sees the request: sealed, unknown operation,
//! and bodies that were too large, too slow, malformed or over the memory budget. Rendered by
//! the protocol plug-in that claimed the request: awsJson 1.1, query XML, restJson1, restXml or RPC v2
//! CBOR.

use crate::body::BodyError;
use crate::protocol::Protocol;
use crate::respond::{Body, aws_error};
use http::{HeaderValue, Response, Version, header};
use rampart_codec::ServiceError;

const JSON_11: &str = "application/x-amz-json-1.1";

/// S3's wording for a body that stopped arriving (AWS's `RequestTimeout`).
const MSG_REQUEST_TIMEOUT: &str = "Your socket connection to the server was not read from or \
written to within the timeout period. Idle connections will be closed.";

/// How a refusal is rendered: the protocol and the HTTP version of the request.
#[derive(Clone, Copy)]
pub(crate) struct Shape {
    protocol: &'static dyn Protocol,
    version: Version,
}

impl Shape {
    /// Refusals in `protocol`'s form for a request of HTTP `version`.
    pub(crate) fn new(protocol: &'static dyn Protocol, version: Version) -> Self {
        Self { protocol, version }
    }

    /// The gateway's code for `json_code` (`…Exception`) in the protocol: the query
    /// protocol's drops the suffix.
    fn code<'c>(&self, json_code: &'c str) -> &'c str {
        if self.protocol.query_codes() {
            json_code.strip_suffix("Exception").unwrap_or(json_code)
        } else {
            json_code
        }
    }
}

/// An error in the request's protocol.
fn error(shape: Shape, status: u16, code: &str, message: &str, id: &str) -> Response<Body> {
    let err = ServiceError::new(code.to_owned(), status, message);
    shape.protocol.refuse(&err, id)
}

/// 503 while the root key is sealed.
pub(crate) fn sealed(request_id: &str, shape: Shape) -> Response<Body> {
    let message = "Rampart is sealed: unseal it first (rampart operator unseal).";
    let code = shape.code("ServiceUnavailableException");
    error(shape, 503, code, message, request_id)
}

/// A request no service takes (a JSON target naming no served service, or no route): the
/// awsJson 1.1 `UnknownOperationException`; `message` is empty (no member) unless the request
/// is signed for a service Rampart does not serve (`protocol::unserved`).
pub(crate) fn unknown_operation(message: &str, request_id: &str) -> Response<Body> {
    aws_error(
        400,
        JSON_11,
        "UnknownOperationException",
        message,
        request_id,
    )
}

/// A body that was not read. The connection is closed afterwards (HTTP/1): whatever the client
/// still sends is not read.
pub(crate) fn body(err: BodyError, limit: usize, request_id: &str, shape: Shape) -> Response<Body> {
    let mut response = match err {
        BodyError::TooLarge => {
            let message = format!("Request body exceeds the limit of {limit} bytes.");
            let code = shape.code("RequestEntityTooLargeException");
            error(shape, 413, code, &message, request_id)
        }
        BodyError::Timeout => error(
            shape,
            408,
            "RequestTimeout",
            MSG_REQUEST_TIMEOUT,
            request_id,
        ),
        BodyError::Malformed => {
            let message = "The request body terminated unexpectedly or its framing is malformed.";
            error(shape, 400, "IncompleteBody", message, request_id)
        }
        BodyError::Busy => {
            let message = "Please reduce your request rate.";
            let mut busy = error(shape, 503, "SlowDown", message, request_id);
            let headers = busy.headers_mut();
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            busy
        }
    };
    close_after(&mut response, shape.version);
    response
}

/// Asks an HTTP/1 client to close the connection after this response (HTTP/2 has no such
/// header; hyper refuses it there).
pub(crate) fn close_after(response: &mut Response<Body>, version: Version) {
    if version < Version::HTTP_2 {
        let headers = response.headers_mut();
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
}

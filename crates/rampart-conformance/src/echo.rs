//! The echo: one JSON request in, one JSON answer out (JSON lines in `protocol-echo`).
//!
//! - `{"kind": "request", "service", "protocol": "rest-json" | "rest-xml" | "smithy-rpc-v2-cbor" |
//!   "json", "method",
//!   "path", "query", "headers": [[name, value]], "body": base64}` → `{"operation", "input"}`
//!   (the decoded input as AWS JSON) or `{"error": {"code", "message"}}`.
//! - `{"kind": "response", "service", "protocol", "operation", "output": AWS JSON}` → `{"status",
//!   "headers", "body": base64}`: the HTTP response the generated encoder writes.
//! - `{"kind": "error", "protocol", "code", "status", "message"}` → the error response; with
//!   `"service": "apigateway"` and `"members"`, API Gateway's errors with header-bound members
//!   come from their generated constructors.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rampart_codec::{
    HttpRequest, HttpResponse, ServiceError, cbor_error_response, cbor_route, rest_error_response,
    rest_xml_error_response,
};
use serde_json::{Value, json};

/// The request id restXml error documents carry.
const REQUEST_ID: &str = "echo-request-id";

/// A restJson1 or restXml service's generated `conformance::input_json`.
type RestInput = fn(&HttpRequest<'_>) -> Result<(&'static str, Vec<u8>), ServiceError>;

/// A restJson1 or restXml service's generated `conformance::output_response`.
type RestOutput = fn(&str, &[u8]) -> Option<Result<HttpResponse, ServiceError>>;

/// The conformance hooks of the restJson1 or restXml service botocore calls `service`.
fn rest_service(service: &str) -> Result<(RestInput, RestOutput), ServiceError> {
    use crate::{apigateway, dataexchange, entityresolution, mediastore_data, signer_data};
    use crate::{route53, s3};
    Ok(match service {
        "s3" => (
            s3::conformance::input_json,
            s3::conformance::output_response,
        ),
        "route53" => (
            route53::conformance::input_json,
            route53::conformance::output_response,
        ),
        "apigateway" => (
            apigateway::conformance::input_json,
            apigateway::conformance::output_response,
        ),
        "dataexchange" => (
            dataexchange::conformance::input_json,
            dataexchange::conformance::output_response,
        ),
        "mediastore-data" => (
            mediastore_data::conformance::input_json,
            mediastore_data::conformance::output_response,
        ),
        "entityresolution" => (
            entityresolution::conformance::input_json,
            entityresolution::conformance::output_response,
        ),
        "signer-data" => (
            signer_data::conformance::input_json,
            signer_data::conformance::output_response,
        ),
        _ => return Err(ServiceError::validation("unknown service")),
    })
}

/// The answer to one echo request.
pub fn answer(req: &Value) -> Value {
    let result = match req["kind"].as_str() {
        Some("request") => decode(req),
        Some("response") => encode(req).map(|r| response_json(&r)),
        Some("error") => error(req).map(|r| response_json(&r)),
        _ => Err(ServiceError::validation("unknown kind")),
    };
    result.unwrap_or_else(|e| json!({"error": {"code": e.code, "message": e.message}}))
}

fn text<'v>(req: &'v Value, key: &str) -> &'v str {
    req[key].as_str().unwrap_or_default()
}

fn body_of(req: &Value) -> Result<Vec<u8>, ServiceError> {
    STANDARD
        .decode(text(req, "body"))
        .map_err(|_| ServiceError::validation("body is not base64"))
}

fn parse(json: &[u8]) -> Result<Value, ServiceError> {
    serde_json::from_slice(json).map_err(|_| ServiceError::internal())
}

/// Routes and decodes a request botocore serialized.
fn decode(req: &Value) -> Result<Value, ServiceError> {
    let body = body_of(req)?;
    let headers: Vec<(String, String)> =
        serde_json::from_value(req["headers"].clone()).unwrap_or_default();
    let (operation, input) = match text(req, "protocol") {
        "rest-json" | "rest-xml" => {
            let http = HttpRequest {
                method: text(req, "method"),
                path: text(req, "path"),
                query: text(req, "query"),
                headers: &headers,
                body: &body,
            };
            let (input_json, _) = rest_service(text(req, "service"))?;
            let (op, json) = input_json(&http)?;
            (op.to_owned(), json)
        }
        "smithy-rpc-v2-cbor" => {
            let (_, op) =
                cbor_route(text(req, "path")).ok_or_else(ServiceError::unknown_operation)?;
            let json = crate::acm_pca::conformance::cbor_input_json(op, &body)
                .ok_or_else(ServiceError::unknown_operation)??;
            (op.to_owned(), json)
        }
        "json" => {
            let target = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-target"))
                .map(|(_, v)| v.as_str())
                .unwrap_or_default();
            let op = target.rsplit('.').next().unwrap_or_default();
            let json = crate::acm_pca::conformance::json_input_json(op, &body)
                .ok_or_else(ServiceError::unknown_operation)??;
            (op.to_owned(), json)
        }
        _ => return Err(ServiceError::validation("unknown protocol")),
    };
    Ok(json!({"operation": operation, "input": parse(&input)?}))
}

/// Encodes an output given as AWS JSON as the protocol's HTTP response.
fn encode(req: &Value) -> Result<HttpResponse, ServiceError> {
    let op = text(req, "operation");
    let output = serde_json::to_vec(&req["output"]).map_err(|_| ServiceError::internal())?;
    let unknown = ServiceError::unknown_operation;
    match text(req, "protocol") {
        "rest-json" | "rest-xml" => {
            let (_, output_response) = rest_service(text(req, "service"))?;
            output_response(op, &output).ok_or_else(unknown)?
        }
        "smithy-rpc-v2-cbor" => {
            let body =
                crate::acm_pca::conformance::cbor_output(op, &output).ok_or_else(unknown)??;
            Ok(rampart_codec::cbor::cbor_response(body))
        }
        "json" => {
            let body =
                crate::acm_pca::conformance::json_output(op, &output).ok_or_else(unknown)??;
            let headers = vec![(
                String::from("Content-Type"),
                String::from("application/x-amz-json-1.1"),
            )];
            Ok(HttpResponse {
                status: 200,
                headers,
                body,
            })
        }
        _ => Err(ServiceError::validation("unknown protocol")),
    }
}

/// Renders a modelled error the way the protocol does.
fn error(req: &Value) -> Result<HttpResponse, ServiceError> {
    let status = req["status"]
        .as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .unwrap_or(400);
    let err = match modelled_error(req) {
        Some(err) => err,
        None => ServiceError::new(text(req, "code").to_owned(), status, text(req, "message")),
    };
    match text(req, "protocol") {
        "rest-json" => Ok(rest_error_response(&err)),
        "rest-xml" => Ok(rest_xml_error_response(&err, REQUEST_ID)),
        "smithy-rpc-v2-cbor" => Ok(cbor_error_response(&err)),
        "json" => Ok(HttpResponse {
            status,
            headers: vec![(String::from("X-Amzn-ErrorType"), err.code.to_string())],
            body: rampart_codec::encode_error(&err),
        }),
        _ => Err(ServiceError::validation("unknown protocol")),
    }
}

/// API Gateway's errors with a header-bound member (`retryAfterSeconds` → `Retry-After`),
/// built by their generated `_with` constructors from `members`.
fn modelled_error(req: &Value) -> Option<ServiceError> {
    use crate::apigateway::errors;
    if text(req, "service") != "apigateway" {
        return None;
    }
    let with: fn(String, Option<String>) -> ServiceError = match text(req, "code") {
        "LimitExceededException" => errors::limit_exceeded_exception_with,
        "ServiceUnavailableException" => errors::service_unavailable_exception_with,
        "TooManyRequestsException" => errors::too_many_requests_exception_with,
        _ => return None,
    };
    let retry_after = req["members"]["retryAfterSeconds"]
        .as_str()
        .map(str::to_owned);
    Some(with(text(req, "message").to_owned(), retry_after))
}

fn response_json(resp: &HttpResponse) -> Value {
    json!({
        "status": resp.status,
        "headers": resp.headers,
        "body": STANDARD.encode(&resp.body),
    })
}

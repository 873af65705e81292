//! The echo's answers for a few requests and errors (moved out of the library so the
//! 100k-line generated library is not compiled a second time as a unit-test target).

#![allow(clippy::unwrap_used)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rampart_conformance::echo::answer;
use serde_json::json;

#[test]
fn rest_requests_route_and_decode() {
    let req = json!({"kind": "request", "service": "apigateway", "protocol": "rest-json", "method": "GET",
        "path": "/restapis/a%2Fb%20c", "query": "", "headers": [], "body": ""});
    assert_eq!(
        answer(&req),
        json!({"operation": "GetRestApi", "input": {"restApiId": "a/b c"}})
    );
    let req = json!({"kind": "request", "service": "apigateway", "protocol": "rest-json", "method": "POST",
        "path": "/restapis", "query": "mode=import&failonwarnings=true",
        "headers": [], "body": STANDARD.encode(b"{}")});
    assert_eq!(
        answer(&req),
        json!({"operation": "ImportRestApi",
               "input": {"body": "e30=", "failOnWarnings": true, "parameters": {}}})
    );
}

#[test]
fn cbor_errors_carry_the_protocol_header() {
    let req = json!({"kind": "error", "protocol": "smithy-rpc-v2-cbor",
        "code": "InvalidArnException", "status": 400, "message": "m"});
    let got = answer(&req);
    assert_eq!(got["status"], 400);
    assert_eq!(got["headers"][0], json!(["smithy-protocol", "rpc-v2-cbor"]));
}

#[test]
fn header_bound_error_members_are_headers() {
    let req = json!({"kind": "error", "service": "apigateway", "protocol": "rest-json",
        "code": "TooManyRequestsException", "message": "m",
        "members": {"retryAfterSeconds": "9"}});
    let got = answer(&req);
    assert_eq!(got["status"], 429);
    assert_eq!(got["headers"][2], json!(["Retry-After", "9"]));
}

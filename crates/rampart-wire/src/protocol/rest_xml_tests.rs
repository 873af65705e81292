//! restXml routing through the whole gateway, over the generated Route 53 endpoint of
//! `rampart-conformance` with its refusing `DecodeOnly` handler: routing by scope and by route
//! table, errors (the service's, authentication, unknown routes) as restXml `<ErrorResponse>`,
//! a restJson1 and a restXml service side by side, and a route several services share.

#![allow(clippy::unwrap_used)]

use super::http_tests::{Answer, Throttled, send};
use super::query::tests::{Auth, Sink, TestHost, small_body_limits};
use crate::{AwsHttpService, Gateway, Ready};
use rampart_conformance::{apigateway, route53};
use std::sync::Arc;

fn route53() -> Arc<dyn AwsHttpService> {
    Arc::new(route53::Endpoint(Arc::new(route53::DecodeOnly)))
}

fn apigateway() -> Arc<dyn AwsHttpService> {
    Arc::new(apigateway::Endpoint(Arc::new(apigateway::DecodeOnly)))
}

fn gateway(
    http_services: Vec<Arc<dyn AwsHttpService>>,
    auth_failure: Option<&'static str>,
) -> (Gateway, Arc<Sink>) {
    let sink = Arc::new(Sink::default());
    let ready = Ready {
        services: Vec::new(),
        query_services: Vec::new(),
        http_services,
        public_routes: Vec::new(),
        auth: Arc::new(Auth(auth_failure)),
        audit: sink.clone(),
    };
    let host = Arc::new(TestHost(Arc::new(ready)));
    (Gateway::new(host, small_body_limits()), sink)
}

/// `method path`, signed for `service` when given (as botocore sends it: no target, no
/// `Action`, no `smithy-protocol`).
fn call(gw: &Gateway, method: &str, path: &str, service: Option<&str>) -> Answer {
    let mut req = http::Request::builder().method(method).uri(path);
    if let Some(service) = service {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/{service}/aws4_request, \
             SignedHeaders=host, Signature=00"
        );
        req = req
            .header("authorization", auth)
            .header("x-amz-date", "20240101T000000Z");
    }
    send(gw, req, Vec::new())
}

/// The `(Type, Code, Message)` of a restXml `<ErrorResponse>`, after checking its form: the
/// XML content type and the request id both in the body and in `x-amzn-requestid`.
fn xml_error(answer: &Answer) -> (String, String, String) {
    assert_eq!(answer.header("content-type"), "text/xml");
    assert!(answer.header("x-amzn-errortype").is_empty());
    let body = String::from_utf8(answer.body.clone()).unwrap();
    let id = answer.header("x-amzn-requestid");
    assert!(!id.is_empty());
    let inner = |tag: &str| {
        let open = format!("<{tag}>");
        let start = body.find(&open).unwrap_or_else(|| panic!("{body}")) + open.len();
        let end = body[start..].find(&format!("</{tag}>")).unwrap() + start;
        body[start..end].to_owned()
    };
    assert!(body.starts_with("<ErrorResponse"), "{body}");
    assert_eq!(inner("RequestId"), id, "{body}");
    (inner("Type"), inner("Code"), inner("Message"))
}

const HOSTED_ZONE: &str = "/2013-04-01/hostedzone/Z1D633PJN98FT9";

#[test]
fn a_route53_request_reaches_its_operation_by_scope_and_by_route() {
    let (gw, sink) = gateway(vec![route53()], None);
    for service in [Some("route53"), None] {
        let answer = call(&gw, "GET", HOSTED_ZONE, service);
        assert_eq!(answer.status, 400);
        let (kind, code, message) = xml_error(&answer);
        assert_eq!(
            (kind.as_str(), code.as_str()),
            ("Sender", "UnsupportedOperationException")
        );
        assert!(
            message.contains("Route 53 operation GetHostedZone"),
            "{message}"
        );
    }
    let events = sink.0.lock().unwrap();
    assert_eq!(events.len(), 2);
    for event in events.iter() {
        assert_eq!(event.event_name, "GetHostedZone");
        assert_eq!(event.event_source, "route53.amazonaws.com");
        let params = event.request_parameters.clone().unwrap();
        assert_eq!(params["id"], "Z1D633PJN98FT9", "{params}");
    }
}

#[test]
fn route53_errors_are_rest_xml() {
    let (gw, sink) = gateway(vec![route53()], None);
    // Signed for route53, a route it lacks: its dispatcher answers, in restXml.
    let answer = call(&gw, "GET", "/no/such/route", Some("route53"));
    assert_eq!(answer.status, 400);
    assert_eq!(xml_error(&answer).1, "UnknownOperationException");
    assert_eq!(sink.0.lock().unwrap().len(), 1);
    // An authentication failure, in restXml, not audited.
    let (gw, sink) = gateway(vec![route53()], Some("InvalidSignatureException"));
    let answer = call(&gw, "GET", HOSTED_ZONE, Some("route53"));
    assert_eq!(answer.status, 400);
    let (kind, code, message) = xml_error(&answer);
    assert_eq!(
        (kind.as_str(), code.as_str()),
        ("Sender", "InvalidSignatureException")
    );
    assert_eq!(message, "bad signature");
    assert!(sink.0.lock().unwrap().is_empty());
}

#[test]
fn rest_json_and_rest_xml_services_each_get_their_requests() {
    let (gw, sink) = gateway(vec![apigateway(), route53()], None);
    for signed in [false, true] {
        let answer = call(&gw, "GET", HOSTED_ZONE, signed.then_some("route53"));
        assert_eq!(xml_error(&answer).1, "UnsupportedOperationException");
        let answer = call(
            &gw,
            "GET",
            "/restapis/abc123",
            signed.then_some("apigateway"),
        );
        assert_eq!(answer.header("content-type"), "application/json");
        assert_eq!(answer.json()["__type"], "UnsupportedOperationException");
    }
    let sources: Vec<_> = sink
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|e| e.event_source)
        .collect();
    let expected = ["route53.amazonaws.com", "apigateway.amazonaws.com"];
    assert_eq!(sources, [expected, expected].concat());
    // Unsigned and no route matches: as before, awsJson 1.1's unknown operation.
    let answer = call(&gw, "GET", "/no/such/route", None);
    assert_eq!(answer.header("content-type"), "application/x-amz-json-1.1");
    assert_eq!(answer.json()["__type"], "UnknownOperationException");
}

#[test]
fn a_route_two_rest_xml_services_share_is_refused_in_rest_xml() {
    let (gw, sink) = gateway(vec![route53(), route53()], None);
    let answer = call(&gw, "GET", HOSTED_ZONE, None);
    assert_eq!(answer.status, 400);
    let (_, code, message) = xml_error(&answer);
    assert_eq!(code, "MissingAuthenticationTokenException");
    assert_eq!(message, "Missing Authentication Token");
    let answer = call(&gw, "GET", HOSTED_ZONE, Some("kms"));
    let (_, code, message) = xml_error(&answer);
    assert_eq!(code, "InvalidSignatureException");
    assert!(message.contains("'route53', 'route53'"), "{message}");
    assert!(sink.0.lock().unwrap().is_empty());
}

#[test]
fn a_route_rest_json_and_rest_xml_services_share_goes_by_scope_only() {
    // `Throttled` (restJson1, signing as apigateway) has every route.
    let (gw, sink) = gateway(vec![Arc::new(Throttled), route53()], None);
    let answer = call(&gw, "GET", HOSTED_ZONE, None);
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        "MissingAuthenticationTokenException"
    );
    assert!(sink.0.lock().unwrap().is_empty());
    let answer = call(&gw, "GET", HOSTED_ZONE, Some("route53"));
    assert_eq!(xml_error(&answer).1, "UnsupportedOperationException");
    let answer = call(&gw, "GET", HOSTED_ZONE, Some("apigateway"));
    assert_eq!(answer.header("x-amzn-errortype"), "LimitExceededException");
    let events = sink.0.lock().unwrap();
    assert_eq!(events[0].event_source, "route53.amazonaws.com");
    assert_eq!(events[1].event_source, "apigateway.amazonaws.com");
}

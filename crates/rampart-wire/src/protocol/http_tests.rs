//! restJson1 and RPC v2 CBOR routing through the whole gateway, over the generated API
//! Gateway (restJson1) and ACM PCA (RPC v2 CBOR) endpoints of `rampart-conformance` with their
//! refusing `DecodeOnly` handlers: routing by scope, route table and CBOR path, error rendering
//! in each protocol, authentication failures and auditing; a route several services share;
//! error members bound to headers.

#![allow(clippy::unwrap_used)]

use super::query::tests::{Auth, Sink, TestHost, run, small_body_limits};
use crate::{AwsHttpService, BoxFuture, Gateway, HttpProtocol, Ready};
use bytes::Bytes;
use ciborium::Value as Cbor;
use http_body_util::{BodyExt, Full};
use rampart_codec::{HttpInvocation, HttpRequest, Invocation};
use rampart_conformance::{acm_pca, apigateway, dataexchange};
use rampart_core::RequestContext;
use std::sync::Arc;

const SIGNED_APIGATEWAY: &str = "AWS4-HMAC-SHA256 \
    Credential=AKID/20240101/eu-west-1/apigateway/aws4_request, \
    SignedHeaders=host, Signature=00";
const CA_ARN: &str = "arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/\
                      12345678-1234-1234-1234-123456789012";

fn gateway(auth_failure: Option<&'static str>) -> (Gateway, Arc<Sink>) {
    let sink = Arc::new(Sink::default());
    let rest: Arc<dyn AwsHttpService> =
        Arc::new(apigateway::Endpoint(Arc::new(apigateway::DecodeOnly)));
    let cbor: Arc<dyn AwsHttpService> = Arc::new(acm_pca::Endpoint(Arc::new(acm_pca::DecodeOnly)));
    let ready = Ready {
        services: Vec::new(),
        query_services: Vec::new(),
        http_services: vec![rest, cbor],
        public_routes: Vec::new(),
        auth: Arc::new(Auth(auth_failure)),
        audit: sink.clone(),
    };
    let host = Arc::new(TestHost(Arc::new(ready)));
    (Gateway::new(host, small_body_limits()), sink)
}

pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) headers: http::HeaderMap,
    pub(super) body: Vec<u8>,
}

impl Answer {
    pub(super) fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", |v| v.to_str().unwrap())
    }

    pub(super) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// The CBOR body's text entries.
    fn cbor(&self) -> Vec<(String, String)> {
        let value: Cbor = ciborium::from_reader(self.body.as_slice()).unwrap();
        let entries = value.into_map().unwrap();
        entries
            .into_iter()
            .map(|(k, v)| (k.into_text().unwrap(), v.into_text().unwrap()))
            .collect()
    }
}

pub(super) fn send(gw: &Gateway, req: http::request::Builder, body: Vec<u8>) -> Answer {
    let req = req
        .header("host", "localhost")
        .body(Full::new(Bytes::from(body)));
    run(async {
        let resp = gw
            .handle(req.unwrap(), "127.0.0.1:9".parse().unwrap())
            .await;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Answer {
            status,
            headers,
            body,
        }
    })
}

/// botocore's `GetRestApi`: `GET /restapis/{restapi_id}`, optionally signed for `apigateway`.
fn get_rest_api(gw: &Gateway, path: &str, signed: bool) -> Answer {
    let mut req = http::Request::builder().method("GET").uri(path);
    if signed {
        req = req
            .header("authorization", SIGNED_APIGATEWAY)
            .header("x-amz-date", "20240101T000000Z");
    }
    send(gw, req, Vec::new())
}

fn cbor_body(entries: &[(&str, &str)]) -> Vec<u8> {
    let map = entries
        .iter()
        .map(|(k, v)| (Cbor::from(*k), Cbor::from(*v)))
        .collect();
    let mut out = Vec::new();
    ciborium::into_writer(&Cbor::Map(map), &mut out).unwrap();
    out
}

/// An RPC v2 CBOR call as botocore sends it.
fn cbor_call(gw: &Gateway, service: &str, operation: &str, body: Vec<u8>) -> Answer {
    let req = http::Request::builder()
        .method("POST")
        .uri(format!("/service/{service}/operation/{operation}"))
        .header("smithy-protocol", "rpc-v2-cbor")
        .header("content-type", "application/cbor")
        .header("accept", "application/cbor");
    send(gw, req, body)
}

fn get_certificate(gw: &Gateway) -> Answer {
    let cert = format!("{CA_ARN}/certificate/0123456789abcdef");
    let body = cbor_body(&[
        ("CertificateAuthorityArn", CA_ARN),
        ("CertificateArn", &cert),
    ]);
    cbor_call(gw, "ACMPrivateCA", "GetCertificate", body)
}

#[test]
fn a_rest_json_request_reaches_its_operation_by_route_and_by_scope() {
    let (gw, sink) = gateway(None);
    for signed in [false, true] {
        let answer = get_rest_api(&gw, "/restapis/abc123", signed);
        assert_eq!(answer.status, 400);
        assert_eq!(
            answer.header("x-amzn-errortype"),
            "UnsupportedOperationException"
        );
        assert_eq!(answer.header("content-type"), "application/json");
        assert!(!answer.header("x-amzn-requestid").is_empty());
        let body = answer.json();
        assert_eq!(body["__type"], "UnsupportedOperationException");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains("API Gateway operation GetRestApi"),
            "{message}"
        );
    }
    let events = sink.0.lock().unwrap();
    assert_eq!(events.len(), 2);
    for event in events.iter() {
        assert_eq!(event.event_name, "GetRestApi");
        assert_eq!(event.event_source, "apigateway.amazonaws.com");
        assert_eq!(
            event.error_code.as_deref(),
            Some("UnsupportedOperationException")
        );
        let params = event.request_parameters.clone().unwrap();
        assert_eq!(params["restApiId"], "abc123", "{params}");
    }
}

#[test]
fn unknown_rest_routes_answer_aws_errors() {
    let (gw, sink) = gateway(None);
    // Signed for apigateway: its dispatcher answers in restJson1.
    let answer = get_rest_api(&gw, "/no/such/route", true);
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        "UnknownOperationException"
    );
    assert_eq!(answer.json()["__type"], "UnknownOperationException");
    // Unsigned and no route matches: nothing names a service.
    let answer = get_rest_api(&gw, "/no/such/route", false);
    assert_eq!(answer.status, 400);
    assert_eq!(answer.json()["__type"], "UnknownOperationException");
    assert_eq!(sink.0.lock().unwrap().len(), 1);
}

#[test]
fn a_json_target_is_never_taken_for_rest_json() {
    let (gw, sink) = gateway(None);
    let req = http::Request::builder()
        .method("GET")
        .uri("/restapis/abc123")
        .header("x-amz-target", "Nope.GetRestApi");
    let answer = send(&gw, req, Vec::new());
    assert_eq!(answer.status, 400);
    assert_eq!(answer.header("content-type"), "application/x-amz-json-1.1");
    assert_eq!(answer.json()["__type"], "UnknownOperationException");
    assert!(sink.0.lock().unwrap().is_empty());
}

#[test]
fn an_rpc_v2_cbor_request_reaches_its_operation() {
    let (gw, sink) = gateway(None);
    let answer = get_certificate(&gw);
    assert_eq!(answer.status, 400);
    assert_eq!(answer.header("smithy-protocol"), "rpc-v2-cbor");
    assert_eq!(answer.header("content-type"), "application/cbor");
    let body = answer.cbor();
    assert_eq!(
        body[0],
        ("__type".into(), "UnsupportedOperationException".into())
    );
    assert!(
        body[1].1.contains("ACM PCA operation GetCertificate"),
        "{body:?}"
    );
    let events = sink.0.lock().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_name, "GetCertificate");
    assert_eq!(events[0].event_source, "acm-pca.amazonaws.com");
    let params = events[0].request_parameters.clone().unwrap();
    assert_eq!(params["certificateAuthorityArn"], CA_ARN, "{params}");
}

#[test]
fn rpc_v2_cbor_errors_are_cbor() {
    let (gw, sink) = gateway(None);
    // Missing required members: validation, in CBOR.
    let answer = cbor_call(&gw, "ACMPrivateCA", "GetCertificate", cbor_body(&[]));
    assert_eq!(answer.status, 400);
    assert_eq!(answer.header("smithy-protocol"), "rpc-v2-cbor");
    assert_eq!(answer.cbor()[0].1, "ValidationException");
    // An unknown operation of the service, and a service nobody serves.
    for service in ["ACMPrivateCA", "NoSuchService"] {
        let answer = cbor_call(&gw, service, "NoSuchOperation", Vec::new());
        assert_eq!(answer.status, 400);
        assert_eq!(answer.header("smithy-protocol"), "rpc-v2-cbor");
        assert_eq!(answer.cbor()[0].1, "UnknownOperationException");
    }
    assert_eq!(sink.0.lock().unwrap().len(), 2);
}

#[test]
fn authentication_failures_answer_in_the_service_protocol() {
    let (gw, sink) = gateway(Some("InvalidSignatureException"));
    let answer = get_rest_api(&gw, "/restapis/abc123", true);
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        "InvalidSignatureException"
    );
    assert_eq!(answer.json()["message"], "bad signature");
    let answer = get_certificate(&gw);
    assert_eq!(answer.header("smithy-protocol"), "rpc-v2-cbor");
    assert_eq!(answer.cbor()[0].1, "InvalidSignatureException");
    assert!(sink.0.lock().unwrap().is_empty());
}

/// A gateway over API Gateway and Data Exchange, whose `/tags/{arn}` routes coincide.
fn two_rest_services() -> (Gateway, Arc<Sink>) {
    let sink = Arc::new(Sink::default());
    let apigateway: Arc<dyn AwsHttpService> =
        Arc::new(apigateway::Endpoint(Arc::new(apigateway::DecodeOnly)));
    let dataexchange: Arc<dyn AwsHttpService> =
        Arc::new(dataexchange::Endpoint(Arc::new(dataexchange::DecodeOnly)));
    let ready = Ready {
        services: Vec::new(),
        query_services: Vec::new(),
        http_services: vec![apigateway, dataexchange],
        public_routes: Vec::new(),
        auth: Arc::new(Auth(None)),
        audit: sink.clone(),
    };
    let host = Arc::new(TestHost(Arc::new(ready)));
    (Gateway::new(host, small_body_limits()), sink)
}

/// `GET /tags/<arn>`, signed for `service` when given.
fn list_tags(gw: &Gateway, service: Option<&str>) -> Answer {
    let mut req = http::Request::builder()
        .method("GET")
        .uri("/tags/arn%3Aaws%3Aapigateway%3Aeu-west-1%3A%3A%2Frestapis%2Fa");
    if let Some(service) = service {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/{service}/aws4_request, \
             SignedHeaders=host, Signature=00"
        );
        req = req
            .header("authorization", auth)
            .header("x-amz-date", "20240101T000000Z");
    }
    send(gw, req, Vec::new())
}

#[test]
fn a_route_several_services_share_is_not_given_to_the_first() {
    let (gw, sink) = two_rest_services();
    // Unsigned: no service is chosen; AWS's answer to an unsigned request, in restJson1.
    let answer = list_tags(&gw, None);
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        "MissingAuthenticationTokenException"
    );
    assert_eq!(answer.json()["message"], "Missing Authentication Token");
    // Signed for a service that serves neither route: the candidates are named.
    let answer = list_tags(&gw, Some("kms"));
    assert_eq!(
        answer.header("x-amzn-errortype"),
        "InvalidSignatureException"
    );
    let message = answer.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("'apigateway', 'dataexchange'"),
        "{message}"
    );
    assert!(
        sink.0.lock().unwrap().is_empty(),
        "refusals are not audited"
    );
    // The scope chooses, whichever was registered first.
    for (service, source) in [
        ("dataexchange", "dataexchange.amazonaws.com"),
        ("apigateway", "apigateway.amazonaws.com"),
    ] {
        let answer = list_tags(&gw, Some(service));
        assert_eq!(
            answer.header("x-amzn-errortype"),
            "UnsupportedOperationException"
        );
        let events = sink.0.lock().unwrap();
        assert_eq!(events.last().unwrap().event_source, source);
    }
}

/// A restJson1 service whose every call fails with API Gateway's `LimitExceededException`,
/// its `retryAfterSeconds` member bound to the `Retry-After` header.
pub(super) struct Throttled;

impl AwsHttpService for Throttled {
    fn signing_name(&self) -> &'static str {
        "apigateway"
    }
    fn event_source(&self) -> &'static str {
        "apigateway.amazonaws.com"
    }
    fn protocol(&self) -> HttpProtocol {
        HttpProtocol::RestJson1
    }
    fn target_prefix(&self) -> &'static str {
        ""
    }
    fn has_route(&self, _method: &str, _path: &str, _query: &str) -> bool {
        true
    }
    fn invoke<'a>(
        &'a self,
        _ctx: &'a RequestContext,
        _req: &'a HttpRequest<'a>,
    ) -> BoxFuture<'a, HttpInvocation> {
        Box::pin(async {
            let err = apigateway::errors::limit_exceeded_exception_with(
                "Too many requests",
                Some(String::from("7")),
            );
            HttpInvocation::from_invocation(Invocation::not_served("GetRestApi", true, err))
        })
    }
}

#[test]
fn header_bound_error_members_are_sent_as_headers() {
    let sink = Arc::new(Sink::default());
    let ready = Ready {
        services: Vec::new(),
        query_services: Vec::new(),
        http_services: vec![Arc::new(Throttled)],
        public_routes: Vec::new(),
        auth: Arc::new(Auth(None)),
        audit: sink.clone(),
    };
    let gw = Gateway::new(Arc::new(TestHost(Arc::new(ready))), small_body_limits());
    let answer = get_rest_api(&gw, "/restapis/abc123", true);
    assert_eq!(answer.status, 429);
    assert_eq!(answer.header("x-amzn-errortype"), "LimitExceededException");
    assert_eq!(answer.header("retry-after"), "7");
    assert_eq!(answer.json()["message"], "Too many requests");
    let events = sink.0.lock().unwrap();
    assert_eq!(
        events[0].error_code.as_deref(),
        Some("LimitExceededException")
    );
}

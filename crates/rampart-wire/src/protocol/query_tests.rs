//! Query-protocol routing through the whole gateway: detection, service choice by scope or
//! `Action`, XML errors (auth, unknown action, version), global Region and auditing.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::host::{
    Authenticated, Authenticator, Host, SignedRequest, UnsealError, UnsealReply, UnsealSource,
};
use crate::pipeline::header_text;
use crate::{AuditEvent, AuditSink, Gateway};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use rampart_codec::xml::{ToXml, XmlWriter};
use rampart_codec::{
    AuditParams, FromQuery, QueryEnv, QueryOperationSpec, Validate, ValidationErrors, invoke_query,
    query,
};
use rampart_core::{AccountId, Principal, PrincipalKind, Region};
use serde_json::{Map, Value};
use std::sync::Mutex;

struct Echo {
    name: Option<String>,
}

impl FromQuery for Echo {
    fn from_query(node: &QueryNode, _path: &str) -> Result<Self, ServiceError> {
        Ok(Self {
            name: query::string(node.get("Name")),
        })
    }
}

impl Validate for Echo {
    fn validate(&self, _path: &str, _errs: &mut ValidationErrors) {}
}

impl AuditParams for Echo {
    fn audit_map(&self) -> Map<String, Value> {
        let mut m = Map::new();
        rampart_codec::put(&mut m, "name", &self.name);
        m
    }
}

impl ToXml for Echo {
    fn write_xml(&self, w: &mut XmlWriter) {
        w.scalar("Name", self.name.as_ref());
    }
}

struct Fake {
    signing: &'static str,
    action: &'static str,
    global: Option<&'static str>,
}

impl AwsQueryService for Fake {
    fn signing_name(&self) -> &'static str {
        self.signing
    }
    fn event_source(&self) -> &'static str {
        "fake.amazonaws.com"
    }
    fn xml_namespace(&self) -> &'static str {
        "https://fake/doc/"
    }
    fn api_version(&self) -> &'static str {
        "2010-05-08"
    }
    fn global_region(&self) -> Option<&'static str> {
        self.global
    }
    fn has_action(&self, action: &str) -> bool {
        action == self.action
    }
    fn invoke<'a>(
        &'a self,
        ctx: &'a RequestContext,
        action: &'a str,
        params: &'a QueryNode,
    ) -> BoxFuture<'a, Invocation> {
        Box::pin(async move {
            if action != self.action {
                return unknown_action(action, "2010-05-08");
            }
            let spec = QueryOperationSpec {
                name: self.action,
                read_only: true,
                audit_response: true,
                result_wrapper: Some("EchoResult"),
            };
            let env = QueryEnv {
                namespace: self.xml_namespace(),
                request_id: &ctx.request_id,
            };
            let region = ctx.region.to_string();
            invoke_query(spec, env, params, |i: Echo| async move {
                Ok::<_, ServiceError>(Echo {
                    name: i.name.map(|n| format!("{n}@{region}")),
                })
            })
            .await
        })
    }
}

/// Accepts everything, or fails with the given JSON auth code.
pub(crate) struct Auth(pub(crate) Option<&'static str>);

impl Authenticator for Auth {
    fn authenticate<'a>(
        &'a self,
        req: &'a SignedRequest<'a>,
        _signing_name: &'a str,
    ) -> BoxFuture<'a, Result<Authenticated, AuthFailure>> {
        Box::pin(async move {
            if let Some(code) = self.0 {
                return Err(AuthFailure {
                    code,
                    status: 400,
                    message: String::from("bad signature"),
                });
            }
            let region = rampart_auth::parse_authorization(req)
                .map_or_else(|_| String::from("eu-west-1"), |(_, s)| s.region);
            let account = AccountId::parse("111122223333").unwrap();
            let arn = format!("arn:aws:iam::{account}:root");
            let principal = Principal {
                account,
                arn,
                principal_id: String::from("111122223333"),
                access_key_id: String::from("AKID"),
                kind: PrincipalKind::DevAnonymous,
                session: None,
            };
            Ok(Authenticated {
                caller: Arc::new(rampart_core::CallerPolicies::for_principal(&principal)),
                principal,
                region: Region::new(region),
            })
        })
    }
}

#[derive(Default)]
pub(crate) struct Sink(pub(crate) Mutex<Vec<AuditEvent>>);

impl AuditSink for Sink {
    fn record(&self, event: AuditEvent) {
        self.0.lock().unwrap().push(event);
    }
}

pub(crate) struct TestHost(pub(crate) Arc<Ready>);

impl Host for TestHost {
    fn dev_mode(&self) -> bool {
        true
    }
    fn ready(&self) -> Option<Arc<Ready>> {
        Some(self.0.clone())
    }
    fn unseal(
        &self,
        _secret: String,
        _source: UnsealSource,
    ) -> BoxFuture<'_, Result<UnsealReply, UnsealError>> {
        Box::pin(async { Err(UnsealError::Internal(String::new())) })
    }
    fn reset(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }
}

fn gateway(auth_failure: Option<&'static str>) -> (Gateway, Arc<Sink>) {
    let sink = Arc::new(Sink::default());
    let ready = Ready {
        services: Vec::new(),
        query_services: vec![
            Arc::new(Fake {
                signing: "iam",
                action: "EchoUser",
                global: Some("us-east-1"),
            }),
            Arc::new(Fake {
                signing: "sts",
                action: "EchoCaller",
                global: None,
            }),
        ],
        http_services: Vec::new(),
        public_routes: Vec::new(),
        auth: Arc::new(Auth(auth_failure)),
        audit: sink.clone(),
    };
    let host = Arc::new(TestHost(Arc::new(ready)));
    (Gateway::new(host, small_body_limits()), sink)
}

pub(crate) fn run<T>(fut: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(fut)
}

const SIGNED_STS: &str = "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/sts/aws4_request, \
                          SignedHeaders=host, Signature=00";

/// Sends a form POST (or a GET when `body` is `None`) and returns status, content type, body.
fn send(gw: &Gateway, uri: &str, body: Option<&str>, auth: Option<&str>) -> (u16, String, String) {
    let mut builder = http::Request::builder()
        .uri(uri)
        .header("host", "localhost");
    builder = match body {
        Some(_) => builder.method("POST").header(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        ),
        None => builder.method("GET"),
    };
    if let Some(a) = auth {
        builder = builder
            .header("authorization", a)
            .header("x-amz-date", "20240101T000000Z");
    }
    let req = builder
        .body(Full::new(Bytes::from(body.unwrap_or("").to_owned())))
        .unwrap();
    run(async {
        let resp = gw.handle(req, "127.0.0.1:9".parse().unwrap()).await;
        let status = resp.status().as_u16();
        let ct = header_text(resp.headers(), "content-type");
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, ct, String::from_utf8(bytes.to_vec()).unwrap())
    })
}

#[test]
fn routes_by_action_and_applies_the_global_region() {
    let (gw, sink) = gateway(None);
    let (status, ct, body) = send(
        &gw,
        "/",
        Some("Action=EchoUser&Version=2010-05-08&Name=a"),
        None,
    );
    assert_eq!((status, ct.as_str()), (200, "text/xml"));
    assert!(
        body.starts_with(
            "<EchoUserResponse xmlns=\"https://fake/doc/\"><EchoResult><Name>a@us-east-1</Name>"
        ),
        "{body}"
    );
    let events = sink.0.lock().unwrap();
    assert_eq!(events[0].event_name, "EchoUser");
    assert_eq!(events[0].aws_region, "us-east-1");
    assert_eq!(
        events[0].request_parameters,
        Some(serde_json::json!({"name": "a"}))
    );
}

#[test]
fn routes_by_credential_scope_and_get_query_strings() {
    let (gw, _) = gateway(None);
    let (status, _, body) = send(&gw, "/?Action=EchoCaller&Name=b", None, Some(SIGNED_STS));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<Name>b@eu-west-1</Name>"), "{body}");
    // The scope names STS, which has no EchoUser: InvalidAction in STS's namespace.
    let (status, _, body) = send(&gw, "/", Some("Action=EchoUser"), Some(SIGNED_STS));
    assert_eq!(status, 400);
    assert!(body.contains("<Code>InvalidAction</Code>"), "{body}");
    assert!(
        body.contains("Could not find operation EchoUser for version 2010-05-08"),
        "{body}"
    );
}

#[test]
fn unknown_missing_and_misversioned_actions() {
    let (gw, sink) = gateway(None);
    let (status, ct, body) = send(&gw, "/", Some("Action=Nope&Version=2010-05-08"), None);
    assert_eq!((status, ct.as_str()), (400, "text/xml"));
    assert!(
        body.starts_with("<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>"),
        "{body}"
    );
    let (status, _, body) = send(&gw, "/", Some("\u{1}garbage&&=="), None);
    assert_eq!(status, 400);
    assert!(body.contains("<Code>InvalidAction</Code>"), "{body}");
    let (status, _, body) = send(&gw, "/", Some("Action=EchoUser&Version=1999-01-01"), None);
    assert_eq!(status, 400);
    assert!(
        body.contains("Could not find operation EchoUser for version 1999-01-01"),
        "{body}"
    );
    assert_eq!(
        sink.0.lock().unwrap().len(),
        1,
        "only the routed request is audited"
    );
}

#[test]
fn auth_failures_use_query_codes() {
    let cases = [
        ("InvalidSignatureException", "SignatureDoesNotMatch", 403),
        ("UnrecognizedClientException", "InvalidClientTokenId", 403),
        ("ExpiredTokenException", "ExpiredToken", 403),
        (
            "MissingAuthenticationTokenException",
            "MissingAuthenticationToken",
            403,
        ),
        ("IncompleteSignatureException", "IncompleteSignature", 400),
    ];
    for (json_code, query_code, status) in cases {
        let (gw, sink) = gateway(Some(json_code));
        let (got, _, body) = send(&gw, "/", Some("Action=EchoCaller"), Some(SIGNED_STS));
        assert_eq!(got, status, "{json_code}");
        assert!(
            body.starts_with("<ErrorResponse xmlns=\"https://fake/doc/\">"),
            "{body}"
        );
        assert!(
            body.contains(&format!("<Code>{query_code}</Code>")),
            "{body}"
        );
        assert!(body.contains("<Message>bad signature</Message>"), "{body}");
        assert!(sink.0.lock().unwrap().is_empty());
    }
}

#[test]
fn json_requests_are_not_query_requests() {
    let req = http::Request::builder()
        .method("POST")
        .uri("/")
        .header("x-amz-target", "TrentService.ListKeys")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(())
        .unwrap();
    assert!(!is_query_request(&req.into_parts().0));
    let req = http::Request::builder().uri("/?Action=X").body(()).unwrap();
    assert!(is_query_request(&req.into_parts().0));
    let req = http::Request::builder().uri("/?Other=X").body(()).unwrap();
    assert!(!is_query_request(&req.into_parts().0));
    let (gw, _) = gateway(None);
    let (status, ct, body) = send(&gw, "/?NoAction=1", None, None);
    assert_eq!((status, ct.as_str()), (400, "application/x-amz-json-1.1"));
    assert!(body.contains("UnknownOperationException"), "{body}");
}

#[test]
fn oversized_query_bodies_get_xml() {
    let (gw, _) = gateway(None);
    let big = format!("Action=EchoUser&Name={}", "x".repeat(2048));
    let (status, ct, body) = send(&gw, "/", Some(&big), None);
    assert_eq!((status, ct.as_str()), (413, "text/xml"));
    assert!(
        body.contains("<Code>RequestEntityTooLarge</Code>"),
        "{body}"
    );
}

/// The default limits with a 1 KiB body limit.
pub(crate) fn small_body_limits() -> crate::ServerLimits {
    crate::ServerLimits {
        max_body_bytes: 1024,
        ..crate::ServerLimits::default()
    }
}

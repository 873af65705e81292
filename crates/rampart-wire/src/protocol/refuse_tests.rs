//! The refusals answered before a service is chosen (sealed, a declared body over the limit),
//! in each plug-in's form: awsJson 1.1 and query XML exactly as before the pipeline had
//! plug-ins, restJson1, restXml and RPC v2 CBOR in their own protocol.

#![allow(clippy::unwrap_used)]

use super::query::tests::{Auth, Sink, TestHost, run, small_body_limits};
use crate::host::{Host, UnsealError, UnsealReply, UnsealSource};
use crate::{AwsHttpService, BoxFuture, Gateway, Ready};
use bytes::Bytes;
use ciborium::Value as Cbor;
use http_body_util::{BodyExt, Full};
use std::sync::Arc;

/// A host that stays sealed.
struct Sealed;

impl Host for Sealed {
    fn dev_mode(&self) -> bool {
        true
    }
    fn ready(&self) -> Option<Arc<Ready>> {
        None
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

fn unsealed() -> Gateway {
    unsealed_with(Vec::new())
}

fn unsealed_with(http_services: Vec<Arc<dyn AwsHttpService>>) -> Gateway {
    let ready = Ready {
        services: Vec::new(),
        query_services: Vec::new(),
        http_services,
        public_routes: Vec::new(),
        auth: Arc::new(Auth(None)),
        audit: Arc::new(Sink::default()),
    };
    Gateway::new(Arc::new(TestHost(Arc::new(ready))), small_body_limits())
}

fn sealed() -> Gateway {
    Gateway::new(Arc::new(Sealed), small_body_limits())
}

/// The kinds of request, as their clients send them.
fn request(kind: &str, body: usize) -> http::Request<Full<Bytes>> {
    let builder = http::Request::builder()
        .method("POST")
        .header("host", "localhost");
    let builder = match kind {
        "json" => builder
            .uri("/")
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", "TrentService.ListKeys"),
        "query" => builder
            .uri("/")
            .header("content-type", "application/x-www-form-urlencoded"),
        "cbor" => builder
            .uri("/service/ACMPrivateCA/operation/ListTags")
            .header("smithy-protocol", "rpc-v2-cbor")
            .header("content-type", "application/cbor"),
        "xml" => builder
            .uri("/2013-04-01/hostedzone")
            .header("content-type", "application/xml")
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/route53/aws4_request, \
                 SignedHeaders=host, Signature=00",
            )
            .header("x-amz-date", "20240101T000000Z"),
        _ => builder
            .uri("/restapis")
            .header("content-type", "application/json"),
    };
    builder
        .body(Full::new(Bytes::from(vec![b'a'; body])))
        .unwrap()
}

/// Status, headers (in order, the request id as `RID`) and body of the answer.
fn answer(gw: &Gateway, req: http::Request<Full<Bytes>>) -> (String, Vec<u8>) {
    run(async {
        let resp = gw.handle(req, "127.0.0.1:9".parse().unwrap()).await;
        let id = resp.headers()["x-amzn-requestid"]
            .to_str()
            .unwrap()
            .to_owned();
        let mut head = format!("{}\n", resp.status().as_u16());
        for (name, value) in resp.headers() {
            let value = value.to_str().unwrap().replace(&id, "RID");
            head += &format!("{name}: {value}\n");
        }
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&body).replace(&id, "RID");
        (
            head,
            if body.first() == Some(&b'{') || body.first() == Some(&b'<') {
                text.into_bytes()
            } else {
                body.to_vec()
            },
        )
    })
}

const SEALED: &str = "Rampart is sealed: unseal it first (rampart operator unseal).";
const TOO_LARGE: &str = "Request body exceeds the limit of 1024 bytes.";

#[test]
fn json_and_query_refusals_are_unchanged() {
    let (head, body) = answer(&sealed(), request("json", 2));
    let json_head = "content-type: application/x-amz-json-1.1\nx-amzn-requestid: RID\n";
    assert_eq!(
        head,
        format!("503\n{json_head}x-amzn-errortype: ServiceUnavailableException\n")
    );
    let expected = format!(r#"{{"__type":"ServiceUnavailableException","message":"{SEALED}"}}"#);
    assert_eq!(String::from_utf8(body).unwrap(), expected);
    let (head, body) = answer(&unsealed(), request("json", 2048));
    let errortype = "x-amzn-errortype: RequestEntityTooLargeException\n";
    assert_eq!(
        head,
        format!("413\n{json_head}{errortype}connection: close\n")
    );
    let expected =
        format!(r#"{{"__type":"RequestEntityTooLargeException","message":"{TOO_LARGE}"}}"#);
    assert_eq!(String::from_utf8(body).unwrap(), expected);
    let xml_head = "content-type: text/xml\nx-amzn-requestid: RID\n";
    let document = |code: &str, kind: &str, message: &str| {
        format!(
            "<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}\
             </Message></Error><RequestId>RID</RequestId></ErrorResponse>"
        )
    };
    let (head, body) = answer(&sealed(), request("query", 2));
    assert_eq!(head, format!("503\n{xml_head}"));
    let expected = document("ServiceUnavailable", "Receiver", SEALED);
    assert_eq!(String::from_utf8(body).unwrap(), expected);
    let (head, body) = answer(&unsealed(), request("query", 2048));
    assert_eq!(head, format!("413\n{xml_head}connection: close\n"));
    let expected = document("RequestEntityTooLarge", "Sender", TOO_LARGE);
    assert_eq!(String::from_utf8(body).unwrap(), expected);
}

#[test]
fn rest_json_refusals_are_rest_json() {
    let rest_head = "x-amzn-errortype: ServiceUnavailableException\n\
                     content-type: application/json\nx-amzn-requestid: RID\n";
    let (head, body) = answer(&sealed(), request("rest", 2));
    assert_eq!(head, format!("503\n{rest_head}"));
    let expected = format!(r#"{{"__type":"ServiceUnavailableException","message":"{SEALED}"}}"#);
    assert_eq!(String::from_utf8(body).unwrap(), expected);
    let (head, body) = answer(&unsealed(), request("rest", 2048));
    let rest_head = "x-amzn-errortype: RequestEntityTooLargeException\n\
                     content-type: application/json\nx-amzn-requestid: RID\n";
    assert_eq!(head, format!("413\n{rest_head}connection: close\n"));
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(value["__type"], "RequestEntityTooLargeException");
    assert_eq!(value["message"], TOO_LARGE);
}

#[test]
fn rpc_v2_cbor_refusals_are_cbor() {
    for (gw, status, code, message) in [
        (sealed(), 503, "ServiceUnavailableException", SEALED),
        (unsealed(), 413, "RequestEntityTooLargeException", TOO_LARGE),
    ] {
        let (head, body) = answer(&gw, request("cbor", if status == 413 { 2048 } else { 2 }));
        assert!(
            head.starts_with(&format!("{status}\nsmithy-protocol: rpc-v2-cbor\n")),
            "{head}"
        );
        assert!(head.contains("content-type: application/cbor\n"), "{head}");
        let value: Cbor = ciborium::from_reader(body.as_slice()).unwrap();
        let entries: Vec<(String, String)> = value
            .into_map()
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k.into_text().unwrap(), v.into_text().unwrap()))
            .collect();
        assert_eq!(entries[0], ("__type".into(), code.into()));
        assert_eq!(entries[1], ("message".into(), message.into()));
    }
}

#[test]
fn rest_xml_refusals_are_rest_xml() {
    let route53 =
        rampart_conformance::route53::Endpoint(Arc::new(rampart_conformance::route53::DecodeOnly));
    let xml_head = "content-type: text/xml\nx-amzn-requestid: RID\n";
    let document = |code: &str, kind: &str, message: &str| {
        format!(
            "<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}\
             </Message></Error><RequestId>RID</RequestId></ErrorResponse>"
        )
    };
    let (head, body) = answer(&sealed(), request("xml", 2));
    assert_eq!(head, format!("503\n{xml_head}"));
    let expected = document("ServiceUnavailableException", "Receiver", SEALED);
    assert_eq!(String::from_utf8(body).unwrap(), expected);
    let gw = unsealed_with(vec![Arc::new(route53)]);
    let (head, body) = answer(&gw, request("xml", 2048));
    assert_eq!(head, format!("413\n{xml_head}connection: close\n"));
    let expected = document("RequestEntityTooLargeException", "Sender", TOO_LARGE);
    assert_eq!(String::from_utf8(body).unwrap(), expected);
}

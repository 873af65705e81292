//! The generated dispatchers end to end with the refusing `DecodeOnly` handler: a restJson1
//! request is routed, bound, audited and validated before the handler refuses it; an invalid
//! one is answered with the validation error; RPC v2 CBOR, restXml (through the
//! `AwsHttpService` seam) and unknown routes likewise.

#![allow(clippy::unwrap_used)]

use rampart_codec::cbor::SMITHY_PROTOCOL;
use rampart_codec::{
    AwsHttpService, HttpProtocol, HttpRequest, cbor_http_response, rest_response, rest_xml_response,
};
use rampart_conformance::{acm_pca, apigateway, route53};
use rampart_core::{AccountId, Principal, Region, RequestContext};
use serde_json::json;

fn ctx() -> RequestContext {
    let account = AccountId::parse("111122223333").unwrap();
    RequestContext::new(Principal::root(account, "AKID"), Region::new("us-east-1"))
}

fn run<T>(fut: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(fut)
}

fn request<'a>(method: &'a str, path: &'a str, query: &'a str, body: &'a [u8]) -> HttpRequest<'a> {
    HttpRequest {
        method,
        path,
        query,
        headers: &[],
        body,
    }
}

#[test]
fn rest_requests_are_decoded_audited_validated_then_refused() {
    let ctx = ctx();
    let req = request("GET", "/restapis/api%201/resources", "limit=5", b"");
    let inv = run(apigateway::dispatch(&apigateway::DecodeOnly, &ctx, &req));
    assert_eq!(inv.invocation.operation, "GetResources");
    assert!(inv.invocation.read_only);
    assert_eq!(
        inv.invocation.request_parameters,
        Some(json!({"restApiId": "api 1", "limit": 5}))
    );
    let resp = rest_response(inv);
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.headers[0],
        (
            String::from("X-Amzn-ErrorType"),
            String::from("UnsupportedOperationException")
        )
    );
}

#[test]
fn rest_errors_before_the_handler() {
    let ctx = ctx();
    // CreateApiKey's body must be a JSON object.
    let req = request("POST", "/apikeys", "", b"[1]");
    let inv = run(apigateway::dispatch(&apigateway::DecodeOnly, &ctx, &req));
    assert_eq!(
        inv.invocation.result.unwrap_err().code,
        "SerializationException"
    );
    // CreateRestApi requires a name.
    let req = request("POST", "/restapis", "", b"{}");
    let inv = run(apigateway::dispatch(&apigateway::DecodeOnly, &ctx, &req));
    assert_eq!(inv.invocation.operation, "CreateRestApi");
    assert_eq!(
        inv.invocation.result.unwrap_err().code,
        "ValidationException"
    );
    let req = request("DELETE", "/nowhere", "", b"");
    let inv = run(apigateway::dispatch(&apigateway::DecodeOnly, &ctx, &req));
    assert_eq!(
        inv.invocation.result.unwrap_err().code,
        "UnknownOperationException"
    );
}

#[test]
fn cbor_requests_are_dispatched_by_path() {
    let ctx = ctx();
    let mut body = Vec::new();
    ciborium_body(&mut body);
    let path = "/service/ACMPrivateCA/operation/ListTags";
    let inv = run(acm_pca::cbor::dispatch(
        &acm_pca::DecodeOnly,
        &ctx,
        path,
        &body,
    ));
    assert_eq!(inv.invocation.operation, "ListTags");
    assert!(inv.invocation.request_parameters.is_some());
    let resp = cbor_http_response(inv);
    assert_eq!(resp.status, 400);
    assert!(resp.headers.contains(&(
        String::from("smithy-protocol"),
        String::from(SMITHY_PROTOCOL)
    )));
    let inv = run(acm_pca::cbor::dispatch(
        &acm_pca::DecodeOnly,
        &ctx,
        "/service/Other/operation/ListTags",
        &body,
    ));
    assert_eq!(
        inv.invocation.result.unwrap_err().code,
        "UnknownOperationException"
    );
}

/// `{"CertificateAuthorityArn": "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/
/// 11111111-2222-3333-4444-555555555555"}` as CBOR, written by hand (major type 5, then 3).
fn ciborium_body(out: &mut Vec<u8>) {
    let key = "CertificateAuthorityArn";
    let value = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555";
    out.push(0xa1);
    for text in [key, value] {
        let len = u8::try_from(text.len()).unwrap();
        if len < 24 {
            out.push(0x60 | len);
        } else {
            out.extend([0x78, len]);
        }
        out.extend(text.as_bytes());
    }
}

const CHANGE_BATCH: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
<ChangeBatch><Changes><Change><Action>UPSERT</Action><ResourceRecordSet>
<Name>www.example.com</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord>
<Value>192.0.2.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>
</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"#;

#[test]
fn rest_xml_requests_go_through_the_http_seam() {
    let ctx = ctx();
    let endpoint = route53::Endpoint(std::sync::Arc::new(route53::DecodeOnly));
    assert_eq!(endpoint.protocol(), HttpProtocol::RestXml);
    let path = "/2013-04-01/hostedzone/Z1/rrset/";
    assert!(endpoint.has_route("POST", path, ""));
    let req = request("POST", path, "", CHANGE_BATCH);
    let inv = run(endpoint.invoke(&ctx, &req));
    assert_eq!(inv.invocation.operation, "ChangeResourceRecordSets");
    let params = inv.invocation.request_parameters.clone().unwrap();
    assert_eq!(params["hostedZoneId"], "Z1", "{params}");
    let change = &params["changeBatch"]["changes"][0];
    assert_eq!(change["resourceRecordSet"]["tTL"], 60, "{params}");
    let resp = rest_xml_response(inv, "req-1");
    assert_eq!(resp.status, 400);
    let body = String::from_utf8(resp.body).unwrap();
    assert!(
        body.starts_with(
            "<ErrorResponse><Error><Type>Sender</Type><Code>UnsupportedOperationException</Code>"
        ),
        "{body}"
    );
    assert!(body.ends_with("<RequestId>req-1</RequestId></ErrorResponse>"));
    // An unparsable body, and a change without its required action.
    let req = request("POST", path, "", b"<ChangeResourceRecordSetsRequest>");
    let inv = run(endpoint.invoke(&ctx, &req));
    assert_eq!(inv.invocation.result.unwrap_err().code, "MalformedXML");
    let body = String::from_utf8_lossy(CHANGE_BATCH).replace("<Action>UPSERT</Action>", "");
    let req = request("POST", path, "", body.as_bytes());
    let inv = run(endpoint.invoke(&ctx, &req));
    assert_eq!(
        inv.invocation.result.unwrap_err().code,
        "ValidationException"
    );
}

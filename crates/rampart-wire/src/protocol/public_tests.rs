//! The gateway and the services' public routes: an unsigned request a route claims is the
//! route's (body limit applied), a signed one or one speaking an AWS protocol never is.

#![allow(clippy::unwrap_used)]

use super::query::tests::{Auth, Sink, TestHost, run, small_body_limits};
use crate::{BoxFuture, Gateway, PublicHead, PublicRoute, Ready};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use rampart_codec::{HttpRequest, HttpResponse};
use std::sync::Arc;

/// Claims `GET *.crl` and `POST /echo`; answers with what it saw.
struct Echo;

impl PublicRoute for Echo {
    fn claims(&self, head: &PublicHead<'_>) -> bool {
        (head.method == "GET" && head.path.ends_with(".crl"))
            || (head.method == "POST" && head.path == "/echo")
    }

    fn max_body(&self) -> usize {
        16
    }

    fn serve<'a>(&'a self, request: &'a HttpRequest<'a>) -> BoxFuture<'a, HttpResponse> {
        let text = format!("{} {} {}", request.method, request.path, request.body.len());
        Box::pin(async move {
            HttpResponse {
                status: 200,
                headers: vec![("content-type".into(), "text/plain".into())],
                body: text.into_bytes(),
            }
        })
    }
}

fn gateway() -> Gateway {
    let ready = Ready {
        services: Vec::new(),
        query_services: Vec::new(),
        http_services: Vec::new(),
        public_routes: vec![Arc::new(Echo)],
        auth: Arc::new(Auth(None)),
        audit: Arc::new(Sink::default()),
    };
    Gateway::new(Arc::new(TestHost(Arc::new(ready))), small_body_limits())
}

/// Status, whether the request id header S3 sends is there, and the body.
fn send(gw: &Gateway, req: http::Request<Full<Bytes>>) -> (u16, bool, String) {
    run(async {
        let resp = gw.handle(req, "127.0.0.1:9".parse().unwrap()).await;
        let status = resp.status().as_u16();
        let s3_id = resp.headers().contains_key("x-amz-request-id");
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (status, s3_id, String::from_utf8_lossy(&body).into_owned())
    })
}

fn request(
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> http::Request<Full<Bytes>> {
    let mut builder = http::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Full::new(Bytes::from(body.to_vec()))).unwrap()
}

#[test]
fn unsigned_requests_a_route_claims_are_the_routes() {
    let gw = gateway();
    let (status, s3_id, body) = send(&gw, request("GET", "/bucket/crl/a.crl", &[], b""));
    assert_eq!(
        (status, s3_id, body.as_str()),
        (200, true, "GET /bucket/crl/a.crl 0")
    );
    let (status, _, body) = send(&gw, request("POST", "/echo", &[], b"0123456789"));
    assert_eq!((status, body.as_str()), (200, "POST /echo 10"));
    let (status, _, _) = send(&gw, request("POST", "/echo", &[], &[b'x'; 17]));
    assert_eq!(status, 413, "the route's body limit");
}

#[test]
fn signed_or_aws_protocol_requests_never_reach_a_route() {
    let gw = gateway();
    let signed = [(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
    )];
    let (_, _, body) = send(&gw, request("GET", "/bucket/crl/a.crl", &signed, b""));
    assert!(!body.starts_with("GET "), "{body}");
    let presigned = "/bucket/crl/a.crl?X-Amz-Credential=a&X-Amz-Signature=b";
    let (_, _, body) = send(&gw, request("GET", presigned, &[], b""));
    assert!(!body.starts_with("GET "), "{body}");
    let json = [("x-amz-target", "TrentService.ListKeys")];
    let (_, _, body) = send(&gw, request("POST", "/echo", &json, b"{}"));
    assert!(!body.starts_with("POST "), "{body}");
}

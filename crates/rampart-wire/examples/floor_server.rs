//! The cost floor of Rampart's HTTP stack, for `bench/floor.sh`: the same listener, rustls
//! configuration and hyper builder as `rampart serve`, answering every request (after reading
//! its whole body) with a fixed body of the size Rampart's Encrypt 4 KiB response has, and doing
//! nothing else: no SigV4, no JSON, no crypto, no audit. Its server CPU per request is what any
//! request costs before Rampart's own work starts.
//!
//! Usage: `floor_server ADDR:PORT RESPONSE_BYTES [CERT_PEM KEY_PEM]` (TLS when both are given).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use std::convert::Infallible;
use std::sync::Arc;

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(addr), Some(size)) = (args.get(1), args.get(2)) else {
        return Err("usage: floor_server ADDR:PORT RESPONSE_BYTES [CERT_PEM KEY_PEM]".into());
    };
    let body = Bytes::from(vec![b'A'; size.parse::<usize>()?]);
    let tls = match (args.get(3), args.get(4)) {
        (Some(cert), Some(key)) => Some(rampart_wire::server::tls_acceptor(
            &std::fs::read_to_string(cert)?,
            &std::fs::read_to_string(key)?,
        )?),
        _ => None,
    };
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let (tls, builder, body) = (tls.clone(), builder.clone(), body.clone());
        tokio::spawn(async move {
            let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let body = body.clone();
                async move {
                    let _ = req.into_body().collect().await;
                    let response = hyper::Response::builder()
                        .header("content-type", "application/x-amz-json-1.1")
                        .body(Full::new(body))
                        .unwrap_or_default();
                    Ok::<_, Infallible>(response)
                }
            });
            let _ = match tls {
                Some(acceptor) => match acceptor.accept(stream).await {
                    Ok(tls) => builder.serve_connection(TokioIo::new(tls), service).await,
                    Err(_) => return,
                },
                None => {
                    builder
                        .serve_connection(TokioIo::new(stream), service)
                        .await
                }
            };
        });
    }
}

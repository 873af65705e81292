//! The local unseal socket: the operator protocol (`GET /health` with unseal progress, `POST
//! /_rampart/unseal`) over HTTP/1.1 on a Unix socket. The binary creates the socket file with
//! mode 0600, so only the data dir's owner can reach it; attempts through it are logged as from
//! the "local socket" and are not subject to the per-address limits of the TCP endpoint.

use crate::host::{Host, UnsealSource};
use crate::operator::{self, MAX_UNSEAL_BODY, Route};
use crate::respond::{Body, aws_error};
use http::{Request, Response};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{UnixListener, UnixStream};

/// A client must send its request head within this time.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// A connection is closed after this time, whatever it is doing.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(60);

/// Serves the local unseal protocol on `listener` until `stop` resolves.
pub async fn serve_local(
    listener: UnixListener,
    host: Arc<dyn Host>,
    stop: impl Future<Output = ()>,
) {
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(serve_connection(stream, host.clone()));
                }
                Err(err) => {
                    tracing::warn!(error = %err, "local unseal socket: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            () = &mut stop => break,
        }
    }
}

async fn serve_connection(stream: UnixStream, host: Arc<dyn Host>) {
    let service = service_fn(move |req| {
        let host = host.clone();
        async move { Ok::<_, Infallible>(answer(host.as_ref(), req).await) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    match tokio::time::timeout(CONNECTION_TIMEOUT, conn).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => {
            tracing::debug!(error = %err, "local unseal connection ended with an error")
        }
        Err(_) => tracing::debug!("local unseal connection timed out"),
    }
}

async fn answer(host: &dyn Host, req: Request<Incoming>) -> Response<Body> {
    let request_id = uuid::Uuid::new_v4().to_string();
    match operator::route(req.method(), req.uri().path()) {
        Some(Route::Health) => {
            let progress = host.unseal_progress().await;
            operator::health(host, &request_id, progress)
        }
        Some(Route::Unseal) => match Limited::new(req.into_body(), MAX_UNSEAL_BODY)
            .collect()
            .await
        {
            Ok(body) => {
                let body = body.to_bytes();
                operator::unseal_from(host, &body, UnsealSource::LocalSocket, &request_id).await
            }
            Err(_) => {
                let message = format!("Request body exceeds the limit of {MAX_UNSEAL_BODY} bytes.");
                let code = "RequestEntityTooLargeException";
                aws_error(413, "application/json", code, &message, &request_id)
            }
        },
        Some(Route::Reset | Route::Clock) | None => {
            let message = "The local unseal socket serves GET /health and POST /_rampart/unseal.";
            aws_error(
                404,
                "application/json",
                "UnknownOperationException",
                message,
                &request_id,
            )
        }
    }
}

//! The listener: TCP accept loop, optional TLS (rustls on aws-lc-rs), HTTP/1.1 and HTTP/2, and
//! graceful shutdown that lets in-flight requests finish.

use crate::Gateway;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// How long shutdown waits for in-flight requests before giving up.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// A client must finish its request head within this time (slow-loris guard; also lets a
/// shutdown close connections whose peer stalled mid-request instead of waiting for them).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// A new plain-HTTP connection must send its first byte within this time.
const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(10);
/// A TLS handshake must complete within this time.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds a rustls server configuration from a PEM certificate chain and private key.
pub fn tls_acceptor(cert_chain_pem: &str, key_pem: &str) -> Result<TlsAcceptor, String> {
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(cert_chain_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("bad certificate PEM: {e}"))?;
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|e| format!("bad private key PEM: {e}"))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("certificate and key do not match: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves `gateway` on `listener` until `shutdown` resolves, then drains open connections.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    gateway: Arc<Gateway>,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, remote)) => {
                    let _ = stream.set_nodelay(true);
                    spawn_connection(stream, remote, tls.clone(), gateway.clone(), builder.clone(), &graceful);
                }
                Err(err) => {
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tracing::info!("shutting down: waiting for in-flight requests");
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("in-flight requests did not finish within {DRAIN_TIMEOUT:?}");
    }
}

fn spawn_connection(
    stream: TcpStream,
    remote: SocketAddr,
    tls: Option<TlsAcceptor>,
    gateway: Arc<Gateway>,
    builder: Arc<Builder<TokioExecutor>>,
    graceful: &GracefulShutdown,
) {
    let service = service_fn(move |req| {
        let gateway = gateway.clone();
        async move { Ok::<_, Infallible>(gateway.handle(req, remote).await) }
    });
    let watcher = graceful.watcher();
    tokio::spawn(async move {
        let result = match tls {
            Some(acceptor) => {
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(tls_stream)) => {
                        let conn = builder
                            .serve_connection_with_upgrades(TokioIo::new(tls_stream), service);
                        watcher.watch(conn.into_owned()).await
                    }
                    Ok(Err(err)) => {
                        tracing::debug!(%remote, error = %err, "TLS handshake failed");
                        return;
                    }
                    Err(_) => {
                        tracing::debug!(%remote, "TLS handshake timed out");
                        return;
                    }
                }
            }
            None => {
                if !first_byte_arrives(&stream).await {
                    tracing::debug!(%remote, "connection closed: no request within {FIRST_BYTE_TIMEOUT:?}");
                    return;
                }
                let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                watcher.watch(conn.into_owned()).await
            }
        };
        if let Err(err) = result {
            tracing::debug!(%remote, error = %err, "connection ended with an error");
        }
    });
}

/// Waits for the peer's first byte (without consuming it). The request-head timeout only starts
/// at the first byte, so without this a silent connection would be held open forever.
async fn first_byte_arrives(stream: &TcpStream) -> bool {
    let mut probe = [0u8; 1];
    matches!(
        tokio::time::timeout(FIRST_BYTE_TIMEOUT, stream.peek(&mut probe)).await,
        Ok(Ok(n)) if n > 0
    )
}

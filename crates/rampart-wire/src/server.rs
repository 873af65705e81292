//! The listener: TCP accept loop with connection caps and descriptor back-off, optional TLS
//! (rustls on aws-lc-rs), HTTP/1.1 and HTTP/2 with the life-cycle timeouts of [`ServerLimits`],
//! and graceful shutdown that lets in-flight requests finish.

use crate::Gateway;
use crate::conn::{ConnState, WatchedIo};
use crate::limits::ServerLimits;
use crate::registry::{Registry, Ticket};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// How long shutdown waits for in-flight requests before giving up.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a connection closed for idleness may take to finish writing before it is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Builds a rustls server configuration from a PEM certificate chain and private key.
pub fn tls_acceptor(cert_chain_pem: &str, key_pem: &str) -> Result<TlsAcceptor, String> {
    let (certs, key) = parse_pem(cert_chain_pem, key_pem)?;
    let config = config_builder()?
        .with_single_cert(certs, key)
        .map_err(|e| format!("certificate and key do not match: {e}"))?;
    Ok(acceptor(config))
}

/// Builds a rustls server configuration whose certificate comes from `resolver` at each
/// handshake (so it can be replaced while the listener runs).
pub fn tls_acceptor_with_resolver(
    resolver: Arc<dyn rustls::server::ResolvesServerCert>,
) -> Result<TlsAcceptor, String> {
    Ok(acceptor(config_builder()?.with_cert_resolver(resolver)))
}

/// A certificate chain and private key (PEM) ready to be served, checked to belong together.
pub fn certified_key(
    cert_chain_pem: &str,
    key_pem: &str,
) -> Result<Arc<rustls::sign::CertifiedKey>, String> {
    let (certs, key) = parse_pem(cert_chain_pem, key_pem)?;
    if certs.is_empty() {
        return Err("no certificate in the PEM chain".to_owned());
    }
    rustls::sign::CertifiedKey::from_der(certs, key, &provider())
        .map(Arc::new)
        .map_err(|e| format!("certificate and key do not match: {e}"))
}

fn parse_pem(
    cert_chain_pem: &str,
    key_pem: &str,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(cert_chain_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("bad certificate PEM: {e}"))?;
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|e| format!("bad private key PEM: {e}"))?;
    Ok((certs, key))
}

fn provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::aws_lc_rs::default_provider()
}

fn config_builder()
-> Result<rustls::ConfigBuilder<rustls::ServerConfig, rustls::server::WantsServerCert>, String> {
    Ok(
        rustls::ServerConfig::builder_with_provider(Arc::new(provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth(),
    )
}

fn acceptor(mut config: rustls::ServerConfig) -> TlsAcceptor {
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    TlsAcceptor::from(Arc::new(config))
}

/// What every connection task shares.
struct Shared {
    tls: Option<TlsAcceptor>,
    gateway: Arc<Gateway>,
    builder: Builder<TokioExecutor>,
    limits: ServerLimits,
    shutdown: watch::Receiver<bool>,
}

/// The HTTP/1 and HTTP/2 settings of [`ServerLimits`]. Head-read and idle timeouts are the
/// connection watchdog's (hyper's own header timer would also close idle keep-alive
/// connections).
fn http_builder(limits: &ServerLimits) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(None)
        .max_buf_size(limits.max_header_bytes as usize);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(limits.http2_max_concurrent_streams)
        .max_header_list_size(limits.max_header_bytes)
        .keep_alive_interval(limits.http2_keepalive())
        .keep_alive_timeout(limits.http2_keepalive())
        .max_pending_accept_reset_streams(limits.http2_max_pending_reset_streams)
        .max_local_error_reset_streams(limits.http2_max_local_error_resets);
    builder
}

/// Serves `gateway` on `listener` until `shutdown` resolves, then drains open connections.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    gateway: Arc<Gateway>,
    shutdown: impl Future<Output = ()>,
) {
    let limits = gateway.limits().clone();
    let registry = Registry::new(limits.max_connections, limits.max_connections_per_ip);
    let (stop, stopped) = watch::channel(false);
    let shared = Arc::new(Shared {
        tls,
        gateway,
        builder: http_builder(&limits),
        limits,
        shutdown: stopped,
    });
    accept_loop(&listener, &registry, &shared, shutdown).await;
    drop(listener);
    tracing::info!("shutting down: waiting for in-flight requests");
    let _ = stop.send(true);
    if tokio::time::timeout(DRAIN_TIMEOUT, registry.wait_drained())
        .await
        .is_err()
    {
        tracing::warn!("in-flight requests did not finish within {DRAIN_TIMEOUT:?}");
    }
}

/// Accepts until `shutdown`; connections over a cap are closed at once, and running out of
/// descriptors sheds an idle connection and backs off instead of spinning.
async fn accept_loop(
    listener: &TcpListener,
    registry: &Arc<Registry>,
    shared: &Arc<Shared>,
    shutdown: impl Future<Output = ()>,
) {
    let mut backoff = Backoff::default();
    let mut refused = RateLimitedLog::default();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, remote)) => {
                    backoff.reset();
                    let Some(ticket) = registry.admit(remote.ip()) else {
                        refused.note(|n| tracing::warn!(refused = n, "connection caps reached with every connection busy: new connections closed"));
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(connection(stream, remote, ticket, shared.clone()));
                }
                Err(err) => {
                    let out_of_descriptors = matches!(err.raw_os_error(), Some(23 | 24));
                    if out_of_descriptors {
                        registry.shed_one();
                    }
                    let delay = backoff.next();
                    refused.note(|n| tracing::warn!(error = %err, failures = n, ?delay, "accept failed; backing off"));
                    tokio::time::sleep(delay).await;
                }
            },
            () = &mut shutdown => break,
        }
    }
}

/// Exponential back-off for accept errors: 10 ms doubling to 1 s.
#[derive(Default)]
struct Backoff(u32);

impl Backoff {
    fn next(&mut self) -> Duration {
        let delay = Duration::from_millis(10u64 << self.0.min(7)).min(Duration::from_secs(1));
        self.0 = self.0.saturating_add(1);
        delay
    }
    fn reset(&mut self) {
        self.0 = 0;
    }
}

/// Logs a repeated condition at most once every ten seconds, with how often it happened.
#[derive(Default)]
struct RateLimitedLog {
    last: Option<tokio::time::Instant>,
    count: u64,
}

impl RateLimitedLog {
    fn note(&mut self, log: impl FnOnce(u64)) {
        self.count += 1;
        let now = tokio::time::Instant::now();
        if self
            .last
            .is_none_or(|last| now - last >= Duration::from_secs(10))
        {
            log(self.count);
            self.last = Some(now);
            self.count = 0;
        }
    }
}

/// One connection: the TLS handshake (bounded), then HTTP under the watchdog.
async fn connection(stream: TcpStream, remote: SocketAddr, ticket: Ticket, shared: Arc<Shared>) {
    let state = ticket.state.clone();
    match &shared.tls {
        Some(acceptor) => {
            let handshake = acceptor.accept(stream);
            let timeout = shared.limits.tls_handshake_timeout();
            let tls_stream = tokio::select! {
                done = tokio::time::timeout(timeout, handshake) => match done {
                    Ok(Ok(tls_stream)) => tls_stream,
                    Ok(Err(err)) => return tracing::debug!(%remote, error = %err, "TLS handshake failed"),
                    Err(_) => return tracing::debug!(%remote, "TLS handshake timed out"),
                },
                () = state.shed.notified() => return,
            };
            serve_http(WatchedIo::new(tls_stream, state), remote, &shared).await;
        }
        None => serve_http(WatchedIo::new(stream, state), remote, &shared).await,
    }
    drop(ticket);
}

/// Why the watchdog stopped waiting for the connection.
enum Stop {
    Finished(Result<(), Box<dyn std::error::Error + Send + Sync>>),
    Shed,
    Expired,
    Shutdown,
}

/// Serves HTTP on `io` until the peer closes, the connection's deadline passes, the registry
/// sheds it, or the server shuts down.
async fn serve_http<T>(io: WatchedIo<T>, remote: SocketAddr, shared: &Arc<Shared>)
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let state = io.state();
    let gateway = shared.gateway.clone();
    let service_state = state.clone();
    let service = service_fn(move |req| {
        let gateway = gateway.clone();
        let guard = service_state.begin_request();
        async move {
            let response = gateway.handle(req, remote).await;
            drop(guard);
            Ok::<_, Infallible>(response)
        }
    });
    let conn = shared
        .builder
        .serve_connection_with_upgrades(TokioIo::new(io), service);
    tokio::pin!(conn);
    let mut shutdown = shared.shutdown.clone();
    let stop = watch_connection(conn.as_mut(), &state, &shared.limits, &mut shutdown).await;
    match stop {
        Stop::Finished(Err(err)) => {
            tracing::debug!(%remote, error = %err, "connection ended with an error");
        }
        Stop::Finished(Ok(())) => {}
        Stop::Shed => tracing::debug!(%remote, "idle connection shed for a new one"),
        Stop::Expired | Stop::Shutdown => {
            conn.as_mut().graceful_shutdown();
            if !drained(conn, &state).await {
                tracing::debug!(%remote, "connection dropped: it did not close in time");
            }
        }
    }
}

/// Lets a connection told to shut down finish its requests in flight (up to the drain
/// timeout); once it has none, it gets [`CLOSE_GRACE`] to close before it is dropped (a peer
/// stalled mid-head or not reading its last response must not hold it). False when dropped.
async fn drained<C: Future>(mut conn: std::pin::Pin<&mut C>, state: &ConnState) -> bool {
    let give_up = tokio::time::Instant::now() + DRAIN_TIMEOUT;
    loop {
        let wait = tokio::time::sleep(CLOSE_GRACE);
        tokio::select! {
            _ = conn.as_mut() => return true,
            () = wait => {
                if state.is_idle() || tokio::time::Instant::now() >= give_up {
                    return false;
                }
            }
        }
    }
}

/// Waits for the connection to finish, or for a reason to close it.
async fn watch_connection<C, E>(
    mut conn: std::pin::Pin<&mut C>,
    state: &Arc<ConnState>,
    limits: &ServerLimits,
    shutdown: &mut watch::Receiver<bool>,
) -> Stop
where
    C: Future<Output = Result<(), E>>,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    loop {
        if *shutdown.borrow() {
            return Stop::Shutdown;
        }
        // Re-read the deadline at least once per head-read timeout: a head that starts while
        // the watchdog sleeps toward a later idle deadline is cut within twice that timeout.
        let recheck = tokio::time::Instant::now() + limits.header_read_timeout();
        let wake = state.deadline(limits).map_or(recheck, |at| at.min(recheck));
        tokio::select! {
            result = conn.as_mut() => return Stop::Finished(result.map_err(Into::into)),
            () = tokio::time::sleep_until(wake) => {
                if state.deadline(limits).is_some_and(|at| at <= tokio::time::Instant::now()) {
                    return Stop::Expired;
                }
            }
            () = state.shed.notified() => return Stop::Shed,
            changed = shutdown.changed() => {
                if changed.is_err() {
                    return Stop::Shutdown;
                }
            }
        }
    }
}

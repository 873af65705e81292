//! The pooled HTTP/1.1 client to integration endpoints: keep-alive connections per origin,
//! bodies streamed both ways; a connection goes back to the pool once its answer was read to
//! the end. `https://` endpoints are called over rustls, trusting `SSL_CERT_FILE` or the
//! system's bundle.

use crate::edge::body::{EdgeBody, OnEnd};
use http_body_util::BodyExt;
use hyper::body::Body;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Idle connections kept per origin.
const IDLE_PER_ORIGIN: usize = 64;

/// Where a connection goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    pub https: bool,
    pub host: String,
    pub port: u16,
}

/// Why the upstream gave no answer.
#[derive(Debug)]
pub enum UpstreamError {
    /// The URI is not one the edge can call.
    BadUri(String),
    /// Connecting or exchanging failed.
    Transport(String),
}

impl std::fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UpstreamError::BadUri(e) => write!(f, "bad integration URI: {e}"),
            UpstreamError::Transport(e) => write!(f, "upstream transport: {e}"),
        }
    }
}

/// The pool.
pub struct Upstream {
    idle: Mutex<HashMap<Origin, Vec<SendRequest<EdgeBody>>>>,
    /// The TLS client configuration (`None`: no trust store could be read).
    tls: Option<Arc<rustls::ClientConfig>>,
}

impl Default for Upstream {
    fn default() -> Self {
        Upstream::with_tls(system_tls().ok())
    }
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream").finish_non_exhaustive()
    }
}

impl Upstream {
    /// A pool calling HTTPS endpoints with `tls`.
    pub fn with_tls(tls: Option<Arc<rustls::ClientConfig>>) -> Upstream {
        Upstream {
            idle: Mutex::new(HashMap::new()),
            tls,
        }
    }

    /// Sends `request` (origin-form URI; `Host` set by the caller) to `origin`, on an idle
    /// pooled connection when there is one. A bodiless request whose pooled connection turns
    /// out closed is sent once more on a fresh one (a request with a body is already streaming
    /// and fails).
    pub async fn send(
        self: &Arc<Self>,
        origin: Origin,
        request: http::Request<EdgeBody>,
    ) -> Result<http::Response<EdgeBody>, UpstreamError> {
        let Some(sender) = self.take_idle(&origin) else {
            let sender = self.connect(&origin).await?;
            return self.exchange(origin, sender, request).await;
        };
        let again = request
            .body()
            .is_end_stream()
            .then(|| bodiless_copy(&request));
        match (self.exchange(origin.clone(), sender, request).await, again) {
            (Err(_), Some(again)) => {
                let sender = self.connect(&origin).await?;
                self.exchange(origin, sender, again).await
            }
            (result, _) => result,
        }
    }

    /// One exchange on `sender`, which goes back to the pool once the answer was read.
    async fn exchange(
        self: &Arc<Self>,
        origin: Origin,
        mut sender: SendRequest<EdgeBody>,
        request: http::Request<EdgeBody>,
    ) -> Result<http::Response<EdgeBody>, UpstreamError> {
        let transport = |e: hyper::Error| UpstreamError::Transport(e.to_string());
        sender.ready().await.map_err(transport)?;
        let response = sender.send_request(request).await.map_err(transport)?;
        let pool = self.clone();
        let (parts, body) = response.into_parts();
        let body = OnEnd {
            inner: body.boxed(),
            on_end: Some(move || pool.put_idle(origin, sender)),
        };
        Ok(http::Response::from_parts(parts, body.boxed()))
    }

    fn take_idle(&self, origin: &Origin) -> Option<SendRequest<EdgeBody>> {
        let mut idle = self.idle.lock().ok()?;
        let senders = idle.get_mut(origin)?;
        while let Some(sender) = senders.pop() {
            if !sender.is_closed() {
                return Some(sender);
            }
        }
        None
    }

    fn put_idle(&self, origin: Origin, sender: SendRequest<EdgeBody>) {
        if sender.is_closed() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            let senders = idle.entry(origin).or_default();
            if senders.len() < IDLE_PER_ORIGIN {
                senders.push(sender);
            }
        }
    }
}

impl Upstream {
    /// A new HTTP/1.1 connection to `origin` (over TLS for HTTPS), driven on its own task.
    async fn connect(&self, origin: &Origin) -> Result<SendRequest<EdgeBody>, UpstreamError> {
        let transport = |e: &dyn std::fmt::Display| UpstreamError::Transport(e.to_string());
        let tcp = tokio::net::TcpStream::connect((origin.host.as_str(), origin.port))
            .await
            .map_err(|e| transport(&e))?;
        let _ = tcp.set_nodelay(true);
        if !origin.https {
            return handshake(tcp).await;
        }
        let tls = self
            .tls
            .clone()
            .ok_or_else(|| UpstreamError::Transport("no TLS trust store".into()))?;
        let name = ServerName::try_from(origin.host.clone()).map_err(|e| transport(&e))?;
        let stream = tokio_rustls::TlsConnector::from(tls)
            .connect(name, tcp)
            .await
            .map_err(|e| transport(&e))?;
        handshake(stream).await
    }
}

/// `request` again, with an empty body.
fn bodiless_copy(request: &http::Request<EdgeBody>) -> http::Request<EdgeBody> {
    let mut copy = http::Request::new(crate::edge::body::full(""));
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
}

/// An HTTP/1.1 connection over `stream`, driven on its own task.
async fn handshake<S>(stream: S) -> Result<SendRequest<EdgeBody>, UpstreamError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| UpstreamError::Transport(e.to_string()))?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!(error = %e, "upstream connection ended");
        }
    });
    Ok(sender)
}

use rampart_module::outbound::system_tls;

/// The origin and origin-form path-and-query of an absolute `http://` or `https://` URL.
pub fn split_url(url: &str) -> Result<(Origin, String), UpstreamError> {
    let uri: http::Uri = url
        .parse()
        .map_err(|_| UpstreamError::BadUri(format!("{url} is not a valid URL")))?;
    let https = match uri.scheme_str() {
        Some("http") => false,
        Some("https") => true,
        _ => {
            return Err(UpstreamError::BadUri(format!(
                "{url} is not an http(s) URL"
            )));
        }
    };
    let host = uri
        .host()
        .ok_or_else(|| UpstreamError::BadUri(format!("{url} has no host")))?;
    let origin = Origin {
        https,
        host: host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned(),
        port: uri.port_u16().unwrap_or(if https { 443 } else { 80 }),
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    Ok((origin, path))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rampart_module::outbound::tls_config;
    use rustls::pki_types::CertificateDer;

    #[test]
    fn urls_split_into_origin_and_path() {
        let (origin, path) = split_url("http://127.0.0.1:8080/a/b?x=1").unwrap();
        assert_eq!(
            origin,
            Origin {
                https: false,
                host: "127.0.0.1".into(),
                port: 8080
            }
        );
        assert_eq!(path, "/a/b?x=1");
        let (origin, path) = split_url("http://example.com").unwrap();
        assert_eq!((origin.port, path.as_str()), (80, "/"));
        let (origin, _) = split_url("https://example.com/").unwrap();
        assert!(origin.https && origin.port == 443);
        assert!(split_url("ftp://example.com/").is_err());
        assert!(split_url("not a url").is_err());
    }

    /// An HTTPS server on 127.0.0.1 for `localhost`, answering "secure"; its port and
    /// certificate.
    async fn https_server() -> (u16, CertificateDer<'static>) {
        use rustls::pki_types::PrivateKeyDer;
        let key = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let cert = key.cert.der().clone();
        let private = PrivateKeyDer::try_from(key.signing_key.serialize_der()).unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert.clone()], private)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let tls = acceptor.accept(tcp).await.unwrap();
                    let service = hyper::service::service_fn(|_req| async {
                        Ok::<_, std::convert::Infallible>(http::Response::new(
                            crate::edge::body::full("secure"),
                        ))
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        (port, cert)
    }

    #[tokio::test]
    async fn https_endpoints_are_called_over_tls_on_pooled_connections() {
        let (port, cert) = https_server().await;
        let mut roots = rustls::RootCertStore::empty();
        roots.add(cert).unwrap();
        let pool = Arc::new(Upstream::with_tls(Some(tls_config(roots).unwrap())));
        let (origin, path) = split_url(&format!("https://localhost:{port}/x")).unwrap();
        for _ in 0..2 {
            let mut request = http::Request::new(crate::edge::body::full(""));
            *request.uri_mut() = path.parse().unwrap();
            request.headers_mut().insert(
                http::header::HOST,
                http::HeaderValue::from_static("localhost"),
            );
            let answer = pool.send(origin.clone(), request).await.unwrap();
            let body = answer.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(&body[..], b"secure");
        }
        assert_eq!(
            pool.idle.lock().unwrap().get(&origin).map(Vec::len),
            Some(1)
        );
        let untrusted = Arc::new(Upstream::with_tls(Some(
            tls_config(rustls::RootCertStore::empty()).unwrap(),
        )));
        let request = http::Request::new(crate::edge::body::full(""));
        assert!(untrusted.send(origin, request).await.is_err());
    }

    /// A plain HTTP server answering "hello" with a Content-Length; its port and the number
    /// of connections it accepted.
    async fn counting_server() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(|_req| async {
                        Ok::<_, std::convert::Infallible>(http::Response::new(
                            crate::edge::body::full("hello"),
                        ))
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tcp), service)
                        .await;
                });
            }
        });
        (port, accepted)
    }

    #[tokio::test]
    async fn a_connection_is_reused_when_the_reader_stops_at_the_content_length() {
        let (port, accepted) = counting_server().await;
        let pool = Arc::new(Upstream::with_tls(None));
        let (origin, path) = split_url(&format!("http://127.0.0.1:{port}/")).unwrap();
        for _ in 0..5 {
            let mut request = http::Request::new(crate::edge::body::full(""));
            *request.uri_mut() = path.parse().unwrap();
            let mut body = pool
                .send(origin.clone(), request)
                .await
                .unwrap()
                .into_body();
            // Read as hyper's server writes a body of known length: up to its last byte, and
            // not one poll further.
            let mut read = Vec::new();
            while !body.is_end_stream() {
                let frame = body.frame().await.unwrap().unwrap();
                read.extend_from_slice(&frame.into_data().unwrap());
            }
            assert_eq!(read, b"hello");
        }
        assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_bodiless_request_survives_a_pooled_connection_the_server_closed() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            // Each connection answers one request as if kept alive, then closes.
            while let Ok((mut tcp, _)) = listener.accept().await {
                let mut buf = [0u8; 1024];
                let _ = tcp.read(&mut buf).await;
                let _ = tcp
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    .await;
            }
        });
        let pool = Arc::new(Upstream::with_tls(None));
        let (origin, path) = split_url(&format!("http://127.0.0.1:{port}/")).unwrap();
        for _ in 0..3 {
            let mut request = http::Request::new(crate::edge::body::full(""));
            *request.uri_mut() = path.parse().unwrap();
            let answer = pool.send(origin.clone(), request).await.unwrap();
            let body = answer.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(&body[..], b"ok");
        }
    }
}

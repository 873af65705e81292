//! A small pooled HTTP/1.1 client for deliveries: keep-alive connections per origin (plain TCP,
//! or TLS with rustls and the system trust store), reused across calls, each call bounded by a
//! timeout.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The most of an answer's body read (token responses; API destination answers are only
/// checked for their status); a longer body fails the call.
const MAX_ANSWER: usize = 1 << 20;
/// Idle connections kept per origin.
const IDLE_PER_ORIGIN: usize = 256;

/// One outgoing request.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub method: http::Method,
    /// An absolute `http://` or `https://` URL.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

/// What came back.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: u16,
    pub body: Bytes,
}

/// Why no answer came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The URL cannot be called (not retryable).
    BadUrl(String),
    /// Connecting, sending or reading failed, or the call timed out (retryable).
    Transport(String),
}

/// Where a connection goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Origin {
    https: bool,
    host: String,
    port: u16,
}

/// The pooled client.
pub(crate) struct HttpClient {
    tls: Option<Arc<rustls::ClientConfig>>,
    idle: Mutex<HashMap<Origin, Vec<SendRequest<Full<Bytes>>>>>,
    timeout: Duration,
}

impl HttpClient {
    /// A client whose calls each take at most `timeout`.
    pub(crate) fn new(timeout: Duration) -> HttpClient {
        HttpClient {
            tls: rampart_module::outbound::system_tls().ok(),
            idle: Mutex::new(HashMap::new()),
            timeout,
        }
    }

    /// Sends `request`, on a pooled connection when one is idle (once more on a fresh one if
    /// the pooled connection turns out closed).
    pub(crate) async fn send(&self, request: &Outgoing) -> Result<Answer, Failure> {
        let uri: http::Uri = request
            .url
            .parse()
            .map_err(|_| Failure::BadUrl(format!("{} is not a valid URL", shown(&request.url))))?;
        let origin = origin_of(&uri)?;
        let call = async {
            if let Some(sender) = self.take_idle(&origin)
                && let Ok(answer) = self.exchange(&origin, sender, &uri, request).await
            {
                return Ok(answer);
            }
            let sender = self.connect(&origin).await?;
            self.exchange(&origin, sender, &uri, request).await
        };
        tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| Failure::Transport(format!("no answer within {:?}", self.timeout)))?
    }

    async fn exchange(
        &self,
        origin: &Origin,
        mut sender: SendRequest<Full<Bytes>>,
        uri: &http::Uri,
        request: &Outgoing,
    ) -> Result<Answer, Failure> {
        let transport = |e: hyper::Error| Failure::Transport(e.to_string());
        sender.ready().await.map_err(transport)?;
        let response = sender
            .send_request(build(uri, request)?)
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), MAX_ANSWER)
            .collect()
            .await
            .map_err(|e| Failure::Transport(format!("reading the answer: {e}")))?;
        self.put_idle(origin, sender);
        Ok(Answer {
            status,
            body: body.to_bytes(),
        })
    }

    fn take_idle(&self, origin: &Origin) -> Option<SendRequest<Full<Bytes>>> {
        let mut idle = self.idle.lock().ok()?;
        let senders = idle.get_mut(origin)?;
        while let Some(sender) = senders.pop() {
            if !sender.is_closed() {
                return Some(sender);
            }
        }
        None
    }

    fn put_idle(&self, origin: &Origin, sender: SendRequest<Full<Bytes>>) {
        if sender.is_closed() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            let senders = idle.entry(origin.clone()).or_default();
            if senders.len() < IDLE_PER_ORIGIN {
                senders.push(sender);
            }
        }
    }

    async fn connect(&self, origin: &Origin) -> Result<SendRequest<Full<Bytes>>, Failure> {
        let transport = |e: &dyn std::fmt::Display| Failure::Transport(e.to_string());
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
            .ok_or_else(|| Failure::Transport("no TLS trust store".into()))?;
        let name = ServerName::try_from(origin.host.clone()).map_err(|e| transport(&e))?;
        let stream = tokio_rustls::TlsConnector::from(tls)
            .connect(name, tcp)
            .await
            .map_err(|e| transport(&e))?;
        handshake(stream).await
    }
}

/// An HTTP/1.1 connection over `stream`, driven on its own task.
async fn handshake<S>(stream: S) -> Result<SendRequest<Full<Bytes>>, Failure>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| Failure::Transport(e.to_string()))?;
    tokio::spawn(conn);
    Ok(sender)
}

fn origin_of(uri: &http::Uri) -> Result<Origin, Failure> {
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => {
            let url = shown(&uri.to_string()).to_owned();
            return Err(Failure::BadUrl(format!("{url} is not an http(s) URL")));
        }
    };
    let host = uri
        .host()
        .ok_or_else(|| Failure::BadUrl(format!("{} has no host", shown(&uri.to_string()))))?;
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    Ok(Origin { https, host, port })
}

/// `url` without its query string, as errors and dead letters show it (a connection's query
/// string parameters may be secret).
fn shown(url: &str) -> &str {
    url.split_once('?').map_or(url, |(path, _)| path)
}

/// The request in origin form, with its `Host` header.
fn build(uri: &http::Uri, request: &Outgoing) -> Result<http::Request<Full<Bytes>>, Failure> {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut builder = http::Request::builder()
        .method(request.method.clone())
        .uri(path);
    if let Some(authority) = uri.authority() {
        builder = builder.header(http::header::HOST, authority.as_str());
    }
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(Full::new(request.body.clone()))
        .map_err(|e| Failure::BadUrl(format!("the request cannot be built: {e}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bad_urls_are_refused_without_their_query_string() {
        let client = HttpClient::new(Duration::from_secs(1));
        let request = Outgoing {
            method: http::Method::POST,
            url: "ftp://host/path?api_key=s3cret".into(),
            headers: Vec::new(),
            body: Bytes::new(),
        };
        let Err(Failure::BadUrl(reason)) = client.send(&request).await else {
            panic!("an ftp URL was sent");
        };
        assert!(!reason.contains("s3cret"), "{reason}");
        assert!(reason.contains("ftp://host/path"), "{reason}");
    }
}

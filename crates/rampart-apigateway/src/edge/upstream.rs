//! The pooled HTTP/1.1 client to integration endpoints: keep-alive connections per origin,
//! bodies streamed both ways; a connection goes back to the pool once its answer was read to
//! the end. Plain HTTP only in this slice (HTTPS upstreams come with the TLS slice).

use crate::edge::body::{EdgeBody, OnEnd};
use http_body_util::BodyExt;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Idle connections kept per origin.
const IDLE_PER_ORIGIN: usize = 64;

/// Where a connection goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
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
#[derive(Default)]
pub struct Upstream {
    idle: Mutex<HashMap<Origin, Vec<SendRequest<EdgeBody>>>>,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream").finish_non_exhaustive()
    }
}

impl Upstream {
    /// Sends `request` (origin-form URI; `Host` set by the caller) to `origin`.
    pub async fn send(
        self: &Arc<Self>,
        origin: Origin,
        request: http::Request<EdgeBody>,
    ) -> Result<http::Response<EdgeBody>, UpstreamError> {
        let transport = |e: hyper::Error| UpstreamError::Transport(e.to_string());
        let mut sender = match self.take_idle(&origin) {
            Some(sender) => sender,
            None => connect(&origin).await?,
        };
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

/// A new HTTP/1.1 connection to `origin`, driven on its own task.
async fn connect(origin: &Origin) -> Result<SendRequest<EdgeBody>, UpstreamError> {
    let transport = |e: &dyn std::fmt::Display| UpstreamError::Transport(e.to_string());
    let tcp = tokio::net::TcpStream::connect((origin.host.as_str(), origin.port))
        .await
        .map_err(|e| transport(&e))?;
    let _ = tcp.set_nodelay(true);
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .map_err(|e| transport(&e))?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!(error = %e, "upstream connection ended");
        }
    });
    Ok(sender)
}

/// The origin and origin-form path-and-query of an absolute `http://` URL.
pub fn split_url(url: &str) -> Result<(Origin, String), UpstreamError> {
    let uri: http::Uri = url
        .parse()
        .map_err(|_| UpstreamError::BadUri(format!("{url} is not a valid URL")))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err(UpstreamError::BadUri(
                "HTTPS integration endpoints are not served yet".into(),
            ));
        }
        _ => return Err(UpstreamError::BadUri(format!("{url} is not an http URL"))),
    }
    let host = uri
        .host()
        .ok_or_else(|| UpstreamError::BadUri(format!("{url} has no host")))?;
    let origin = Origin {
        host: host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned(),
        port: uri.port_u16().unwrap_or(80),
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    Ok((origin, path))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_origin_and_path() {
        let (origin, path) = split_url("http://127.0.0.1:8080/a/b?x=1").unwrap();
        assert_eq!(
            origin,
            Origin {
                host: "127.0.0.1".into(),
                port: 8080
            }
        );
        assert_eq!(path, "/a/b?x=1");
        let (origin, path) = split_url("http://example.com").unwrap();
        assert_eq!((origin.port, path.as_str()), (80, "/"));
        assert!(split_url("https://example.com/").is_err());
        assert!(split_url("not a url").is_err());
    }
}

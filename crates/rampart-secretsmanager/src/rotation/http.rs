//! Rotation functions registered as HTTP endpoints: each step is POSTed as the JSON event a
//! rotation Lambda receives, and a 2xx answer completes it. One connection per step (hyper
//! HTTP/1.1 over TCP, or rustls with the system trust store for `https://`), bounded by a
//! timeout.

use super::{RotationFunction, StepContext, StepEvent, StepFailure, StepFuture};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use std::time::Duration;

/// How long one step may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);
/// The most of an answer's body read (only its status counts).
const MAX_ANSWER: usize = 64 * 1024;

/// A rotation function at `url`.
pub struct HttpFunction {
    pub name: String,
    pub url: String,
}

impl RotationFunction for HttpFunction {
    fn run_step<'a>(&'a self, event: &'a StepEvent, _on: StepContext<'a>) -> StepFuture<'a> {
        Box::pin(async move {
            let body = serde_json::to_vec(event).map_err(|e| StepFailure(e.to_string()))?;
            let call = post(&self.url, Bytes::from(body));
            let status = match tokio::time::timeout(STEP_TIMEOUT, call).await {
                Ok(Ok(status)) => status,
                Ok(Err(reason)) => return Err(self.failed(event, &reason)),
                Err(_) => return Err(self.failed(event, "no answer within 60 seconds")),
            };
            if (200..300).contains(&status) {
                return Ok(());
            }
            Err(self.failed(event, &format!("the function answered HTTP {status}")))
        })
    }
}

impl HttpFunction {
    /// The failure of `event`'s step, worded as AWS words a Lambda error ("Error when
    /// executing lambda <function> during <step> step"), with what happened.
    fn failed(&self, event: &StepEvent, reason: &str) -> StepFailure {
        StepFailure(format!(
            "Error when executing lambda {} during {} step: {reason}",
            self.name,
            event.step.as_str()
        ))
    }
}

/// POSTs `body` as JSON to `url`; the answer's status.
async fn post(url: &str, body: Bytes) -> Result<u16, String> {
    let uri: http::Uri = url.parse().map_err(|_| "the URL is not valid".to_owned())?;
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err("the URL is not an http(s) URL".into()),
    };
    let host = uri.host().ok_or("the URL has no host")?;
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("connecting: {e}"))?;
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let request = http::Request::post(path)
        .header(
            http::header::HOST,
            uri.authority().map_or("", |a| a.as_str()),
        )
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(body))
        .map_err(|e| e.to_string())?;
    if !https {
        return exchange(tcp, request).await;
    }
    let name = ServerName::try_from(host).map_err(|e| e.to_string())?;
    let stream = tokio_rustls::TlsConnector::from(rampart_module::outbound::system_tls()?)
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS: {e}"))?;
    exchange(stream, request).await
}

/// Sends `request` over `stream` and reads the answer.
async fn exchange<S>(stream: S, request: http::Request<Full<Bytes>>) -> Result<u16, String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let _ = Limited::new(response.into_body(), MAX_ANSWER)
        .collect()
        .await;
    Ok(status)
}

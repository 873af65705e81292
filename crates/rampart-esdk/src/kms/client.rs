//! A small blocking KMS client: JSON 1.1 POSTs signed with SigV4, over HTTPS (rustls, the
//! system trust store or `AWS_CA_BUNDLE`) or plain HTTP, to the endpoint the AWS SDKs would
//! use (`AWS_ENDPOINT_URL_KMS`, `AWS_ENDPOINT_URL`, else `https://kms.<region>.amazonaws.com`).

use super::config;
use super::sigv4::{self, Credentials, Unsigned};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// How long one KMS call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// A KMS error response: its `__type` code and message, or a transport failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsError {
    /// The error code, e.g. `AccessDeniedException` (`Transport` when no answer came).
    pub code: String,
    /// The message.
    pub message: String,
}

impl std::fmt::Display for KmsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// Calls KMS operations.
pub trait KmsClient: Send + Sync {
    /// Calls `operation` (e.g. `GenerateDataKey`) in `region` with a JSON body.
    fn call(&self, region: &str, operation: &str, body: &Value) -> Result<Value, KmsError>;
}

/// The HTTP client.
pub struct HttpKmsClient {
    credentials: Credentials,
    endpoint: Option<String>,
    tls: Arc<rustls::ClientConfig>,
}

fn transport(message: impl std::fmt::Display) -> KmsError {
    KmsError {
        code: "Transport".into(),
        message: message.to_string(),
    }
}

impl HttpKmsClient {
    /// A client with the environment's credentials, endpoint and trust store.
    pub fn from_env() -> Result<Self, KmsError> {
        let credentials = config::credentials().map_err(transport)?;
        let tls = config::tls_config().map_err(transport)?;
        Ok(Self {
            credentials,
            endpoint: config::endpoint_override(),
            tls,
        })
    }

    /// A client with explicit credentials and endpoint (`None`: AWS's regional endpoint).
    pub fn new(credentials: Credentials, endpoint: Option<String>) -> Result<Self, KmsError> {
        let tls = config::tls_config().map_err(transport)?;
        Ok(Self {
            credentials,
            endpoint,
            tls,
        })
    }

    fn url(&self, region: &str) -> Result<http::Uri, KmsError> {
        let url = match &self.endpoint {
            Some(endpoint) => endpoint.clone(),
            None => format!("https://kms.{region}.amazonaws.com"),
        };
        url.parse()
            .map_err(|_| transport(format!("bad KMS endpoint {url:?}")))
    }

    async fn send(
        &self,
        region: &str,
        operation: &str,
        body: Vec<u8>,
    ) -> Result<(u16, Vec<u8>), KmsError> {
        let uri = self.url(region)?;
        let https = uri.scheme_str() == Some("https");
        let host = uri
            .host()
            .ok_or_else(|| transport("the endpoint has no host"))?
            .to_owned();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let host_header = uri
            .authority()
            .map_or(host.clone(), |a| a.as_str().to_owned());
        let amz_date = config::amz_date();
        let target = format!("TrentService.{operation}");
        let unsigned = Unsigned {
            host: &host_header,
            region,
            service: "kms",
            target: &target,
            body: &body,
            amz_date: &amz_date,
        };
        let mut request = http::Request::post("/");
        for (name, value) in sigv4::sign(&unsigned, &self.credentials) {
            request = request.header(name, value);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(transport)?;
        let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .map_err(transport)?;
        if https {
            let name = ServerName::try_from(host).map_err(transport)?;
            let tls = tokio_rustls::TlsConnector::from(self.tls.clone());
            let stream = tls.connect(name, tcp).await.map_err(transport)?;
            exchange(stream, request).await
        } else {
            exchange(tcp, request).await
        }
    }
}

async fn exchange<S>(
    stream: S,
    request: http::Request<Full<Bytes>>,
) -> Result<(u16, Vec<u8>), KmsError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(transport)?;
    tokio::spawn(conn);
    let response = sender.send_request(request).await.map_err(transport)?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(transport)?
        .to_bytes();
    Ok((status, body.to_vec()))
}

impl KmsClient for HttpKmsClient {
    /// Runs the call on a private runtime in a scoped thread, so it is safe to call from
    /// inside another async runtime as well as from plain threads.
    fn call(&self, region: &str, operation: &str, body: &Value) -> Result<Value, KmsError> {
        let bytes = serde_json::to_vec(body).map_err(transport)?;
        let (status, answer) = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(transport)?;
                    runtime.block_on(async {
                        tokio::time::timeout(CALL_TIMEOUT, self.send(region, operation, bytes))
                            .await
                            .map_err(|_| transport("the KMS call timed out"))?
                    })
                })
                .join()
                .map_err(|_| transport("the KMS call failed"))?
        })?;
        let value: Value = serde_json::from_slice(&answer).map_err(|_| {
            transport(format!(
                "KMS answered {status} with a body that is not JSON"
            ))
        })?;
        if (200..300).contains(&status) {
            return Ok(value);
        }
        Err(error_of(&value, status))
    }
}

/// The code and message of a KMS error body (`__type` may carry a namespace prefix).
fn error_of(value: &Value, status: u16) -> KmsError {
    let code = value["__type"].as_str().unwrap_or("UnknownError");
    let code = code.rsplit('#').next().unwrap_or(code).to_owned();
    let message = value["message"]
        .as_str()
        .or(value["Message"].as_str())
        .unwrap_or_default();
    let message = if message.is_empty() {
        format!("HTTP {status}")
    } else {
        message.to_owned()
    };
    KmsError { code, message }
}

//! Reading an OpenID Connect provider's keys from the issuer: `GET <issuer>/.well-known/
//! openid-configuration`, then its `jwks_uri` (hyper HTTP/1.1 over rustls, trusting the
//! system roots or `SSL_CERT_FILE`; `https://` only, as AWS requires). Key sets are cached per issuer for an hour, and read again sooner (at most once
//! a minute) when a token names a key the cached set lacks, so key rotation is picked up.

use super::jwks::Jwks;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long one document read may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest document read.
const MAX_DOCUMENT: usize = 1024 * 1024;
/// How long a key set is used before it is read again.
const FRESH_FOR: Duration = Duration::from_secs(3_600);
/// The least time between two reads of one issuer's keys.
const MIN_REFRESH: Duration = Duration::from_secs(60);

/// Why the keys could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FetchError {
    /// The issuer could not be reached (connection, TLS, timeout).
    Unreachable(String),
    /// It answered, but not with a discovery document and key set.
    Invalid(String),
}

/// The key sets read so far, by issuer URL.
#[derive(Default)]
pub(crate) struct KeyCache {
    sets: Mutex<HashMap<String, (Instant, Arc<Jwks>)>>,
}

impl KeyCache {
    /// The key set of `issuer`: the cached one while fresh and holding `kid`, else read
    /// from the issuer.
    pub async fn keys(&self, issuer: &str, kid: Option<&str>) -> Result<Arc<Jwks>, FetchError> {
        if let Some((at, set)) = self.cached(issuer) {
            let age = at.elapsed();
            if age < FRESH_FOR && (set.has_key(kid) || age < MIN_REFRESH) {
                return Ok(set);
            }
        }
        let set = Arc::new(discover(issuer).await?);
        if let Ok(mut sets) = self.sets.lock() {
            sets.insert(issuer.to_owned(), (Instant::now(), set.clone()));
        }
        Ok(set)
    }

    fn cached(&self, issuer: &str) -> Option<(Instant, Arc<Jwks>)> {
        self.sets.lock().ok()?.get(issuer).cloned()
    }
}

/// Reads the discovery document of `issuer`, then the key set it names.
async fn discover(issuer: &str) -> Result<Jwks, FetchError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let document = get(&url).await?;
    let config: Value = serde_json::from_slice(&document)
        .map_err(|_| FetchError::Invalid(format!("{url} is not a JSON document")))?;
    let jwks_uri = config
        .get("jwks_uri")
        .and_then(Value::as_str)
        .ok_or_else(|| FetchError::Invalid(format!("{url} names no jwks_uri")))?;
    let keys = get(jwks_uri).await?;
    Jwks::parse(&keys).ok_or_else(|| FetchError::Invalid(format!("{jwks_uri} is not a JWKS")))
}

/// GETs `url` (200 wanted), bounded in time and size.
async fn get(url: &str) -> Result<Vec<u8>, FetchError> {
    match tokio::time::timeout(FETCH_TIMEOUT, get_unbounded(url)).await {
        Ok(result) => result,
        Err(_) => Err(FetchError::Unreachable(format!("{url}: no answer in time"))),
    }
}

async fn get_unbounded(url: &str) -> Result<Vec<u8>, FetchError> {
    let invalid = |why: &str| FetchError::Invalid(format!("{url}: {why}"));
    let uri: http::Uri = url.parse().map_err(|_| invalid("not a URL"))?;
    let host = uri.host().ok_or_else(|| invalid("no host"))?;
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    if uri.scheme_str() != Some("https") {
        return Err(invalid("not an https URL"));
    }
    let port = uri.port_u16().unwrap_or(443);
    let unreachable = |e: std::io::Error| FetchError::Unreachable(format!("{url}: {e}"));
    let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(unreachable)?;
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let request = http::Request::get(path)
        .header(
            http::header::HOST,
            uri.authority().map_or("", |a| a.as_str()),
        )
        .header(http::header::ACCEPT, "application/json")
        .body(Empty::<Bytes>::new())
        .map_err(|e| invalid(&e.to_string()))?;
    let name = ServerName::try_from(host).map_err(|e| invalid(&e.to_string()))?;
    let tls = tokio_rustls::TlsConnector::from(
        rampart_module::outbound::system_tls().map_err(|e| invalid(&e))?,
    )
    .connect(name, tcp)
    .await
    .map_err(unreachable)?;
    exchange(tls, request, url).await
}

/// Sends `request` over `stream`; the body of a 200 answer.
async fn exchange<S>(
    stream: S,
    request: http::Request<Empty<Bytes>>,
    url: &str,
) -> Result<Vec<u8>, FetchError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let failed = |e: hyper::Error| FetchError::Unreachable(format!("{url}: {e}"));
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(failed)?;
    tokio::spawn(conn);
    let response = sender.send_request(request).await.map_err(failed)?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(FetchError::Invalid(format!("{url}: HTTP {status}")));
    }
    let body = Limited::new(response.into_body(), MAX_DOCUMENT)
        .collect()
        .await
        .map_err(|e| FetchError::Invalid(format!("{url}: {e}")))?;
    Ok(body.to_bytes().to_vec())
}

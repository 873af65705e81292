//! The http-01 fetch (RFC 8555 section 8.3): `GET /.well-known/acme-challenge/<token>` over
//! plain HTTP/1.1 (hyper) at the domain's addresses (from the configured resolver, as ACM's
//! DNS validation, else the system's), on port 80 or
//! the configured port, with a 10-second limit and at most 8 KiB of answer read. Redirects
//! are not followed.

use super::problem::Problem;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::rt::TokioIo;
use std::time::Duration;

/// How long one validation may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The most answer bytes read.
const MAX_ANSWER: usize = 8 * 1024;

/// The body `http://<domain>:<port>/.well-known/acme-challenge/<token>` answers with 200.
pub async fn http_get(
    addresses: &[std::net::IpAddr],
    domain: &str,
    port: u16,
    token: &str,
) -> Result<String, Problem> {
    let failed = |why: String| {
        Problem::connection(format!("Fetching the http-01 resource of {domain}: {why}"))
    };
    let fetch = async {
        let mut last = failed("the domain has no address".to_owned());
        for ip in addresses {
            let addr = std::net::SocketAddr::new(*ip, port);
            match exchange(addr, domain, port, token).await {
                Ok(body) => return Ok(body),
                Err(why) => last = failed(why),
            }
        }
        Err(last)
    };
    tokio::time::timeout(TIMEOUT, fetch)
        .await
        .map_err(|_| failed("timed out".to_owned()))?
}

/// One GET at `addr`.
async fn exchange(
    addr: std::net::SocketAddr,
    domain: &str,
    port: u16,
    token: &str,
) -> Result<String, String> {
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let host = if port == 80 {
        domain.to_owned()
    } else {
        format!("{domain}:{port}")
    };
    let request = http::Request::get(format!("/.well-known/acme-challenge/{token}"))
        .header("host", host)
        .header("user-agent", "Rampart ACME validation")
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = Limited::new(response.into_body(), MAX_ANSWER)
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    if status != 200 {
        return Err(format!("status {status}"));
    }
    String::from_utf8(body.to_vec()).map_err(|_| "the answer is not text".to_owned())
}

//! The http-01 fetch (RFC 8555 section 8.3): `GET /.well-known/acme-challenge/<token>` over
//! plain HTTP/1.1 (hyper) at the domain's addresses (from the configured resolver, as ACM's
//! DNS validation, else the system's), on port 80 or the configured port, with a 10-second
//! limit for the whole validation and at most 8 KiB of answer read.
//!
//! Redirects (301, 302, 303, 307, 308) are followed, at most [`MAX_REDIRECTS`] of them, as
//! Let's Encrypt follows them: to a DNS name (never an IP address), relative locations
//! against the current URL. Let's Encrypt allows `http` on port 80 and `https` on 443; this
//! fetch speaks plain HTTP only, so a redirect must stay `http` on the port challenges are
//! fetched from (80, or the configured port of loopback tests).
//! Doubt: a redirect to `https` is refused here, where Let's Encrypt would follow it.

use super::problem::Problem;
use bytes::Bytes;
use http::Uri;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;

/// How long one validation may take, redirects included.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The most answer bytes read.
const MAX_ANSWER: usize = 8 * 1024;
/// The most redirects followed (as Let's Encrypt).
pub const MAX_REDIRECTS: usize = 10;

/// Where one GET goes: a host name and a path (with any query).
#[derive(Debug, Clone, PartialEq)]
struct Target {
    host: String,
    path: String,
}

/// What one GET answered.
enum Answer {
    Body(String),
    Redirect(String),
}

/// The body `http://<domain>:<port>/.well-known/acme-challenge/<token>` answers with 200,
/// following redirects; `resolve` gives a host name's addresses.
pub async fn http_get<R, F>(
    resolve: R,
    domain: &str,
    port: u16,
    token: &str,
) -> Result<String, Problem>
where
    R: Fn(String) -> F,
    F: Future<Output = Vec<IpAddr>>,
{
    let failed = |why: String| {
        Problem::connection(format!("Fetching the http-01 resource of {domain}: {why}"))
    };
    let fetch = async {
        let mut target = Target {
            host: domain.to_owned(),
            path: format!("/.well-known/acme-challenge/{token}"),
        };
        for _ in 0..=MAX_REDIRECTS {
            let addresses = resolve(target.host.clone()).await;
            match get_any(&addresses, &target, port).await.map_err(failed)? {
                Answer::Body(body) => return Ok(body),
                Answer::Redirect(location) => {
                    target = follow(&target, &location, port).map_err(failed)?;
                }
            }
        }
        Err(failed(format!("more than {MAX_REDIRECTS} redirects")))
    };
    tokio::time::timeout(TIMEOUT, fetch)
        .await
        .map_err(|_| failed("timed out".to_owned()))?
}

/// The GET of `target` at the first of `addresses` that answers.
async fn get_any(addresses: &[IpAddr], target: &Target, port: u16) -> Result<Answer, String> {
    let mut last = format!("{} has no address", target.host);
    for ip in addresses {
        let addr = std::net::SocketAddr::new(*ip, port);
        match exchange(addr, target, port).await {
            Ok(answer) => return Ok(answer),
            Err(why) => last = why,
        }
    }
    Err(last)
}

/// Where the redirect to `location` from `from` goes, if it may be followed: a path (absolute
/// or relative) stays on the host, a `//host/...` reference keeps the scheme.
fn follow(from: &Target, location: &str, port: u16) -> Result<Target, String> {
    let refused = |why: &str| format!("the redirect to {location} is not followed: {why}");
    if !location.contains("://") && !location.starts_with("//") {
        let path = if location.starts_with('/') {
            location.to_owned()
        } else {
            relative_path(&from.path, location)
        };
        let host = from.host.clone();
        return Ok(Target { host, path });
    }
    let absolute = match location.strip_prefix("//") {
        Some(rest) => format!("http://{rest}"),
        None => location.to_owned(),
    };
    let uri: Uri = absolute.parse().map_err(|_| refused("not a URL"))?;
    if uri.scheme_str() != Some("http") {
        return Err(refused("only http redirects are followed"));
    }
    let authority = uri.authority().ok_or_else(|| refused("no host"))?;
    if authority.port_u16().unwrap_or(80) != port {
        return Err(refused(&format!("only port {port} is fetched from")));
    }
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    if host.is_empty() || host.parse::<IpAddr>().is_ok() {
        return Err(refused("redirects to IP addresses are not followed"));
    }
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    Ok(Target {
        host: host.to_ascii_lowercase(),
        path: if path.is_empty() { "/" } else { path }.to_owned(),
    })
}

/// A relative reference `rel` resolved against the directory of `base` (RFC 3986 5.2.3).
fn relative_path(base: &str, rel: &str) -> String {
    let dir = base.rsplit_once('/').map_or("", |(dir, _)| dir);
    format!("{dir}/{rel}")
}

/// One GET of `target` at `addr`.
async fn exchange(
    addr: std::net::SocketAddr,
    target: &Target,
    port: u16,
) -> Result<Answer, String> {
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let host = if port == 80 {
        target.host.clone()
    } else {
        format!("{}:{port}", target.host)
    };
    let request = http::Request::get(target.path.as_str())
        .header("host", host)
        .header("user-agent", "Rampart ACME validation")
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let location = response.headers().get(http::header::LOCATION).cloned();
    if matches!(status, 301 | 302 | 303 | 307 | 308) {
        let location = location.ok_or_else(|| format!("status {status} without a Location"))?;
        let location = location
            .to_str()
            .map_err(|_| "a Location that is not text".to_owned())?;
        return Ok(Answer::Redirect(location.to_owned()));
    }
    let body = Limited::new(response.into_body(), MAX_ANSWER)
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    if status != 200 {
        return Err(format!("status {status}"));
    }
    let text = String::from_utf8(body.to_vec()).map_err(|_| "the answer is not text".to_owned())?;
    Ok(Answer::Body(text))
}

#[cfg(test)]
#[path = "fetch_tests.rs"]
mod tests;

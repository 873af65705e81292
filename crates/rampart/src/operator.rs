//! `rampart operator init` (Shamir-sealed store) and `rampart operator unseal` (offer a share
//! or passphrase to a running server, over HTTP(S) or its local unseal socket).

use crate::cli::{InitArgs, UnsealArgs};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::io::BufRead as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use zeroize::Zeroizing;

/// Creates a new store sealed with `shares` Shamir shares, printing them once.
pub async fn init(args: InitArgs) -> Result<(), String> {
    if args.threshold < 2 || args.threshold > args.shares {
        return Err("need 2 <= --threshold <= --shares".to_owned());
    }
    let store = crate::cli::open_store(&args.store).await?;
    if crate::bootstrap::read_sealed_root(&store).await?.is_some() {
        return Err("this store is already initialised".to_owned());
    }
    let (_root, sealed, shares) = rampart_crypto::seal::init_shamir(args.shares, args.threshold)
        .map_err(|e| e.to_string())?;
    crate::bootstrap::write_sealed_root(&store, &sealed).await?;
    println!(
        "Initialised; the root key is sealed with {} shares, {} needed.",
        args.shares, args.threshold
    );
    println!("Store each share separately. They are shown only now:");
    for share in shares {
        println!("{share}");
    }
    Ok(())
}

/// The default server address of `rampart operator unseal`.
const DEFAULT_ENDPOINT: &str = "https://127.0.0.1:4566";

/// Where `rampart operator unseal` sends the secret.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// The server's local unseal socket.
    Socket(PathBuf),
    /// The server's HTTP(S) endpoint.
    Network(String),
}

/// `--socket [PATH]`; else the data dir's socket when `--data-dir` is given without
/// `--endpoint` and the socket exists; else the endpoint.
fn target(args: &UnsealArgs) -> Target {
    let data_dir_socket = |dir: Option<&PathBuf>| {
        let dir = dir.cloned().unwrap_or_else(crate::config::default_data_dir);
        crate::config::unseal_socket_path(&dir)
    };
    match &args.socket {
        Some(None) => return Target::Socket(data_dir_socket(args.data_dir.as_ref())),
        Some(Some(path)) => return Target::Socket(path.clone()),
        None => {}
    }
    if args.endpoint.is_none() && args.data_dir.is_some() {
        let socket = data_dir_socket(args.data_dir.as_ref());
        if socket.exists() {
            return Target::Socket(socket);
        }
    }
    Target::Network(
        args.endpoint
            .clone()
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned()),
    )
}

/// The longest `Retry-After` the client waits out by itself, and its total wait.
const AUTO_RETRY_LIMIT: Duration = Duration::from_secs(10);

/// Sends one unseal secret to the server and prints its reply. A short throttling delay
/// (429 with `Retry-After`) is waited out and the request sent again.
pub async fn unseal(args: UnsealArgs) -> Result<(), String> {
    let secret = match args.secret.clone() {
        Some(secret) => Zeroizing::new(secret),
        None => read_secret_line()?,
    };
    let body = Zeroizing::new(serde_json::json!({ "secret": secret.as_str() }).to_string());
    let target = target(&args);
    let mut waited = Duration::ZERO;
    loop {
        match attempt(&args, &target, &body).await? {
            Reply::Success(reply) => {
                println!("{reply}");
                return Ok(());
            }
            Reply::Throttled(wait, text) if waited + wait <= AUTO_RETRY_LIMIT => {
                eprintln!("throttled; retrying in {} s: {text}", wait.as_secs());
                tokio::time::sleep(wait).await;
                waited += wait;
            }
            Reply::Throttled(_, text) => return Err(format!("429 Too Many Requests: {text}")),
            Reply::Failed(text) => return Err(text),
        }
    }
}

async fn attempt(args: &UnsealArgs, target: &Target, body: &str) -> Result<Reply, String> {
    match target {
        Target::Socket(path) => {
            let stream = tokio::net::UnixStream::connect(path).await.map_err(|e| {
                format!(
                    "cannot reach the local unseal socket {}: {e}",
                    path.display()
                )
            })?;
            send(stream, request("localhost", body)?).await
        }
        Target::Network(endpoint) => unseal_over_network(args, endpoint, body).await,
    }
}

async fn unseal_over_network(
    args: &UnsealArgs,
    endpoint: &str,
    body: &str,
) -> Result<Reply, String> {
    let uri: http::Uri = endpoint.parse().map_err(|e| format!("--endpoint: {e}"))?;
    let host = uri.host().ok_or("--endpoint needs a host")?.to_owned();
    let https = uri.scheme_str() == Some("https");
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("cannot reach {host}:{port}: {e}"))?;
    let request = request(&format!("{host}:{port}"), body)?;
    if https {
        let ca = ca_bundle_path(args)?;
        let stream = tls_connect(tcp, &host, &ca).await?;
        send(stream, request).await
    } else {
        send(tcp, request).await
    }
}

fn request(authority: &str, body: &str) -> Result<http::Request<Full<Bytes>>, String> {
    http::Request::post(rampart_wire::operator::UNSEAL_PATH)
        .header("host", authority)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::copy_from_slice(body.as_bytes())))
        .map_err(|e| e.to_string())
}

fn read_secret_line() -> Result<Zeroizing<String>, String> {
    eprintln!("Enter an unseal share or the passphrase:");
    let mut line = Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    Ok(Zeroizing::new(line.trim().to_owned()))
}

fn ca_bundle_path(args: &UnsealArgs) -> Result<std::path::PathBuf, String> {
    if let Some(path) = &args.ca_bundle {
        return Ok(path.clone());
    }
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(crate::config::default_data_dir);
    Ok(data_dir.join("tls").join("ca.pem"))
}

async fn tls_connect(
    tcp: tokio::net::TcpStream,
    host: &str,
    ca: &std::path::Path,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, String> {
    let pem = std::fs::read(ca).map_err(|e| format!("{}: {e}", ca.display()))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        roots
            .add(cert.map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned()).map_err(|e| e.to_string())?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    connector
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS: {e}"))
}

/// The server's answer to one unseal request.
enum Reply {
    Success(String),
    /// 429: wait this long (`Retry-After`) before trying again.
    Throttled(Duration, String),
    Failed(String),
}

async fn send<S>(stream: S, request: http::Request<Full<Bytes>>) -> Result<Reply, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_secs);
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    let text = String::from_utf8_lossy(&body).into_owned();
    Ok(match (status.is_success(), retry_after) {
        (true, _) => Reply::Success(text),
        (false, Some(wait)) if status == http::StatusCode::TOO_MANY_REQUESTS => {
            Reply::Throttled(wait, text)
        }
        (false, _) => Reply::Failed(format!("{status}: {text}")),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::path::Path;

    fn args(socket: Option<&str>, endpoint: Option<&str>, data_dir: Option<&Path>) -> UnsealArgs {
        UnsealArgs {
            secret: None,
            endpoint: endpoint.map(str::to_owned),
            socket: socket.map(|s| Some(PathBuf::from(s)).filter(|p| !p.as_os_str().is_empty())),
            ca_bundle: None,
            data_dir: data_dir.map(Path::to_path_buf),
        }
    }

    #[test]
    fn target_prefers_an_explicit_choice_then_an_existing_data_dir_socket() {
        let dir = std::env::temp_dir().join(format!("rampart-op-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let socket = dir.join("unseal.sock");
        let network = Target::Network(DEFAULT_ENDPOINT.to_owned());
        assert_eq!(target(&args(None, None, None)), network);
        assert_eq!(
            target(&args(None, None, Some(&dir))),
            network,
            "no socket yet"
        );
        assert_eq!(
            target(&args(Some(""), None, Some(&dir))),
            Target::Socket(socket.clone())
        );
        assert_eq!(
            target(&args(Some("/x.sock"), None, None)),
            Target::Socket("/x.sock".into())
        );
        std::fs::write(&socket, b"").unwrap();
        assert_eq!(
            target(&args(None, None, Some(&dir))),
            Target::Socket(socket)
        );
        let given = target(&args(None, Some("http://h:1"), Some(&dir)));
        assert_eq!(given, Target::Network("http://h:1".into()));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

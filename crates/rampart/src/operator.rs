//! `rampart operator init` (Shamir-sealed store) and `rampart operator unseal` (offer a share
//! or passphrase to a running server).

use crate::cli::{InitArgs, UnsealArgs};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::io::BufRead as _;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};

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

/// Sends one unseal secret to the server and prints its progress.
pub async fn unseal(args: UnsealArgs) -> Result<(), String> {
    let secret = match args.secret.clone() {
        Some(secret) => secret,
        None => read_secret_line()?,
    };
    let body = serde_json::json!({ "secret": secret }).to_string();
    let uri: http::Uri = args
        .endpoint
        .parse()
        .map_err(|e| format!("--endpoint: {e}"))?;
    let host = uri.host().ok_or("--endpoint needs a host")?.to_owned();
    let https = uri.scheme_str() == Some("https");
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("cannot reach {host}:{port}: {e}"))?;
    let request = http::Request::post("/_rampart/unseal")
        .header("host", format!("{host}:{port}"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let reply = if https {
        let ca = ca_bundle_path(&args)?;
        let stream = tls_connect(tcp, &host, &ca).await?;
        send(stream, request).await?
    } else {
        send(tcp, request).await?
    };
    println!("{reply}");
    Ok(())
}

fn read_secret_line() -> Result<String, String> {
    eprintln!("Enter an unseal share or the passphrase:");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    Ok(line.trim().to_owned())
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

async fn send<S>(stream: S, request: http::Request<Full<Bytes>>) -> Result<String, String>
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
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    let text = String::from_utf8_lossy(&body).into_owned();
    if status.is_success() {
        Ok(text)
    } else {
        Err(format!("{status}: {text}"))
    }
}

//! TLS material in the data dir: the Rampart CA (created on first start) and the server
//! certificate it issues for localhost and the listen address.

use rampart_crypto::tls::{self, CaBundle};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};

/// Paths of the PEM files Rampart serves with.
pub struct TlsFiles {
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

/// Loads the CA and server certificate from `dir`, creating them when missing.
pub fn ensure(dir: &Path, listen: SocketAddr) -> Result<TlsFiles, String> {
    crate::bootstrap::create_private_dir(dir)?;
    let files = TlsFiles {
        ca_cert: dir.join("ca.pem"),
        server_cert: dir.join("server.pem"),
        server_key: dir.join("server.key"),
    };
    if files.server_cert.exists() && files.server_key.exists() && files.ca_cert.exists() {
        return Ok(files);
    }
    let ca_key = dir.join("ca.key");
    let ca = if files.ca_cert.exists() && ca_key.exists() {
        CaBundle {
            cert_pem: read(&files.ca_cert)?,
            key_pem: read(&ca_key)?,
        }
    } else {
        let ca = tls::generate_ca("Rampart Local CA").map_err(|e| e.to_string())?;
        crate::bootstrap::write_private_file(&ca_key, &ca.key_pem)?;
        crate::bootstrap::write_private_file(&files.ca_cert, &ca.cert_pem)?;
        ca
    };
    let names = vec![
        "localhost".to_owned(),
        "localhost.localstack.cloud".to_owned(),
    ];
    let mut ips = vec![
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(Ipv6Addr::LOCALHOST),
    ];
    if !listen.ip().is_unspecified() && !ips.contains(&listen.ip()) {
        ips.push(listen.ip());
    }
    let leaf = tls::issue_server_cert(&ca, &names, &ips).map_err(|e| e.to_string())?;
    crate::bootstrap::write_private_file(&files.server_key, &leaf.key_pem)?;
    crate::bootstrap::write_private_file(&files.server_cert, &leaf.cert_pem)?;
    tracing::info!(ca = %files.ca_cert.display(), "created the Rampart CA and server certificate");
    Ok(files)
}

/// Reads a PEM file.
pub fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

//! TLS material in the data dir (`<data-dir>/tls`) and the certificate the listener serves.
//!
//! A node serves `server.pem`/`server.key` (mode 0600). When they are missing or unusable at
//! start, it makes them from a local CA (`ca.key` + `ca.pem`, imported from the data dir or
//! generated), so the unseal endpoint can be served over HTTPS before the root key is open.
//! After unseal, [`crate::ca_store`] makes sure the certificate was issued by the cluster's CA
//! (kept sealed in the store) and swaps it into the running listener through [`LiveCert`].

use rampart_crypto::tls::{self, CaBundle, ServerCert};
use rustls::client::danger::ServerCertVerifier as _;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

/// A server certificate that expires within this time is reissued at the next unseal.
const RENEW_BEFORE: Duration = Duration::from_secs(30 * 24 * 3600);

/// Paths of the PEM files in `<data-dir>/tls`.
pub struct TlsFiles {
    pub ca_cert: PathBuf,
    pub ca_key: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

impl TlsFiles {
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            ca_cert: dir.join("ca.pem"),
            ca_key: dir.join("ca.key"),
            server_cert: dir.join("server.pem"),
            server_key: dir.join("server.key"),
        }
    }

    /// The local CA (`ca.pem` + `ca.key`), when both files exist.
    pub fn local_ca(&self) -> Result<Option<CaBundle>, String> {
        if !(self.ca_cert.exists() && self.ca_key.exists()) {
            return Ok(None);
        }
        Ok(Some(CaBundle {
            cert_pem: read(&self.ca_cert)?,
            key_pem: read(&self.ca_key)?,
        }))
    }

    /// Replaces the server certificate and key (each file written whole, then renamed).
    pub fn write_server(&self, leaf: &ServerCert) -> Result<(), String> {
        replace_private_file(&self.server_key, &leaf.key_pem)?;
        replace_private_file(&self.server_cert, &leaf.cert_pem)
    }

    /// Writes `ca.pem` (the CA certificate clients trust) unless it already holds `cert_pem`.
    pub fn write_ca_cert(&self, cert_pem: &str) -> Result<bool, String> {
        if read(&self.ca_cert).is_ok_and(|old| old == cert_pem) {
            return Ok(false);
        }
        replace_private_file(&self.ca_cert, cert_pem)?;
        Ok(true)
    }

    /// Removes `ca.key`, once the store holds the CA's key sealed.
    pub fn remove_ca_key(&self) -> Result<bool, String> {
        match std::fs::remove_file(&self.ca_key) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(format!("{}: {err}", self.ca_key.display())),
        }
    }
}

/// The certificate and key to serve at start: `server.pem`/`server.key` when present and
/// usable, else new ones from the local CA (created when missing).
pub fn ensure(dir: &Path, listen: SocketAddr) -> Result<ServerCert, String> {
    crate::bootstrap::create_private_dir(dir)?;
    let files = TlsFiles::in_dir(dir);
    if files.server_cert.exists() && files.server_key.exists() && files.ca_cert.exists() {
        let found = ServerCert {
            cert_pem: read(&files.server_cert)?,
            key_pem: read(&files.server_key)?,
        };
        match rampart_wire::server::certified_key(&found.cert_pem, &found.key_pem) {
            Ok(_) => return Ok(found),
            Err(err) => {
                tracing::warn!(error = %err, "server certificate unusable: making a new one")
            }
        }
    }
    let ca = match files.local_ca()? {
        Some(ca) => ca,
        None => {
            let ca = tls::generate_ca("Rampart Local CA").map_err(|e| e.to_string())?;
            crate::bootstrap::write_private_file(&files.ca_key, &ca.key_pem)?;
            crate::bootstrap::write_private_file(&files.ca_cert, &ca.cert_pem)?;
            ca
        }
    };
    let leaf = issue(&ca, listen)?;
    files.write_server(&leaf)?;
    tracing::info!(ca = %files.ca_cert.display(), "created a server certificate");
    Ok(leaf)
}

/// A server certificate from `ca` for localhost and the listen address.
pub fn issue(ca: &CaBundle, listen: SocketAddr) -> Result<ServerCert, String> {
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
    tls::issue_server_cert(ca, &names, &ips).map_err(|e| e.to_string())
}

/// Whether the leaf of `chain_pem` was signed by the CA of `ca_pem`, names localhost and stays
/// valid for at least [`RENEW_BEFORE`].
pub fn issued_by(chain_pem: &str, ca_pem: &str) -> bool {
    verify_leaf(chain_pem, ca_pem).is_ok()
}

fn verify_leaf(chain_pem: &str, ca_pem: &str) -> Result<(), String> {
    let chain = parse_certs(chain_pem)?;
    let leaf = chain.first().ok_or("no certificate")?;
    let mut roots = rustls::RootCertStore::empty();
    for ca in parse_certs(ca_pem)? {
        roots.add(ca).map_err(|e| e.to_string())?;
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| e.to_string())?;
    let name = ServerName::try_from("localhost").map_err(|e| e.to_string())?;
    let at = (SystemTime::now() + RENEW_BEFORE)
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|e| e.to_string())?;
    verifier
        .verify_server_cert(leaf, &[], &name, &[], UnixTime::since_unix_epoch(at))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn parse_certs(pem: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("bad certificate PEM: {e}"))
}

/// Checks that `ca`'s key belongs to its certificate (a certificate it signs verifies).
pub fn check_ca(ca: &CaBundle) -> Result<(), String> {
    let leaf = issue(ca, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    verify_leaf(&leaf.cert_pem, &ca.cert_pem)
        .map_err(|e| format!("the CA key does not match the CA certificate: {e}"))
}

/// The certificate the listener serves, replaceable while it runs.
#[derive(Debug)]
pub struct LiveCert(RwLock<Arc<CertifiedKey>>);

impl LiveCert {
    pub fn new(leaf: &ServerCert) -> Result<Self, String> {
        let key = rampart_wire::server::certified_key(&leaf.cert_pem, &leaf.key_pem)?;
        Ok(Self(RwLock::new(key)))
    }

    /// Serves `leaf` from the next handshake on.
    pub fn replace(&self, leaf: &ServerCert) -> Result<(), String> {
        let key = rampart_wire::server::certified_key(&leaf.cert_pem, &leaf.key_pem)?;
        let mut slot = self
            .0
            .write()
            .map_err(|_| "the certificate lock is poisoned".to_owned())?;
        *slot = key;
        Ok(())
    }
}

impl ResolvesServerCert for LiveCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.0.read().ok().map(|key| Arc::clone(&key))
    }
}

/// Reads a PEM file.
pub fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes `text` to a temporary file (0600) and renames it over `path`, so readers never see
/// a half-written file.
fn replace_private_file(path: &Path, text: &str) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    crate::bootstrap::write_private_file(&tmp, text)?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn issued_by_tells_the_signing_ca() {
        let ca = tls::generate_ca("A").unwrap();
        let other = tls::generate_ca("B").unwrap();
        let leaf = issue(&ca, "127.0.0.1:0".parse().unwrap()).unwrap();
        assert!(issued_by(&leaf.cert_pem, &ca.cert_pem));
        assert!(!issued_by(&leaf.cert_pem, &other.cert_pem));
        assert!(!issued_by("", &ca.cert_pem));
        check_ca(&ca).unwrap();
        let mixed = CaBundle {
            cert_pem: ca.cert_pem.clone(),
            key_pem: other.key_pem.clone(),
        };
        assert!(check_ca(&mixed).is_err());
    }

    #[test]
    fn ensure_keeps_usable_files_and_live_cert_swaps() {
        let dir = tempfile::tempdir().unwrap();
        let tls_dir = dir.path().join("tls");
        let listen = "127.0.0.1:0".parse().unwrap();
        let first = ensure(&tls_dir, listen).unwrap();
        assert_eq!(ensure(&tls_dir, listen).unwrap().cert_pem, first.cert_pem);
        let live = LiveCert::new(&first).unwrap();
        let other = issue(&tls::generate_ca("B").unwrap(), listen).unwrap();
        live.replace(&other).unwrap();
        let served = live.0.read().unwrap().cert.clone();
        assert_eq!(served, parse_certs(&other.cert_pem).unwrap());
        std::fs::write(tls_dir.join("server.key"), "garbage").unwrap();
        assert_ne!(ensure(&tls_dir, listen).unwrap().cert_pem, first.cert_pem);
    }
}

//! Outbound TLS for the calls Rampart makes itself (OIDC discovery, rotation webhooks, API
//! destinations, API Gateway upstreams): one rustls client configuration on aws-lc-rs that trusts
//! `SSL_CERT_FILE` when set, else the system bundle.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, pem::PemObject};

/// Where Debian, Red Hat and Alpine/macOS keep the system bundle.
const SYSTEM_BUNDLES: [&str; 3] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
];

/// A client configuration trusting `SSL_CERT_FILE` if set, else the system bundle.
pub fn system_tls() -> Result<Arc<rustls::ClientConfig>, String> {
    tls_config(trusted_roots())
}

/// The roots in `SSL_CERT_FILE` if set, else the system bundle (unreadable files add none).
pub fn trusted_roots() -> rustls::RootCertStore {
    let paths: Vec<String> = match std::env::var("SSL_CERT_FILE") {
        Ok(path) if !path.is_empty() => vec![path],
        _ => SYSTEM_BUNDLES.iter().map(|p| (*p).to_owned()).collect(),
    };
    let mut roots = rustls::RootCertStore::empty();
    for pem in paths.iter().filter_map(|p| std::fs::read(p).ok()) {
        for cert in CertificateDer::pem_slice_iter(&pem).flatten() {
            let _ = roots.add(cert);
        }
    }
    roots
}

/// A client configuration trusting `roots` (aws-lc-rs, TLS 1.2 and 1.3, no client certificate).
pub fn tls_config(roots: rustls::RootCertStore) -> Result<Arc<rustls::ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configuration_builds_with_no_roots() {
        let config = tls_config(rustls::RootCertStore::empty()).expect("config");
        assert!(config.alpn_protocols.is_empty());
    }
}

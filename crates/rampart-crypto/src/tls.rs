//! The Rampart CA generated on first start and the server certificates it issues (rcgen).

use crate::CryptoError;

/// A CA certificate and its private key, both PEM.
pub struct CaBundle { pub cert_pem: String, pub key_pem: String }

/// A leaf certificate chain and key, PEM.
pub struct ServerCert { pub cert_pem: String, pub key_pem: String }

pub fn generate_ca(_common_name: &str) -> Result<CaBundle, CryptoError> { unimplemented!() }
/// Issues a server certificate for `dns_names` and `ips` (e.g. localhost, 127.0.0.1, ::1).
pub fn issue_server_cert(_ca: &CaBundle, _dns_names: &[String], _ips: &[std::net::IpAddr]) -> Result<ServerCert, CryptoError> { unimplemented!() }

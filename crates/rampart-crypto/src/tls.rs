//! The Rampart CA generated on first start and the server certificates it issues (rcgen).
//!
//! Both use ECDSA P-256 with SHA-256 keys from aws-lc-rs. The CA is valid for ten years and may
//! only sign end-entity certificates (path length 0); server certificates are valid for one year
//! and carry the server-auth extended key usage. Validity starts five minutes in the past to
//! tolerate clock skew between Rampart and its clients.

use crate::{CryptoError, random};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, SanType, SerialNumber,
};
use std::fmt;
use std::net::IpAddr;
use time::{Duration, OffsetDateTime};

const CA_VALIDITY: Duration = Duration::days(3650);
const SERVER_VALIDITY: Duration = Duration::days(365);
const CLOCK_SKEW: Duration = Duration::minutes(5);
/// Organization name in every subject.
const ORGANIZATION: &str = "Rampart";

/// A CA certificate and its private key, both PEM.
pub struct CaBundle {
    pub cert_pem: String,
    pub key_pem: String,
}

impl fmt::Debug for CaBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaBundle")
            .field("cert_pem", &self.cert_pem)
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

/// A leaf certificate chain and key, PEM.
pub struct ServerCert {
    pub cert_pem: String,
    pub key_pem: String,
}

impl fmt::Debug for ServerCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerCert")
            .field("cert_pem", &self.cert_pem)
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

/// A self-signed ECDSA P-256 CA named `common_name` (O=Rampart), valid for ten years.
pub fn generate_ca(common_name: &str) -> Result<CaBundle, CryptoError> {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(rcgen_error)?;
    let mut params = CertificateParams::default();
    params.distinguished_name = subject(common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    set_validity_and_serial(&mut params, CA_VALIDITY);
    let cert = params.self_signed(&key).map_err(rcgen_error)?;
    Ok(CaBundle {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

/// Issues a server certificate for `dns_names` and `ips` (e.g. localhost, 127.0.0.1, ::1).
///
/// `cert_pem` holds the leaf followed by the CA certificate. The subject CN is the first DNS
/// name (or IP). At least one name is required.
pub fn issue_server_cert(
    ca: &CaBundle,
    dns_names: &[String],
    ips: &[IpAddr],
) -> Result<ServerCert, CryptoError> {
    let ca_key = KeyPair::from_pem(&ca.key_pem).map_err(rcgen_error)?;
    let issuer = Issuer::from_ca_cert_pem(&ca.cert_pem, &ca_key).map_err(rcgen_error)?;
    let mut params = CertificateParams::default();
    params.subject_alt_names = subject_alt_names(dns_names, ips)?;
    let common_name = dns_names
        .first()
        .cloned()
        .or_else(|| ips.first().map(IpAddr::to_string));
    let common_name = common_name
        .ok_or_else(|| CryptoError::Other("a server certificate needs at least one name".into()))?;
    params.distinguished_name = subject(&common_name);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    set_validity_and_serial(&mut params, SERVER_VALIDITY);
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(rcgen_error)?;
    let cert = params.signed_by(&key, &issuer).map_err(rcgen_error)?;
    let mut chain = cert.pem();
    if !chain.ends_with('\n') {
        chain.push('\n');
    }
    chain.push_str(&ca.cert_pem);
    Ok(ServerCert {
        cert_pem: chain,
        key_pem: key.serialize_pem(),
    })
}

fn subject(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, ORGANIZATION);
    dn
}

fn subject_alt_names(dns_names: &[String], ips: &[IpAddr]) -> Result<Vec<SanType>, CryptoError> {
    let mut sans = Vec::with_capacity(dns_names.len() + ips.len());
    for name in dns_names {
        let ia5 = name.as_str().try_into().map_err(|_| {
            CryptoError::Other(format!("invalid DNS name for a certificate: {name:?}"))
        })?;
        sans.push(SanType::DnsName(ia5));
    }
    sans.extend(ips.iter().copied().map(SanType::IpAddress));
    Ok(sans)
}

/// Validity from five minutes ago for `lifetime`, and a random positive 128-bit serial number.
fn set_validity_and_serial(params: &mut CertificateParams, lifetime: Duration) {
    let not_before = OffsetDateTime::now_utc() - CLOCK_SKEW;
    params.not_before = not_before;
    params.not_after = not_before + lifetime;
    let mut serial: [u8; 16] = random::array();
    // Positive (top bit clear) and without a leading zero byte, so DER keeps all 16 bytes.
    serial[0] = (serial[0] & 0x7f) | 0x01;
    params.serial_number = Some(SerialNumber::from_slice(&serial));
}

fn rcgen_error(e: rcgen::Error) -> CryptoError {
    CryptoError::Other(format!("certificate generation failed: {e}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "tls_tests.rs"]
mod tests;

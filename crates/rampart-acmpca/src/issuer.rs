//! A CA as the signer of its CRLs and OCSP responses: its name and key identifier from its
//! certificate, its key's hashes as OCSP names them, and its sealed key opened for one signing
//! with the CA's SigningAlgorithm.

use crate::ca_key::CaKey;
use crate::generated::{KeyAlgorithm, SigningAlgorithm};
use crate::keys;
use crate::parse;
use crate::record::CaRecord;
use rampart_crypto::root::DomainKey;
use rcgen::{DistinguishedName, SignatureAlgorithm};
use x509_parser::extensions::ParsedExtension;

/// The CA cannot sign (no certificate yet, or a stored part does not parse; logged by callers).
#[derive(Debug)]
pub struct NotSigning(pub &'static str);

/// What a CA's certificate says of it as an issuer.
pub struct Issuer {
    /// The subject, as rcgen writes it.
    pub name: DistinguishedName,
    /// The subject's DER (what OCSP's issuerNameHash hashes).
    pub name_der: Vec<u8>,
    /// The subject key identifier.
    pub key_id: Vec<u8>,
    /// The public key's bits (what OCSP's issuerKeyHash hashes).
    pub key_bits: Vec<u8>,
}

/// The issuer a CA's certificate describes.
pub fn of(record: &CaRecord) -> Result<Issuer, NotSigning> {
    let pem = record
        .certificate_pem
        .as_ref()
        .ok_or(NotSigning("the CA has no certificate"))?;
    let broken = |_| NotSigning("a stored CA certificate does not parse");
    let ders = parse::certificate_ders(pem.as_bytes()).map_err(broken)?;
    let der = ders.first().ok_or(NotSigning("an empty CA certificate"))?;
    let cert = parse::certificate(der).map_err(broken)?;
    let name = crate::names::from_x509(cert.subject())
        .map_err(|_| NotSigning("a CA name that cannot be carried over"))?;
    let key_bits = cert.public_key().subject_public_key.data.to_vec();
    let key_id = cert
        .extensions()
        .iter()
        .find_map(|ext| match ext.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0.to_vec()),
            _ => None,
        })
        .unwrap_or_else(|| sha1(&key_bits));
    Ok(Issuer {
        name,
        name_der: cert.subject().as_raw().to_vec(),
        key_id,
        key_bits,
    })
}

/// The CA's key and signing algorithm (its configured SigningAlgorithm).
pub fn open_key(
    domain: &DomainKey,
    record: &CaRecord,
) -> Result<(CaKey, SigningAlgorithm), NotSigning> {
    let text = |name: &str| record.config.get(name).and_then(|v| v.as_str());
    let key_algorithm = text("KeyAlgorithm").map_or(KeyAlgorithm::Rsa2048, KeyAlgorithm::from);
    let signing =
        text("SigningAlgorithm").map_or(SigningAlgorithm::Sha256withrsa, SigningAlgorithm::from);
    let alg: &'static SignatureAlgorithm = keys::signature_algorithm(&key_algorithm, &signing)
        .ok_or(NotSigning(
            "the CA's signing algorithm does not fit its key",
        ))?;
    let key =
        keys::open(domain, &record.arn, &record.sealed_key, alg).map_err(|e| NotSigning(e.0))?;
    Ok((key, signing))
}

/// SHA-1 (OCSP's default CertID hash and the RFC 5280 key identifier method).
pub fn sha1(bytes: &[u8]) -> Vec<u8> {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, bytes);
    digest.as_ref().to_vec()
}

/// SHA-256.
pub fn sha256(bytes: &[u8]) -> Vec<u8> {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest.as_ref().to_vec()
}

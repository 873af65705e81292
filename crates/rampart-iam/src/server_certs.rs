//! Server certificates, no I/O: the certificate body parsed (its expiry), the private key
//! (PKCS#8, PKCS#1 RSA or SEC1 EC, in PEM) checked to be the certificate's key, and the chain
//! checked as AWS does: each certificate the issuer of the one before, its signature
//! verified (x509-parser over aws-lc-rs).

use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P384_SHA384_ASN1_SIGNING, EcdsaKeyPair, KeyPair,
    RsaKeyPair,
};
use x509_parser::certificate::X509Certificate;
use x509_parser::pem::Pem;
use x509_parser::prelude::FromDer;

/// Why an upload was refused, with AWS's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertError {
    /// `MalformedCertificate`.
    Malformed(String),
    /// `KeyPairMismatch`.
    Mismatch,
}

/// What a valid upload tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The certificate's notAfter, Unix seconds.
    pub expires: i64,
}

/// Checks a body, its private key and chain.
pub fn check(body: &str, key: &str, chain: Option<&str>) -> Result<Checked, CertError> {
    let body_pem = one_pem(body, "CERTIFICATE").ok_or_else(malformed_body)?;
    let cert = parse(&body_pem).ok_or_else(malformed_body)?;
    let public = private_key_public(key)
        .ok_or_else(|| CertError::Malformed("Unable to parse private key.".to_owned()))?;
    if public != cert.public_key().subject_public_key.data.as_ref() {
        return Err(CertError::Mismatch);
    }
    if let Some(chain) = chain {
        check_chain(&cert, chain)?;
    }
    Ok(Checked {
        expires: cert.validity().not_after.timestamp(),
    })
}

fn malformed_body() -> CertError {
    CertError::Malformed(
        "Unable to parse certificate. Please ensure the certificate is in PEM format.".to_owned(),
    )
}

/// Each chain certificate must have issued the one before it.
fn check_chain(cert: &X509Certificate<'_>, chain: &str) -> Result<(), CertError> {
    let blocks: Vec<Pem> = Pem::iter_from_buffer(chain.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|_| chain_error(0))?;
    if blocks.is_empty() {
        return Err(chain_error(0));
    }
    let mut child = cert.clone();
    for (index, block) in blocks.iter().enumerate() {
        let issuer = parse(block).ok_or_else(|| chain_error(index))?;
        let linked = child.issuer() == issuer.subject()
            && child.verify_signature(Some(issuer.public_key())).is_ok();
        if !linked {
            return Err(chain_error(index));
        }
        child = issuer;
    }
    Ok(())
}

fn chain_error(index: usize) -> CertError {
    CertError::Malformed(format!(
        "Unable to validate certificate chain. The certificate chain must start with the \
         immediate signing certificate, followed by any intermediaries in order. The index \
         within the chain of the invalid certificate is: {index}"
    ))
}

fn one_pem(text: &str, label: &str) -> Option<Pem> {
    let (_, block) = x509_parser::pem::parse_x509_pem(text.trim().as_bytes()).ok()?;
    (block.label == label).then_some(block)
}

fn parse(block: &Pem) -> Option<X509Certificate<'_>> {
    let (_, cert) = X509Certificate::from_der(&block.contents).ok()?;
    Some(cert)
}

/// The public key (as a certificate's SubjectPublicKeyInfo holds it) of a PEM private key.
fn private_key_public(key: &str) -> Option<Vec<u8>> {
    let (_, block) = x509_parser::pem::parse_x509_pem(key.trim().as_bytes()).ok()?;
    let der = zeroize::Zeroizing::new(block.contents);
    match block.label.as_str() {
        "RSA PRIVATE KEY" => rsa_public(RsaKeyPair::from_der(&der).ok()?),
        "EC PRIVATE KEY" => ec_public(&der),
        "PRIVATE KEY" => match RsaKeyPair::from_pkcs8(&der) {
            Ok(pair) => rsa_public(pair),
            Err(_) => ec_public(&der),
        },
        _ => None,
    }
}

fn rsa_public(pair: RsaKeyPair) -> Option<Vec<u8>> {
    Some(pair.public_key().as_ref().to_vec())
}

fn ec_public(der: &[u8]) -> Option<Vec<u8>> {
    [
        &ECDSA_P256_SHA256_ASN1_SIGNING,
        &ECDSA_P384_SHA384_ASN1_SIGNING,
    ]
    .into_iter()
    .find_map(|alg| EcdsaKeyPair::from_private_key_der(alg, der).ok())
    .map(|pair| pair.public_key().as_ref().to_vec())
}

//! Signature checks with aws-lc-rs for what x509-parser's own verifier lacks (P-521): CSRs,
//! imported CA certificates and their chains, for RSA PKCS#1 v1.5, ECDSA over P-256, P-384
//! and P-521 with SHA-256/384/512, and ML-DSA-44/65/87.

use aws_lc_rs::signature::{self as sig, UnparsedPublicKey, VerificationAlgorithm};
use x509_parser::certificate::X509Certificate;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo};

/// A signature that does not verify, or an algorithm Rampart does not check.
#[derive(Debug)]
pub struct BadSignature;

/// Signed bytes with their signature and its algorithm.
pub struct Signed<'a> {
    pub message: &'a [u8],
    pub algorithm: &'a AlgorithmIdentifier<'a>,
    pub signature: &'a [u8],
}

impl Signed<'_> {
    /// `cert`'s TBS part and signature.
    pub fn of<'c>(cert: &'c X509Certificate<'c>) -> Signed<'c> {
        Signed {
            message: cert.tbs_certificate.as_ref(),
            algorithm: &cert.signature_algorithm,
            signature: &cert.signature_value.data,
        }
    }

    /// Verifies the signature with `signer`'s public key.
    pub fn verify(&self, signer: &SubjectPublicKeyInfo<'_>) -> Result<(), BadSignature> {
        let alg = algorithm(&self.algorithm.algorithm.to_id_string(), signer)?;
        UnparsedPublicKey::new(alg, &signer.subject_public_key.data)
            .verify(self.message, self.signature)
            .map_err(|_| BadSignature)
    }
}

/// The aws-lc-rs algorithm for signature algorithm `sig_oid` with `key`'s type and curve.
fn algorithm(
    sig_oid: &str,
    key: &SubjectPublicKeyInfo<'_>,
) -> Result<&'static dyn VerificationAlgorithm, BadSignature> {
    let key_oid = key.algorithm.algorithm.to_id_string();
    let curve = key
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.to_id_string());
    Ok(match (key_oid.as_str(), curve.as_deref(), sig_oid) {
        ("1.2.840.113549.1.1.1", _, "1.2.840.113549.1.1.11") => &sig::RSA_PKCS1_2048_8192_SHA256,
        ("1.2.840.113549.1.1.1", _, "1.2.840.113549.1.1.12") => &sig::RSA_PKCS1_2048_8192_SHA384,
        ("1.2.840.113549.1.1.1", _, "1.2.840.113549.1.1.13") => &sig::RSA_PKCS1_2048_8192_SHA512,
        (EC, Some(P256), ECDSA_SHA256) => &sig::ECDSA_P256_SHA256_ASN1,
        (EC, Some(P256), ECDSA_SHA384) => &sig::ECDSA_P256_SHA384_ASN1,
        (EC, Some(P256), ECDSA_SHA512) => &sig::ECDSA_P256_SHA512_ASN1,
        (EC, Some(P384), ECDSA_SHA256) => &sig::ECDSA_P384_SHA256_ASN1,
        (EC, Some(P384), ECDSA_SHA384) => &sig::ECDSA_P384_SHA384_ASN1,
        (EC, Some(P384), ECDSA_SHA512) => &sig::ECDSA_P384_SHA512_ASN1,
        (EC, Some(P521), ECDSA_SHA256) => &sig::ECDSA_P521_SHA256_ASN1,
        (EC, Some(P521), ECDSA_SHA384) => &sig::ECDSA_P521_SHA384_ASN1,
        (EC, Some(P521), ECDSA_SHA512) => &sig::ECDSA_P521_SHA512_ASN1,
        // ML-DSA: the key's and the signature's algorithm are the same OID (RFC 9881).
        (ML_DSA_44, None, ML_DSA_44) => &sig::ML_DSA_44,
        (ML_DSA_65, None, ML_DSA_65) => &sig::ML_DSA_65,
        (ML_DSA_87, None, ML_DSA_87) => &sig::ML_DSA_87,
        _ => return Err(BadSignature),
    })
}

const EC: &str = "1.2.840.10045.2.1";
const P256: &str = "1.2.840.10045.3.1.7";
const P384: &str = "1.3.132.0.34";
const P521: &str = "1.3.132.0.35";
const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";
const ECDSA_SHA512: &str = "1.2.840.10045.4.3.4";
const ML_DSA_44: &str = "2.16.840.1.101.3.4.3.17";
const ML_DSA_65: &str = "2.16.840.1.101.3.4.3.18";
const ML_DSA_87: &str = "2.16.840.1.101.3.4.3.19";

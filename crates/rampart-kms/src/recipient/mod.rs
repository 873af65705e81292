//! `Recipient` (Nitro Enclaves): Decrypt, GenerateDataKey, GenerateDataKeyPair, GenerateRandom
//! and DeriveSharedSecret answer `CiphertextForRecipient` (the secret enveloped to the public key
//! of an attestation document) instead of the plaintext. The document's COSE signature and its
//! certificate chain are verified against the trusted roots given by
//! `RAMPART_KMS_ATTESTATION_ROOT` (a PEM file; AWS trusts the AWS Nitro Enclaves root, which
//! Rampart does not ship). Without a configured root a Recipient request is refused.
//!
//! AWS does not document the error for an invalid attestation document: Rampart answers
//! ValidationException naming what failed.

mod chain;
mod cose;
mod envelope;

use crate::domain::KmsError;
use crate::generated::shapes::RecipientInfo;
pub use chain::Roots;
use rampart_core::rampart_policy::Context;
use std::collections::BTreeMap;

/// The environment variable naming the PEM file of trusted attestation roots.
pub const ROOT_ENV: &str = "RAMPART_KMS_ATTESTATION_ROOT";

/// A verified attestation document: where to envelope, and its measurements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attested {
    /// The recipient's public key (DER SubjectPublicKeyInfo).
    pub public_key: Vec<u8>,
    /// The PCRs, by index.
    pub pcrs: BTreeMap<u32, Vec<u8>>,
}

impl Attested {
    /// kms:RecipientAttestation:ImageSha384 (PCR0) and kms:RecipientAttestation:PCR<n>, as
    /// lowercase hex.
    pub fn set_condition_keys(&self, c: &mut Context) {
        for (index, value) in &self.pcrs {
            let hex: String = value.iter().map(|b| format!("{b:02x}")).collect();
            if *index == 0 {
                c.set("kms:RecipientAttestation:ImageSha384", hex.as_str());
            }
            c.set(
                &format!("kms:RecipientAttestation:PCR{index}"),
                hex.as_str(),
            );
        }
    }

    /// Envelopes `secret` to the attested key (CMS EnvelopedData).
    pub fn envelope(&self, secret: &[u8]) -> Result<Vec<u8>, KmsError> {
        envelope::envelope(&self.public_key, secret).map_err(invalid)
    }
}

/// The trusted roots from [`ROOT_ENV`], if set; an unreadable or invalid file is a start-up error.
pub fn roots_from_env() -> Result<Roots, String> {
    let Some(path) = std::env::var_os(ROOT_ENV).filter(|p| !p.is_empty()) else {
        return Ok(Roots::default());
    };
    let pem =
        std::fs::read(&path).map_err(|e| format!("{ROOT_ENV} {}: {e}", path.to_string_lossy()))?;
    Roots::from_pem(&pem).map_err(|e| format!("{ROOT_ENV} {}: {e}", path.to_string_lossy()))
}

/// Checks a request's `Recipient` against `roots` at `now_ms`: `None` when absent.
pub fn verify(
    roots: &Roots,
    recipient: Option<&RecipientInfo>,
    now_ms: i64,
) -> Result<Option<Attested>, KmsError> {
    let Some(recipient) = recipient else {
        return Ok(None);
    };
    let Some(doc) = recipient.attestation_document.as_ref() else {
        return Err(KmsError::Validation(
            "The Recipient parameter requires an AttestationDocument.".into(),
        ));
    };
    if roots.is_empty() {
        return Err(KmsError::Unsupported(format!(
            "Recipient is not available: no trusted attestation root is configured \
             ({ROOT_ENV})."
        )));
    }
    let sign1 = cose::parse_sign1(doc.as_bytes()).map_err(invalid)?;
    let document = cose::parse_document(&sign1.payload).map_err(invalid)?;
    let point = roots
        .verify(&document.cabundle, &document.certificate, now_ms / 1000)
        .map_err(invalid)?;
    sign1.verify(&point).map_err(invalid)?;
    let public_key = document
        .public_key
        .ok_or_else(|| invalid("it has no public_key".into()))?;
    Ok(Some(Attested {
        public_key,
        pcrs: document.pcrs,
    }))
}

fn invalid(reason: String) -> KmsError {
    KmsError::Validation(format!(
        "The attestation document in the Recipient parameter is not valid: {reason}."
    ))
}

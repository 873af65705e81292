//! The XML signature of a SAML response, checked with Bergshamra (XML-DSig with exclusive
//! C14N; RSA/ECDSA by aws-lc-rs) against the SAML provider's metadata signing certificates
//! only: keys or certificates the response carries in its `<KeyInfo>` are never trusted, and
//! a reference must sit where a SAML signature sits (Bergshamra's strict mode, a guard
//! against signature wrapping). The signature must cover the very assertion that is read:
//! the assertion itself, or the whole response holding it.

use bergshamra_dsig::{DsigContext, VerifyResult, verify};
use bergshamra_keys::{KeysManager, loader};
use uppsala::{Document, NodeId};

/// Why a signature is not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rejected {
    /// The response has no `<ds:Signature>` at all.
    Unsigned,
    /// No signature verifies with a provider key over the assertion (the reason is logged).
    Invalid(String),
    /// No provider certificate holds a usable key.
    NoKey,
}

/// Whether a signature by one of `certificates` (DER) covers `assertion` (or `response`, the
/// document element holding it). `source` is the text `doc` was parsed from.
pub(crate) fn check(
    doc: &Document<'_>,
    source: &str,
    response: NodeId,
    assertion: NodeId,
    certificates: &[Vec<u8>],
) -> Result<(), Rejected> {
    let context = context(certificates)?;
    let results = match verify::verify_all_document_with_source(&context, doc, Some(source)) {
        Ok(results) => results,
        Err(bergshamra_core::Error::MissingElement(_)) => return Err(Rejected::Unsigned),
        Err(err) => return Err(Rejected::Invalid(err.to_string())),
    };
    let covered = [doc.root(), response, assertion];
    let mut reasons = Vec::new();
    for result in results {
        match result {
            VerifyResult::Valid { references, .. } => {
                let covers = references.iter().all(|r| r.digest_verified)
                    && (references.iter())
                        .any(|r| r.resolved_node.is_some_and(|n| covered.contains(&n)));
                if covers {
                    return Ok(());
                }
                reasons.push("a valid signature does not cover the assertion".to_owned());
            }
            VerifyResult::Invalid { reason } => reasons.push(reason),
        }
    }
    Err(Rejected::Invalid(reasons.join("; ")))
}

/// Bergshamra's SAML-hardened context over the provider's keys: trusted keys only, strict
/// reference positions, every reference digest verified.
fn context(certificates: &[Vec<u8>]) -> Result<DsigContext, Rejected> {
    let mut keys = KeysManager::new();
    for der in certificates {
        match loader::load_x509_cert_der(der) {
            Ok(key) => keys.add_key(key),
            Err(err) => tracing::debug!(error = %err, "SAML provider certificate not usable"),
        }
    }
    if keys.is_empty() {
        return Err(Rejected::NoKey);
    }
    // SAML's `ID` is among the attributes Bergshamra registers as ids by default (adding it
    // again would count every id twice).
    let context = DsigContext::new(keys)
        .with_trusted_keys_only(true)
        .with_strict_verification(true)
        .with_require_reference_digests(true)
        // AWS does not hold SAML signing certificates to their validity dates.
        .with_skip_time_checks(true);
    Ok(context)
}

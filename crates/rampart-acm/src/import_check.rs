//! ImportCertificate's checks, as ACM makes them: one PEM certificate with an issuer, in
//! effect now, with a key ACM holds; an unencrypted private key (at most 5,120 bytes) that
//! matches it; a chain of PEM certificates starting with the certificate's issuer, each
//! signed by the next, all in effect. Re-import keeps the key type and size, at least one
//! domain name, and every key usage and extended key usage (but ECDSA keyEncipherment and
//! client authentication). Each refusal is a ValidationException with ACM's message.

use crate::facts::{self, facts_of};
use crate::generated::ServiceError;
use crate::generated::errors::validation_exception;
use crate::keys::{self, HeldKey};
use crate::record::CertFacts;
use x509_parser::certificate::X509Certificate;

/// The largest private key ACM imports, in bytes.
const MAX_KEY_BYTES: usize = 5120;

/// What an import brings once checked.
#[derive(Debug)]
pub struct Checked {
    pub facts: CertFacts,
    pub key: HeldKey,
    pub certificate_pem: String,
    pub chain_pem: Option<String>,
}

/// Checks certificate, key and chain at `now_ms`.
pub fn check(
    certificate: &[u8],
    private_key: &[u8],
    chain: Option<&[u8]>,
    now_ms: i64,
) -> Result<Checked, ServiceError> {
    let ders = facts::pem_certificates(certificate).map_err(|_| not_pem("certificate"))?;
    let [der] = ders.as_slice() else {
        // AWS's wording.
        return Err(validation_exception(
            "The certificate field contains more than one certificate. You can specify only one certificate in this field.",
        ));
    };
    let cert = facts::parse(der).map_err(|_| not_pem("certificate"))?;
    let facts = certificate_facts(&cert, now_ms)?;
    let key = read_key(private_key)?;
    check_key_matches(&cert, &key)?;
    let chain_pem = match chain {
        Some(chain) => Some(check_chain(&cert, chain, now_ms)?),
        None => None,
    };
    Ok(Checked {
        facts,
        key,
        certificate_pem: facts::to_pem(der),
        chain_pem,
    })
}

/// Input that is not PEM.
// Doubt: AWS's exact wording for unreadable input is not documented (searched: the ACM
// troubleshooting pages and the Knowledge Center import article, which quote other errors).
fn not_pem(what: &str) -> ServiceError {
    validation_exception(format!("The {what} is not PEM-encoded or is not valid."))
}

/// The certificate's facts, checking issuer, key and validity period.
fn certificate_facts(cert: &X509Certificate<'_>, now_ms: i64) -> Result<CertFacts, ServiceError> {
    if cert.issuer().iter_attributes().next().is_none() {
        // Doubt: wording inferred from ACM's documented rule (the Issuer must not be empty).
        return Err(validation_exception(
            "The certificate's Issuer field is empty.",
        ));
    }
    let facts = facts_of(cert).ok_or_else(|| {
        // Doubt: wording inferred; ACM imports RSA 1024-4096 and EC P-256/384/521 keys.
        validation_exception("The certificate's key algorithm is not supported.")
    })?;
    if facts.not_after_ms <= now_ms {
        // Doubt: wording inferred (the current time must lie inside the validity period).
        return Err(validation_exception(
            "The certificate has expired, is not valid.",
        ));
    }
    if facts.not_before_ms > now_ms {
        return Err(validation_exception(
            "The certificate is not in effect yet, is not valid.",
        ));
    }
    Ok(facts)
}

/// The private key, unencrypted and of a held kind.
fn read_key(pem: &[u8]) -> Result<HeldKey, ServiceError> {
    let text = String::from_utf8_lossy(pem);
    if pem.len() > MAX_KEY_BYTES {
        // Doubt: wording inferred from ACM's documented 5 KB limit.
        return Err(validation_exception(
            "The private key must be no larger than 5 KB (5,120 bytes).",
        ));
    }
    if text.contains("ENCRYPTED") {
        // Doubt: wording inferred; ACM refuses passphrase-protected keys.
        return Err(validation_exception(
            "The private key is encrypted. You must provide an unencrypted private key.",
        ));
    }
    // AWS's wording for a key it cannot use.
    keys::read_pem(pem).map_err(|_| validation_exception("The private key is not supported."))
}

/// The key's public half must be the certificate's.
fn check_key_matches(cert: &X509Certificate<'_>, key: &HeldKey) -> Result<(), ServiceError> {
    let certified = cert.public_key().subject_public_key.data.as_ref();
    if certified != key.public.as_slice() {
        // Doubt: AWS's exact wording for a mismatched key is not documented (searched: the
        // ACM import troubleshooting pages; GitHub issues found only emulators' wordings).
        return Err(validation_exception(
            "The private key does not match the public key in the certificate.",
        ));
    }
    Ok(())
}

/// The chain, in order from the certificate's issuer, each signed by the next; as PEM.
fn check_chain(
    cert: &X509Certificate<'_>,
    chain: &[u8],
    now_ms: i64,
) -> Result<String, ServiceError> {
    let ders = facts::pem_certificates(chain).map_err(|_| not_pem("certificate chain"))?;
    let mut subject_cert = cert.clone();
    let mut pem = String::new();
    for (index, der) in ders.iter().enumerate() {
        let issuer = facts::parse(der).map_err(|_| chain_error(index))?;
        let validity = issuer.validity();
        let in_effect = validity.not_before.timestamp() * 1000 <= now_ms
            && now_ms < validity.not_after.timestamp() * 1000;
        let signed = subject_cert.issuer() == issuer.subject()
            && subject_cert
                .verify_signature(Some(issuer.public_key()))
                .is_ok();
        if !signed || !in_effect {
            return Err(chain_error(index));
        }
        pem.push_str(&facts::to_pem(der));
        subject_cert = issuer;
    }
    Ok(pem)
}

/// AWS's refusal of a chain out of order (or one that does not verify) at `index`.
fn chain_error(index: usize) -> ServiceError {
    validation_exception(format!(
        "Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: {index}"
    ))
}

/// Re-import rules: same key type and size, at least one domain, no key usage or extended
/// key usage dropped (but ECDSA keyEncipherment and client authentication).
pub fn check_reimport(old: &CertFacts, new: &CertFacts) -> Result<(), ServiceError> {
    // Doubt: ACM documents these rules; its messages for them are inferred.
    if old.key_algorithm != new.key_algorithm {
        return Err(validation_exception(
            "The key type and size of a reimported certificate must match the original certificate.",
        ));
    }
    let ecdsa = new.key_algorithm.starts_with("EC_");
    let dropped_usage = old
        .key_usages
        .iter()
        .any(|usage| !(new.key_usages.contains(usage) || ecdsa && usage == "KEY_ENCIPHERMENT"));
    let dropped_eku = old.extended_key_usages.iter().any(|(name, oid)| {
        let kept = new.extended_key_usages.iter().any(|(_, o)| o == oid);
        !kept && name != "TLS_WEB_CLIENT_AUTHENTICATION"
    });
    if dropped_usage || dropped_eku {
        return Err(validation_exception(
            "A reimported certificate must keep the key usages and extended key usages of the original certificate.",
        ));
    }
    Ok(())
}

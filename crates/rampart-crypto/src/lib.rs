//! Rampart's key hierarchy: sealed root key → domain keys → per-resource backing keys, the KMS
//! symmetric ciphertext format, and the TLS certificate authority. Primitives from aws-lc-rs.
//!
//! Infallible-looking functions (`random::fill`, `RootKey::domain_key`, `DomainKey::wrap`,
//! `symmetric::encrypt`) can only fail when the process environment is broken (the system RNG
//! fails) or on an input that violates a documented precondition. Such failures abort the
//! process (see [`fatal`]) rather than continue with weak or missing key material; fallible
//! variants (`DomainKey::try_wrap`, `symmetric::try_encrypt`) are offered where a caller could
//! violate a precondition.

pub mod data_key_envelope;
mod envelope;
mod kdf;
pub mod material;
pub mod random;
pub mod root;
pub mod seal;
mod seal_record;
mod shamir;
mod share_check;
pub mod symmetric;
pub mod tls;
pub mod unseal_limit;
pub mod unsealer;

/// Cryptographic failures. Messages never contain key material or plaintext.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// Ciphertext is malformed, truncated, tampered, or its AAD does not match.
    #[error("ciphertext could not be authenticated")]
    InvalidCiphertext,
    /// The unseal secret (key file, passphrase or shares) is wrong.
    #[error("unseal failed: {0}")]
    Unseal(String),
    /// Any other failure (I/O, RNG, certificate generation).
    #[error("{0}")]
    Other(String),
}

/// Ends the process after a failure that leaves no safe way to continue: the system RNG failed,
/// or a cryptographic invariant that holds for every valid input did not hold.
///
/// Continuing would mean using predictable or missing key material, so the process aborts (no
/// unwinding, no partial writes). `what` names the failed step and never contains secrets.
#[cold]
pub(crate) fn fatal(what: &str) -> ! {
    eprintln!("rampart-crypto: fatal: {what}; aborting");
    std::process::abort()
}

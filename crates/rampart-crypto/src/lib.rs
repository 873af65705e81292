//! Rampart's key hierarchy: sealed root key → domain keys → per-resource backing keys, the KMS
//! symmetric ciphertext format, and the TLS certificate authority. Primitives from aws-lc-rs.
//!
//! INTERFACE CONTRACT (being implemented): the public signatures are fixed.

pub mod random;
pub mod root;
pub mod seal;
pub mod symmetric;
pub mod tls;

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

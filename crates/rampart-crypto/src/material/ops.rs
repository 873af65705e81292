//! Parsed key material (`Loaded`): one variant per key family, each parsed once from its stored
//! form, and the dispatch of every operation to its family module. Helpers the families share
//! (error constructors, the RAW/DIGEST message digest, SubjectPublicKeyInfo export) live here.

use super::MaterialError;
use super::ecc::EccKey;
use super::edwards::EdKey;
use super::hmac::HmacKey;
use super::mldsa::MlDsaKey;
use super::mlkem::MlKemKey;
use super::rsa::RsaKey;
use super::spec::{EncryptionAlgorithm, MacAlgorithm, MessageType, SigningAlgorithm, Spec};
use crate::symmetric::BackingKey;
use aws_lc_rs::digest::{self, Digest};
use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use zeroize::Zeroizing;

/// Material parsed into the form its operations use.
pub(super) enum Loaded {
    /// SYMMETRIC_DEFAULT: the backing key of the KMS blob format.
    Symmetric(BackingKey),
    /// RSA_2048/3072/4096.
    Rsa(Box<RsaKey>),
    /// ECC_NIST_P256/P384/P521 and ECC_SECG_P256K1 (ECDSA; ECDH on the NIST curves).
    Ecc(Box<EccKey>),
    /// ECC_NIST_EDWARDS25519.
    Ed25519(Box<EdKey>),
    /// HMAC_224/256/384/512.
    Hmac(Box<HmacKey>),
    /// ML_DSA_44/65/87.
    MlDsa(Box<MlDsaKey>),
    /// ML_KEM_512/768/1024.
    MlKem(Box<MlKemKey>),
}

impl Loaded {
    pub(super) fn generate(spec: Spec) -> Result<Loaded, MaterialError> {
        Ok(match spec {
            Spec::Symmetric => Loaded::Symmetric(BackingKey::generate()),
            Spec::Rsa2048 | Spec::Rsa3072 | Spec::Rsa4096 => {
                Loaded::Rsa(Box::new(RsaKey::generate(spec)?))
            }
            Spec::EccP256 | Spec::EccP384 | Spec::EccP521 | Spec::EccSecp256k1 => {
                Loaded::Ecc(Box::new(EccKey::generate(spec)?))
            }
            Spec::Ed25519 => Loaded::Ed25519(Box::new(EdKey::generate()?)),
            Spec::Hmac224 | Spec::Hmac256 | Spec::Hmac384 | Spec::Hmac512 => {
                Loaded::Hmac(Box::new(HmacKey::generate(spec)?))
            }
            Spec::MlDsa44 | Spec::MlDsa65 | Spec::MlDsa87 => {
                Loaded::MlDsa(Box::new(MlDsaKey::generate(spec)?))
            }
            Spec::MlKem512 | Spec::MlKem768 | Spec::MlKem1024 => {
                Loaded::MlKem(Box::new(MlKemKey::generate(spec)?))
            }
            Spec::Sm2 => return Err(unsupported(spec)),
        })
    }

    pub(super) fn from_bytes(spec: Spec, bytes: &[u8]) -> Result<Loaded, MaterialError> {
        Ok(match spec {
            Spec::Symmetric => BackingKey::from_bytes(bytes)
                .map(Loaded::Symmetric)
                .map_err(|_| invalid("expected 32 bytes"))?,
            Spec::Rsa2048 | Spec::Rsa3072 | Spec::Rsa4096 => {
                Loaded::Rsa(Box::new(RsaKey::from_bytes(spec, bytes)?))
            }
            Spec::EccP256 | Spec::EccP384 | Spec::EccP521 | Spec::EccSecp256k1 => {
                Loaded::Ecc(Box::new(EccKey::from_bytes(spec, bytes)?))
            }
            Spec::Ed25519 => Loaded::Ed25519(Box::new(EdKey::from_bytes(bytes)?)),
            Spec::Hmac224 | Spec::Hmac256 | Spec::Hmac384 | Spec::Hmac512 => {
                Loaded::Hmac(Box::new(HmacKey::from_bytes(spec, bytes)?))
            }
            Spec::MlDsa44 | Spec::MlDsa65 | Spec::MlDsa87 => {
                Loaded::MlDsa(Box::new(MlDsaKey::from_bytes(spec, bytes)?))
            }
            Spec::MlKem512 | Spec::MlKem768 | Spec::MlKem1024 => {
                Loaded::MlKem(Box::new(MlKemKey::from_bytes(spec, bytes)?))
            }
            Spec::Sm2 => return Err(unsupported(spec)),
        })
    }

    pub(super) fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        match self {
            Loaded::Symmetric(key) => Zeroizing::new(key.as_bytes().to_vec()),
            Loaded::Rsa(key) => key.to_bytes(),
            Loaded::Ecc(key) => key.to_bytes(),
            Loaded::Ed25519(key) => key.to_bytes(),
            Loaded::Hmac(key) => key.to_bytes(),
            Loaded::MlDsa(key) => key.to_bytes(),
            Loaded::MlKem(key) => key.to_bytes(),
        }
    }

    pub(super) fn symmetric(&self) -> Option<&BackingKey> {
        match self {
            Loaded::Symmetric(key) => Some(key),
            _ => None,
        }
    }

    pub(super) fn public_key_der(&self) -> Result<Vec<u8>, MaterialError> {
        match self {
            Loaded::Rsa(key) => Ok(key.public_key_der()),
            Loaded::Ecc(key) => Ok(key.public_key_der()),
            Loaded::Ed25519(key) => Ok(key.public_key_der()),
            Loaded::MlDsa(key) => Ok(key.public_key_der()),
            Loaded::MlKem(key) => Ok(key.public_key_der()),
            Loaded::Symmetric(_) | Loaded::Hmac(_) => {
                Err(MaterialError::Unsupported("no public key".into()))
            }
        }
    }

    pub(super) fn sign(
        &self,
        spec: Spec,
        algorithm: SigningAlgorithm,
        message_type: MessageType,
        message: &[u8],
    ) -> Result<Vec<u8>, MaterialError> {
        match self {
            Loaded::Rsa(key) => key.sign(spec, algorithm, message_type, message),
            Loaded::Ecc(key) => key.sign(spec, algorithm, message_type, message),
            Loaded::Ed25519(key) => key.sign(spec, algorithm, message_type, message),
            Loaded::MlDsa(key) => key.sign(spec, algorithm, message_type, message),
            _ => Err(wrong(algorithm.as_aws(), spec)),
        }
    }

    pub(super) fn verify(
        &self,
        spec: Spec,
        algorithm: SigningAlgorithm,
        message_type: MessageType,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, MaterialError> {
        match self {
            Loaded::Rsa(key) => key.verify(spec, algorithm, message_type, message, signature),
            Loaded::Ecc(key) => key.verify(spec, algorithm, message_type, message, signature),
            Loaded::Ed25519(key) => key.verify(spec, algorithm, message_type, message, signature),
            Loaded::MlDsa(key) => key.verify(spec, algorithm, message_type, message, signature),
            _ => Err(wrong(algorithm.as_aws(), spec)),
        }
    }

    pub(super) fn encrypt(
        &self,
        spec: Spec,
        algorithm: EncryptionAlgorithm,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, MaterialError> {
        match self {
            Loaded::Rsa(key) => key.encrypt(spec, algorithm, plaintext),
            _ => Err(wrong(algorithm.as_aws(), spec)),
        }
    }

    pub(super) fn decrypt(
        &self,
        spec: Spec,
        algorithm: EncryptionAlgorithm,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
        match self {
            Loaded::Rsa(key) => key.decrypt(spec, algorithm, ciphertext),
            _ => Err(wrong(algorithm.as_aws(), spec)),
        }
    }

    pub(super) fn mac(
        &self,
        spec: Spec,
        algorithm: MacAlgorithm,
        message: &[u8],
    ) -> Result<Vec<u8>, MaterialError> {
        match self {
            Loaded::Hmac(key) => key.mac(spec, algorithm, message),
            _ => Err(wrong(algorithm.as_aws(), spec)),
        }
    }

    pub(super) fn verify_mac(
        &self,
        spec: Spec,
        algorithm: MacAlgorithm,
        message: &[u8],
        tag: &[u8],
    ) -> Result<bool, MaterialError> {
        match self {
            Loaded::Hmac(key) => key.verify_mac(spec, algorithm, message, tag),
            _ => Err(wrong(algorithm.as_aws(), spec)),
        }
    }

    pub(super) fn derive_shared_secret(
        &self,
        spec: Spec,
        peer_public_der: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
        match self {
            Loaded::Ecc(key) => key.derive_shared_secret(spec, peer_public_der),
            _ => Err(wrong("ECDH", spec)),
        }
    }

    pub(super) fn decapsulate(
        &self,
        spec: Spec,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
        match self {
            Loaded::MlKem(key) => key.decapsulate(ciphertext),
            _ => Err(unsupported(spec)),
        }
    }

    pub(super) fn encapsulate(
        &self,
        spec: Spec,
    ) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), MaterialError> {
        match self {
            Loaded::MlKem(key) => key.encapsulate(),
            _ => Err(unsupported(spec)),
        }
    }
}

/// `Unsupported` for a whole key spec.
pub(super) fn unsupported(spec: Spec) -> MaterialError {
    MaterialError::Unsupported(format!("key spec {}", spec.as_aws()))
}

/// `WrongAlgorithm`: `algorithm` does not belong to `spec`.
pub(super) fn wrong(algorithm: &'static str, spec: Spec) -> MaterialError {
    MaterialError::WrongAlgorithm {
        algorithm,
        spec: spec.as_aws(),
    }
}

/// `InvalidMaterial` with a short reason (never the bytes).
pub(super) fn invalid(reason: impl Into<String>) -> MaterialError {
    MaterialError::InvalidMaterial(reason.into())
}

/// The digest a hash-then-sign algorithm signs: RAW → `hash(message)`; DIGEST → `message` itself,
/// which must be exactly the hash's output length (it is not hashed again).
pub(super) fn message_digest(
    algorithm: SigningAlgorithm,
    hash: &'static digest::Algorithm,
    message_type: MessageType,
    message: &[u8],
) -> Result<Digest, MaterialError> {
    match message_type {
        MessageType::Raw => Ok(digest::digest(hash, message)),
        MessageType::Digest => Digest::import_less_safe(message, hash)
            .map_err(|_| MaterialError::DigestLength(algorithm.as_aws())),
        MessageType::ExternalMu => Err(MaterialError::InvalidMessage(format!(
            "MessageType EXTERNAL_MU is not valid for signing algorithm {}",
            algorithm.as_aws()
        ))),
    }
}

/// The DER SubjectPublicKeyInfo of a public key.
pub(super) fn spki_of(
    key: &impl AsDer<PublicKeyX509Der<'static>>,
) -> Result<Vec<u8>, MaterialError> {
    key.as_der()
        .map(|der| der.as_ref().to_vec())
        .map_err(|_| invalid("public key could not be encoded"))
}

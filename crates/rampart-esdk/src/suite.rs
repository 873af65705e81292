//! The algorithm suites of the AWS Encryption SDK: ids, key sizes, key derivation, signing and
//! key commitment, as the specification's tables give them.

use crate::error::{Error, Result};
use aws_lc_rs::{aead, digest, hkdf, signature};

/// How a suite derives its encryption key from the data key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kdf {
    /// The data key is the encryption key.
    Identity,
    /// HKDF with SHA-256.
    Sha256,
    /// HKDF with SHA-384.
    Sha384,
    /// HKDF with SHA-512 (the committing suites).
    Sha512,
}

/// The ECDSA signature a suite appends to every message, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// ECDSA over P-256 with SHA-256.
    P256,
    /// ECDSA over P-384 with SHA-384.
    P384,
}

impl Signing {
    /// The signing algorithm (ASN.1 DER signatures, as the footer holds them).
    pub fn signing_algorithm(self) -> &'static signature::EcdsaSigningAlgorithm {
        match self {
            Signing::P256 => &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            Signing::P384 => &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
        }
    }

    /// The verification algorithm.
    pub fn verification_algorithm(self) -> &'static signature::EcdsaVerificationAlgorithm {
        match self {
            Signing::P256 => &signature::ECDSA_P256_SHA256_ASN1,
            Signing::P384 => &signature::ECDSA_P384_SHA384_ASN1,
        }
    }

    /// The digest the signature is computed over.
    pub fn digest(self) -> &'static digest::Algorithm {
        match self {
            Signing::P256 => &digest::SHA256,
            Signing::P384 => &digest::SHA384,
        }
    }

    /// The DER signature length the other SDKs always emit (they re-sign until the signature
    /// has it), so messages keep a predictable size.
    pub fn static_signature_len(self) -> usize {
        match self {
            Signing::P256 => 71,
            Signing::P384 => 103,
        }
    }
}

/// One algorithm suite of the AWS Encryption SDK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlgorithmSuite {
    /// AES-128-GCM, no key derivation (message format 1).
    Aes128GcmIv12Tag16NoKdf,
    /// AES-192-GCM, no key derivation.
    Aes192GcmIv12Tag16NoKdf,
    /// AES-256-GCM, no key derivation.
    Aes256GcmIv12Tag16NoKdf,
    /// AES-128-GCM, HKDF-SHA256.
    Aes128GcmIv12Tag16HkdfSha256,
    /// AES-192-GCM, HKDF-SHA256.
    Aes192GcmIv12Tag16HkdfSha256,
    /// AES-256-GCM, HKDF-SHA256.
    Aes256GcmIv12Tag16HkdfSha256,
    /// AES-128-GCM, HKDF-SHA256, ECDSA P-256.
    Aes128GcmIv12Tag16HkdfSha256EcdsaP256,
    /// AES-192-GCM, HKDF-SHA384, ECDSA P-384.
    Aes192GcmIv12Tag16HkdfSha384EcdsaP384,
    /// AES-256-GCM, HKDF-SHA384, ECDSA P-384.
    Aes256GcmIv12Tag16HkdfSha384EcdsaP384,
    /// AES-256-GCM, HKDF-SHA512 with key commitment (message format 2).
    Aes256GcmHkdfSha512CommitKey,
    /// AES-256-GCM, HKDF-SHA512 with key commitment, ECDSA P-384: the default.
    Aes256GcmHkdfSha512CommitKeyEcdsaP384,
}

impl AlgorithmSuite {
    /// Every suite, in id order.
    pub const ALL: [AlgorithmSuite; 11] = [
        Self::Aes128GcmIv12Tag16NoKdf,
        Self::Aes192GcmIv12Tag16NoKdf,
        Self::Aes256GcmIv12Tag16NoKdf,
        Self::Aes128GcmIv12Tag16HkdfSha256,
        Self::Aes192GcmIv12Tag16HkdfSha256,
        Self::Aes256GcmIv12Tag16HkdfSha256,
        Self::Aes128GcmIv12Tag16HkdfSha256EcdsaP256,
        Self::Aes192GcmIv12Tag16HkdfSha384EcdsaP384,
        Self::Aes256GcmIv12Tag16HkdfSha384EcdsaP384,
        Self::Aes256GcmHkdfSha512CommitKey,
        Self::Aes256GcmHkdfSha512CommitKeyEcdsaP384,
    ];

    /// The default suite: committing and signed.
    pub const DEFAULT: AlgorithmSuite = Self::Aes256GcmHkdfSha512CommitKeyEcdsaP384;

    /// The two-byte id written in the header.
    pub fn id(self) -> u16 {
        match self {
            Self::Aes128GcmIv12Tag16NoKdf => 0x0014,
            Self::Aes192GcmIv12Tag16NoKdf => 0x0046,
            Self::Aes256GcmIv12Tag16NoKdf => 0x0078,
            Self::Aes128GcmIv12Tag16HkdfSha256 => 0x0114,
            Self::Aes192GcmIv12Tag16HkdfSha256 => 0x0146,
            Self::Aes256GcmIv12Tag16HkdfSha256 => 0x0178,
            Self::Aes128GcmIv12Tag16HkdfSha256EcdsaP256 => 0x0214,
            Self::Aes192GcmIv12Tag16HkdfSha384EcdsaP384 => 0x0346,
            Self::Aes256GcmIv12Tag16HkdfSha384EcdsaP384 => 0x0378,
            Self::Aes256GcmHkdfSha512CommitKey => 0x0478,
            Self::Aes256GcmHkdfSha512CommitKeyEcdsaP384 => 0x0578,
        }
    }

    /// The suite with header id `id`.
    pub fn from_id(id: u16) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|suite| suite.id() == id)
            .ok_or(Error::UnsupportedSuite(id))
    }

    /// The suite named as the SDKs and the CLI name it, e.g.
    /// `AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|suite| suite.name() == name)
    }

    /// The suite's name in the SDKs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Aes128GcmIv12Tag16NoKdf => "AES_128_GCM_IV12_TAG16",
            Self::Aes192GcmIv12Tag16NoKdf => "AES_192_GCM_IV12_TAG16",
            Self::Aes256GcmIv12Tag16NoKdf => "AES_256_GCM_IV12_TAG16",
            Self::Aes128GcmIv12Tag16HkdfSha256 => "AES_128_GCM_IV12_TAG16_HKDF_SHA256",
            Self::Aes192GcmIv12Tag16HkdfSha256 => "AES_192_GCM_IV12_TAG16_HKDF_SHA256",
            Self::Aes256GcmIv12Tag16HkdfSha256 => "AES_256_GCM_IV12_TAG16_HKDF_SHA256",
            Self::Aes128GcmIv12Tag16HkdfSha256EcdsaP256 => {
                "AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256"
            }
            Self::Aes192GcmIv12Tag16HkdfSha384EcdsaP384 => {
                "AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384"
            }
            Self::Aes256GcmIv12Tag16HkdfSha384EcdsaP384 => {
                "AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384"
            }
            Self::Aes256GcmHkdfSha512CommitKey => "AES_256_GCM_HKDF_SHA512_COMMIT_KEY",
            Self::Aes256GcmHkdfSha512CommitKeyEcdsaP384 => {
                "AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384"
            }
        }
    }

    /// The message format version the suite writes: 2 for the committing suites, else 1.
    pub fn message_version(self) -> u8 {
        if self.is_committing() { 2 } else { 1 }
    }

    /// True for the suites with key commitment.
    pub fn is_committing(self) -> bool {
        matches!(
            self,
            Self::Aes256GcmHkdfSha512CommitKey | Self::Aes256GcmHkdfSha512CommitKeyEcdsaP384
        )
    }

    /// The data key (and encryption key) length in bytes.
    pub fn key_len(self) -> usize {
        match self.id() & 0x00ff {
            0x14 => 16,
            0x46 => 24,
            _ => 32,
        }
    }

    /// The AES-GCM algorithm of the suite's key length.
    pub fn aead(self) -> &'static aead::Algorithm {
        match self.key_len() {
            16 => &aead::AES_128_GCM,
            24 => &aead::AES_192_GCM,
            _ => &aead::AES_256_GCM,
        }
    }

    /// The key derivation.
    pub fn kdf(self) -> Kdf {
        match self.id() >> 8 {
            0x00 => Kdf::Identity,
            0x01 | 0x02 => Kdf::Sha256,
            0x03 => Kdf::Sha384,
            _ => Kdf::Sha512,
        }
    }

    /// The HKDF algorithm, for suites that derive.
    pub fn hkdf(self) -> Option<hkdf::Algorithm> {
        match self.kdf() {
            Kdf::Identity => None,
            Kdf::Sha256 => Some(hkdf::HKDF_SHA256),
            Kdf::Sha384 => Some(hkdf::HKDF_SHA384),
            Kdf::Sha512 => Some(hkdf::HKDF_SHA512),
        }
    }

    /// The signature algorithm, for signed suites.
    pub fn signing(self) -> Option<Signing> {
        match self {
            Self::Aes128GcmIv12Tag16HkdfSha256EcdsaP256 => Some(Signing::P256),
            Self::Aes192GcmIv12Tag16HkdfSha384EcdsaP384
            | Self::Aes256GcmIv12Tag16HkdfSha384EcdsaP384
            | Self::Aes256GcmHkdfSha512CommitKeyEcdsaP384 => Some(Signing::P384),
            _ => None,
        }
    }

    /// The length of the header's algorithm suite data (the commit key), in bytes.
    pub fn suite_data_len(self) -> usize {
        if self.is_committing() { 32 } else { 0 }
    }

    /// The length of the message id: 32 bytes in format 2, 16 in format 1.
    pub fn message_id_len(self) -> usize {
        if self.message_version() == 2 { 32 } else { 16 }
    }
}

/// IV length of every suite.
pub const IV_LEN: usize = 12;
/// Authentication tag length of every suite.
pub const TAG_LEN: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_properties_follow_the_tables() {
        for suite in AlgorithmSuite::ALL {
            assert_eq!(AlgorithmSuite::from_id(suite.id()).ok(), Some(suite));
            assert_eq!(AlgorithmSuite::from_name(suite.name()), Some(suite));
        }
        let default = AlgorithmSuite::DEFAULT;
        assert_eq!(default.id(), 0x0578);
        assert_eq!(default.message_version(), 2);
        assert_eq!(default.signing(), Some(Signing::P384));
        assert_eq!(
            AlgorithmSuite::Aes192GcmIv12Tag16HkdfSha384EcdsaP384.key_len(),
            24
        );
        assert_eq!(AlgorithmSuite::Aes128GcmIv12Tag16NoKdf.kdf(), Kdf::Identity);
        assert!(AlgorithmSuite::from_id(0x0070).is_err());
    }
}

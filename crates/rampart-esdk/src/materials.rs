//! What keyrings and the materials manager hand each other: encrypted data keys, the
//! plaintext data key, the encryption context and the signing key, and the commitment policy.

use crate::context::EncryptionContext;
use crate::error::{Error, Result};
use crate::suite::AlgorithmSuite;
use zeroize::Zeroizing;

/// One encrypted copy of the data key, as the header carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedDataKey {
    /// Who can decrypt it, e.g. `aws-kms` or a raw keyring's namespace.
    pub provider_id: String,
    /// Provider-specific: the KMS key ARN, or a raw keyring's key name and IV.
    pub provider_info: Vec<u8>,
    /// The encrypted data key.
    pub ciphertext: Vec<u8>,
}

/// Which algorithm suites may be written and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommitmentPolicy {
    /// Encrypt and decrypt only with committing suites (the default).
    #[default]
    RequireEncryptRequireDecrypt,
    /// Encrypt with committing suites; decrypt any.
    RequireEncryptAllowDecrypt,
    /// Encrypt with non-committing suites only (legacy); decrypt any.
    ForbidEncryptAllowDecrypt,
}

impl CommitmentPolicy {
    /// The policy's name in the SDKs.
    pub fn name(self) -> &'static str {
        match self {
            Self::RequireEncryptRequireDecrypt => "REQUIRE_ENCRYPT_REQUIRE_DECRYPT",
            Self::RequireEncryptAllowDecrypt => "REQUIRE_ENCRYPT_ALLOW_DECRYPT",
            Self::ForbidEncryptAllowDecrypt => "FORBID_ENCRYPT_ALLOW_DECRYPT",
        }
    }

    /// The policy named `name` as the SDKs spell it.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::RequireEncryptRequireDecrypt,
            Self::RequireEncryptAllowDecrypt,
            Self::ForbidEncryptAllowDecrypt,
        ]
        .into_iter()
        .find(|p| p.name().eq_ignore_ascii_case(name))
    }

    /// The suite used when the caller names none.
    pub fn default_suite(self) -> AlgorithmSuite {
        match self {
            Self::ForbidEncryptAllowDecrypt => {
                AlgorithmSuite::Aes256GcmIv12Tag16HkdfSha384EcdsaP384
            }
            _ => AlgorithmSuite::DEFAULT,
        }
    }

    /// Fails unless `suite` may be used to encrypt.
    pub fn check_encrypt(self, suite: AlgorithmSuite) -> Result<()> {
        let allowed = match self {
            Self::ForbidEncryptAllowDecrypt => !suite.is_committing(),
            _ => suite.is_committing(),
        };
        self.allow(allowed, suite)
    }

    /// Fails unless a message in `suite` may be decrypted.
    pub fn check_decrypt(self, suite: AlgorithmSuite) -> Result<()> {
        let allowed = self != Self::RequireEncryptRequireDecrypt || suite.is_committing();
        self.allow(allowed, suite)
    }

    fn allow(self, allowed: bool, suite: AlgorithmSuite) -> Result<()> {
        if allowed {
            Ok(())
        } else {
            Err(Error::CommitmentPolicy {
                policy: self.name(),
                suite: suite.id(),
            })
        }
    }
}

/// The materials of one encryption, filled in by the materials manager and keyrings.
#[derive(Clone)]
pub struct EncryptionMaterials {
    /// The suite the message is written in.
    pub suite: AlgorithmSuite,
    /// The context written in the header (with the public key for signed suites).
    pub context: EncryptionContext,
    /// The plaintext data key, once a keyring generated it.
    pub data_key: Option<Zeroizing<Vec<u8>>>,
    /// Its encrypted copies.
    pub encrypted_data_keys: Vec<EncryptedDataKey>,
    /// The PKCS#8 signing key of signed suites.
    pub signing_key: Option<Zeroizing<Vec<u8>>>,
}

/// The materials of one decryption.
#[derive(Clone)]
pub struct DecryptionMaterials {
    /// The message's suite.
    pub suite: AlgorithmSuite,
    /// The message's encryption context.
    pub context: EncryptionContext,
    /// The plaintext data key, once a keyring decrypted one.
    pub data_key: Option<Zeroizing<Vec<u8>>>,
    /// The verification key (compressed point) of signed suites.
    pub verification_key: Option<Vec<u8>>,
}

/// Generates, encrypts and decrypts data keys.
pub trait Keyring: Send + Sync {
    /// Adds a data key (when none yet) and its encrypted copy for this keyring's key(s).
    fn on_encrypt(&self, materials: &mut EncryptionMaterials) -> Result<()>;
    /// Sets the data key from the first encrypted data key this keyring can decrypt; leaves
    /// the materials unchanged when it can decrypt none, and fails only on a hard error (for
    /// example a KMS call that was refused).
    fn on_decrypt(
        &self,
        materials: &mut DecryptionMaterials,
        encrypted: &[EncryptedDataKey],
    ) -> Result<()>;
}

/// Checks that a keyring gave a data key of the suite's length.
pub fn check_data_key(suite: AlgorithmSuite, key: &[u8]) -> Result<()> {
    if key.len() == suite.key_len() {
        Ok(())
    } else {
        Err(Error::Keyring(format!(
            "data key of {} bytes for a suite that needs {}",
            key.len(),
            suite.key_len()
        )))
    }
}

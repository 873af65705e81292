//! The default cryptographic materials manager: checks the context and the commitment policy,
//! adds the signing key of signed suites, and asks the keyring for the data key.

use crate::context::{self, EncryptionContext, PUBLIC_KEY};
use crate::error::{Error, Result};
use crate::materials::{
    CommitmentPolicy, DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring,
    check_data_key,
};
use crate::signer;
use crate::suite::AlgorithmSuite;

/// What an encryption asks its materials manager for.
#[derive(Debug, Clone)]
pub struct EncryptionRequest<'a> {
    /// The suite the caller chose, if any (the policy's default otherwise).
    pub suite: Option<AlgorithmSuite>,
    /// The caller's encryption context.
    pub context: &'a EncryptionContext,
    /// The commitment policy.
    pub policy: CommitmentPolicy,
    /// The most plaintext the message will hold, when known.
    pub max_plaintext_length: Option<u64>,
}

/// Gets the materials of encryptions and decryptions.
pub trait MaterialsManager: Send + Sync {
    /// Materials to encrypt one message.
    fn encryption_materials(&self, request: &EncryptionRequest<'_>) -> Result<EncryptionMaterials>;
    /// Materials to decrypt a message of `suite` whose header holds `context` and `encrypted`.
    fn decryption_materials(
        &self,
        suite: AlgorithmSuite,
        context: &EncryptionContext,
        encrypted: &[EncryptedDataKey],
        policy: CommitmentPolicy,
    ) -> Result<DecryptionMaterials>;
}

/// The default materials manager over one keyring.
pub struct DefaultCmm<K> {
    keyring: K,
}

impl<K: Keyring> DefaultCmm<K> {
    /// A manager over `keyring`.
    pub fn new(keyring: K) -> Self {
        Self { keyring }
    }
}

impl<K: Keyring> MaterialsManager for DefaultCmm<K> {
    fn encryption_materials(&self, request: &EncryptionRequest<'_>) -> Result<EncryptionMaterials> {
        let policy = request.policy;
        let suite = request.suite.unwrap_or(policy.default_suite());
        context::check_caller_context(request.context)?;
        policy.check_encrypt(suite)?;
        let mut context = request.context.clone();
        let mut signing_key = None;
        if let Some(signing) = suite.signing() {
            let (pkcs8, public) = signer::generate(signing)?;
            context.insert(PUBLIC_KEY.to_owned(), public);
            signing_key = Some(pkcs8);
        }
        let mut materials = EncryptionMaterials {
            suite,
            context,
            data_key: None,
            encrypted_data_keys: Vec::new(),
            signing_key,
        };
        self.keyring.on_encrypt(&mut materials)?;
        let key = materials
            .data_key
            .as_ref()
            .ok_or_else(|| Error::Keyring("the keyring generated no data key".into()))?;
        check_data_key(suite, key)?;
        if materials.encrypted_data_keys.is_empty() {
            return Err(Error::Keyring("the keyring encrypted no data key".into()));
        }
        Ok(materials)
    }

    fn decryption_materials(
        &self,
        suite: AlgorithmSuite,
        context: &EncryptionContext,
        encrypted: &[EncryptedDataKey],
        policy: CommitmentPolicy,
    ) -> Result<DecryptionMaterials> {
        policy.check_decrypt(suite)?;
        let public = context.get(PUBLIC_KEY);
        let verification_key = match (suite.signing(), public) {
            (Some(_), Some(key)) => Some(key.as_bytes().to_vec()),
            (Some(_), None) => {
                return Err(Error::Malformed("signed message without its public key"));
            }
            (None, Some(_)) => return Err(Error::Malformed("unsigned message with a public key")),
            (None, None) => None,
        };
        let mut materials = DecryptionMaterials {
            suite,
            context: context.clone(),
            data_key: None,
            verification_key,
        };
        self.keyring.on_decrypt(&mut materials, encrypted)?;
        let key = materials
            .data_key
            .as_ref()
            .ok_or_else(|| Error::NoDataKey(String::new()))?;
        check_data_key(suite, key)?;
        Ok(materials)
    }
}

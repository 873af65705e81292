//! The raw AES keyring: the data key wrapped with AES-GCM under a key the caller holds,
//! byte-compatible with the SDKs' raw AES keyrings (provider info: key name, tag bits, IV
//! length, IV; AAD: the serialized encryption context).

use super::ensure_data_key;
use crate::context;
use crate::error::{Error, Result};
use crate::materials::{DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring};
use crate::suite::{IV_LEN, TAG_LEN};
use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

/// A wrapping key with its namespace (the provider id) and name.
pub struct RawAesKeyring {
    namespace: String,
    name: String,
    key: LessSafeKey,
}

impl RawAesKeyring {
    /// A keyring over a 16-, 24- or 32-byte wrapping key. The namespace may not start with
    /// `aws-kms`.
    pub fn new(namespace: &str, name: &str, wrapping_key: &[u8]) -> Result<Self> {
        if namespace.starts_with("aws-kms") {
            return Err(Error::Usage(
                "a raw keyring's namespace may not start with aws-kms",
            ));
        }
        let algorithm = match wrapping_key.len() {
            16 => &aead::AES_128_GCM,
            24 => &aead::AES_192_GCM,
            32 => &aead::AES_256_GCM,
            _ => {
                return Err(Error::Usage(
                    "a raw AES wrapping key has 16, 24 or 32 bytes",
                ));
            }
        };
        let key = LessSafeKey::new(UnboundKey::new(algorithm, wrapping_key)?);
        Ok(Self {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            key,
        })
    }

    /// The provider info for an IV: name, tag length in bits, IV length, IV.
    fn provider_info(&self, iv: &[u8; IV_LEN]) -> Vec<u8> {
        let mut info = self.name.as_bytes().to_vec();
        info.extend_from_slice(&((TAG_LEN * 8) as u32).to_be_bytes());
        info.extend_from_slice(&(IV_LEN as u32).to_be_bytes());
        info.extend_from_slice(iv);
        info
    }

    /// The IV of an encrypted data key this keyring wrote, if it is one.
    fn own_iv(&self, edk: &EncryptedDataKey) -> Option<[u8; IV_LEN]> {
        if edk.provider_id != self.namespace {
            return None;
        }
        let rest = edk.provider_info.strip_prefix(self.name.as_bytes())?;
        let expected = self.provider_info(&[0u8; IV_LEN]);
        let fixed = &expected[self.name.len()..expected.len() - IV_LEN];
        let iv = rest.strip_prefix(fixed)?;
        iv.try_into().ok()
    }

    fn unwrap(
        &self,
        edk: &EncryptedDataKey,
        iv: [u8; IV_LEN],
        aad: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        let mut sealed = Zeroizing::new(edk.ciphertext.clone());
        let nonce = Nonce::assume_unique_for_key(iv);
        let len = self
            .key
            .open_in_place(nonce, Aad::from(aad), &mut sealed)
            .ok()?
            .len();
        sealed.truncate(len);
        Some(sealed)
    }
}

impl Keyring for RawAesKeyring {
    fn on_encrypt(&self, materials: &mut EncryptionMaterials) -> Result<()> {
        let data_key = ensure_data_key(materials)?;
        let aad = context::serialize(&materials.context)?;
        let mut iv = [0u8; IV_LEN];
        SystemRandom::new().fill(&mut iv)?;
        let mut ciphertext = data_key.to_vec();
        let tag = self.key.seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(iv),
            Aad::from(&aad),
            &mut ciphertext,
        )?;
        ciphertext.extend_from_slice(tag.as_ref());
        materials.encrypted_data_keys.push(EncryptedDataKey {
            provider_id: self.namespace.clone(),
            provider_info: self.provider_info(&iv),
            ciphertext,
        });
        Ok(())
    }

    fn on_decrypt(
        &self,
        materials: &mut DecryptionMaterials,
        encrypted: &[EncryptedDataKey],
    ) -> Result<()> {
        if materials.data_key.is_some() {
            return Ok(());
        }
        let aad = context::serialize(&materials.context)?;
        for edk in encrypted {
            let key = self.own_iv(edk).and_then(|iv| self.unwrap(edk, iv, &aad));
            if let Some(key) = key.filter(|k| k.len() == materials.suite.key_len()) {
                materials.data_key = Some(key);
                break;
            }
        }
        Ok(())
    }
}

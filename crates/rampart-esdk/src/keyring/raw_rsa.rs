//! The raw RSA keyring: the data key encrypted with an RSA public key (OAEP with SHA-1 to
//! SHA-512, or PKCS#1 v1.5), decrypted with the private key; provider info is the key name,
//! as in the SDKs' raw RSA keyrings.

use super::ensure_data_key;
use crate::error::{Error, Result};
use crate::materials::{DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring};
use aws_lc_rs::rsa::{
    self, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OAEP_SHA384_MGF1SHA384,
    OAEP_SHA512_MGF1SHA512, OaepAlgorithm, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    Pkcs1PrivateDecryptingKey, Pkcs1PublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
};
use zeroize::Zeroizing;

/// The RSA padding scheme of a raw RSA keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsaPadding {
    /// PKCS#1 v1.5 (legacy).
    Pkcs1,
    /// OAEP with SHA-1 and MGF1 SHA-1.
    OaepSha1,
    /// OAEP with SHA-256 and MGF1 SHA-256.
    OaepSha256,
    /// OAEP with SHA-384 and MGF1 SHA-384.
    OaepSha384,
    /// OAEP with SHA-512 and MGF1 SHA-512.
    OaepSha512,
}

impl RsaPadding {
    fn oaep(self) -> Option<&'static OaepAlgorithm> {
        match self {
            RsaPadding::Pkcs1 => None,
            RsaPadding::OaepSha1 => Some(&OAEP_SHA1_MGF1SHA1),
            RsaPadding::OaepSha256 => Some(&OAEP_SHA256_MGF1SHA256),
            RsaPadding::OaepSha384 => Some(&OAEP_SHA384_MGF1SHA384),
            RsaPadding::OaepSha512 => Some(&OAEP_SHA512_MGF1SHA512),
        }
    }
}

/// An RSA key pair (or only its public half, for encrypt-only use).
pub struct RawRsaKeyring {
    namespace: String,
    name: String,
    padding: RsaPadding,
    public: Option<PublicEncryptingKey>,
    private: Option<PrivateDecryptingKey>,
}

impl RawRsaKeyring {
    /// A keyring from a DER public key (SubjectPublicKeyInfo) and/or a PKCS#8 private key.
    pub fn new(
        namespace: &str,
        name: &str,
        padding: RsaPadding,
        public_der: Option<&[u8]>,
        private_pkcs8: Option<&[u8]>,
    ) -> Result<Self> {
        if namespace.starts_with("aws-kms") {
            return Err(Error::Usage(
                "a raw keyring's namespace may not start with aws-kms",
            ));
        }
        let bad = |_| Error::Usage("not a valid RSA key");
        let private = private_pkcs8
            .map(PrivateDecryptingKey::from_pkcs8)
            .transpose()
            .map_err(bad)?;
        let public = match public_der {
            Some(der) => Some(PublicEncryptingKey::from_der(der).map_err(bad)?),
            None => private.as_ref().map(PrivateDecryptingKey::public_key),
        };
        if public.is_none() && private.is_none() {
            return Err(Error::Usage(
                "a raw RSA keyring needs a public or a private key",
            ));
        }
        Ok(Self {
            namespace: namespace.into(),
            name: name.into(),
            padding,
            public,
            private,
        })
    }

    fn wrap(&self, public: &PublicEncryptingKey, data_key: &[u8]) -> Result<Vec<u8>> {
        let mut out = vec![0u8; public.key_size_bytes()];
        let len = match self.padding.oaep() {
            Some(algorithm) => {
                let key = OaepPublicEncryptingKey::new(public.clone())?;
                key.encrypt(algorithm, data_key, &mut out, None)?.len()
            }
            None => Pkcs1PublicEncryptingKey::new(public.clone())?
                .encrypt(data_key, &mut out)?
                .len(),
        };
        out.truncate(len);
        Ok(out)
    }

    fn unwrap(
        &self,
        private: &PrivateDecryptingKey,
        ciphertext: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        let mut out = Zeroizing::new(vec![0u8; private.key_size_bytes()]);
        let len = match self.padding.oaep() {
            Some(algorithm) => {
                let key = OaepPrivateDecryptingKey::new(private.clone()).ok()?;
                key.decrypt(algorithm, ciphertext, &mut out, None)
                    .ok()?
                    .len()
            }
            None => {
                let key = Pkcs1PrivateDecryptingKey::new(private.clone()).ok()?;
                key.decrypt(ciphertext, &mut out).ok()?.len()
            }
        };
        out.truncate(len);
        Some(out)
    }
}

impl Keyring for RawRsaKeyring {
    fn on_encrypt(&self, materials: &mut EncryptionMaterials) -> Result<()> {
        let public = self.public.as_ref().ok_or(Error::Usage(
            "this raw RSA keyring has no public key to encrypt with",
        ))?;
        let data_key = ensure_data_key(materials)?;
        let ciphertext = self.wrap(public, &data_key)?;
        materials.encrypted_data_keys.push(EncryptedDataKey {
            provider_id: self.namespace.clone(),
            provider_info: self.name.as_bytes().to_vec(),
            ciphertext,
        });
        Ok(())
    }

    fn on_decrypt(
        &self,
        materials: &mut DecryptionMaterials,
        encrypted: &[EncryptedDataKey],
    ) -> Result<()> {
        let Some(private) = self
            .private
            .as_ref()
            .filter(|_| materials.data_key.is_none())
        else {
            return Ok(());
        };
        let own = encrypted
            .iter()
            .filter(|e| e.provider_id == self.namespace && e.provider_info == self.name.as_bytes());
        for edk in own {
            let key = self.unwrap(private, &edk.ciphertext);
            if let Some(key) = key.filter(|k| k.len() == materials.suite.key_len()) {
                materials.data_key = Some(key);
                break;
            }
        }
        Ok(())
    }
}

/// A new RSA key pair of `bits` (2048, 3072 or 4096) as PKCS#8 DER, for tests and tools.
pub fn generate_pkcs8(bits: usize) -> Result<Zeroizing<Vec<u8>>> {
    use aws_lc_rs::encoding::AsDer;
    let size = match bits {
        2048 => rsa::KeySize::Rsa2048,
        3072 => rsa::KeySize::Rsa3072,
        4096 => rsa::KeySize::Rsa4096,
        _ => return Err(Error::Usage("RSA key sizes are 2048, 3072 or 4096 bits")),
    };
    let key = PrivateDecryptingKey::generate(size)?;
    let der = key.as_der()?;
    Ok(Zeroizing::new(der.as_ref().to_vec()))
}

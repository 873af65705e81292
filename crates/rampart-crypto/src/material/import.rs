//! GetParametersForImport's RSA wrapping keys and the unwrapping of imported key material in every
//! AWS wrapping algorithm: RSAES_PKCS1_V1_5, RSAES_OAEP_SHA_1/256, and RSA_AES_KEY_WRAP_SHA_1/256
//! (an ephemeral AES-256 key wrapped with RSA-OAEP, then the material with AES key wrap with
//! padding, RFC 5649). SM2 wrapping keys are unsupported.

use super::MaterialError;
use super::ops::{invalid, spki_of};
use super::rsa::oaep_decrypt;
use super::spec::{WrappingAlgorithm, WrappingKeySpec};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::key_wrap::{AES_256, AesKek, KeyWrapPadded};
use aws_lc_rs::rsa::{
    KeySize, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm, OaepPrivateDecryptingKey,
    Pkcs1PrivateDecryptingKey, PrivateDecryptingKey,
};
use std::fmt;
use zeroize::Zeroizing;

/// Length of the ephemeral AES key of RSA_AES_KEY_WRAP_* (AES-256).
const AES_KEY_LEN: usize = 32;

/// An RSA key pair used to wrap one import's key material. `Debug` is redacted.
pub struct WrappingKey {
    pkcs8: Zeroizing<Vec<u8>>,
    oaep: OaepPrivateDecryptingKey,
    pkcs1: Pkcs1PrivateDecryptingKey,
    spki: Vec<u8>,
}

impl WrappingKey {
    /// A fresh wrapping key of `spec`.
    pub fn generate(spec: WrappingKeySpec) -> Result<WrappingKey, MaterialError> {
        let size = match spec {
            WrappingKeySpec::Rsa2048 => KeySize::Rsa2048,
            WrappingKeySpec::Rsa3072 => KeySize::Rsa3072,
            WrappingKeySpec::Rsa4096 => KeySize::Rsa4096,
            WrappingKeySpec::Sm2 => {
                return Err(MaterialError::Unsupported(format!(
                    "wrapping key spec {}",
                    spec.as_aws()
                )));
            }
        };
        let Ok(key) = PrivateDecryptingKey::generate(size) else {
            crate::fatal("RSA wrapping key generation failed");
        };
        let der = key
            .as_der()
            .map_err(|_| invalid("wrapping key could not be encoded"))?;
        WrappingKey::from_bytes(der.as_ref())
    }

    /// A wrapping key from its stored PKCS#8 form (an RSA key of 2048, 3072 or 4096 bits).
    pub fn from_bytes(pkcs8: &[u8]) -> Result<WrappingKey, MaterialError> {
        let key = PrivateDecryptingKey::from_pkcs8(pkcs8)
            .map_err(|_| invalid("expected an RSA private key in PKCS#8 DER"))?;
        if !matches!(key.key_size_bits(), 2048 | 3072 | 4096) {
            return Err(invalid("expected a 2048, 3072 or 4096-bit RSA key"));
        }
        let spki = spki_of(&key.public_key())?;
        let unusable = |_| invalid("wrapping key is not usable");
        Ok(WrappingKey {
            pkcs8: Zeroizing::new(pkcs8.to_vec()),
            oaep: OaepPrivateDecryptingKey::new(key.clone()).map_err(unusable)?,
            pkcs1: Pkcs1PrivateDecryptingKey::new(key).map_err(unusable)?,
            spki,
        })
    }

    /// The stored PKCS#8 form (to be wrapped under the KMS domain key).
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.pkcs8.clone()
    }

    /// DER SubjectPublicKeyInfo (GetParametersForImport's PublicKey).
    pub fn public_key_der(&self) -> Result<Vec<u8>, MaterialError> {
        Ok(self.spki.clone())
    }

    /// Unwraps `encrypted` key material wrapped with `algorithm` under this key's public key.
    /// Any failure to unwrap is `InvalidCiphertext`.
    pub fn unwrap(
        &self,
        algorithm: WrappingAlgorithm,
        encrypted: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
        match algorithm {
            WrappingAlgorithm::RsaPkcs1V15 => self.pkcs1_decrypt(encrypted),
            WrappingAlgorithm::RsaOaepSha1 => {
                oaep_decrypt(&self.oaep, &OAEP_SHA1_MGF1SHA1, encrypted)
            }
            WrappingAlgorithm::RsaOaepSha256 => {
                oaep_decrypt(&self.oaep, &OAEP_SHA256_MGF1SHA256, encrypted)
            }
            WrappingAlgorithm::RsaAesKeyWrapSha1 => self.aes_unwrap(&OAEP_SHA1_MGF1SHA1, encrypted),
            WrappingAlgorithm::RsaAesKeyWrapSha256 => {
                self.aes_unwrap(&OAEP_SHA256_MGF1SHA256, encrypted)
            }
            WrappingAlgorithm::Sm2Pke => Err(MaterialError::Unsupported(algorithm.as_aws().into())),
        }
    }

    fn pkcs1_decrypt(&self, encrypted: &[u8]) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
        if encrypted.len() != self.pkcs1.key_size_bytes() {
            return Err(MaterialError::InvalidCiphertext);
        }
        let mut out = Zeroizing::new(vec![0u8; self.pkcs1.min_output_size()]);
        let len = self
            .pkcs1
            .decrypt(encrypted, &mut out)
            .map_err(|_| MaterialError::InvalidCiphertext)?
            .len();
        out.truncate(len);
        Ok(out)
    }

    /// RSA_AES_KEY_WRAP_*: the first modulus-length bytes are the RSA-OAEP-wrapped AES-256 key,
    /// the rest is the material under AES key wrap with padding (RFC 5649).
    fn aes_unwrap(
        &self,
        oaep: &'static OaepAlgorithm,
        encrypted: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
        let modulus = self.oaep.key_size_bytes();
        if encrypted.len() <= modulus {
            return Err(MaterialError::InvalidCiphertext);
        }
        let (wrapped_key, wrapped_material) = encrypted.split_at(modulus);
        let aes_key = oaep_decrypt(&self.oaep, oaep, wrapped_key)?;
        if aes_key.len() != AES_KEY_LEN {
            return Err(MaterialError::InvalidCiphertext);
        }
        let kek = AesKek::new(&AES_256, &aes_key).map_err(|_| MaterialError::InvalidCiphertext)?;
        let mut out = Zeroizing::new(vec![0u8; wrapped_material.len()]);
        let len = kek
            .unwrap_with_padding(wrapped_material, &mut out)
            .map_err(|_| MaterialError::InvalidCiphertext)?
            .len();
        out.truncate(len);
        Ok(out)
    }
}

impl fmt::Debug for WrappingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WrappingKey(<redacted>)")
    }
}

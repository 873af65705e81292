//! The message signature of signed suites: ECDSA over every byte of the header and body,
//! hashed as it streams by; the public key travels in the encryption context as a base64
//! compressed point.

use crate::error::{Error, Result};
use crate::suite::Signing;
use aws_lc_rs::digest;
use aws_lc_rs::encoding::{AsBigEndian, AsDer, EcPublicKeyCompressedBin};
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

/// Signs a message as it is written.
pub struct Signer {
    key: EcdsaKeyPair,
    signing: Signing,
    hash: digest::Context,
}

/// A new signing key: PKCS#8 private key and base64 compressed public key.
pub fn generate(signing: Signing) -> Result<(Zeroizing<Vec<u8>>, String)> {
    let key = EcdsaKeyPair::generate(signing.signing_algorithm())?;
    let pkcs8 = key.to_pkcs8v1()?;
    let public = public_key_text(&key)?;
    Ok((Zeroizing::new(pkcs8.as_ref().to_vec()), public))
}

fn public_key_text(key: &EcdsaKeyPair) -> Result<String> {
    let compressed: EcPublicKeyCompressedBin = key.public_key().as_be_bytes()?;
    Ok(STANDARD.encode(compressed.as_ref()))
}

impl Signer {
    /// A signer over the PKCS#8 key the materials carry.
    pub fn new(signing: Signing, pkcs8: &[u8]) -> Result<Self> {
        let key = EcdsaKeyPair::from_pkcs8(signing.signing_algorithm(), pkcs8)
            .map_err(|_| Error::Keyring("the signing key is not a valid PKCS#8 EC key".into()))?;
        Ok(Self {
            key,
            signing,
            hash: digest::Context::new(signing.digest()),
        })
    }

    /// Adds message bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.hash.update(bytes);
    }

    /// The DER signature, of the length the other SDKs emit (re-signed until it has it).
    pub fn finish(self) -> Result<Vec<u8>> {
        let digest = self.hash.finish();
        let want = self.signing.static_signature_len();
        for _ in 0..64 {
            let signature = self.key.sign_digest(&digest)?;
            if signature.as_ref().len() == want {
                return Ok(signature.as_ref().to_vec());
            }
        }
        Err(Error::Crypto)
    }

    /// The DER encoding of the public key (for tests and diagnostics).
    pub fn public_key_der(&self) -> Result<Vec<u8>> {
        Ok(self.key.public_key().as_der()?.as_ref().to_vec())
    }
}

/// Verifies a message's signature as it is read.
pub struct Verifier {
    public_key: Vec<u8>,
    signing: Signing,
    hash: digest::Context,
}

impl Verifier {
    /// A verifier for the base64 compressed public key of the message's context.
    pub fn new(signing: Signing, public_key_b64: &str) -> Result<Self> {
        let public_key = STANDARD.decode(public_key_b64).map_err(|_| {
            Error::Malformed("the public key in the encryption context is not base64")
        })?;
        Ok(Self {
            public_key,
            signing,
            hash: digest::Context::new(signing.digest()),
        })
    }

    /// Adds message bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.hash.update(bytes);
    }

    /// Checks `signature` over everything added.
    pub fn verify(self, signature: &[u8]) -> Result<()> {
        let digest = self.hash.finish();
        UnparsedPublicKey::new(self.signing.verification_algorithm(), &self.public_key)
            .verify_digest(&digest, signature)
            .map_err(|_| Error::Authentication("message signature"))
    }
}

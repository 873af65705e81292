//! ECC_NIST_EDWARDS25519 key material: pure Ed25519 (ED25519_SHA_512, RAW messages only).
//! ED25519_PH_SHA_512 (Ed25519ph, RFC 8032 §5.1) is answered `Unsupported`: aws-lc-rs 1.19 has
//! no Ed25519ph API. Stored as PKCS#8 DER (RFC 8410), parsed once when loaded.

use super::MaterialError;
use super::ops::{invalid, spki_of, wrong};
use super::spec::{MessageType, SigningAlgorithm, Spec};
use aws_lc_rs::signature::{self, Ed25519KeyPair, KeyPair as _, ParsedPublicKey};
use zeroize::Zeroizing;

/// A loaded Ed25519 key pair.
pub(crate) struct EdKey {
    pkcs8: Zeroizing<Vec<u8>>,
    pair: Ed25519KeyPair,
    verifier: ParsedPublicKey,
    spki: Vec<u8>,
}

impl EdKey {
    /// A fresh key pair.
    pub(crate) fn generate() -> Result<EdKey, MaterialError> {
        let Ok(pair) = Ed25519KeyPair::generate() else {
            crate::fatal("Ed25519 key generation failed");
        };
        let der = pair
            .to_pkcs8v1()
            .map_err(|_| invalid("Ed25519 key could not be encoded"))?;
        EdKey::from_bytes(der.as_ref())
    }

    /// A key pair from PKCS#8 DER (v1 or v2); rejects other key types.
    pub(crate) fn from_bytes(pkcs8: &[u8]) -> Result<EdKey, MaterialError> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8)
            .map_err(|_| invalid("expected an Ed25519 private key in PKCS#8 DER"))?;
        let spki = spki_of(pair.public_key())?;
        let verifier = ParsedPublicKey::new(&signature::ED25519, &spki)
            .map_err(|_| invalid("Ed25519 public key could not be parsed"))?;
        Ok(EdKey {
            pkcs8: Zeroizing::new(pkcs8.to_vec()),
            pair,
            verifier,
            spki,
        })
    }

    pub(crate) fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.pkcs8.clone()
    }

    pub(crate) fn public_key_der(&self) -> Vec<u8> {
        self.spki.clone()
    }

    pub(crate) fn sign(
        &self,
        spec: Spec,
        algorithm: SigningAlgorithm,
        message_type: MessageType,
        message: &[u8],
    ) -> Result<Vec<u8>, MaterialError> {
        check(spec, algorithm, message_type)?;
        let signature = self
            .pair
            .try_sign(message)
            .map_err(|_| MaterialError::InvalidMessage("signing failed".into()))?;
        Ok(signature.as_ref().to_vec())
    }

    pub(crate) fn verify(
        &self,
        spec: Spec,
        algorithm: SigningAlgorithm,
        message_type: MessageType,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, MaterialError> {
        check(spec, algorithm, message_type)?;
        Ok(self.verifier.verify_sig(message, signature).is_ok())
    }
}

/// ED25519_SHA_512 with RAW passes; ED25519_PH_SHA_512 is unsupported; anything else is wrong.
fn check(
    spec: Spec,
    algorithm: SigningAlgorithm,
    message_type: MessageType,
) -> Result<(), MaterialError> {
    match (algorithm, message_type) {
        (SigningAlgorithm::Ed25519Sha512, MessageType::Raw) => Ok(()),
        (SigningAlgorithm::Ed25519Sha512, other) => Err(MaterialError::InvalidMessage(format!(
            "signing algorithm ED25519_SHA_512 requires MessageType RAW, not {}",
            other.as_aws()
        ))),
        (SigningAlgorithm::Ed25519PhSha512, _) => Err(MaterialError::Unsupported(
            "signing algorithm ED25519_PH_SHA_512 (Ed25519ph)".into(),
        )),
        (other, _) => Err(wrong(other.as_aws(), spec)),
    }
}

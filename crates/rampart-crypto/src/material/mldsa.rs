//! ML_DSA_44/65/87 key material (FIPS 204, pure ML-DSA with an empty context: ML_DSA_SHAKE_256).
//! RAW messages only: MessageType EXTERNAL_MU (a caller-computed μ) is answered `Unsupported`
//! because aws-lc-rs 1.19 cannot sign or verify μ, and DIGEST is not valid for ML-DSA. Stored as
//! PKCS#8 DER (generated keys in the seed form aws-lc-rs writes; imports may use seed or expanded
//! form), parsed once when loaded.

use super::MaterialError;
use super::ops::{invalid, spki_of, wrong};
use super::spec::{MessageType, SigningAlgorithm, Spec};
use aws_lc_rs::signature::{
    self, KeyPair as _, ParsedPublicKey, PqdsaKeyPair, PqdsaSigningAlgorithm,
    PqdsaVerificationAlgorithm,
};
use zeroize::Zeroizing;

/// Length of an EXTERNAL_MU message (μ, FIPS 204 §6.2).
const MU_LEN: usize = 64;

/// A loaded ML-DSA key pair.
pub(crate) struct MlDsaKey {
    pkcs8: Zeroizing<Vec<u8>>,
    pair: PqdsaKeyPair,
    verifier: ParsedPublicKey,
    spki: Vec<u8>,
}

fn params_of(
    spec: Spec,
) -> Result<
    (
        &'static PqdsaSigningAlgorithm,
        &'static PqdsaVerificationAlgorithm,
    ),
    MaterialError,
> {
    match spec {
        Spec::MlDsa44 => Ok((&signature::ML_DSA_44_SIGNING, &signature::ML_DSA_44)),
        Spec::MlDsa65 => Ok((&signature::ML_DSA_65_SIGNING, &signature::ML_DSA_65)),
        Spec::MlDsa87 => Ok((&signature::ML_DSA_87_SIGNING, &signature::ML_DSA_87)),
        other => Err(invalid(format!(
            "{} is not an ML-DSA key spec",
            other.as_aws()
        ))),
    }
}

impl MlDsaKey {
    /// A fresh key pair, stored in PKCS#8 seed form.
    pub(crate) fn generate(spec: Spec) -> Result<MlDsaKey, MaterialError> {
        let (signing, _) = params_of(spec)?;
        let Ok(pair) = PqdsaKeyPair::generate(signing) else {
            crate::fatal("ML-DSA key generation failed");
        };
        let der = pair
            .to_pkcs8v1()
            .map_err(|_| invalid("ML-DSA key could not be encoded"))?;
        MlDsaKey::from_bytes(spec, der.as_ref())
    }

    /// A key pair from PKCS#8 DER; rejects other key types and other parameter sets.
    pub(crate) fn from_bytes(spec: Spec, pkcs8: &[u8]) -> Result<MlDsaKey, MaterialError> {
        let (signing, verification) = params_of(spec)?;
        let pair = PqdsaKeyPair::from_pkcs8(signing, pkcs8).map_err(|_| {
            invalid(format!(
                "expected a {} private key in PKCS#8 DER",
                spec.as_aws()
            ))
        })?;
        let spki = spki_of(pair.public_key())?;
        let verifier = ParsedPublicKey::new(verification, &spki)
            .map_err(|_| invalid("ML-DSA public key could not be parsed"))?;
        Ok(MlDsaKey {
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
        check(spec, algorithm, message_type, message)?;
        let mut signature = vec![0u8; self.pair.algorithm().signature_len()];
        let len = self
            .pair
            .sign(message, &mut signature)
            .map_err(|_| MaterialError::InvalidMessage("signing failed".into()))?;
        signature.truncate(len);
        Ok(signature)
    }

    pub(crate) fn verify(
        &self,
        spec: Spec,
        algorithm: SigningAlgorithm,
        message_type: MessageType,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, MaterialError> {
        check(spec, algorithm, message_type, message)?;
        Ok(self.verifier.verify_sig(message, signature).is_ok())
    }
}

/// ML_DSA_SHAKE_256 with RAW passes; EXTERNAL_MU is unsupported (after its 64-byte length check);
/// DIGEST is invalid; any other algorithm is wrong for the spec.
fn check(
    spec: Spec,
    algorithm: SigningAlgorithm,
    message_type: MessageType,
    message: &[u8],
) -> Result<(), MaterialError> {
    if algorithm != SigningAlgorithm::MlDsaShake256 {
        return Err(wrong(algorithm.as_aws(), spec));
    }
    match message_type {
        MessageType::Raw => Ok(()),
        MessageType::ExternalMu if message.len() != MU_LEN => Err(MaterialError::InvalidMessage(
            format!("an EXTERNAL_MU message must be {MU_LEN} bytes"),
        )),
        MessageType::ExternalMu => Err(MaterialError::Unsupported(
            "MessageType EXTERNAL_MU (ML-DSA external mu)".into(),
        )),
        MessageType::Digest => Err(MaterialError::InvalidMessage(
            "MessageType DIGEST is not valid for signing algorithm ML_DSA_SHAKE_256".into(),
        )),
    }
}

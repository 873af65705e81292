//! Elliptic-curve key material: ECC_NIST_P256/P384/P521 (ECDSA, and ECDH key agreement) and
//! ECC_SECG_P256K1 (ECDSA only). Signatures are ASN.1 DER, as AWS returns them; each curve signs
//! only with its own hash (P-256 and secp256k1: SHA-256, P-384: SHA-384, P-521: SHA-512). ECDH
//! returns the raw shared x-coordinate. Stored as PKCS#8 DER, parsed once when loaded.

use super::MaterialError;
use super::ops::{invalid, message_digest, spki_of, wrong};
use super::spec::{MessageType, SigningAlgorithm, Spec};
use aws_lc_rs::agreement::{self, ParsedPublicKeyFormat};
use aws_lc_rs::digest;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, EcdsaSigningAlgorithm, EcdsaVerificationAlgorithm, KeyPair as _,
    ParsedPublicKey,
};
use zeroize::Zeroizing;

/// A loaded elliptic-curve key pair.
pub(crate) struct EccKey {
    pkcs8: Zeroizing<Vec<u8>>,
    curve: &'static Curve,
    pair: EcdsaKeyPair,
    verifier: ParsedPublicKey,
    agreement: Option<agreement::PrivateKey>,
    spki: Vec<u8>,
}

/// What one curve signs and agrees with.
struct Curve {
    signing: &'static EcdsaSigningAlgorithm,
    verification: &'static EcdsaVerificationAlgorithm,
    algorithm: SigningAlgorithm,
    hash: &'static digest::Algorithm,
    agreement: Option<&'static agreement::Algorithm>,
}

static P256: Curve = Curve {
    signing: &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
    verification: &signature::ECDSA_P256_SHA256_ASN1,
    algorithm: SigningAlgorithm::EcdsaSha256,
    hash: &digest::SHA256,
    agreement: Some(&agreement::ECDH_P256),
};

static P384: Curve = Curve {
    signing: &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
    verification: &signature::ECDSA_P384_SHA384_ASN1,
    algorithm: SigningAlgorithm::EcdsaSha384,
    hash: &digest::SHA384,
    agreement: Some(&agreement::ECDH_P384),
};

static P521: Curve = Curve {
    signing: &signature::ECDSA_P521_SHA512_ASN1_SIGNING,
    verification: &signature::ECDSA_P521_SHA512_ASN1,
    algorithm: SigningAlgorithm::EcdsaSha512,
    hash: &digest::SHA512,
    agreement: Some(&agreement::ECDH_P521),
};

static SECP256K1: Curve = Curve {
    signing: &signature::ECDSA_P256K1_SHA256_ASN1_SIGNING,
    verification: &signature::ECDSA_P256K1_SHA256_ASN1,
    algorithm: SigningAlgorithm::EcdsaSha256,
    hash: &digest::SHA256,
    agreement: None,
};

fn curve_of(spec: Spec) -> Result<&'static Curve, MaterialError> {
    match spec {
        Spec::EccP256 => Ok(&P256),
        Spec::EccP384 => Ok(&P384),
        Spec::EccP521 => Ok(&P521),
        Spec::EccSecp256k1 => Ok(&SECP256K1),
        other => Err(invalid(format!(
            "{} is not an ECC key spec",
            other.as_aws()
        ))),
    }
}

impl EccKey {
    /// A fresh key pair on the curve of `spec`.
    pub(crate) fn generate(spec: Spec) -> Result<EccKey, MaterialError> {
        let curve = curve_of(spec)?;
        let Ok(pair) = EcdsaKeyPair::generate(curve.signing) else {
            crate::fatal("EC key generation failed");
        };
        let der = pair
            .to_pkcs8v1()
            .map_err(|_| invalid("EC key could not be encoded"))?;
        EccKey::from_bytes(spec, der.as_ref())
    }

    /// A key pair from PKCS#8 DER; rejects other key types and other curves.
    pub(crate) fn from_bytes(spec: Spec, pkcs8: &[u8]) -> Result<EccKey, MaterialError> {
        let curve = curve_of(spec)?;
        let wrong_key = |_| {
            invalid(format!(
                "expected a {} private key in PKCS#8 DER",
                spec.as_aws()
            ))
        };
        let pair = EcdsaKeyPair::from_pkcs8(curve.signing, pkcs8).map_err(wrong_key)?;
        let agreement = match curve.agreement {
            Some(alg) => {
                Some(agreement::PrivateKey::from_private_key_der(alg, pkcs8).map_err(wrong_key)?)
            }
            None => None,
        };
        let spki = spki_of(pair.public_key())?;
        let verifier = ParsedPublicKey::new(curve.verification, &spki)
            .map_err(|_| invalid("EC public key could not be parsed"))?;
        Ok(EccKey {
            pkcs8: Zeroizing::new(pkcs8.to_vec()),
            curve,
            pair,
            verifier,
            agreement,
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
        self.check(spec, algorithm)?;
        let digest = message_digest(algorithm, self.curve.hash, message_type, message)?;
        let signature = self
            .pair
            .sign_digest(&digest)
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
        self.check(spec, algorithm)?;
        let digest = message_digest(algorithm, self.curve.hash, message_type, message)?;
        Ok(self.verifier.verify_digest_sig(&digest, signature).is_ok())
    }

    /// `WrongAlgorithm` unless `algorithm` is the curve's own ECDSA algorithm.
    fn check(&self, spec: Spec, algorithm: SigningAlgorithm) -> Result<(), MaterialError> {
        if algorithm == self.curve.algorithm {
            Ok(())
        } else {
            Err(wrong(algorithm.as_aws(), spec))
        }
    }

    /// ECDH with `peer_public_der`, a DER SubjectPublicKeyInfo on this key's curve: the raw
    /// shared secret (the x-coordinate of the shared point).
    pub(crate) fn derive_shared_secret(
        &self,
        spec: Spec,
        peer_public_der: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
        let private = self.agreement.as_ref().ok_or_else(|| wrong("ECDH", spec))?;
        let unparsed = agreement::UnparsedPublicKey::new(private.algorithm(), peer_public_der);
        let peer = agreement::ParsedPublicKey::try_from(&unparsed)
            .map_err(|_| MaterialError::InvalidPublicKey)?;
        if peer.format() != ParsedPublicKeyFormat::X509 || peer.alg() != private.algorithm() {
            return Err(MaterialError::InvalidPublicKey);
        }
        agreement::agree(private, peer, MaterialError::InvalidPublicKey, |secret| {
            Ok(Zeroizing::new(secret.to_vec()))
        })
    }
}

//! RSA_2048/3072/4096 key material: RSASSA-PKCS1-v1_5 and RSASSA-PSS signatures (PSS salt length
//! = hash length, as AWS uses), RSAES-OAEP with SHA-1 or SHA-256 (hash and MGF1 alike). Stored
//! as PKCS#8 DER; the signing and decrypting keys are parsed once, when the key is loaded.

use super::MaterialError;
use super::catalog::max_plaintext_len;
use super::ops::{invalid, message_digest, spki_of, wrong};
use super::spec::{EncryptionAlgorithm, MessageType, SigningAlgorithm, Spec};
use aws_lc_rs::digest;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{
    KeyPair, KeySize, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm,
    OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey, RsaParameters,
};
use aws_lc_rs::signature::{self, ParsedPublicKey, RsaEncoding};
use std::sync::OnceLock;
use zeroize::Zeroizing;

/// Number of RSA signing algorithms (one lazily parsed verification key each).
const SCHEMES: usize = 6;

/// A loaded RSA key pair.
pub(crate) struct RsaKey {
    pkcs8: Zeroizing<Vec<u8>>,
    pair: KeyPair,
    decrypting: OaepPrivateDecryptingKey,
    encrypting: OaepPublicEncryptingKey,
    spki: Vec<u8>,
    verifiers: [OnceLock<ParsedPublicKey>; SCHEMES],
}

/// One RSA signing algorithm: verifier slot, signing encoding, verification parameters, hash.
struct Scheme {
    slot: usize,
    encoding: &'static dyn RsaEncoding,
    params: &'static RsaParameters,
    hash: &'static digest::Algorithm,
}

fn scheme(algorithm: SigningAlgorithm) -> Option<Scheme> {
    use SigningAlgorithm as A;
    let (slot, encoding, params, hash): (_, &'static dyn RsaEncoding, _, _) = match algorithm {
        A::RsaPkcs1Sha256 => (
            0,
            &signature::RSA_PKCS1_SHA256,
            &signature::RSA_PKCS1_2048_8192_SHA256,
            &digest::SHA256,
        ),
        A::RsaPkcs1Sha384 => (
            1,
            &signature::RSA_PKCS1_SHA384,
            &signature::RSA_PKCS1_2048_8192_SHA384,
            &digest::SHA384,
        ),
        A::RsaPkcs1Sha512 => (
            2,
            &signature::RSA_PKCS1_SHA512,
            &signature::RSA_PKCS1_2048_8192_SHA512,
            &digest::SHA512,
        ),
        A::RsaPssSha256 => (
            3,
            &signature::RSA_PSS_SHA256,
            &signature::RSA_PSS_2048_8192_SHA256,
            &digest::SHA256,
        ),
        A::RsaPssSha384 => (
            4,
            &signature::RSA_PSS_SHA384,
            &signature::RSA_PSS_2048_8192_SHA384,
            &digest::SHA384,
        ),
        A::RsaPssSha512 => (
            5,
            &signature::RSA_PSS_SHA512,
            &signature::RSA_PSS_2048_8192_SHA512,
            &digest::SHA512,
        ),
        _ => return None,
    };
    Some(Scheme {
        slot,
        encoding,
        params,
        hash,
    })
}

/// The aws-lc-rs key size and modulus bits of an RSA spec.
fn size_of(spec: Spec) -> Result<(KeySize, usize), MaterialError> {
    match spec {
        Spec::Rsa2048 => Ok((KeySize::Rsa2048, 2048)),
        Spec::Rsa3072 => Ok((KeySize::Rsa3072, 3072)),
        Spec::Rsa4096 => Ok((KeySize::Rsa4096, 4096)),
        other => Err(invalid(format!(
            "{} is not an RSA key spec",
            other.as_aws()
        ))),
    }
}

/// The OAEP parameters of an RSA encryption algorithm.
pub(crate) fn oaep_of(algorithm: EncryptionAlgorithm) -> Option<&'static OaepAlgorithm> {
    match algorithm {
        EncryptionAlgorithm::RsaOaepSha1 => Some(&OAEP_SHA1_MGF1SHA1),
        EncryptionAlgorithm::RsaOaepSha256 => Some(&OAEP_SHA256_MGF1SHA256),
        _ => None,
    }
}

impl RsaKey {
    /// A fresh key pair of `spec`.
    pub(crate) fn generate(spec: Spec) -> Result<RsaKey, MaterialError> {
        let (size, _) = size_of(spec)?;
        let Ok(pair) = KeyPair::generate(size) else {
            crate::fatal("RSA key generation failed");
        };
        let der = pair
            .as_der()
            .map_err(|_| invalid("RSA key could not be encoded"))?;
        RsaKey::from_bytes(spec, der.as_ref())
    }

    /// A key pair from PKCS#8 DER; rejects other key types and other modulus sizes.
    pub(crate) fn from_bytes(spec: Spec, pkcs8: &[u8]) -> Result<RsaKey, MaterialError> {
        let (_, bits) = size_of(spec)?;
        let not_rsa = |_| invalid("expected an RSA private key in PKCS#8 DER");
        let pair = KeyPair::from_pkcs8(pkcs8).map_err(not_rsa)?;
        if pair.public_modulus_len() * 8 != bits {
            return Err(invalid(format!("expected a {bits}-bit RSA key")));
        }
        let private = PrivateDecryptingKey::from_pkcs8(pkcs8).map_err(not_rsa)?;
        let public = private.public_key();
        let spki = spki_of(&public)?;
        let unusable = |_| invalid("RSA key is not usable");
        Ok(RsaKey {
            pkcs8: Zeroizing::new(pkcs8.to_vec()),
            pair,
            decrypting: OaepPrivateDecryptingKey::new(private).map_err(unusable)?,
            encrypting: OaepPublicEncryptingKey::new(public).map_err(unusable)?,
            spki,
            verifiers: Default::default(),
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
        let scheme = scheme(algorithm).ok_or_else(|| wrong(algorithm.as_aws(), spec))?;
        let digest = message_digest(algorithm, scheme.hash, message_type, message)?;
        let mut signature = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign_digest(scheme.encoding, &digest, &mut signature)
            .map_err(|_| MaterialError::InvalidMessage("signing failed".into()))?;
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
        let scheme = scheme(algorithm).ok_or_else(|| wrong(algorithm.as_aws(), spec))?;
        let digest = message_digest(algorithm, scheme.hash, message_type, message)?;
        let key = self.verifier(&scheme)?;
        Ok(key.verify_digest_sig(&digest, signature).is_ok())
    }

    /// The public key parsed for `scheme`'s verification parameters (parsed on first use).
    fn verifier(&self, scheme: &Scheme) -> Result<&ParsedPublicKey, MaterialError> {
        let cell = &self.verifiers[scheme.slot];
        if let Some(key) = cell.get() {
            return Ok(key);
        }
        let parsed = ParsedPublicKey::new(scheme.params, &self.spki)
            .map_err(|_| invalid("RSA public key could not be parsed"))?;
        Ok(cell.get_or_init(|| parsed))
    }

    pub(crate) fn encrypt(
        &self,
        spec: Spec,
        algorithm: EncryptionAlgorithm,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, MaterialError> {
        let oaep = oaep_of(algorithm).ok_or_else(|| wrong(algorithm.as_aws(), spec))?;
        let max =
            max_plaintext_len(spec, algorithm).ok_or_else(|| wrong(algorithm.as_aws(), spec))?;
        if plaintext.len() > max {
            return Err(MaterialError::PlaintextTooLong {
                len: plaintext.len(),
                max,
            });
        }
        let mut out = vec![0u8; self.encrypting.ciphertext_size()];
        let len = self
            .encrypting
            .encrypt(oaep, plaintext, &mut out, None)
            .map_err(|_| MaterialError::PlaintextTooLong {
                len: plaintext.len(),
                max,
            })?
            .len();
        out.truncate(len);
        Ok(out)
    }

    pub(crate) fn decrypt(
        &self,
        spec: Spec,
        algorithm: EncryptionAlgorithm,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
        let oaep = oaep_of(algorithm).ok_or_else(|| wrong(algorithm.as_aws(), spec))?;
        oaep_decrypt(&self.decrypting, oaep, ciphertext)
    }
}

/// RSA-OAEP decryption; any failure (wrong length, bad padding, wrong key) is `InvalidCiphertext`.
pub(crate) fn oaep_decrypt(
    key: &OaepPrivateDecryptingKey,
    oaep: &'static OaepAlgorithm,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, MaterialError> {
    if ciphertext.len() != key.key_size_bytes() {
        return Err(MaterialError::InvalidCiphertext);
    }
    let mut out = Zeroizing::new(vec![0u8; key.min_output_size()]);
    let len = key
        .decrypt(oaep, ciphertext, &mut out, None)
        .map_err(|_| MaterialError::InvalidCiphertext)?
        .len();
    out.truncate(len);
    Ok(out)
}

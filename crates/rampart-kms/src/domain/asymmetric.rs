//! Pure rules of the asymmetric, HMAC and key-agreement operations: which key usage an operation
//! needs, which algorithms a key spec accepts, Sign/Verify message types and digest lengths, RSA
//! OAEP plaintext limits, and the AWS wording of each refusal (also for key-material errors).

use super::{KeyRecord, KmsError};
use rampart_crypto::material::{
    EncryptionAlgorithm, MaterialError, MessageType, SigningAlgorithm, Spec, Usage,
    max_plaintext_len,
};

/// `InvalidKeyUsageException` for a key whose usage does not allow `operation`.
pub fn usage_error(key_arn: &str, key_usage: &str, operation: &str) -> KmsError {
    KmsError::InvalidKeyUsage(format!(
        "{key_arn} key usage is {key_usage} which is not valid for {operation}."
    ))
}

/// Checks the key's usage is `needed` for `operation` (the key ARN is only formatted for the
/// error: this runs on every cryptographic request).
pub fn require_usage(key: &KeyRecord, needed: Usage, operation: &str) -> Result<(), KmsError> {
    if key.key_usage == needed.as_aws() {
        Ok(())
    } else {
        Err(usage_error(&key.arn(), &key.key_usage, operation))
    }
}

/// `InvalidKeyUsageException` for an algorithm the key spec does not support.
pub fn algorithm_error(algorithm: &str, key_spec: &str) -> KmsError {
    KmsError::InvalidKeyUsage(format!(
        "Algorithm {algorithm} is incompatible with key spec {key_spec}."
    ))
}

/// The `ValidationException` for plaintext longer than an RSA OAEP key can encrypt.
pub fn plaintext_too_long(algorithm: &str, key_spec: &str, max: usize) -> KmsError {
    KmsError::Validation(format!(
        "Algorithm {algorithm} and key spec {key_spec} cannot encrypt data larger than {max} bytes."
    ))
}

/// Checks a plaintext fits the spec and algorithm (RSA OAEP limits as AWS documents them).
pub fn check_plaintext_len(
    spec: Spec,
    algorithm: EncryptionAlgorithm,
    len: usize,
) -> Result<(), KmsError> {
    match max_plaintext_len(spec, algorithm) {
        Some(max) if len <= max => Ok(()),
        Some(max) => Err(plaintext_too_long(algorithm.as_aws(), spec.as_aws(), max)),
        None => Err(algorithm_error(algorithm.as_aws(), spec.as_aws())),
    }
}

/// The `ValidationException` for an encryption context given with an asymmetric key.
pub fn context_not_supported() -> KmsError {
    KmsError::Validation(
        "EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs."
            .into(),
    )
}

/// Length of the digest a DIGEST message must have for `algorithm` (`None`: no DIGEST form).
pub fn digest_len(algorithm: SigningAlgorithm) -> Option<usize> {
    use SigningAlgorithm as A;
    match algorithm {
        A::RsaPssSha256 | A::RsaPkcs1Sha256 | A::EcdsaSha256 | A::Sm2Dsa => Some(32),
        A::RsaPssSha384 | A::RsaPkcs1Sha384 | A::EcdsaSha384 => Some(48),
        A::RsaPssSha512 | A::RsaPkcs1Sha512 | A::EcdsaSha512 | A::Ed25519PhSha512 => Some(64),
        A::MlDsaShake256 | A::Ed25519Sha512 => None,
    }
}

/// Length of an ML-DSA external μ (FIPS 204 §6.2).
pub const EXTERNAL_MU_LEN: usize = 64;

/// Checks a Sign/Verify message against its message type: DIGEST must have the algorithm's
/// digest length, EXTERNAL_MU is ML-DSA only and 64 bytes, and the Ed25519 algorithms take only
/// their own message type (ED25519_SHA_512: RAW; ED25519_PH_SHA_512: DIGEST).
pub fn check_message(
    spec: Spec,
    algorithm: SigningAlgorithm,
    message_type: MessageType,
    len: usize,
) -> Result<(), KmsError> {
    let incompatible = || {
        KmsError::Validation(format!(
            "Message type {} is incompatible with key spec {}.",
            message_type.as_aws(),
            spec.as_aws()
        ))
    };
    let needs = |wanted: MessageType| {
        KmsError::Validation(format!(
            "The {} signing algorithm requires MessageType {}.",
            algorithm.as_aws(),
            wanted.as_aws()
        ))
    };
    match (algorithm, message_type) {
        (SigningAlgorithm::Ed25519Sha512, MessageType::Raw) => Ok(()),
        (SigningAlgorithm::Ed25519Sha512, _) => Err(needs(MessageType::Raw)),
        (SigningAlgorithm::Ed25519PhSha512, MessageType::Raw) => Err(needs(MessageType::Digest)),
        (SigningAlgorithm::MlDsaShake256, MessageType::Digest) => Err(incompatible()),
        (SigningAlgorithm::MlDsaShake256, MessageType::ExternalMu) if len != EXTERNAL_MU_LEN => {
            Err(KmsError::Validation(format!(
                "Message must be {EXTERNAL_MU_LEN} bytes for message type EXTERNAL_MU."
            )))
        }
        (_, MessageType::ExternalMu) if algorithm != SigningAlgorithm::MlDsaShake256 => {
            Err(incompatible())
        }
        (_, MessageType::Digest) if digest_len(algorithm) != Some(len) => {
            Err(KmsError::Validation(format!(
                "Digest is invalid length for algorithm {}.",
                algorithm.as_aws()
            )))
        }
        _ => Ok(()),
    }
}

/// The AWS error for a key-material failure. `InvalidMaterial` means stored material is broken
/// (an internal fault); the rest are the caller's input.
pub fn material_error(e: MaterialError) -> KmsError {
    match e {
        MaterialError::Unsupported(what) => {
            KmsError::Unsupported(format!("{what} is not supported by Rampart."))
        }
        MaterialError::WrongAlgorithm { algorithm, spec } => algorithm_error(algorithm, spec),
        MaterialError::PlaintextTooLong { len: _, max } => KmsError::Validation(format!(
            "Plaintext is too long: this key can encrypt at most {max} bytes."
        )),
        MaterialError::DigestLength(algorithm) => KmsError::Validation(format!(
            "Digest is invalid length for algorithm {algorithm}."
        )),
        MaterialError::InvalidCiphertext => KmsError::InvalidCiphertext,
        MaterialError::InvalidPublicKey => invalid_public_key(),
        MaterialError::InvalidMessage(m) => KmsError::Validation(m),
        MaterialError::InvalidMaterial(m) => KmsError::Internal(format!("key material: {m}")),
    }
}

/// `ValidationException` for a DeriveSharedSecret peer key that is not a valid DER
/// SubjectPublicKeyInfo on the KMS key's curve.
pub fn invalid_public_key() -> KmsError {
    KmsError::Validation(
        "The public key is not a valid DER-encoded SubjectPublicKeyInfo for the key spec of the \
         KMS key."
            .into(),
    )
}

/// The key spec of a data key pair (`KeyPairSpec`): an asymmetric spec AWS allows for
/// GenerateDataKeyPair.
pub fn data_key_pair_spec(name: &str) -> Result<Spec, KmsError> {
    let invalid = || {
        KmsError::Validation(format!(
            "1 validation error detected: Value '{name}' at 'keyPairSpec' failed to satisfy \
             constraint: Member must satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096, \
             ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SM2, \
             ECC_NIST_EDWARDS25519, ML_KEM_512, ML_KEM_768, ML_KEM_1024]"
        ))
    };
    match Spec::from_aws(name) {
        Some(Spec::Symmetric | Spec::Hmac224 | Spec::Hmac256 | Spec::Hmac384 | Spec::Hmac512)
        | Some(Spec::MlDsa44 | Spec::MlDsa65 | Spec::MlDsa87)
        | None => Err(invalid()),
        Some(spec) => Ok(spec),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_and_algorithm_wording() {
        assert_eq!(
            usage_error("arn:k", "SIGN_VERIFY", "Encrypt"),
            KmsError::InvalidKeyUsage(
                "arn:k key usage is SIGN_VERIFY which is not valid for Encrypt.".into()
            )
        );
        let scope = super::super::Scope::new("111122223333", "us-east-1");
        let mut key = KeyRecord::new_symmetric(&scope, "k".into(), String::new(), 0);
        key.key_usage = "SIGN_VERIFY".into();
        assert!(require_usage(&key, Usage::SignVerify, "Sign").is_ok());
        key.key_usage = "ENCRYPT_DECRYPT".into();
        assert!(require_usage(&key, Usage::SignVerify, "Sign").is_err());
        assert_eq!(
            algorithm_error("HMAC_SHA_256", "HMAC_224"),
            KmsError::InvalidKeyUsage(
                "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.".into()
            )
        );
        assert_eq!(
            plaintext_too_long("RSAES_OAEP_SHA_256", "RSA_2048", 190),
            KmsError::Validation(
                "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger \
                 than 190 bytes."
                    .into()
            )
        );
    }

    #[test]
    fn digest_lengths_and_message_types() {
        let (raw, digest, mu) = (
            MessageType::Raw,
            MessageType::Digest,
            MessageType::ExternalMu,
        );
        let ecdsa = SigningAlgorithm::EcdsaSha256;
        assert!(check_message(Spec::EccP256, ecdsa, raw, 4096).is_ok());
        assert!(check_message(Spec::EccP256, ecdsa, digest, 32).is_ok());
        assert_eq!(
            check_message(Spec::EccP256, ecdsa, digest, 31),
            Err(KmsError::Validation(
                "Digest is invalid length for algorithm ECDSA_SHA_256.".into()
            ))
        );
        let pss = SigningAlgorithm::RsaPssSha512;
        assert!(check_message(Spec::Rsa2048, pss, digest, 64).is_ok());
        assert!(check_message(Spec::Rsa2048, pss, digest, 32).is_err());
        assert!(check_message(Spec::Rsa2048, pss, mu, 64).is_err());
        let mldsa = SigningAlgorithm::MlDsaShake256;
        assert_eq!(
            check_message(Spec::MlDsa44, mldsa, digest, 64),
            Err(KmsError::Validation(
                "Message type DIGEST is incompatible with key spec ML_DSA_44.".into()
            ))
        );
        assert!(check_message(Spec::MlDsa44, mldsa, mu, 64).is_ok());
        assert!(check_message(Spec::MlDsa44, mldsa, mu, 32).is_err());
        let ed = SigningAlgorithm::Ed25519Sha512;
        assert!(check_message(Spec::Ed25519, ed, raw, 10).is_ok());
        assert!(check_message(Spec::Ed25519, ed, digest, 64).is_err());
        let ed_ph = SigningAlgorithm::Ed25519PhSha512;
        assert!(check_message(Spec::Ed25519, ed_ph, digest, 64).is_ok());
        assert!(check_message(Spec::Ed25519, ed_ph, raw, 64).is_err());
    }

    #[test]
    fn material_errors_map_to_aws_errors() {
        assert_eq!(
            material_error(MaterialError::InvalidCiphertext),
            KmsError::InvalidCiphertext
        );
        assert!(matches!(
            material_error(MaterialError::InvalidPublicKey),
            KmsError::Validation(_)
        ));
        assert!(matches!(
            material_error(MaterialError::Unsupported("key spec SM2".into())),
            KmsError::Unsupported(m) if m.contains("SM2")
        ));
        assert!(matches!(
            material_error(MaterialError::InvalidMaterial("x".into())),
            KmsError::Internal(_)
        ));
    }

    #[test]
    fn key_pair_specs() {
        assert_eq!(data_key_pair_spec("RSA_2048"), Ok(Spec::Rsa2048));
        assert_eq!(
            data_key_pair_spec("ECC_SECG_P256K1"),
            Ok(Spec::EccSecp256k1)
        );
        assert!(data_key_pair_spec("SYMMETRIC_DEFAULT").is_err());
        assert!(data_key_pair_spec("HMAC_256").is_err());
        assert!(data_key_pair_spec("RSA_1024").is_err());
    }
}

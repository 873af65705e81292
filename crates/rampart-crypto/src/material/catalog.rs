//! What each key spec is for: its allowed key usages and, per usage, the algorithms DescribeKey
//! lists and the operations accept (AWS KMS developer guide, "Key spec reference"); RSA OAEP
//! plaintext limits as AWS documents them.

use super::spec::{
    EncryptionAlgorithm, KeyAgreementAlgorithm, MacAlgorithm, SigningAlgorithm, Spec, Usage,
};

/// The catalog entry of one key spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecInfo {
    /// Key usages AWS allows for the spec (the first is not a default: CreateKey's default usage
    /// is ENCRYPT_DECRYPT, and AWS rejects a spec whose usages do not include the requested one).
    pub usages: &'static [Usage],
    /// Encryption algorithms (ENCRYPT_DECRYPT usage).
    pub encryption: &'static [EncryptionAlgorithm],
    /// Signing algorithms (SIGN_VERIFY usage).
    pub signing: &'static [SigningAlgorithm],
    /// MAC algorithms (GENERATE_VERIFY_MAC usage).
    pub mac: &'static [MacAlgorithm],
    /// Key agreement algorithms (KEY_AGREEMENT usage).
    pub agreement: &'static [KeyAgreementAlgorithm],
    /// Whether this build can generate and use the spec (false: AWS has it, Rampart answers
    /// UnsupportedOperationException).
    pub supported: bool,
}

use EncryptionAlgorithm as E;
use SigningAlgorithm as S;

const RSA_ENCRYPTION: &[EncryptionAlgorithm] = &[E::RsaOaepSha1, E::RsaOaepSha256];
const RSA_SIGNING: &[SigningAlgorithm] = &[
    S::RsaPkcs1Sha256,
    S::RsaPkcs1Sha384,
    S::RsaPkcs1Sha512,
    S::RsaPssSha256,
    S::RsaPssSha384,
    S::RsaPssSha512,
];
const ECDH: &[KeyAgreementAlgorithm] = &[KeyAgreementAlgorithm::Ecdh];
const SIGN_OR_AGREE: &[Usage] = &[Usage::SignVerify, Usage::KeyAgreement];

const NONE: SpecInfo = SpecInfo {
    usages: &[],
    encryption: &[],
    signing: &[],
    mac: &[],
    agreement: &[],
    supported: true,
};

/// A NIST curve: ECDSA with its own hash, or ECDH.
const fn nist(signing: &'static [SigningAlgorithm]) -> SpecInfo {
    SpecInfo {
        usages: SIGN_OR_AGREE,
        signing,
        agreement: ECDH,
        ..NONE
    }
}

/// An HMAC spec: GENERATE_VERIFY_MAC with its one algorithm.
const fn hmac(mac: &'static [MacAlgorithm]) -> SpecInfo {
    SpecInfo {
        usages: &[Usage::GenerateVerifyMac],
        mac,
        ..NONE
    }
}

const RSA: SpecInfo = SpecInfo {
    usages: &[Usage::EncryptDecrypt, Usage::SignVerify],
    encryption: RSA_ENCRYPTION,
    signing: RSA_SIGNING,
    ..NONE
};

const ML_DSA: SpecInfo = SpecInfo {
    usages: &[Usage::SignVerify],
    signing: &[S::MlDsaShake256],
    ..NONE
};

const ML_KEM: SpecInfo = SpecInfo {
    usages: &[Usage::EncapsulateDecapsulate],
    ..NONE
};

/// SM2 (China Regions): AWS allows all three usages; this build cannot do SM2 at all.
const SM2: SpecInfo = SpecInfo {
    usages: &[
        Usage::EncryptDecrypt,
        Usage::SignVerify,
        Usage::KeyAgreement,
    ],
    encryption: &[E::Sm2Pke],
    signing: &[S::Sm2Dsa],
    agreement: ECDH,
    supported: false,
    ..NONE
};

/// The catalog entry of `spec`.
pub fn spec_info(spec: Spec) -> SpecInfo {
    match spec {
        Spec::Symmetric => SpecInfo {
            usages: &[Usage::EncryptDecrypt],
            encryption: &[E::SymmetricDefault],
            ..NONE
        },
        Spec::Rsa2048 | Spec::Rsa3072 | Spec::Rsa4096 => RSA,
        Spec::EccP256 => nist(&[S::EcdsaSha256]),
        Spec::EccP384 => nist(&[S::EcdsaSha384]),
        Spec::EccP521 => nist(&[S::EcdsaSha512]),
        Spec::EccSecp256k1 => SpecInfo {
            usages: &[Usage::SignVerify],
            signing: &[S::EcdsaSha256],
            ..NONE
        },
        Spec::Ed25519 => SpecInfo {
            usages: &[Usage::SignVerify],
            signing: &[S::Ed25519Sha512, S::Ed25519PhSha512],
            ..NONE
        },
        Spec::Hmac224 => hmac(&[MacAlgorithm::HmacSha224]),
        Spec::Hmac256 => hmac(&[MacAlgorithm::HmacSha256]),
        Spec::Hmac384 => hmac(&[MacAlgorithm::HmacSha384]),
        Spec::Hmac512 => hmac(&[MacAlgorithm::HmacSha512]),
        Spec::MlDsa44 | Spec::MlDsa65 | Spec::MlDsa87 => ML_DSA,
        Spec::MlKem512 | Spec::MlKem768 | Spec::MlKem1024 => ML_KEM,
        Spec::Sm2 => SM2,
    }
}

/// Largest plaintext Encrypt accepts for `spec` and `algorithm` (4096 for SYMMETRIC_DEFAULT;
/// RSA OAEP: modulus bytes − 2·hash − 2, e.g. RSA_2048 + OAEP-SHA-256 → 190). `None` when the
/// pair is not valid.
pub fn max_plaintext_len(spec: Spec, algorithm: EncryptionAlgorithm) -> Option<usize> {
    let modulus = match spec {
        Spec::Symmetric if algorithm == E::SymmetricDefault => return Some(4096),
        Spec::Rsa2048 => 256,
        Spec::Rsa3072 => 384,
        Spec::Rsa4096 => 512,
        _ => return None,
    };
    let hash = match algorithm {
        E::RsaOaepSha1 => 20,
        E::RsaOaepSha256 => 32,
        _ => return None,
    };
    Some(modulus - 2 * hash - 2)
}

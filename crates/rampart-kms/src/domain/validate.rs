//! Request rules beyond the model's constraints: CreateKey's spec/usage combinations (and the key
//! specs Rampart supports), data-key sizes, deletion windows and encryption algorithms.

use super::{KmsError, algorithm_error};
use rampart_crypto::material::{EncryptionAlgorithm, Spec, Usage, spec_info};

/// The CreateKey options that decide what kind of key is made (AWS names, as given).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyOptions<'a> {
    /// `KeySpec`.
    pub key_spec: Option<&'a str>,
    /// Deprecated `CustomerMasterKeySpec`.
    pub customer_master_key_spec: Option<&'a str>,
    /// `KeyUsage`.
    pub key_usage: Option<&'a str>,
    /// `Origin`.
    pub origin: Option<&'a str>,
    /// `CustomKeyStoreId` was given.
    pub custom_key_store: bool,
    /// `XksKeyId` was given.
    pub xks_key: bool,
    /// `MultiRegion` was true.
    pub multi_region: bool,
}

/// What CreateKey will make, once the options are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyKind {
    /// The key spec.
    pub spec: Spec,
    /// The key usage.
    pub usage: Usage,
    /// `AWS_KMS` (generated material) or `EXTERNAL` (imported later).
    pub external: bool,
    /// A multi-Region primary key.
    pub multi_region: bool,
}

/// Checks CreateKey's spec, usage, origin and store options against AWS's rules and what this
/// build supports.
pub fn check_key_options(o: &KeyOptions<'_>) -> Result<KeyKind, KmsError> {
    let (spec, usage) = spec_and_usage(o)?;
    if o.custom_key_store || o.xks_key {
        return Err(unsupported(
            "Custom key stores are not supported by Rampart yet.".into(),
        ));
    }
    let external = match o.origin.unwrap_or("AWS_KMS") {
        "AWS_KMS" => false,
        "EXTERNAL" => true,
        other => {
            return Err(unsupported(format!(
                "Origin {other} is not supported by Rampart yet."
            )));
        }
    };
    Ok(KeyKind {
        spec,
        usage,
        external,
        multi_region: o.multi_region,
    })
}

/// The key spec and usage CreateKey asks for: KeyUsage is required for every spec but
/// SYMMETRIC_DEFAULT, and must be one the spec allows (AWS's wording for each refusal).
fn spec_and_usage(o: &KeyOptions<'_>) -> Result<(Spec, Usage), KmsError> {
    if o.key_spec.is_some() && o.customer_master_key_spec.is_some() {
        return Err(KmsError::Validation(
            "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. \
             CustomerMasterKeySpec is deprecated."
                .into(),
        ));
    }
    let spec_name = o
        .key_spec
        .or(o.customer_master_key_spec)
        .unwrap_or("SYMMETRIC_DEFAULT");
    let spec = Spec::from_aws(spec_name)
        .ok_or_else(|| KmsError::Validation(format!("KeySpec {spec_name} is not valid.")))?;
    let usage_name = match o.key_usage {
        Some(name) => name,
        None if spec == Spec::Symmetric => "ENCRYPT_DECRYPT",
        None => {
            return Err(KmsError::Validation(
                "You must specify a KeyUsage value for all KMS keys except for symmetric \
                 encryption keys."
                    .into(),
            ));
        }
    };
    let usage = Usage::from_aws(usage_name)
        .ok_or_else(|| KmsError::Validation(format!("KeyUsage {usage_name} is not valid.")))?;
    let info = spec_info(spec);
    if !info.usages.is_empty() && !info.usages.contains(&usage) {
        return Err(KmsError::Validation(format!(
            "KeyUsage {usage_name} is not compatible with KeySpec {spec_name}"
        )));
    }
    if info.usages.is_empty() || !info.supported {
        return Err(unsupported(format!(
            "KeySpec {spec_name} is not supported by Rampart."
        )));
    }
    Ok((spec, usage))
}

fn unsupported(message: String) -> KmsError {
    KmsError::Unsupported(message)
}

/// ScheduleKeyDeletion's `PendingWindowInDays`: default 30, allowed 7–30.
pub fn pending_window_days(given: Option<i64>) -> Result<u32, KmsError> {
    let days = given.unwrap_or(30);
    match u32::try_from(days) {
        Ok(d) if (7..=30).contains(&d) => Ok(d),
        _ => Err(KmsError::Validation(format!(
            "PendingWindowInDays should be between 7 and 30, but it is {days}"
        ))),
    }
}

/// GenerateDataKey sizes: exactly one of `KeySpec` (AES_128/AES_256) and `NumberOfBytes` (1–1024).
pub fn data_key_len(
    key_spec: Option<&str>,
    number_of_bytes: Option<i64>,
) -> Result<usize, KmsError> {
    match (key_spec, number_of_bytes) {
        (Some("AES_256"), None) => Ok(32),
        (Some("AES_128"), None) => Ok(16),
        (Some(other), None) => Err(KmsError::Validation(format!(
            "1 validation error detected: Value '{other}' at 'keySpec' failed to satisfy constraint: \
             Member must satisfy enum value set: [AES_256, AES_128]"
        ))),
        (None, Some(n)) => byte_count(n),
        _ => Err(KmsError::Validation(
            "Please specify either number of bytes or key spec.".into(),
        )),
    }
}

/// GenerateRandom's `NumberOfBytes` (1–1024, required by KMS although optional in the model).
pub fn random_len(number_of_bytes: Option<i64>) -> Result<usize, KmsError> {
    match number_of_bytes {
        Some(n) => byte_count(n),
        None => Err(KmsError::Validation("NumberOfBytes is required.".into())),
    }
}

fn byte_count(n: i64) -> Result<usize, KmsError> {
    let bound = if n < 1 {
        "greater than or equal to 1"
    } else {
        "less than or equal to 1024"
    };
    match usize::try_from(n) {
        Ok(len) if (1..=1024).contains(&len) => Ok(len),
        _ => Err(KmsError::Validation(format!(
            "1 validation error detected: Value '{n}' at 'numberOfBytes' failed to satisfy \
             constraint: Member must have value {bound}"
        ))),
    }
}

/// The encryption algorithm a request names (`SYMMETRIC_DEFAULT` when omitted), checked against
/// the key spec: `InvalidKeyUsageException` when the spec does not support it.
pub fn encryption_algorithm(
    spec: Spec,
    given: Option<&str>,
) -> Result<EncryptionAlgorithm, KmsError> {
    let name = given.unwrap_or("SYMMETRIC_DEFAULT");
    EncryptionAlgorithm::from_aws(name)
        .filter(|a| spec_info(spec).encryption.contains(a))
        .ok_or_else(|| algorithm_error(name, spec.as_aws()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options<'a>(spec: Option<&'a str>, usage: Option<&'a str>) -> KeyOptions<'a> {
        KeyOptions {
            key_spec: spec,
            key_usage: usage,
            ..Default::default()
        }
    }

    fn validation(message: &str) -> Result<KeyKind, KmsError> {
        Err(KmsError::Validation(message.into()))
    }

    #[test]
    fn key_options() {
        let sym = check_key_options(&KeyOptions::default()).map(|k| (k.spec, k.usage));
        assert_eq!(sym, Ok((Spec::Symmetric, Usage::EncryptDecrypt)));
        let both = KeyOptions {
            key_spec: Some("SYMMETRIC_DEFAULT"),
            customer_master_key_spec: Some("SYMMETRIC_DEFAULT"),
            ..Default::default()
        };
        assert!(
            matches!(check_key_options(&both), Err(KmsError::Validation(m)) if m.contains("CustomerMasterKeySpec is deprecated"))
        );
        let no_usage = "You must specify a KeyUsage value for all KMS keys except for symmetric \
                        encryption keys.";
        for spec in ["HMAC_256", "RSA_2048", "ECC_NIST_P256"] {
            assert_eq!(
                check_key_options(&options(Some(spec), None)),
                validation(no_usage)
            );
        }
        assert_eq!(
            check_key_options(&options(None, Some("SIGN_VERIFY"))),
            validation("KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT")
        );
        let ext = KeyOptions {
            origin: Some("EXTERNAL"),
            ..Default::default()
        };
        assert!(check_key_options(&ext).is_ok_and(|k| k.external));
        let hsm = KeyOptions {
            origin: Some("AWS_CLOUDHSM"),
            ..Default::default()
        };
        assert!(matches!(
            check_key_options(&hsm),
            Err(KmsError::Unsupported(_))
        ));
        let store = KeyOptions {
            custom_key_store: true,
            ..Default::default()
        };
        assert!(matches!(
            check_key_options(&store),
            Err(KmsError::Unsupported(_))
        ));
    }

    /// Spec/usage pairs AWS refuses, once the crypto layer knows the spec (else the spec is
    /// refused as unsupported); and every pair the catalog allows is accepted when supported.
    #[test]
    fn key_usage_must_suit_the_spec() {
        let refused = [
            (Spec::Hmac256, Usage::EncryptDecrypt),
            (Spec::Hmac512, Usage::SignVerify),
            (Spec::Rsa2048, Usage::KeyAgreement),
            (Spec::Rsa4096, Usage::GenerateVerifyMac),
            (Spec::EccP256, Usage::EncryptDecrypt),
            (Spec::EccSecp256k1, Usage::KeyAgreement),
            (Spec::Symmetric, Usage::GenerateVerifyMac),
        ];
        for (spec, usage) in refused {
            let (spec_name, usage_name) = (spec.as_aws(), usage.as_aws());
            let got = check_key_options(&options(Some(spec_name), Some(usage_name)));
            if spec_info(spec).usages.is_empty() {
                assert!(
                    matches!(got, Err(KmsError::Unsupported(_))),
                    "{spec:?} {usage:?}"
                );
            } else {
                let message =
                    format!("KeyUsage {usage_name} is not compatible with KeySpec {spec_name}");
                assert_eq!(
                    got,
                    Err(KmsError::Validation(message)),
                    "{spec:?} {usage:?}"
                );
            }
        }
        for spec in Spec::ALL {
            let info = spec_info(*spec);
            for usage in info.usages {
                let got = check_key_options(&options(Some(spec.as_aws()), Some(usage.as_aws())));
                assert_eq!(got.is_ok(), info.supported, "{spec:?} {usage:?}");
            }
        }
    }

    #[test]
    fn pending_window() {
        assert_eq!(pending_window_days(None), Ok(30));
        assert_eq!(pending_window_days(Some(7)), Ok(7));
        assert_eq!(
            pending_window_days(Some(6)),
            Err(KmsError::Validation(
                "PendingWindowInDays should be between 7 and 30, but it is 6".into()
            ))
        );
        assert!(pending_window_days(Some(31)).is_err());
    }

    #[test]
    fn data_keys() {
        assert_eq!(data_key_len(Some("AES_256"), None), Ok(32));
        assert_eq!(data_key_len(Some("AES_128"), None), Ok(16));
        assert_eq!(data_key_len(None, Some(1024)), Ok(1024));
        let neither = Err(KmsError::Validation(
            "Please specify either number of bytes or key spec.".into(),
        ));
        assert_eq!(data_key_len(None, None), neither);
        assert_eq!(data_key_len(Some("AES_256"), Some(32)), neither);
        assert!(data_key_len(None, Some(0)).is_err());
        assert!(data_key_len(None, Some(1025)).is_err());
        assert!(data_key_len(Some("AES_512"), None).is_err());
    }

    #[test]
    fn random_and_algorithms() {
        assert_eq!(random_len(Some(1)), Ok(1));
        assert!(random_len(None).is_err());
        assert!(
            matches!(random_len(Some(2000)), Err(KmsError::Validation(m)) if m.contains("less than or equal to 1024"))
        );
        assert_eq!(
            encryption_algorithm(Spec::Symmetric, None),
            Ok(EncryptionAlgorithm::SymmetricDefault)
        );
        assert_eq!(
            encryption_algorithm(Spec::Symmetric, Some("SYMMETRIC_DEFAULT")),
            Ok(EncryptionAlgorithm::SymmetricDefault)
        );
        assert_eq!(
            encryption_algorithm(Spec::Symmetric, Some("RSAES_OAEP_SHA_1")),
            Err(KmsError::InvalidKeyUsage(
                "Algorithm RSAES_OAEP_SHA_1 is incompatible with key spec SYMMETRIC_DEFAULT."
                    .into()
            ))
        );
        assert!(encryption_algorithm(Spec::Hmac256, None).is_err());
    }
}

//! Request rules beyond the model's constraints: key specs Rampart supports, data-key sizes,
//! deletion windows and encryption algorithms.

use super::KmsError;
use rampart_crypto::material::{Spec, Usage, spec_info};

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
    let usage_name = o.key_usage.unwrap_or("ENCRYPT_DECRYPT");
    let usage = Usage::from_aws(usage_name)
        .ok_or_else(|| KmsError::Validation(format!("KeyUsage {usage_name} is not valid.")))?;
    let info = spec_info(spec);
    if !info.usages.contains(&usage) {
        return Err(KmsError::Validation(format!(
            "The key usage {usage_name} is not compatible with the key spec {spec_name}."
        )));
    }
    if !info.supported {
        return Err(unsupported(format!(
            "KeySpec {spec_name} is not supported by Rampart."
        )));
    }
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

/// A symmetric key only supports `SYMMETRIC_DEFAULT`.
pub fn check_symmetric_algorithm(key_arn: &str, algorithm: Option<&str>) -> Result<(), KmsError> {
    match algorithm {
        None | Some("SYMMETRIC_DEFAULT") => Ok(()),
        Some(other) => Err(KmsError::InvalidKeyUsage(format!(
            "Algorithm {other} is incompatible with key spec SYMMETRIC_DEFAULT of key {key_arn}."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(check_symmetric_algorithm("arn", None), Ok(()));
        assert_eq!(
            check_symmetric_algorithm("arn", Some("SYMMETRIC_DEFAULT")),
            Ok(())
        );
        assert!(check_symmetric_algorithm("arn", Some("RSAES_OAEP_SHA_1")).is_err());
    }
}

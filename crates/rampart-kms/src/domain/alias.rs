//! Aliases: name rules (`alias/` prefix, reserved `alias/aws/`) and the stored alias record.

use super::KmsError;
use serde::{Deserialize, Serialize};

/// One alias as stored (schema version 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasRecord {
    /// Record schema version.
    pub schema: u32,
    /// Full alias name, e.g. `alias/app`.
    pub alias_name: String,
    /// The key id the alias points at.
    pub target_key_id: String,
    /// Creation time, epoch milliseconds.
    pub created_ms: i64,
    /// Last UpdateAlias time, epoch milliseconds.
    pub updated_ms: i64,
}

/// Checks an alias name given to CreateAlias, UpdateAlias or DeleteAlias.
pub fn validate_alias_name(name: &str) -> Result<(), KmsError> {
    if !name.starts_with("alias/") {
        return Err(KmsError::Validation(
            "Alias must start with the prefix \"alias/\". Please see \
             https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
                .into(),
        ));
    }
    if name.starts_with("alias/aws/") {
        return Err(KmsError::NotAuthorized);
    }
    if name.contains(':') {
        return Err(KmsError::Validation(format!(
            "{name} contains invalid characters for an alias"
        )));
    }
    let ok_chars = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/_-".contains(&b));
    if !ok_chars || name.len() > 256 || name == "alias/" {
        return Err(KmsError::Validation(format!(
            "1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"
        )));
    }
    Ok(())
}

/// CreateAlias/UpdateAlias `TargetKeyId` must name a key, not an alias.
pub fn reject_alias_target(target: &str) -> Result<(), KmsError> {
    let is_alias =
        target.starts_with("alias/") || (target.starts_with("arn:") && target.contains(":alias/"));
    if is_alias {
        return Err(KmsError::Validation(
            "Aliases must refer to keys. Not aliases".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_good_names() {
        for name in ["alias/app", "alias/a/b_c-d", "alias/X9"] {
            assert_eq!(validate_alias_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn rejects_bad_names() {
        assert!(
            matches!(validate_alias_name("app"), Err(KmsError::Validation(m)) if m.starts_with("Alias must start"))
        );
        assert_eq!(
            validate_alias_name("alias/aws/s3"),
            Err(KmsError::NotAuthorized)
        );
        assert!(
            matches!(validate_alias_name("alias/a:b"), Err(KmsError::Validation(m)) if m.contains("invalid characters"))
        );
        assert!(matches!(
            validate_alias_name("alias/a b"),
            Err(KmsError::Validation(_))
        ));
        assert!(matches!(
            validate_alias_name("alias/"),
            Err(KmsError::Validation(_))
        ));
    }

    #[test]
    fn targets_must_be_keys() {
        assert!(reject_alias_target("alias/x").is_err());
        assert!(reject_alias_target("arn:aws:kms:us-east-1:111122223333:alias/x").is_err());
        assert!(reject_alias_target("1234abcd-12ab-34cd-56ef-1234567890ab").is_ok());
    }
}

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

/// The `alias/aws/<service>` aliases AWS lists in every account and Region before the service
/// first uses them (then without `TargetKeyId`, `CreationDate` or `LastUpdatedDate`), sorted.
/// AWS does not document the list; this is the set a new account shows, as public test suites
/// recorded it. Services that create their managed key only on use list it from then on.
pub const PREDEFINED_ALIASES: &[&str] = &[
    "alias/aws/acm",
    "alias/aws/dynamodb",
    "alias/aws/ebs",
    "alias/aws/elasticfilesystem",
    "alias/aws/es",
    "alias/aws/glue",
    "alias/aws/kinesisvideo",
    "alias/aws/lambda",
    "alias/aws/rds",
    "alias/aws/redshift",
    "alias/aws/s3",
    "alias/aws/secretsmanager",
    "alias/aws/ssm",
    "alias/aws/xray",
];

/// One ListAliases entry: a stored alias, or a predefined one not yet associated with a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListedAlias {
    /// An alias with a target key.
    Stored(AliasRecord),
    /// A predefined `alias/aws/<service>` alias with no target yet.
    Predefined(&'static str),
}

impl ListedAlias {
    /// The alias name.
    pub fn name(&self) -> &str {
        match self {
            Self::Stored(a) => &a.alias_name,
            Self::Predefined(name) => name,
        }
    }
}

/// `stored` (sorted by name, all names after `after`) with the predefined aliases after `after`
/// that are not stored, in name order.
pub fn with_predefined(stored: Vec<AliasRecord>, after: Option<&str>) -> Vec<ListedAlias> {
    let mut all: Vec<ListedAlias> = PREDEFINED_ALIASES
        .iter()
        .filter(|name| after.is_none_or(|a| **name > a))
        .filter(|name| !stored.iter().any(|s| s.alias_name == **name))
        .map(|name| ListedAlias::Predefined(name))
        .collect();
    all.extend(stored.into_iter().map(ListedAlias::Stored));
    all.sort_by(|a, b| a.name().cmp(b.name()));
    all
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

    fn stored(name: &str) -> AliasRecord {
        AliasRecord {
            schema: 1,
            alias_name: name.into(),
            target_key_id: "k".into(),
            created_ms: 0,
            updated_ms: 0,
        }
    }

    #[test]
    fn predefined_aliases_merge_in_name_order() {
        assert!(PREDEFINED_ALIASES.windows(2).all(|w| w[0] < w[1]));
        let listed = with_predefined(vec![stored("alias/app"), stored("alias/aws/s3")], None);
        let names: Vec<&str> = listed.iter().map(ListedAlias::name).collect();
        assert_eq!(names.len(), PREDEFINED_ALIASES.len() + 1);
        assert_eq!(names[0], "alias/app");
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        let s3 = listed.iter().find(|a| a.name() == "alias/aws/s3");
        assert!(matches!(s3, Some(ListedAlias::Stored(_))));
        let after = with_predefined(Vec::new(), Some("alias/aws/secretsmanager"));
        let names: Vec<&str> = after.iter().map(ListedAlias::name).collect();
        assert_eq!(names, ["alias/aws/ssm", "alias/aws/xray"]);
    }

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

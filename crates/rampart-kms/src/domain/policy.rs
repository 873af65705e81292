//! Key policies: the default policy AWS writes and the single policy name (documents are
//! checked by `authz::key_policy`).

use super::{KmsError, Scope};
use serde::{Deserialize, Serialize};

/// The only key policy name.
pub const DEFAULT_POLICY_NAME: &str = "default";

/// A key's policy as stored (schema version 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRecord {
    /// Record schema version.
    pub schema: u32,
    /// The policy document, verbatim as given.
    pub document: String,
}

impl PolicyRecord {
    /// Wraps a policy document.
    pub fn new(document: String) -> Self {
        Self {
            schema: 1,
            document,
        }
    }
}

/// The default key policy AWS attaches when CreateKey has no `Policy`, formatted as AWS returns it.
pub fn default_key_policy(scope: &Scope) -> String {
    format!(
        "{{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {{\n    \
         \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n    \
         \"Principal\" : {{\n      \"AWS\" : \"arn:{}:iam::{}:root\"\n    }},\n    \
         \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  }} ]\n}}",
        scope.partition(),
        scope.account
    )
}

/// `PolicyName`, when given, must be `default`.
pub fn check_policy_name(name: Option<&str>) -> Result<(), KmsError> {
    match name {
        None | Some(DEFAULT_POLICY_NAME) => Ok(()),
        Some(_) => Err(KmsError::NotFound("No such policy exists".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_is_valid_json_naming_the_account_root() {
        let doc = default_key_policy(&Scope::new("111122223333", "us-east-1"));
        let v: serde_json::Value = serde_json::from_str(&doc).unwrap_or_default();
        assert_eq!(
            v["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::111122223333:root"
        );
        assert_eq!(v["Statement"][0]["Action"], "kms:*");
        assert!(
            doc.starts_with("{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\"")
        );
    }

    #[test]
    fn policy_names() {
        assert_eq!(check_policy_name(None), Ok(()));
        assert_eq!(check_policy_name(Some("default")), Ok(()));
        assert!(check_policy_name(Some("other")).is_err());
    }
}

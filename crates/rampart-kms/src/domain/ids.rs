//! Key ids, key and alias ARNs, and parsing of the `KeyId` parameter (id, ARN, alias, alias ARN).

use super::KmsError;
use rampart_core::Arn;

pub use rampart_core::Scope;

/// The KMS ARNs of a scope.
pub trait KmsArns {
    /// `arn:aws:kms:<region>:<account>:key/<key_id>`.
    fn key_arn(&self, key_id: &str) -> String;
    /// `arn:aws:kms:<region>:<account>:<alias_name>` (the name includes `alias/`).
    fn alias_arn(&self, alias_name: &str) -> String;
}

impl KmsArns for Scope {
    /// One `format!` (no intermediate resource string): this is on every request's path.
    fn key_arn(&self, key_id: &str) -> String {
        let (partition, region, account) = (self.partition(), &self.region, &self.account);
        format!("arn:{partition}:kms:{region}:{account}:key/{key_id}")
    }

    fn alias_arn(&self, alias_name: &str) -> String {
        self.arn("kms", alias_name)
    }
}

/// Which identifier forms an operation accepts for its key parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    /// Key id or key ARN only (e.g. EnableKey, ScheduleKeyDeletion, TagResource).
    KeyOnly,
    /// Key id, key ARN, alias name or alias ARN (e.g. DescribeKey, Encrypt).
    KeyOrAlias,
}

/// A parsed key reference, already checked to belong to the caller's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRef {
    /// A key id (from a bare id or a key ARN).
    Key(String),
    /// An alias name such as `alias/app` (from a name or an alias ARN).
    Alias(String),
}

/// A new random key id (lowercase UUID v4).
pub fn new_key_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A new multi-Region key id: `mrk-` and 32 lowercase hex digits.
pub fn new_multi_region_key_id() -> String {
    format!("mrk-{}", uuid::Uuid::new_v4().simple())
}

/// True for a UUID-shaped key id (optionally `mrk-` + 32 hex digits for multi-Region keys).
pub fn is_key_id(text: &str) -> bool {
    if let Some(hex) = text.strip_prefix("mrk-") {
        return hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    // 8-4-4-4-12 hex digits, checked in place (no allocation: this is on every request's path).
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Parses the `KeyId`-style parameter `text` for an operation accepting `accept` forms.
pub fn parse_key_ref(scope: &Scope, text: &str, accept: Accept) -> Result<KeyRef, KmsError> {
    if text.starts_with("arn:") {
        return parse_arn(scope, text, accept);
    }
    if text.starts_with("alias/") {
        return match accept {
            Accept::KeyOrAlias => Ok(KeyRef::Alias(text.to_owned())),
            Accept::KeyOnly => Err(KmsError::invalid_key_id(text)),
        };
    }
    if is_key_id(text) {
        Ok(KeyRef::Key(text.to_owned()))
    } else {
        Err(KmsError::invalid_key_id(text))
    }
}

fn parse_arn(scope: &Scope, text: &str, accept: Accept) -> Result<KeyRef, KmsError> {
    let Some(Arn {
        service,
        region,
        account,
        resource,
        ..
    }) = Arn::parse(text)
    else {
        return Err(KmsError::invalid_key_id(text));
    };
    if service != "kms" {
        return Err(KmsError::invalid_key_id(text));
    }
    if region != scope.region {
        return Err(KmsError::NotFound(format!("Invalid arn {region}")));
    }
    if let Some(key_id) = resource.strip_prefix("key/") {
        if !is_key_id(key_id) {
            return Err(KmsError::invalid_key_id(text));
        }
        if account != scope.account {
            return Err(KmsError::key_not_found(text));
        }
        return Ok(KeyRef::Key(key_id.to_owned()));
    }
    if resource.starts_with("alias/") && accept == Accept::KeyOrAlias {
        if account != scope.account {
            return Err(KmsError::alias_not_found(text));
        }
        return Ok(KeyRef::Alias(resource.to_owned()));
    }
    Err(KmsError::invalid_key_id(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

    fn scope() -> Scope {
        Scope::new("111122223333", "us-east-1")
    }

    #[test]
    fn arns() {
        let s = scope();
        assert_eq!(
            s.key_arn(ID),
            format!("arn:aws:kms:us-east-1:111122223333:key/{ID}")
        );
        assert_eq!(
            s.alias_arn("alias/a"),
            "arn:aws:kms:us-east-1:111122223333:alias/a"
        );
        assert_eq!(Scope::new("1", "cn-north-1").partition(), "aws-cn");
    }

    #[test]
    fn key_ids() {
        assert!(is_key_id(ID));
        assert!(is_key_id(&new_key_id()));
        assert!(is_key_id("mrk-1234abcd12ab34cd56ef1234567890ab"));
        assert!(!is_key_id("1234abcd-12ab-34cd-56ef-1234567890a"));
        assert!(!is_key_id("1234abcd-12ab-34cd-56ef-1234567890ag"));
        assert!(!is_key_id("foo"));
        assert!(!is_key_id("1234abc-d12ab-34cd-56ef-1234567890ab"));
        assert!(!is_key_id("1234abcd-12ab-34cd-56ef1-234567890ab"));
        assert!(!is_key_id("1234abcd-12ab-34cd-56ef-1234567890é"));
    }

    #[test]
    fn parses_every_form() {
        let s = scope();
        let any = Accept::KeyOrAlias;
        assert_eq!(parse_key_ref(&s, ID, any), Ok(KeyRef::Key(ID.into())));
        assert_eq!(
            parse_key_ref(&s, &s.key_arn(ID), any),
            Ok(KeyRef::Key(ID.into()))
        );
        assert_eq!(
            parse_key_ref(&s, "alias/app", any),
            Ok(KeyRef::Alias("alias/app".into()))
        );
        let alias_arn = s.alias_arn("alias/app");
        assert_eq!(
            parse_key_ref(&s, &alias_arn, any),
            Ok(KeyRef::Alias("alias/app".into()))
        );
    }

    #[test]
    fn key_only_rejects_aliases() {
        let s = scope();
        let err = parse_key_ref(&s, "alias/app", Accept::KeyOnly);
        assert_eq!(err, Err(KmsError::invalid_key_id("alias/app")));
        let arn = s.alias_arn("alias/app");
        assert_eq!(
            parse_key_ref(&s, &arn, Accept::KeyOnly),
            Err(KmsError::invalid_key_id(&arn))
        );
    }

    #[test]
    fn foreign_scopes_are_not_found() {
        let s = scope();
        let other_region = format!("arn:aws:kms:eu-west-1:111122223333:key/{ID}");
        assert_eq!(
            parse_key_ref(&s, &other_region, Accept::KeyOnly),
            Err(KmsError::NotFound("Invalid arn eu-west-1".into()))
        );
        let other_account = format!("arn:aws:kms:us-east-1:999999999999:key/{ID}");
        assert_eq!(
            parse_key_ref(&s, &other_account, Accept::KeyOnly),
            Err(KmsError::key_not_found(&other_account))
        );
    }

    #[test]
    fn garbage_is_invalid_key_id() {
        let s = scope();
        for text in [
            "nope",
            "arn:aws:s3:::bucket",
            "arn:aws:kms:us-east-1:111122223333:key/x",
        ] {
            assert_eq!(
                parse_key_ref(&s, text, Accept::KeyOrAlias),
                Err(KmsError::invalid_key_id(text))
            );
        }
    }
}

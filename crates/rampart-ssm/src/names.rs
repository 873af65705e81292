//! Parameter names as Parameter Store checks them, their ARNs, and the `name:version` /
//! `name:label` selectors reads accept.

use crate::generated::ServiceError;
use crate::generated::errors::hierarchy_level_limit_exceeded_exception;
use rampart_core::RequestContext;

/// The deepest hierarchy a name may have.
const MAX_LEVELS: usize = 15;
/// The longest fully qualified name (the parameter ARN).
const MAX_ARN_LENGTH: usize = 1011;

/// AWS's message for a name with characters or a shape it refuses (spaces and `@` included).
const BAD_NAME: &str = "Parameter name: can't be prefixed with \"ssm\" (case-insensitive). If \
     formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be \
     formed as a mix of letters, numbers and the following 3 symbols .-_";

/// The ARN of parameter `name` in the caller's account and Region.
pub fn parameter_arn(ctx: &RequestContext, name: &str) -> String {
    arn_in(ctx.account().as_str(), ctx.region.as_str(), name)
}

/// The ARN of parameter `name` in `account`/`region`.
pub fn arn_in(account: &str, region: &str, name: &str) -> String {
    format!(
        "arn:{}:ssm:{region}:{account}:parameter/{}",
        partition(region),
        name.trim_start_matches('/')
    )
}

/// The partition of `region`.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

fn valid_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/')
}

/// Checks a name PutParameter would create: characters, reserved prefixes, depth and length.
pub fn check_new_name(ctx: &RequestContext, name: &str) -> Result<(), ServiceError> {
    check_reserved(name)?;
    let is_path = name.starts_with('/');
    let bad_shape = name.is_empty()
        || !name.chars().all(valid_char)
        || name.contains("//")
        || name.ends_with('/')
        || (!is_path && name.contains('/'));
    if bad_shape {
        return Err(ServiceError::validation(BAD_NAME));
    }
    if name.split('/').filter(|s| !s.is_empty()).count() > MAX_LEVELS {
        return Err(hierarchy_level_limit_exceeded_exception(
            "A hierarchy can have a maximum of 15 levels. For more information, see \
             Requirements and constraints for parameter names in the AWS Systems Manager User \
             Guide.",
        ));
    }
    // Doubt: AWS's exact wording for an over-long name is not documented; the limit is.
    if parameter_arn(ctx, name).len() > MAX_ARN_LENGTH {
        return Err(ServiceError::validation(format!(
            "Parameter name: {name} is too long. The maximum length of a fully qualified \
             parameter name, including its ARN, is {MAX_ARN_LENGTH} characters."
        )));
    }
    Ok(())
}

/// Names under `aws`/`ssm` are Amazon's: `/aws/...` paths are refused as AccessDenied, the
/// others as ValidationException, in AWS's words.
fn check_reserved(name: &str) -> Result<(), ServiceError> {
    let lower = name.to_ascii_lowercase();
    let bare = lower.trim_start_matches('/');
    if !(bare.starts_with("aws") || bare.starts_with("ssm")) {
        return Ok(());
    }
    let is_path = name.matches('/').count() > 1;
    if lower.starts_with("/aws") && is_path {
        return Err(ServiceError::new(
            "AccessDeniedException",
            400,
            format!("No access to reserved parameter name: {name}."),
        ));
    }
    if !is_path {
        return Err(ServiceError::validation(
            "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive).",
        ));
    }
    Err(ServiceError::validation(BAD_NAME))
}

/// ValidationException for a name with spaces inside it: AWS trims them at the ends and
/// refuses them between characters, reads included.
pub fn check_no_inner_spaces(raw: &str) -> Result<(), ServiceError> {
    if raw.trim().contains(char::is_whitespace) {
        return Err(ServiceError::validation(BAD_NAME));
    }
    Ok(())
}

/// Which version a read names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    Latest,
    Version(i64),
    Label(String),
}

impl Selector {
    /// The `Selector` AWS echoes (`:3`, `:prod`).
    pub fn echo(&self) -> Option<String> {
        match self {
            Selector::Latest => None,
            Selector::Version(v) => Some(format!(":{v}")),
            Selector::Label(l) => Some(format!(":{l}")),
        }
    }
}

/// A read's target: the parameter name (ARNs of the caller's own parameters reduced to the
/// name) and the selector. `None` when it cannot name a parameter of the caller's.
pub fn parse_reference(ctx: &RequestContext, raw: &str) -> Option<(String, Selector)> {
    let raw = raw.trim();
    let name = match raw.strip_prefix("arn:") {
        Some(_) => {
            let prefix = parameter_arn(ctx, "");
            format!("/{}", raw.strip_prefix(&prefix)?)
        }
        None => raw.to_owned(),
    };
    let (name, selector) = match name.split_once(':') {
        None => (name, Selector::Latest),
        Some((base, sel)) if !sel.is_empty() && !sel.contains(':') => {
            let selector = match sel.parse::<i64>() {
                Ok(v) if sel.bytes().all(|b| b.is_ascii_digit()) => Selector::Version(v),
                _ => Selector::Label(sel.to_owned()),
            };
            (base.to_owned(), selector)
        }
        Some(_) => return None,
    };
    if name.is_empty() || !name.chars().all(valid_char) {
        return None;
    }
    Some((name, selector))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rampart_core::{AccountId, Principal, PrincipalKind, Region};

    fn ctx() -> RequestContext {
        let principal = Principal {
            account: AccountId::parse("111122223333").unwrap(),
            arn: "arn:aws:iam::111122223333:root".into(),
            principal_id: "111122223333".into(),
            access_key_id: "AKIA".into(),
            kind: PrincipalKind::Root,
            session: None,
        };
        RequestContext::new(principal, Region::new("us-east-1"))
    }

    #[test]
    fn names_follow_aws_rules() {
        let ctx = ctx();
        assert!(check_new_name(&ctx, "/app/prod/db-url_1.x").is_ok());
        assert!(check_new_name(&ctx, "plain").is_ok());
        for bad in ["/a b", "/a//b", "/a/", "a/b", "/a$b", ""] {
            let e = check_new_name(&ctx, bad).unwrap_err();
            assert_eq!(e.code, "ValidationException", "{bad}");
        }
        let deep = "/a".repeat(16);
        let e = check_new_name(&ctx, &deep).unwrap_err();
        assert_eq!(e.code, "HierarchyLevelLimitExceededException");
        assert!(check_new_name(&ctx, &"/a".repeat(15)).is_ok());
        let long = format!("/{}", "x".repeat(1000));
        assert_eq!(
            check_new_name(&ctx, &long).unwrap_err().code,
            "ValidationException"
        );
    }

    #[test]
    fn reserved_prefixes_are_refused() {
        let ctx = ctx();
        let e = check_new_name(&ctx, "/aws/x/y").unwrap_err();
        assert_eq!(e.code, "AccessDeniedException");
        assert_eq!(e.message, "No access to reserved parameter name: /aws/x/y.");
        assert!(check_new_name(&ctx, "awsthing").is_err());
        assert!(check_new_name(&ctx, "/SSM/x").is_err());
        assert!(check_new_name(&ctx, "/ssmx").is_err());
        assert!(check_new_name(&ctx, "/app/aws").is_ok());
    }

    #[test]
    fn references_split_selectors_and_arns() {
        let ctx = ctx();
        assert_eq!(
            parse_reference(&ctx, "/a/b:3"),
            Some(("/a/b".into(), Selector::Version(3)))
        );
        assert_eq!(
            parse_reference(&ctx, "/a/b:prod"),
            Some(("/a/b".into(), Selector::Label("prod".into())))
        );
        let arn = "arn:aws:ssm:us-east-1:111122223333:parameter/a/b:2";
        assert_eq!(
            parse_reference(&ctx, arn),
            Some(("/a/b".into(), Selector::Version(2)))
        );
        let other = "arn:aws:ssm:us-east-1:999999999999:parameter/a";
        assert_eq!(parse_reference(&ctx, other), None);
        assert_eq!(parse_reference(&ctx, "/a:b:c"), None);
        assert_eq!(
            arn_in("1", "us-east-1", "/x/y"),
            "arn:aws:ssm:us-east-1:1:parameter/x/y"
        );
    }
}

//! Scopes, resource kinds and WAF ARNs: `arn:aws:wafv2:<region>:<account>:regional/webacl/
//! <name>/<id>` (`global/` for CLOUDFRONT, which lives in us-east-1 only).

use crate::errors::{bad_format, invalid_parameter};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use serde::{Deserialize, Serialize};

/// The only Region that serves the CLOUDFRONT scope.
pub const CLOUDFRONT_REGION: &str = "us-east-1";

/// Where a resource applies: a regional application or CloudFront.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    Regional,
    CloudFront,
}

impl Scope {
    /// The scope the caller named, checked against its Region (CLOUDFRONT only in us-east-1).
    pub fn for_request(ctx: &RequestContext, scope: &str) -> Result<Scope, ServiceError> {
        match scope {
            "REGIONAL" => Ok(Scope::Regional),
            "CLOUDFRONT" if ctx.region.as_str() == CLOUDFRONT_REGION => Ok(Scope::CloudFront),
            other => Err(invalid_parameter(
                "SCOPE_VALUE",
                other,
                "The scope is not valid.",
            )),
        }
    }

    /// The ARN segment naming the scope.
    pub fn segment(self) -> &'static str {
        match self {
            Scope::Regional => "regional",
            Scope::CloudFront => "global",
        }
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Regional => "REGIONAL",
            Scope::CloudFront => "CLOUDFRONT",
        }
    }
}

/// The kinds of WAF resources Rampart stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    IpSet,
    RegexPatternSet,
    RuleGroup,
    WebAcl,
}

impl Kind {
    /// The ARN segment naming the kind.
    pub fn segment(self) -> &'static str {
        match self {
            Kind::IpSet => "ipset",
            Kind::RegexPatternSet => "regexpatternset",
            Kind::RuleGroup => "rulegroup",
            Kind::WebAcl => "webacl",
        }
    }

    fn from_segment(segment: &str) -> Option<Kind> {
        [
            Kind::IpSet,
            Kind::RegexPatternSet,
            Kind::RuleGroup,
            Kind::WebAcl,
        ]
        .into_iter()
        .find(|k| k.segment() == segment)
    }

    /// The `Field` WAFInvalidParameterException names for an ARN of this kind.
    pub fn field(self) -> &'static str {
        match self {
            Kind::IpSet => "IP_SET",
            Kind::RegexPatternSet => "REGEX_PATTERN_SET",
            Kind::RuleGroup => "RULE_GROUP",
            Kind::WebAcl => "WEB_ACL",
        }
    }
}

/// Where a WAF resource lives: what its ARN says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub region: String,
    pub account: String,
    pub scope: Scope,
    pub kind: Kind,
    pub name: String,
    pub id: String,
}

impl Location {
    /// The resource's ARN.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:wafv2:{}:{}:{}/{}/{}/{}",
            self.region,
            self.account,
            self.scope.segment(),
            self.kind.segment(),
            self.name,
            self.id
        )
    }

    /// The location an ARN names; `None` unless it is a well-formed WAFv2 resource ARN.
    pub fn parse(arn: &str) -> Option<Location> {
        let rest = arn.strip_prefix("arn:aws:wafv2:")?;
        let (region, rest) = rest.split_once(':')?;
        let (account, path) = rest.split_once(':')?;
        let mut parts = path.split('/');
        let scope = match parts.next()? {
            "regional" => Scope::Regional,
            "global" => Scope::CloudFront,
            _ => return None,
        };
        let kind = Kind::from_segment(parts.next()?)?;
        let (name, id) = (parts.next()?, parts.next()?);
        let valid = !region.is_empty() && account.len() == 12 && !name.is_empty();
        if !valid || id.is_empty() || parts.next().is_some() {
            return None;
        }
        Some(Location {
            region: region.into(),
            account: account.into(),
            scope,
            kind,
            name: name.into(),
            id: id.into(),
        })
    }

    /// The location `arn` names for the caller: well-formed, of `kind` when given, in the
    /// caller's account and Region; `field` names the parameter in the error.
    pub fn of_caller(
        ctx: &RequestContext,
        arn: &str,
        kind: Option<Kind>,
        field: &str,
    ) -> Result<Location, ServiceError> {
        let loc = Location::parse(arn).ok_or_else(|| bad_format(field, arn))?;
        let own = loc.account == ctx.account().as_str() && loc.region == ctx.region.as_str();
        if !own || kind.is_some_and(|k| k != loc.kind) {
            return Err(bad_format(field, arn));
        }
        Ok(loc)
    }
}

/// A fresh id or lock token in AWS's form (a UUID).
pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_round_trip() {
        let loc = Location {
            region: "us-east-1".into(),
            account: "123456789012".into(),
            scope: Scope::CloudFront,
            kind: Kind::WebAcl,
            name: "acl".into(),
            id: "a1b2".into(),
        };
        let arn = loc.arn();
        assert_eq!(
            arn,
            "arn:aws:wafv2:us-east-1:123456789012:global/webacl/acl/a1b2"
        );
        assert_eq!(Location::parse(&arn), Some(loc));
    }

    #[test]
    fn malformed_arns_are_refused() {
        for bad in [
            "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/acl",
            "arn:aws:wafv2:us-east-1:123456789012:regional/thing/acl/id",
            "arn:aws:wafv2:us-east-1:1234:regional/webacl/acl/id",
            "arn:aws:wafv2:us-east-1:123456789012:elsewhere/webacl/acl/id",
            "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/acl/id/more",
            "arn:aws:waf:us-east-1:123456789012:regional/webacl/acl/id",
        ] {
            assert_eq!(Location::parse(bad), None, "{bad}");
        }
    }
}

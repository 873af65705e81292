//! Where a resource lives: an account in a Region. The ARN partition of a Region, ARNs built and
//! parsed, and the row keys services store per-scope resources under (`<account>/<region>/...`),
//! shared by every service rather than rebuilt in each.

/// The account and Region a request works in; every regional resource lives in exactly one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    /// 12-digit account id.
    pub account: String,
    /// Region name, e.g. `us-east-1`.
    pub region: String,
}

impl Scope {
    /// A scope for `account` in `region`.
    pub fn new(account: impl Into<String>, region: impl Into<String>) -> Self {
        Self {
            account: account.into(),
            region: region.into(),
        }
    }

    /// The ARN partition of the scope's Region.
    pub fn partition(&self) -> &'static str {
        partition_of(&self.region)
    }

    /// `arn:<partition>:<service>:<region>:<account>:<resource>`.
    pub fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{}:{resource}",
            self.partition(),
            self.region,
            self.account
        )
    }

    /// The row key of resource `id` in this scope: `<account>/<region>/<id>`.
    pub fn row(&self, id: &str) -> String {
        format!("{}/{}/{id}", self.account, self.region)
    }

    /// The scan prefix of every row of this scope: `<account>/<region>/`.
    pub fn prefix(&self) -> String {
        format!("{}/{}/", self.account, self.region)
    }
}

/// The ARN partition of `region`: `aws-cn` for China, `aws-us-gov` for GovCloud, else `aws`.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The six parts of an ARN, borrowed from its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, ...
    pub partition: &'a str,
    /// The service namespace, e.g. `kms`.
    pub service: &'a str,
    /// The Region (empty for global services such as IAM).
    pub region: &'a str,
    /// The account (empty for some resources, `aws` for AWS managed policies).
    pub account: &'a str,
    /// Everything after the fifth colon, e.g. `key/<id>` or `alias/app`.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits `text` as `arn:<partition>:<service>:<region>:<account>:<resource>`; None when it
    /// does not start with `arn:` or has fewer than six parts.
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut parts = text.strip_prefix("arn:")?.splitn(5, ':');
        Some(Arn {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        })
    }

    /// The account when it is a 12-digit account id.
    pub fn account_id(&self) -> Option<&'a str> {
        let digits = self.account.len() == 12 && self.account.bytes().all(|b| b.is_ascii_digit());
        digits.then_some(self.account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_and_rows_follow_the_scope() {
        let scope = Scope::new("111122223333", "cn-north-1");
        assert_eq!(scope.partition(), "aws-cn");
        assert_eq!(
            scope.arn("kms", "key/k"),
            "arn:aws-cn:kms:cn-north-1:111122223333:key/k"
        );
        assert_eq!(scope.row("k"), "111122223333/cn-north-1/k");
        assert_eq!(scope.prefix(), "111122223333/cn-north-1/");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of("eu-west-1"), "aws");
    }

    #[test]
    fn an_arn_splits_into_six_parts_with_the_resource_whole() {
        let arn = Arn::parse("arn:aws:iam::111122223333:user/ops/a:b").expect("an ARN");
        assert_eq!(
            arn,
            Arn {
                partition: "aws",
                service: "iam",
                region: "",
                account: "111122223333",
                resource: "user/ops/a:b",
            }
        );
        assert_eq!(arn.account_id(), Some("111122223333"));
        let managed = Arn::parse("arn:aws:iam::aws:policy/ReadOnlyAccess").expect("an ARN");
        assert_eq!(managed.account_id(), None);
        assert_eq!(Arn::parse("arn:aws:kms:us-east-1"), None);
        assert_eq!(Arn::parse("alias/app"), None);
    }
}

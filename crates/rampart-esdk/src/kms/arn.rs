//! KMS key ARNs as the keyrings read them: parsing, multi-Region key matching across Regions,
//! and the Region a key identifier is called in.

/// A parsed `arn:<partition>:kms:<region>:<account>:key/<id>` (or `alias/<name>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyArn<'a> {
    /// The partition, e.g. `aws`.
    pub partition: &'a str,
    /// The Region.
    pub region: &'a str,
    /// The account id.
    pub account: &'a str,
    /// `key` or `alias`.
    pub resource_type: &'a str,
    /// The key id or alias name.
    pub resource_id: &'a str,
}

impl<'a> KeyArn<'a> {
    /// Parses a KMS ARN; `None` for anything else.
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        let (arn, partition, service) = (parts.next()?, parts.next()?, parts.next()?);
        let (region, account, resource) = (parts.next()?, parts.next()?, parts.next()?);
        if arn != "arn"
            || service != "kms"
            || [partition, region, account].iter().any(|p| p.is_empty())
        {
            return None;
        }
        let (resource_type, resource_id) = resource.split_once('/')?;
        if !matches!(resource_type, "key" | "alias") || resource_id.is_empty() {
            return None;
        }
        Some(Self {
            partition,
            region,
            account,
            resource_type,
            resource_id,
        })
    }

    /// True for a multi-Region key (`key/mrk-…`).
    pub fn is_multi_region_key(&self) -> bool {
        self.resource_type == "key" && self.resource_id.starts_with("mrk-")
    }
}

/// True when two key identifiers name the same key for a multi-Region-aware keyring: equal,
/// or both multi-Region key ARNs that differ only by Region.
pub fn mrk_match(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (KeyArn::parse(a), KeyArn::parse(b)) {
        (Some(x), Some(y)) if x.is_multi_region_key() && y.is_multi_region_key() => {
            (x.partition, x.account, x.resource_id) == (y.partition, y.account, y.resource_id)
        }
        _ => false,
    }
}

/// The Region to call for a key identifier: an ARN's own Region, else `default`.
pub fn region_of<'a>(identifier: &'a str, default: &'a str) -> &'a str {
    KeyArn::parse(identifier).map_or(default, |arn| arn.region)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn multi_region_keys_match_across_regions_only() {
        let east = "arn:aws:kms:us-east-1:111122223333:key/mrk-1234";
        let west = "arn:aws:kms:us-west-2:111122223333:key/mrk-1234";
        let other = "arn:aws:kms:us-west-2:444455556666:key/mrk-1234";
        let single = "arn:aws:kms:us-west-2:111122223333:key/1234";
        assert!(mrk_match(east, west));
        assert!(!mrk_match(east, other));
        assert!(!mrk_match(
            single,
            "arn:aws:kms:us-east-1:111122223333:key/1234"
        ));
        assert_eq!(region_of(west, "eu-west-1"), "us-west-2");
        assert_eq!(region_of("alias/x", "eu-west-1"), "eu-west-1");
        assert!(KeyArn::parse("arn:aws:s3:::bucket").is_none());
    }
}

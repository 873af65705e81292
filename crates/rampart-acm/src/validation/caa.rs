//! CAA (RFC 8659) as ACM checks it before issuing: for each name, the closest CAA record set
//! found walking up from the name (a wildcard from its base, preferring `issuewild` records)
//! must, if there is one, authorize one of the issuer domains ACM documents (`amazon.com`,
//! `amazontrust.com`, `awstrust.com`, `amazonaws.com`); otherwise the certificate FAILS with
//! CAA_ERROR. Names without a CAA record set anywhere up the tree may be issued. A look-up
//! that fails counts as no record set (lenient: AWS retries such failures).

use hickory_resolver::proto::rr::rdata::caa::{CAA, Property};

/// The issuer domains whose authorization lets ACM issue.
const AMAZON_ISSUERS: &[&str] = &[
    "amazon.com",
    "amazontrust.com",
    "awstrust.com",
    "amazonaws.com",
];

/// The names whose CAA sets are consulted for `name`, closest first.
pub fn tree(name: &str) -> Vec<String> {
    let base = name
        .strip_prefix("*.")
        .unwrap_or(name)
        .trim_end_matches('.');
    let labels: Vec<&str> = base.split('.').collect();
    (0..labels.len()).map(|i| labels[i..].join(".")).collect()
}

/// Whether the record set `records` (non-empty, the closest found) lets ACM issue for a
/// name, `wildcard` or not.
pub fn permits(records: &[CAA], wildcard: bool) -> bool {
    let wild: Vec<&CAA> = records
        .iter()
        .filter(|r| *r.tag() == Property::IssueWild)
        .collect();
    let relevant: Vec<&CAA> = if wildcard && !wild.is_empty() {
        wild
    } else {
        records
            .iter()
            .filter(|r| *r.tag() == Property::Issue)
            .collect()
    };
    if relevant.is_empty() {
        // A set with no issue property (only iodef, say) restricts nobody.
        return true;
    }
    relevant.iter().any(|record| match record.value_as_issue() {
        Ok((Some(issuer), _)) => {
            let issuer = issuer.to_ascii().to_ascii_lowercase();
            AMAZON_ISSUERS.contains(&issuer.trim_end_matches('.'))
        }
        _ => false,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_starts_at_the_base_of_a_wildcard() {
        assert_eq!(
            tree("*.a.example.com"),
            ["a.example.com", "example.com", "com"]
        );
        assert_eq!(tree("example.com."), ["example.com", "com"]);
    }

    fn issue(issuer: &str) -> CAA {
        let name = hickory_resolver::Name::from_ascii(issuer).unwrap();
        CAA::new_issue(false, Some(name), Vec::new())
    }

    #[test]
    fn only_amazon_issuers_are_authorized() {
        assert!(permits(
            &[issue("letsencrypt.org"), issue("amazon.com")],
            false
        ));
        assert!(!permits(&[issue("letsencrypt.org")], false));
        assert!(!permits(&[CAA::new_issue(false, None, Vec::new())], false));
        let wild = CAA::new_issuewild(false, None, Vec::new());
        assert!(!permits(&[issue("amazontrust.com"), wild.clone()], true));
        assert!(permits(&[issue("amazontrust.com"), wild], false));
    }
}

//! The IP reputation groups: rules that reference managed IP lists through synthetic IP set
//! ARNs, which [`super::ManagedResolver`] answers with the embedded threat intelligence and
//! the addresses the operator adds.

use super::build::{RuleSpec, ip_set};

/// The prefix of the synthetic ARNs of the managed lists (no account can own them).
pub(super) const ARN_PREFIX: &str = "arn:aws:wafv2:global:aws-managed:ipset/";

/// The managed IP lists a rule can reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpList {
    /// `AWSManagedIPReputationList`: addresses on at least 3 of the public blacklists IPsum
    /// aggregates (embedded), plus the operator's.
    Reputation,
    /// `AWSManagedReconnaissanceList`: the operator's (Rampart ships none).
    Reconnaissance,
    /// `AWSManagedIPDDoSList`: the operator's (Rampart ships none).
    Ddos,
    /// `AnonymousIPList` (Tor exits, VPNs, proxies): the operator's (Rampart ships none).
    Anonymous,
    /// `HostingProviderIPList`: the operator's (Rampart ships none).
    HostingProvider,
}

impl IpList {
    /// Every list.
    pub const ALL: [IpList; 5] = [
        IpList::Reputation,
        IpList::Reconnaissance,
        IpList::Ddos,
        IpList::Anonymous,
        IpList::HostingProvider,
    ];

    /// The name of the rule that uses it.
    pub fn name(self) -> &'static str {
        match self {
            IpList::Reputation => "AWSManagedIPReputationList",
            IpList::Reconnaissance => "AWSManagedReconnaissanceList",
            IpList::Ddos => "AWSManagedIPDDoSList",
            IpList::Anonymous => "AnonymousIPList",
            IpList::HostingProvider => "HostingProviderIPList",
        }
    }

    /// Its synthetic IP set ARN.
    pub fn arn(self) -> String {
        format!("{ARN_PREFIX}{}", self.name())
    }

    /// The list a synthetic ARN names.
    pub fn from_arn(arn: &str) -> Option<IpList> {
        let name = arn.strip_prefix(ARN_PREFIX)?;
        IpList::ALL.into_iter().find(|l| l.name() == name)
    }

    /// The addresses Rampart embeds for it, as CIDR blocks.
    pub fn embedded(self) -> Vec<String> {
        match self {
            IpList::Reputation => ipsum(),
            _ => Vec::new(),
        }
    }
}

/// `data/threatintel/ipsum-3.txt`: `address<TAB>lists`, kept when on 3 lists or more.
const IPSUM: &str = include_str!("../../data/threatintel/ipsum-3.txt");
const MIN_LISTS: u32 = 3;

fn ipsum() -> Vec<String> {
    IPSUM
        .lines()
        .filter_map(|line| {
            let (ip, count) = line.split_once('\t')?;
            let count: u32 = count.trim().parse().ok()?;
            let ip: std::net::IpAddr = ip.trim().parse().ok()?;
            let bits = if ip.is_ipv4() { 32 } else { 128 };
            (count >= MIN_LISTS).then(|| format!("{ip}/{bits}"))
        })
        .collect()
}

fn list_rule(list: IpList, action: &'static str) -> RuleSpec {
    RuleSpec {
        name: list.name(),
        label: list.name(),
        action,
        statement: ip_set(&list.arn()),
    }
}

/// `AWSManagedRulesAmazonIpReputationList`, namespace `awswaf:managed:aws:amazon-ip-list:`.
pub(super) fn amazon_ip_reputation() -> Vec<RuleSpec> {
    vec![
        list_rule(IpList::Reputation, "Block"),
        list_rule(IpList::Reconnaissance, "Block"),
        list_rule(IpList::Ddos, "Count"),
    ]
}

/// `AWSManagedRulesAnonymousIpList`, namespace `awswaf:managed:aws:anonymous-ip-list:`.
pub(super) fn anonymous_ip() -> Vec<RuleSpec> {
    vec![
        list_rule(IpList::Anonymous, "Block"),
        list_rule(IpList::HostingProvider, "Block"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_reputation_list_is_parsed_whole() {
        let list = IpList::Reputation.embedded();
        assert_eq!(list.len(), IPSUM.lines().count());
        assert!(list.len() > 10_000);
        assert!(IpList::Ddos.embedded().is_empty());
    }

    #[test]
    fn arns_name_their_list() {
        for list in IpList::ALL {
            assert_eq!(IpList::from_arn(&list.arn()), Some(list));
        }
        assert_eq!(
            IpList::from_arn("arn:aws:wafv2:us-east-1:1:regional/ipset/x/y"),
            None
        );
    }
}

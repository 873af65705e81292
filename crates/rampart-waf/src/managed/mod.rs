//! The managed rule groups Rampart ships, named and labelled as AWS's (vendor `AWS`): their
//! catalog ([`catalog`]), their content as `RuleGroup` JSON the engine compiles
//! ([`rule_group`]), and [`ManagedResolver`], a [`Resolver`] that answers them (and their
//! IP lists) in front of another resolver.
//!
//! The rules are Rampart's own, written from what AWS documents of each rule (what it
//! inspects, example patterns, action, label), not AWS's signatures; the IP reputation list
//! is IPsum's (`data/threatintel/`). Pure: the data is embedded, nothing is read or fetched.

mod baseline;
mod build;
mod ip_lists;
mod use_case;

pub use ip_lists::IpList;

use crate::Resolver;
use build::RuleSpec;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The vendor of every group here.
pub const VENDOR: &str = "AWS";

/// The version of Rampart's rules of a versioned group (the only static version, so the
/// default one).
pub const VERSION: &str = "Version_1.0";

/// One group of the catalog.
struct GroupSpec {
    name: &'static str,
    capacity: u64,
    /// The part of `awswaf:managed:aws:<namespace>:`.
    namespace: &'static str,
    versioned: bool,
    description: &'static str,
    rules: fn() -> Vec<RuleSpec>,
}

const GROUPS: &[GroupSpec] = &[
    GroupSpec {
        name: "AWSManagedRulesCommonRuleSet",
        capacity: 700,
        namespace: "core-rule-set",
        versioned: true,
        description: "Core rule set: rules generally applicable to web applications (OWASP Top 10 classes: size limits, bad bots, EC2 metadata SSRF, LFI, RFI, restricted extensions, XSS).",
        rules: baseline::core_rule_set,
    },
    GroupSpec {
        name: "AWSManagedRulesAdminProtectionRuleSet",
        capacity: 100,
        namespace: "admin-protection",
        versioned: true,
        description: "Admin protection: blocks external access to exposed administrative pages.",
        rules: baseline::admin_protection,
    },
    GroupSpec {
        name: "AWSManagedRulesKnownBadInputsRuleSet",
        capacity: 200,
        namespace: "known-bad-inputs",
        versioned: true,
        description: "Known bad inputs: request patterns known to be invalid and associated with exploitation or discovery of vulnerabilities (Java deserialization, Log4j, exploitable paths).",
        rules: baseline::known_bad_inputs,
    },
    GroupSpec {
        name: "AWSManagedRulesSQLiRuleSet",
        capacity: 200,
        namespace: "sql-database",
        versioned: true,
        description: "SQL database: request patterns associated with exploitation of SQL databases, like SQL injection attacks.",
        rules: use_case::sql_database,
    },
    GroupSpec {
        name: "AWSManagedRulesLinuxRuleSet",
        capacity: 200,
        namespace: "linux-os",
        versioned: true,
        description: "Linux operating system: Linux-specific local file inclusion (LFI).",
        rules: use_case::linux,
    },
    GroupSpec {
        name: "AWSManagedRulesUnixRuleSet",
        capacity: 100,
        namespace: "posix-os",
        versioned: true,
        description: "POSIX operating system: shell command injection and shell variables.",
        rules: use_case::posix,
    },
    GroupSpec {
        name: "AWSManagedRulesWindowsRuleSet",
        capacity: 200,
        namespace: "windows-os",
        versioned: true,
        description: "Windows operating system: Windows shell and PowerShell command injection.",
        rules: use_case::windows,
    },
    GroupSpec {
        name: "AWSManagedRulesPHPRuleSet",
        capacity: 100,
        namespace: "php-app",
        versioned: true,
        description: "PHP application: injection of unsafe PHP functions and superglobals.",
        rules: use_case::php,
    },
    GroupSpec {
        name: "AWSManagedRulesAmazonIpReputationList",
        capacity: 25,
        namespace: "amazon-ip-list",
        versioned: false,
        description: "Amazon IP reputation list: IP addresses associated with bots and other threats (here: public threat intelligence).",
        rules: ip_lists::amazon_ip_reputation,
    },
    GroupSpec {
        name: "AWSManagedRulesAnonymousIpList",
        capacity: 50,
        namespace: "anonymous-ip-list",
        versioned: false,
        description: "Anonymous IP list: services that hide the viewer's identity (VPNs, proxies, Tor, hosting providers).",
        rules: ip_lists::anonymous_ip,
    },
];

/// A group of the catalog, as `DescribeManagedRuleGroup` / `ListAvailableManagedRuleGroups`
/// report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedGroup {
    /// `AWS`.
    pub vendor: &'static str,
    /// e.g. `AWSManagedRulesCommonRuleSet`.
    pub name: &'static str,
    /// Its static versions (empty: the group is not versioned).
    pub versions: Vec<&'static str>,
    /// The default version, for a versioned group.
    pub default_version: Option<&'static str>,
    /// Web ACL capacity units.
    pub capacity: u64,
    /// e.g. `awswaf:managed:aws:core-rule-set:`.
    pub label_namespace: String,
    /// What the group is for.
    pub description: &'static str,
    /// Its rules in evaluation order.
    pub rules: Vec<ManagedRule>,
}

/// A rule of a managed group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedRule {
    /// e.g. `NoUserAgent_HEADER`.
    pub name: &'static str,
    /// `Block` or `Count`.
    pub action: &'static str,
    /// The label it adds, fully qualified.
    pub label: String,
}

fn namespace(spec: &GroupSpec) -> String {
    format!("awswaf:managed:aws:{}:", spec.namespace)
}

fn describe(spec: &GroupSpec) -> ManagedGroup {
    let ns = namespace(spec);
    ManagedGroup {
        vendor: VENDOR,
        name: spec.name,
        versions: if spec.versioned {
            vec![VERSION]
        } else {
            Vec::new()
        },
        default_version: spec.versioned.then_some(VERSION),
        capacity: spec.capacity,
        description: spec.description,
        rules: (spec.rules)()
            .into_iter()
            .map(|r| ManagedRule {
                name: r.name,
                action: r.action,
                label: format!("{ns}{}", r.label),
            })
            .collect(),
        label_namespace: ns,
    }
}

/// Every group Rampart ships.
pub fn catalog() -> Vec<ManagedGroup> {
    GROUPS.iter().map(describe).collect()
}

/// One group of the catalog.
pub fn group(vendor: &str, name: &str) -> Option<ManagedGroup> {
    find(vendor, name).map(describe)
}

fn find(vendor: &str, name: &str) -> Option<&'static GroupSpec> {
    (vendor == VENDOR)
        .then(|| GROUPS.iter().find(|g| g.name == name))
        .flatten()
}

/// The group as `RuleGroup` JSON for the engine: `version` `None` is the default version; a
/// version the group does not have, or any version of an unversioned group, is `None`.
pub fn rule_group(vendor: &str, name: &str, version: Option<&str>) -> Option<Value> {
    let spec = find(vendor, name)?;
    match version {
        None => {}
        Some(v) if spec.versioned && v == VERSION => {}
        Some(_) => return None,
    }
    let labels: Vec<Value> = describe(spec)
        .rules
        .iter()
        .map(|r| json!({"Name": r.label}))
        .collect();
    Some(json!({
        "Name": spec.name,
        "Capacity": spec.capacity,
        "LabelNamespace": namespace(spec),
        "Description": spec.description,
        "Rules": build::rules((spec.rules)()),
        "AvailableLabels": labels,
        "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true,
            "MetricName": spec.name},
    }))
}

/// A [`Resolver`] for an edge: the groups here and their IP lists, the rest from `inner`
/// (the account's IP sets, regex pattern sets and rule groups, other vendors' groups).
pub struct ManagedResolver<'a> {
    inner: &'a dyn Resolver,
    extra: HashMap<IpList, Vec<String>>,
}

impl<'a> ManagedResolver<'a> {
    /// In front of `inner`.
    pub fn new(inner: &'a dyn Resolver) -> ManagedResolver<'a> {
        ManagedResolver {
            inner,
            extra: HashMap::new(),
        }
    }

    /// Adds the operator's CIDR blocks to a managed IP list (e.g. a Tor exit list to
    /// [`IpList::Anonymous`]); an invalid block makes the group fail to compile, naming it.
    pub fn with_addresses(mut self, list: IpList, cidrs: Vec<String>) -> ManagedResolver<'a> {
        self.extra.entry(list).or_default().extend(cidrs);
        self
    }

    fn list(&self, list: IpList) -> Value {
        let mut addresses = list.embedded();
        addresses.extend(self.extra.get(&list).into_iter().flatten().cloned());
        json!({"Name": list.name(), "ARN": list.arn(), "IPAddressVersion": "IPV4",
               "Addresses": addresses})
    }
}

impl Resolver for ManagedResolver<'_> {
    fn ip_set(&self, arn: &str) -> Option<Value> {
        match IpList::from_arn(arn) {
            Some(list) => Some(self.list(list)),
            None => self.inner.ip_set(arn),
        }
    }

    fn regex_pattern_set(&self, arn: &str) -> Option<Value> {
        self.inner.regex_pattern_set(arn)
    }

    fn rule_group(&self, arn: &str) -> Option<Value> {
        self.inner.rule_group(arn)
    }

    fn managed_rule_group(&self, vendor: &str, name: &str, version: Option<&str>) -> Option<Value> {
        rule_group(vendor, name, version)
            .or_else(|| self.inner.managed_rule_group(vendor, name, version))
    }
}

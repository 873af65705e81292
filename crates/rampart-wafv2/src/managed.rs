//! The catalog of AWS Managed Rules rule groups (vendor `AWS`) as the WAFv2 API describes
//! them: names, descriptions, capacities, rule names with their default actions, label
//! namespaces and versions. One source of truth: it is read from the rule engine's catalog
//! (`rampart_waf::managed::catalog`), whose groups the edge enforces.

use std::sync::OnceLock;

/// One rule of a managed group: its name, the label it adds (under the group's namespace)
/// and whether its default action is Count (otherwise Block).
#[derive(Debug, Clone)]
pub struct ManagedRule {
    pub name: &'static str,
    pub label: String,
    pub counts: bool,
}

/// One managed rule group.
#[derive(Debug, Clone)]
pub struct ManagedGroup {
    pub name: &'static str,
    pub description: &'static str,
    pub capacity: i64,
    /// `awswaf:managed:aws:<namespace>:`.
    pub label_namespace: String,
    /// Static versions (`Version_1.0`, ...); empty for groups that are not versioned.
    pub versions: Vec<&'static str>,
    pub rules: Vec<ManagedRule>,
}

/// The only vendor of the catalog.
pub const VENDOR: &str = "AWS";

fn convert(group: rampart_waf::managed::ManagedGroup) -> ManagedGroup {
    let ns = group.label_namespace;
    let rules = group
        .rules
        .into_iter()
        .map(|r| ManagedRule {
            name: r.name,
            label: r
                .label
                .strip_prefix(ns.as_str())
                .unwrap_or(&r.label)
                .to_owned(),
            counts: r.action == "Count",
        })
        .collect();
    ManagedGroup {
        name: group.name,
        description: group.description,
        capacity: i64::try_from(group.capacity).unwrap_or(i64::MAX),
        label_namespace: ns,
        versions: group.versions,
        rules,
    }
}

/// Every group of the catalog, in the order ListAvailableManagedRuleGroups answers.
pub fn groups() -> &'static [ManagedGroup] {
    static GROUPS: OnceLock<Vec<ManagedGroup>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        rampart_waf::managed::catalog()
            .into_iter()
            .filter(|g| g.vendor == VENDOR)
            .map(convert)
            .collect()
    })
}

/// The group `name` of `vendor`.
pub fn find(vendor: &str, name: &str) -> Option<&'static ManagedGroup> {
    if vendor != VENDOR {
        return None;
    }
    groups().iter().find(|g| g.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_consistent() {
        assert!(!groups().is_empty());
        for group in groups() {
            assert!(
                group.capacity > 0 && !group.rules.is_empty(),
                "{}",
                group.name
            );
            assert!(group.label_namespace.ends_with(':'));
            assert!(group.rules.iter().all(|r| !r.label.starts_with("awswaf:")));
            let mut names: Vec<&str> = group.rules.iter().map(|r| r.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), group.rules.len(), "{}", group.name);
        }
        assert_eq!(
            find("AWS", "AWSManagedRulesSQLiRuleSet").map(|g| g.capacity),
            Some(200)
        );
        let common = find("AWS", "AWSManagedRulesCommonRuleSet");
        assert!(common.is_some_and(|g| g.rules.iter().any(|r| r.name == "NoUserAgent_HEADER")));
        assert!(find("Other", "AWSManagedRulesSQLiRuleSet").is_none());
    }
}

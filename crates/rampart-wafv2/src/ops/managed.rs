//! The managed rule group catalog: ListAvailableManagedRuleGroups,
//! ListAvailableManagedRuleGroupVersions and DescribeManagedRuleGroup (see `crate::managed`).

use crate::arn::Scope;
use crate::errors::nonexistent;
use crate::managed::{ManagedGroup, VENDOR, find, groups};
use crate::ops::json::{limit_of, text};
use crate::ops::json_op;
use rampart_codec::ServiceError;
use serde_json::{Map, Value, json};

/// The catalog's last update, as the version timestamps show it (2023-01-01, epoch seconds).
const CATALOG_UPDATED: i64 = 1_672_531_200;

/// The group a request names, or WAFNonexistentItemException.
fn named(m: &Map<String, Value>) -> Result<&'static ManagedGroup, ServiceError> {
    find(text(m, "VendorName"), text(m, "Name")).ok_or_else(nonexistent)
}

/// Page `items` from the one after name `marker`.
fn paged(items: Vec<(String, Value)>, m: &Map<String, Value>, key: &str) -> Value {
    let start = m
        .get("NextMarker")
        .and_then(Value::as_str)
        .and_then(|marker| items.iter().position(|(n, _)| n == marker).map(|i| i + 1))
        .unwrap_or(0);
    let end = (start + limit_of(m)).min(items.len());
    let page: Vec<Value> = items[start.min(end)..end]
        .iter()
        .map(|(_, v)| v.clone())
        .collect();
    let mut out = json!({ key: page });
    if let (true, Some((last, _)), Some(o)) = (
        end < items.len(),
        items.get(end.wrapping_sub(1)),
        out.as_object_mut(),
    ) {
        o.insert("NextMarker".into(), json!(last));
    }
    out
}

json_op!(
    ListAvailableManagedRuleGroups,
    list_available_managed_rule_groups,
    ListAvailableManagedRuleGroupsRequest,
    ListAvailableManagedRuleGroupsResponse,
    |_s, ctx, m| async {
        Scope::for_request(ctx, text(&m, "Scope"))?;
        let items = groups()
            .iter()
            .map(|g| {
                let summary = json!({"VendorName": VENDOR, "Name": g.name,
                    "VersioningSupported": !g.versions.is_empty(), "Description": g.description});
                (g.name.to_owned(), summary)
            })
            .collect();
        Ok::<_, ServiceError>(paged(items, &m, "ManagedRuleGroups"))
    }
);

json_op!(
    ListAvailableManagedRuleGroupVersions,
    list_available_managed_rule_group_versions,
    ListAvailableManagedRuleGroupVersionsRequest,
    ListAvailableManagedRuleGroupVersionsResponse,
    |_s, ctx, m| async {
        Scope::for_request(ctx, text(&m, "Scope"))?;
        let group = named(&m)?;
        let items = group
            .versions
            .iter()
            .map(|v| {
                (
                    v.to_string(),
                    json!({"Name": v, "LastUpdateTimestamp": CATALOG_UPDATED}),
                )
            })
            .collect();
        let mut out = paged(items, &m, "Versions");
        if let (Some(current), Some(o)) = (group.versions.last(), out.as_object_mut()) {
            o.insert("CurrentDefaultVersion".into(), json!(current));
        }
        Ok::<_, ServiceError>(out)
    }
);

json_op!(
    DescribeManagedRuleGroup,
    describe_managed_rule_group,
    DescribeManagedRuleGroupRequest,
    DescribeManagedRuleGroupResponse,
    |_s, ctx, m| async {
        Scope::for_request(ctx, text(&m, "Scope"))?;
        let group = named(&m)?;
        let version = m.get("VersionName").and_then(Value::as_str);
        if version.is_some_and(|v| !group.versions.contains(&v)) {
            return Err(nonexistent());
        }
        Ok::<_, ServiceError>(describe(group, version))
    }
);

fn describe(group: &ManagedGroup, version: Option<&str>) -> Value {
    let rules: Vec<Value> = group
        .rules
        .iter()
        .map(|r| {
            let action = if r.counts {
                json!({"Count": {}})
            } else {
                json!({"Block": {}})
            };
            json!({"Name": r.name, "Action": action})
        })
        .collect();
    let labels: Vec<Value> = group
        .rules
        .iter()
        .map(|r| json!({"Name": format!("{}{}", group.label_namespace, r.label)}))
        .collect();
    let mut out = json!({"Capacity": group.capacity, "Rules": rules,
        "LabelNamespace": group.label_namespace, "AvailableLabels": labels, "ConsumedLabels": []});
    let version = version.or(group.versions.last().copied());
    if let (Some(v), Some(o)) = (version, out.as_object_mut()) {
        o.insert("VersionName".into(), json!(v));
    }
    out
}

//! Helpers of the managed rule group tests: web ACLs referencing a group, browser-like
//! requests, the labels a group adds.

use super::{Res, acl, eval, ip, visibility};
use rampart_waf::managed::{self, ManagedResolver};
use rampart_waf::{InspectedRequest, WebAclPlan, compile};
use serde_json::{Value, json};

/// A web ACL with one rule referencing the group; with `count_all` every rule of the group
/// is overridden to Count, so each rule that matches adds its label.
pub fn group_acl(name: &str, count_all: bool) -> Value {
    let overrides: Vec<Value> = if count_all {
        managed::group("AWS", name)
            .map(|g| g.rules)
            .unwrap_or_default()
            .iter()
            .map(|r| json!({"Name": r.name, "ActionToUse": {"Count": {}}}))
            .collect()
    } else {
        Vec::new()
    };
    acl(json!([{
        "Name": "managed", "Priority": 0, "OverrideAction": {"None": {}},
        "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": name,
            "RuleActionOverrides": overrides}},
        "VisibilityConfig": visibility("managed")
    }]))
}

pub fn plan_with(acl: &Value, resolver: &ManagedResolver) -> WebAclPlan {
    match compile(acl, resolver) {
        Ok(plan) => plan,
        Err(e) => panic!("compile failed: {e}"),
    }
}

/// A browser's request to `target` from a documentation address.
pub fn browser(method: &str, target: &str) -> InspectedRequest {
    InspectedRequest::new(method, target, ip("198.51.100.23"))
        .header("host", "shop.example.com")
        .header("user-agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36")
        .header("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        .header("accept-language", "en-US,en;q=0.9")
}

pub fn post(target: &str, content_type: &str, body: &str) -> InspectedRequest {
    browser("POST", target)
        .header("content-type", content_type)
        .body(body.as_bytes(), 16 * 1024)
}

pub fn form(body: &str) -> InspectedRequest {
    post(
        "/account/profile",
        "application/x-www-form-urlencoded",
        body,
    )
}

/// The labels a group's rules add to `request` (every rule counted).
pub fn labels(group: &str, request: &InspectedRequest, resolver: &ManagedResolver) -> Vec<String> {
    let plan = plan_with(&group_acl(group, true), resolver);
    eval(&plan, request).labels
}

pub fn check(group: &str, label: &str, attack: InspectedRequest) {
    let res = Res::default();
    let resolver = ManagedResolver::new(&res);
    let ns = managed::group("AWS", group).unwrap().label_namespace;
    let got = labels(group, &attack, &resolver);
    assert!(
        got.contains(&format!("{ns}{label}")),
        "{group}/{label}: {got:?} for {attack:?}"
    );
}

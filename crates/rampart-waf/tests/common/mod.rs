//! Shared helpers of the integration tests: a resolver over maps, web ACL builders and
//! one-call evaluation.

#![allow(dead_code, clippy::unwrap_used)]

pub mod managed;

use base64::Engine;
use rampart_waf::{
    Environment, InspectedRequest, RateState, Resolver, Verdict, WebAclPlan, compile,
};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::IpAddr;

pub const ACL_NS: &str = "awswaf:111122223333:webacl:acl:";

/// Resources by ARN (and managed groups by `vendor/name`).
#[derive(Default)]
pub struct Res {
    pub ip_sets: HashMap<String, Value>,
    pub regex_sets: HashMap<String, Value>,
    pub groups: HashMap<String, Value>,
    pub managed: HashMap<String, Value>,
}

impl Resolver for Res {
    fn ip_set(&self, arn: &str) -> Option<Value> {
        self.ip_sets.get(arn).cloned()
    }
    fn regex_pattern_set(&self, arn: &str) -> Option<Value> {
        self.regex_sets.get(arn).cloned()
    }
    fn rule_group(&self, arn: &str) -> Option<Value> {
        self.groups.get(arn).cloned()
    }
    fn managed_rule_group(
        &self,
        vendor: &str,
        name: &str,
        _version: Option<&str>,
    ) -> Option<Value> {
        self.managed.get(&format!("{vendor}/{name}")).cloned()
    }
}

pub fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

pub fn visibility(name: &str) -> Value {
    json!({"SampledRequestsEnabled": false, "CloudWatchMetricsEnabled": false, "MetricName": name})
}

/// A web ACL named `acl` in account 111122223333 with these rules and default action.
pub fn acl_with(rules: Value, default: Value) -> Value {
    json!({
        "Name": "acl", "Id": "acl-id",
        "ARN": "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/acl/acl-id",
        "DefaultAction": default, "VisibilityConfig": visibility("acl"), "Rules": rules
    })
}

pub fn acl(rules: Value) -> Value {
    acl_with(rules, json!({"Allow": {}}))
}

pub fn rule(name: &str, priority: i64, statement: Value, action: Value) -> Value {
    json!({"Name": name, "Priority": priority, "Statement": statement, "Action": action,
           "VisibilityConfig": visibility(name)})
}

pub fn block() -> Value {
    json!({"Block": {}})
}

pub fn count() -> Value {
    json!({"Count": {}})
}

pub fn plan(acl: &Value, res: &Res) -> WebAclPlan {
    match compile(acl, res) {
        Ok(plan) => plan,
        Err(e) => panic!("compile failed: {e}"),
    }
}

pub fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

pub fn req(target: &str) -> InspectedRequest {
    InspectedRequest::new("GET", target, ip("192.0.2.10"))
}

pub fn eval(plan: &WebAclPlan, request: &InspectedRequest) -> Verdict {
    plan.evaluate(
        request,
        &Environment::bare(1_000_000),
        &RateState::default(),
    )
}

/// Whether `statement` (one Block rule) matches `request`.
pub fn matches_with(statement: Value, request: &InspectedRequest, res: &Res) -> bool {
    let p = plan(&acl(json!([rule("r", 0, statement, block())])), res);
    eval(&p, request).terminating_rule.is_some()
}

pub fn matches(statement: Value, request: &InspectedRequest) -> bool {
    matches_with(statement, request, &Res::default())
}

/// A ByteMatchStatement.
pub fn byte_match(search: &str, field: Value, position: &str, tts: &[&str]) -> Value {
    let tts: Vec<Value> = tts
        .iter()
        .enumerate()
        .map(|(i, t)| json!({"Priority": i, "Type": t}))
        .collect();
    json!({"ByteMatchStatement": {"SearchString": b64(search), "FieldToMatch": field,
        "PositionalConstraint": position, "TextTransformations": if tts.is_empty() { json!([{"Priority": 0, "Type": "NONE"}]) } else { json!(tts) }}})
}

//! Rate-based rules: aggregation keys, windows, limits, scope-down, forwarded IPs.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use rampart_waf::{Environment, InspectedRequest, RateState, WebAclPlan};
use serde_json::{Value, json};

fn rate_plan(statement: Value) -> WebAclPlan {
    plan(
        &acl(json!([rule(
            "limit",
            0,
            json!({"RateBasedStatement": statement}),
            block()
        )])),
        &Res::default(),
    )
}

/// Sends `n` requests at `now`; how many were blocked.
fn send(p: &WebAclPlan, state: &RateState, r: &InspectedRequest, now: u64, n: usize) -> usize {
    let env = Environment::bare(now);
    (0..n)
        .filter(|_| p.evaluate(r, &env, state).terminating_rule.is_some())
        .count()
}

#[test]
fn ip_key_blocks_over_the_limit_and_forgets_after_the_window() {
    let p = rate_plan(json!({"Limit": 10, "AggregateKeyType": "IP", "EvaluationWindowSec": 60}));
    let state = RateState::default();
    let a = InspectedRequest::new("GET", "/", ip("192.0.2.1"));
    let b = InspectedRequest::new("GET", "/", ip("192.0.2.2"));
    assert_eq!(send(&p, &state, &a, 1000, 10), 0, "up to the limit passes");
    assert_eq!(
        send(&p, &state, &a, 1001, 3),
        3,
        "over the limit is blocked"
    );
    assert_eq!(
        send(&p, &state, &b, 1001, 5),
        0,
        "another IP has its own count"
    );
    assert_eq!(
        send(&p, &state, &a, 1100, 1),
        0,
        "a window later the count is gone"
    );
    let v = p.evaluate(&a, &Environment::bare(1100), &state);
    assert!(v.rate_based.is_empty());
    send(&p, &state, &a, 1100, 10);
    let v = p.evaluate(&a, &Environment::bare(1101), &state);
    assert_eq!(v.rate_based.len(), 1);
    let m = &v.rate_based[0];
    assert_eq!(
        (m.rule.as_str(), m.key.as_str(), m.limit, m.window),
        ("limit", "ip=192.0.2.1", 10, 60)
    );
    assert!(m.count > 10);
}

#[test]
fn constant_key_counts_every_request_together() {
    let p =
        rate_plan(json!({"Limit": 10, "AggregateKeyType": "CONSTANT", "EvaluationWindowSec": 120}));
    let state = RateState::default();
    for i in 0..10 {
        let r = InspectedRequest::new("GET", "/", ip(&format!("198.51.100.{i}")));
        assert_eq!(send(&p, &state, &r, 5, 1), 0);
    }
    assert_eq!(send(&p, &state, &req("/"), 6, 1), 1);
}

#[test]
fn scope_down_limits_what_is_counted() {
    let p = rate_plan(json!({"Limit": 10, "AggregateKeyType": "IP",
        "ScopeDownStatement": byte_match("/login", json!({"UriPath": {}}), "EXACTLY", &[])}));
    let state = RateState::default();
    assert_eq!(send(&p, &state, &req("/other"), 0, 50), 0);
    assert_eq!(send(&p, &state, &req("/login"), 0, 12), 2);
    assert_eq!(
        send(&p, &state, &req("/other"), 0, 1),
        0,
        "out of scope is never blocked"
    );
}

#[test]
fn forwarded_ip_key_and_fallback() {
    let stmt = |fallback: &str| {
        json!({"Limit": 10, "AggregateKeyType": "FORWARDED_IP",
        "ForwardedIPConfig": {"HeaderName": "X-Forwarded-For", "FallbackBehavior": fallback}})
    };
    let p = rate_plan(stmt("NO_MATCH"));
    let state = RateState::default();
    let via = |a: &str| req("/").header("X-Forwarded-For", a);
    assert_eq!(send(&p, &state, &via("203.0.113.5, 10.0.0.1"), 0, 12), 2);
    assert_eq!(send(&p, &state, &via("203.0.113.6"), 0, 5), 0);
    assert_eq!(
        send(&p, &state, &req("/"), 0, 20),
        0,
        "no header: not counted, NO_MATCH"
    );
    assert_eq!(
        send(&rate_plan(stmt("MATCH")), &state, &req("/"), 0, 1),
        1,
        "no header: MATCH"
    );
    let missing = json!({"Limit": 10, "AggregateKeyType": "FORWARDED_IP"});
    assert!(
        rampart_waf::compile(
            &acl(json!([rule(
                "r",
                0,
                json!({"RateBasedStatement": missing}),
                block()
            )])),
            &Res::default()
        )
        .is_err()
    );
}

#[test]
fn custom_keys_combine_components() {
    let p = rate_plan(
        json!({"Limit": 10, "AggregateKeyType": "CUSTOM_KEYS", "CustomKeys": [
            {"Header": {"Name": "x-api-key", "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}]}},
            {"HTTPMethod": {}}
        ]}),
    );
    let state = RateState::default();
    let key =
        |k: &str, m: &str| InspectedRequest::new(m, "/", ip("192.0.2.1")).header("X-Api-Key", k);
    assert_eq!(send(&p, &state, &key("ABC", "GET"), 0, 6), 0);
    assert_eq!(
        send(&p, &state, &key("abc", "GET"), 0, 6),
        2,
        "the transformation merges ABC and abc"
    );
    assert_eq!(
        send(&p, &state, &key("abc", "POST"), 0, 6),
        0,
        "another method is another key"
    );
    assert_eq!(
        send(&p, &state, &req("/"), 0, 30),
        0,
        "requests without the header are not counted"
    );
    let v = p.evaluate(&key("abc", "GET"), &Environment::bare(0), &state);
    assert_eq!(v.rate_based[0].key, "header:x-api-key=abc;method=GET");
}

#[test]
fn custom_keys_with_labels_and_query() {
    let rules = json!([
        {"Name": "tag", "Priority": 0, "Statement": byte_match("/", json!({"UriPath": {}}), "STARTS_WITH", &[]),
         "Action": count(), "VisibilityConfig": visibility("t"), "RuleLabels": [{"Name": "tier:free"}]},
        rule("limit", 1, json!({"RateBasedStatement": {"Limit": 10, "AggregateKeyType": "CUSTOM_KEYS", "CustomKeys": [
            {"LabelNamespace": {"Namespace": format!("{ACL_NS}tier:")}},
            {"QueryArgument": {"Name": "user", "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}]}}), block()),
    ]);
    let p = plan(&acl(rules), &Res::default());
    let state = RateState::default();
    assert_eq!(send(&p, &state, &req("/?user=ann"), 0, 11), 1);
    let v = p.evaluate(&req("/?user=ann"), &Environment::bare(0), &state);
    assert_eq!(
        v.rate_based[0].key,
        format!("labels:{ACL_NS}tier:={ACL_NS}tier:free;query:user=ann")
    );
}

#[test]
fn rate_statement_validation() {
    for (stmt, needle) in [
        (json!({"Limit": 5, "AggregateKeyType": "IP"}), "Limit"),
        (
            json!({"Limit": 100, "AggregateKeyType": "IP", "EvaluationWindowSec": 30}),
            "EvaluationWindowSec",
        ),
        (
            json!({"Limit": 100, "AggregateKeyType": "CUSTOM_KEYS", "CustomKeys": [{"IP": {}}]}),
            "at least one other key",
        ),
        (
            json!({"Limit": 100, "AggregateKeyType": "CUSTOM_KEYS"}),
            "1 to 5",
        ),
        (
            json!({"Limit": 100, "AggregateKeyType": "IP", "CustomKeys": [{"HTTPMethod": {}}]}),
            "CUSTOM_KEYS",
        ),
        (
            json!({"Limit": 100, "AggregateKeyType": "EVERYTHING"}),
            "EVERYTHING",
        ),
    ] {
        let err = rampart_waf::compile(
            &acl(json!([rule(
                "r",
                0,
                json!({"RateBasedStatement": stmt}),
                block()
            )])),
            &Res::default(),
        )
        .err()
        .unwrap();
        assert!(err.message().contains(needle), "{err} lacks {needle}");
    }
}

#[test]
fn key_memory_is_bounded() {
    let p = rate_plan(json!({"Limit": 10, "AggregateKeyType": "IP"}));
    let state = RateState::new(64);
    for i in 0..1000u32 {
        let r = InspectedRequest::new(
            "GET",
            "/",
            std::net::IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i)),
        );
        send(&p, &state, &r, 0, 1);
    }
    assert!(state.len() <= 64 + 16, "{} keys kept", state.len());
    // Idle keys are swept once a window has passed, making room again.
    let late = InspectedRequest::new("GET", "/", ip("192.0.2.99"));
    send(&p, &state, &late, 10_000, 1);
    assert!(state.len() <= 64 + 16);
}

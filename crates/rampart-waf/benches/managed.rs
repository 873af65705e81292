//! Cost of the managed groups: a web ACL with the core rule set and the SQL database group
//! (default Allow) on a benign browser GET with 10 headers and on a 1 KB JSON POST.
//! Run: `cargo bench -p rampart-waf --bench managed` (criterion prints ns per request).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use rampart_waf::managed::ManagedResolver;
use rampart_waf::{Environment, InspectedRequest, RateState, Resolver, compile};
use serde_json::{Value, json};
use std::hint::black_box;

struct Empty;
impl Resolver for Empty {
    fn ip_set(&self, _arn: &str) -> Option<Value> {
        None
    }
    fn regex_pattern_set(&self, _arn: &str) -> Option<Value> {
        None
    }
    fn rule_group(&self, _arn: &str) -> Option<Value> {
        None
    }
    fn managed_rule_group(&self, _v: &str, _n: &str, _ver: Option<&str>) -> Option<Value> {
        None
    }
}

fn group(name: &str, priority: u32) -> Value {
    json!({"Name": name, "Priority": priority, "OverrideAction": {"None": {}},
        "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": name}},
        "VisibilityConfig": {"SampledRequestsEnabled": false, "CloudWatchMetricsEnabled": false, "MetricName": name}})
}

fn browser(method: &str, target: &str) -> InspectedRequest {
    InspectedRequest::new(method, target, "198.51.100.23".parse().unwrap())
        .header("host", "shop.example.com")
        .header("user-agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36")
        .header("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        .header("accept-language", "en-US,en;q=0.9")
        .header("accept-encoding", "gzip, deflate, br")
        .header("referer", "https://shop.example.com/products?page=2")
        .header("sec-fetch-site", "same-origin")
        .header("sec-fetch-mode", "navigate")
        .header("upgrade-insecure-requests", "1")
        .header("cookie", "session=9f8e7d6c5b4a39281706f5e4d3c2b1a0; theme=dark; _ga=GA1.2.1234567890.1700000000")
}

fn json_body() -> String {
    let items: Vec<Value> = (0..12)
        .map(|i| json!({"sku": format!("SKU-{i:04}"), "qty": i % 3 + 1, "price": 19.99, "note": "gift wrap, no receipt"}))
        .collect();
    let body = json!({"customer": {"name": "Zoë O'Hara", "email": "zoe@example.com"}, "items": items,
        "shipping": {"method": "express", "address": "1 Rue de la Paix, 75002 Paris"}, "paid": true});
    body.to_string()
}

fn bench(c: &mut Criterion) {
    let acl = json!({"Name": "acl", "DefaultAction": {"Allow": {}},
        "VisibilityConfig": {"SampledRequestsEnabled": false, "CloudWatchMetricsEnabled": false, "MetricName": "acl"},
        "Rules": [group("AWSManagedRulesCommonRuleSet", 0), group("AWSManagedRulesSQLiRuleSet", 1)]});
    let plan = compile(&acl, &ManagedResolver::new(&Empty)).unwrap();
    let env = Environment::bare(1_000_000);
    let rate = RateState::default();
    let get = browser("GET", "/products/123?ref=home&utm_source=newsletter");
    let body = json_body();
    assert!((900..1200).contains(&body.len()), "{}", body.len());
    let post = browser("POST", "/api/v1/orders")
        .header("content-type", "application/json")
        .body(body.as_bytes(), 16 * 1024);
    for r in [&get, &post] {
        assert!(plan.evaluate(r, &env, &rate).terminating_rule.is_none());
    }
    c.bench_function("managed core+sqli: GET, 10 headers", |b| {
        b.iter(|| plan.evaluate(black_box(&get), &env, &rate))
    });
    c.bench_function("managed core+sqli: 1 KB JSON POST", |b| {
        b.iter(|| plan.evaluate(black_box(&post), &env, &rate))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

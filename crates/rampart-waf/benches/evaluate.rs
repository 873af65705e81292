//! Cost of one WAF evaluation: an empty web ACL (default action only) and a 20-rule web ACL
//! of typical rules (byte matches with transformations on path, query, headers and body,
//! regexes, size constraints, an IP set, a geo match, label rules, a JSON body rule and an
//! IP rate-based rule), on a realistic browser-like request.
//! Run: `cargo bench -p rampart-waf --bench evaluate` (criterion prints ns per request);
//! with `WAF_BENCH_EACH=1`, also each of the 20 rules alone.
//!
//! Figures on the shared 2-core VM with other builds running (criterion medians): empty web
//! ACL 60–90 ns, 20 rules 8–10 µs; the JsonBody rule alone ~1.3 µs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use criterion::{Criterion, criterion_group, criterion_main};
use rampart_waf::{Environment, InspectedRequest, RateState, Resolver, WebAclPlan, compile};
use serde_json::{Value, json};
use std::hint::black_box;

struct Res;
impl Resolver for Res {
    fn ip_set(&self, _arn: &str) -> Option<Value> {
        let addresses: Vec<String> = (0..50).map(|i| format!("10.{i}.0.0/16")).collect();
        Some(json!({"Name": "bad", "IPAddressVersion": "IPV4", "Addresses": addresses}))
    }
    fn regex_pattern_set(&self, _arn: &str) -> Option<Value> {
        Some(
            json!({"Name": "r", "RegularExpressionList": [{"RegexString": "^/wp-"}, {"RegexString": "\\.(env|git)$"}]}),
        )
    }
    fn rule_group(&self, _arn: &str) -> Option<Value> {
        None
    }
    fn managed_rule_group(&self, _v: &str, _n: &str, _ver: Option<&str>) -> Option<Value> {
        None
    }
}

fn tts(kinds: &[&str]) -> Value {
    json!(
        kinds
            .iter()
            .enumerate()
            .map(|(i, k)| json!({"Priority": i, "Type": k}))
            .collect::<Vec<_>>()
    )
}

fn byte(search: &str, field: Value, position: &str, t: &[&str]) -> Value {
    let search = base64::engine::general_purpose::STANDARD.encode(search);
    json!({"ByteMatchStatement": {"SearchString": search, "FieldToMatch": field, "PositionalConstraint": position, "TextTransformations": tts(t)}})
}

fn rule(i: usize, statement: Value, action: &str) -> Value {
    json!({"Name": format!("rule-{i}"), "Priority": i, "Statement": statement, "Action": {action: {}},
           "VisibilityConfig": {"SampledRequestsEnabled": false, "CloudWatchMetricsEnabled": false, "MetricName": "m"}})
}

fn statements() -> Vec<Value> {
    let ua = json!({"SingleHeader": {"Name": "user-agent"}});
    vec![
        json!({"IPSetReferenceStatement": {"ARN": "arn:ipset"}}),
        json!({"GeoMatchStatement": {"CountryCodes": ["KP", "IR"]}}),
        byte("sqlmap", ua.clone(), "CONTAINS", &["LOWERCASE"]),
        byte("nikto", ua.clone(), "CONTAINS", &["LOWERCASE"]),
        byte(
            "/admin",
            json!({"UriPath": {}}),
            "STARTS_WITH",
            &["URL_DECODE", "NORMALIZE_PATH", "LOWERCASE"],
        ),
        byte("../", json!({"UriPath": {}}), "CONTAINS", &["URL_DECODE"]),
        byte(
            "<script",
            json!({"QueryString": {}}),
            "CONTAINS",
            &["URL_DECODE", "HTML_ENTITY_DECODE", "LOWERCASE"],
        ),
        byte(
            "union select",
            json!({"AllQueryArguments": {}}),
            "CONTAINS",
            &["URL_DECODE", "COMPRESS_WHITE_SPACE", "LOWERCASE"],
        ),
        byte(
            "/etc/passwd",
            json!({"Body": {"OversizeHandling": "CONTINUE"}}),
            "CONTAINS",
            &["URL_DECODE"],
        ),
        byte("DELETE", json!({"Method": {}}), "EXACTLY", &["NONE"]),
        json!({"RegexMatchStatement": {"RegexString": "(?i)(eval|exec)\\(", "FieldToMatch": {"Body": {}}, "TextTransformations": tts(&["NONE"])}}),
        json!({"RegexPatternSetReferenceStatement": {"ARN": "arn:regex", "FieldToMatch": {"UriPath": {}}, "TextTransformations": tts(&["LOWERCASE"])}}),
        json!({"SizeConstraintStatement": {"FieldToMatch": {"QueryString": {}}, "ComparisonOperator": "GT", "Size": 2048, "TextTransformations": tts(&["NONE"])}}),
        json!({"SizeConstraintStatement": {"FieldToMatch": {"SingleHeader": {"Name": "cookie"}}, "ComparisonOperator": "GT", "Size": 4096, "TextTransformations": tts(&["NONE"])}}),
        byte(
            "evil",
            json!({"Cookies": {"MatchPattern": {"All": {}}, "MatchScope": "VALUE", "OversizeHandling": "CONTINUE"}}),
            "CONTAINS",
            &["URL_DECODE"],
        ),
        byte(
            "bad",
            json!({"Headers": {"MatchPattern": {"ExcludedHeaders": ["cookie"]}, "MatchScope": "VALUE", "OversizeHandling": "CONTINUE"}}),
            "CONTAINS_WORD",
            &["LOWERCASE"],
        ),
        byte(
            "root",
            json!({"JsonBody": {"MatchPattern": {"IncludedPaths": ["/user"]}, "MatchScope": "VALUE", "InvalidFallbackBehavior": "NO_MATCH"}}),
            "EXACTLY",
            &["NONE"],
        ),
        json!({"LabelMatchStatement": {"Scope": "NAMESPACE", "Key": "awswaf:managed:aws:bot-control:"}}),
        json!({"NotStatement": {"Statement": byte("example.com", json!({"SingleHeader": {"Name": "host"}}), "ENDS_WITH", &["LOWERCASE"])}}),
        json!({"RateBasedStatement": {"Limit": 2000000000, "AggregateKeyType": "IP", "EvaluationWindowSec": 300}}),
    ]
}

fn acl(rules: Vec<Value>) -> Value {
    json!({"Name": "bench", "Id": "bench-id", "ARN": "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/bench/bench-id",
           "DefaultAction": {"Allow": {}}, "Rules": rules,
           "VisibilityConfig": {"SampledRequestsEnabled": false, "CloudWatchMetricsEnabled": false, "MetricName": "m"}})
}

fn request() -> InspectedRequest {
    InspectedRequest::new("POST", "/api/v1/orders?page=2&sort=desc&q=shoes%20red", "192.0.2.44".parse().unwrap())
        .header("Host", "shop.example.com")
        .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36")
        .header("Accept", "application/json")
        .header("Accept-Language", "en-US,en;q=0.9")
        .header("Content-Type", "application/json")
        .header("Cookie", "session=3f2a9c; theme=dark; consent=yes")
        .body(br#"{"user": "ann", "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-7", "qty": 1}], "note": "leave at door"}"#, 16384)
}

fn bench(c: &mut Criterion) {
    let empty: WebAclPlan = compile(&acl(vec![]), &Res).unwrap();
    let rules = statements()
        .into_iter()
        .enumerate()
        .map(|(i, s)| rule(i, s, if i % 5 == 4 { "Count" } else { "Block" }))
        .collect();
    let full: WebAclPlan = compile(&acl(rules), &Res).unwrap();
    let req = request();
    let env = Environment::bare(1_000_000);
    let state = RateState::default();
    assert!(
        full.evaluate(&req, &env, &state).terminating_rule.is_none(),
        "the request passes every rule"
    );
    c.bench_function("evaluate/empty_acl", |b| {
        b.iter(|| black_box(empty.evaluate(black_box(&req), &env, &state)))
    });
    if std::env::var_os("WAF_BENCH_EACH").is_some() {
        for (i, statement) in statements().into_iter().enumerate() {
            let one = compile(&acl(vec![rule(i, statement, "Count")]), &Res).unwrap();
            c.bench_function(&format!("evaluate/rule_{i}"), |b| {
                b.iter(|| black_box(one.evaluate(black_box(&req), &env, &state)))
            });
        }
    }
    c.bench_function("evaluate/20_rules", |b| {
        b.iter(|| black_box(full.evaluate(black_box(&req), &env, &state)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

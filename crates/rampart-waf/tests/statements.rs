//! A table per statement type.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use rampart_waf::{AsnLookup, Environment, GeoLookup, RateState};
use serde_json::{Value, json};
use std::net::IpAddr;

fn uri() -> Value {
    json!({"UriPath": {}})
}

#[test]
fn byte_match_positions() {
    let cases = [
        ("EXACTLY", "/admin", "/admin", true),
        ("EXACTLY", "/admin", "/admin/x", false),
        ("STARTS_WITH", "/adm", "/admin", true),
        ("STARTS_WITH", "adm", "/admin", false),
        ("ENDS_WITH", ".php", "/index.php", true),
        ("ENDS_WITH", ".php", "/index.php5", false),
        ("CONTAINS", "min", "/admin", true),
        ("CONTAINS", "MIN", "/admin", false),
        ("CONTAINS_WORD", "admin", "/admin/x", true),
        ("CONTAINS_WORD", "admin", "/x/admin", true),
        ("CONTAINS_WORD", "admin", "/administrator", false),
        ("CONTAINS_WORD", "admin", "/my_admin", false),
        ("CONTAINS_WORD", "admin", "/my-admin-page", true),
    ];
    for (position, search, path, expected) in cases {
        let got = matches(byte_match(search, uri(), position, &[]), &req(path));
        assert_eq!(got, expected, "{position} {search} in {path}");
    }
}

#[test]
fn byte_match_applies_transformations() {
    let s = byte_match(
        "<script>",
        json!({"QueryString": {}}),
        "CONTAINS",
        &["URL_DECODE", "LOWERCASE"],
    );
    assert!(matches(s.clone(), &req("/?q=%3CSCRIPT%3E")));
    assert!(!matches(s, &req("/?q=script")));
}

#[test]
fn regex_match() {
    let re = |p: &str| {
        json!({"RegexMatchStatement": {"RegexString": p, "FieldToMatch": uri(),
        "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}})
    };
    assert!(matches(re("^/api/v[0-9]+/"), &req("/api/v2/users")));
    assert!(!matches(re("^/api/v[0-9]+/"), &req("/api/vx/users")));
    assert!(matches(re("(?i)ADMIN"), &req("/admin")));
    let err = rampart_waf::compile(
        &acl(json!([rule("r", 0, re("(a)\\1"), block())])),
        &Res::default(),
    )
    .err()
    .unwrap();
    assert!(err.message().contains("not supported"), "{err}");
}

#[test]
fn regex_pattern_set_reference() {
    let arn = "arn:aws:wafv2:us-east-1:111122223333:regional/regexpatternset/bad/1";
    let mut res = Res::default();
    res.regex_sets.insert(arn.into(), json!({"Name": "bad", "RegularExpressionList": [{"RegexString": "^/wp-"}, {"RegexString": "\\.env$"}]}));
    let s = json!({"RegexPatternSetReferenceStatement": {"ARN": arn, "FieldToMatch": uri(), "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}});
    assert!(matches_with(s.clone(), &req("/wp-login.php"), &res));
    assert!(matches_with(s.clone(), &req("/app/.env"), &res));
    assert!(!matches_with(s.clone(), &req("/index.html"), &res));
    let missing = rampart_waf::compile(&acl(json!([rule("r", 0, s, block())])), &Res::default())
        .err()
        .unwrap();
    assert!(matches!(missing, rampart_waf::CompileError::NotFound(_)));
}

#[test]
fn size_constraint_operators() {
    let size = |op: &str, n: i64| {
        json!({"SizeConstraintStatement": {"FieldToMatch": json!({"QueryString": {}}),
        "ComparisonOperator": op, "Size": n, "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}})
    };
    let r = req("/?abcd"); // query string of 4 bytes
    for (op, n, expected) in [
        ("EQ", 4, true),
        ("EQ", 3, false),
        ("NE", 3, true),
        ("NE", 4, false),
        ("LE", 4, true),
        ("LE", 3, false),
        ("LT", 5, true),
        ("LT", 4, false),
        ("GE", 4, true),
        ("GE", 5, false),
        ("GT", 3, true),
        ("GT", 4, false),
    ] {
        assert_eq!(matches(size(op, n), &r), expected, "{op} {n}");
    }
}

#[test]
fn size_constraint_after_transformation() {
    let s = json!({"SizeConstraintStatement": {"FieldToMatch": {"QueryString": {}}, "ComparisonOperator": "EQ", "Size": 1,
        "TextTransformations": [{"Priority": 0, "Type": "URL_DECODE"}]}});
    assert!(matches(s, &req("/?%41")));
}

struct Geo;
impl GeoLookup for Geo {
    fn country(&self, ip: IpAddr) -> Option<[u8; 2]> {
        match ip.to_string().as_str() {
            "192.0.2.10" => Some(*b"US"),
            "198.51.100.7" => Some(*b"FR"),
            _ => None,
        }
    }
    fn region(&self, ip: IpAddr) -> Option<String> {
        (ip.to_string() == "192.0.2.10").then(|| "WA".to_owned())
    }
}

struct Asn;
impl AsnLookup for Asn {
    fn asn(&self, ip: IpAddr) -> Option<u32> {
        (ip.to_string() == "192.0.2.10").then_some(64500)
    }
}

fn eval_env(statement: Value, request: &rampart_waf::InspectedRequest) -> rampart_waf::Verdict {
    let p = plan(
        &acl(json!([rule("r", 0, statement, block())])),
        &Res::default(),
    );
    p.evaluate(
        request,
        &Environment {
            now: 0,
            geo: &Geo,
            asn: &Asn,
        },
        &RateState::default(),
    )
}

#[test]
fn geo_match_matches_and_labels() {
    let us = json!({"GeoMatchStatement": {"CountryCodes": ["US", "CA"]}});
    let v = eval_env(us.clone(), &req("/"));
    assert!(v.terminating_rule.is_some());
    assert_eq!(
        v.labels,
        [
            "awswaf:clientip:geo:country:US",
            "awswaf:clientip:geo:region:US-WA"
        ]
    );
    let fr = rampart_waf::InspectedRequest::new("GET", "/", ip("198.51.100.7"));
    let v = eval_env(us.clone(), &fr);
    assert!(v.terminating_rule.is_none());
    assert_eq!(v.labels, ["awswaf:clientip:geo:country:FR"]);
    let fwd = json!({"GeoMatchStatement": {"CountryCodes": ["FR"],
        "ForwardedIPConfig": {"HeaderName": "X-Forwarded-For", "FallbackBehavior": "MATCH"}}});
    let via = req("/").header("X-Forwarded-For", "198.51.100.7, 10.0.0.1");
    let v = eval_env(fwd.clone(), &via);
    assert!(v.terminating_rule.is_some());
    assert_eq!(v.labels, ["awswaf:forwardedip:geo:country:FR"]);
    assert!(
        eval_env(fwd, &req("/")).terminating_rule.is_some(),
        "fallback MATCH without the header"
    );
    let bad = rampart_waf::compile(
        &acl(json!([rule(
            "r",
            0,
            json!({"GeoMatchStatement": {"CountryCodes": ["usa"]}}),
            block()
        )])),
        &Res::default(),
    );
    assert!(bad.is_err());
}

#[test]
fn asn_match() {
    let s = |list: Value| json!({"AsnMatchStatement": {"AsnList": list}});
    assert!(
        eval_env(s(json!([64500, 1])), &req("/"))
            .terminating_rule
            .is_some()
    );
    assert!(
        eval_env(s(json!([1])), &req("/"))
            .terminating_rule
            .is_none()
    );
    let other = rampart_waf::InspectedRequest::new("GET", "/", ip("203.0.113.1"));
    assert!(
        eval_env(s(json!([64500])), &other)
            .terminating_rule
            .is_none()
    );
}

fn ip_res() -> Res {
    let mut res = Res::default();
    res.ip_sets.insert("arn:v4".into(), json!({"Name": "v4", "IPAddressVersion": "IPV4", "Addresses": ["192.0.2.0/24", "10.1.2.3/32"]}));
    res.ip_sets.insert(
        "arn:v6".into(),
        json!({"Name": "v6", "IPAddressVersion": "IPV6", "Addresses": ["2001:db8::/32"]}),
    );
    res
}

#[test]
fn ip_set_reference_v4_v6() {
    let res = ip_res();
    let s = |arn: &str| json!({"IPSetReferenceStatement": {"ARN": arn}});
    let from = |a: &str| rampart_waf::InspectedRequest::new("GET", "/", ip(a));
    for (arn, addr, expected) in [
        ("arn:v4", "192.0.2.200", true),
        ("arn:v4", "192.0.3.1", false),
        ("arn:v4", "10.1.2.3", true),
        ("arn:v4", "10.1.2.4", false),
        ("arn:v4", "::ffff:192.0.2.1", true),
        ("arn:v6", "2001:db8:1::5", true),
        ("arn:v6", "2001:db9::1", false),
        ("arn:v6", "192.0.2.1", false),
    ] {
        assert_eq!(
            matches_with(s(arn), &from(addr), &res),
            expected,
            "{arn} {addr}"
        );
    }
}

#[test]
fn ip_set_forwarded_positions_and_fallback() {
    let res = ip_res();
    let s = |position: &str, fallback: &str| {
        json!({"IPSetReferenceStatement": {"ARN": "arn:v4",
        "IPSetForwardedIPConfig": {"HeaderName": "X-Forwarded-For", "Position": position, "FallbackBehavior": fallback}}})
    };
    let r = |xff: &str| {
        rampart_waf::InspectedRequest::new("GET", "/", ip("203.0.113.9"))
            .header("x-forwarded-for", xff)
    };
    for (position, xff, expected) in [
        ("FIRST", "192.0.2.1, 203.0.113.1", true),
        ("FIRST", "203.0.113.1, 192.0.2.1", false),
        ("LAST", "203.0.113.1, 192.0.2.1", true),
        ("LAST", "192.0.2.1, 203.0.113.1", false),
        ("ANY", "203.0.113.1, 192.0.2.1, 198.51.100.1", true),
        ("ANY", "203.0.113.1, 198.51.100.1", false),
    ] {
        assert_eq!(
            matches_with(s(position, "NO_MATCH"), &r(xff), &res),
            expected,
            "{position} {xff}"
        );
    }
    let none = rampart_waf::InspectedRequest::new("GET", "/", ip("192.0.2.1"));
    assert!(matches_with(s("FIRST", "MATCH"), &none, &res));
    assert!(
        !matches_with(s("FIRST", "NO_MATCH"), &none, &res),
        "the client IP is not used"
    );
    assert!(matches_with(s("FIRST", "MATCH"), &r("not-an-ip"), &res));
    assert!(!matches_with(
        s("ANY", "NO_MATCH"),
        &r("junk, more junk"),
        &res
    ));
}

#[test]
fn logical_statements() {
    let a = byte_match("/a", uri(), "STARTS_WITH", &[]);
    let b = byte_match("z", uri(), "ENDS_WITH", &[]);
    let and = json!({"AndStatement": {"Statements": [a.clone(), b.clone()]}});
    let or = json!({"OrStatement": {"Statements": [a.clone(), b.clone()]}});
    let not = json!({"NotStatement": {"Statement": a.clone()}});
    for (path, and_m, or_m, not_m) in [
        ("/az", true, true, false),
        ("/ax", false, true, false),
        ("/bz", false, true, true),
        ("/b", false, false, true),
    ] {
        assert_eq!(matches(and.clone(), &req(path)), and_m, "and {path}");
        assert_eq!(matches(or.clone(), &req(path)), or_m, "or {path}");
        assert_eq!(matches(not.clone(), &req(path)), not_m, "not {path}");
    }
    let one = json!({"AndStatement": {"Statements": [a]}});
    assert!(
        rampart_waf::compile(&acl(json!([rule("r", 0, one, block())])), &Res::default()).is_err()
    );
}

#[test]
fn sqli_and_xss_statements_compile_and_evaluate() {
    let sqli = json!({"SqliMatchStatement": {"FieldToMatch": {"QueryString": {}}, "SensitivityLevel": "HIGH",
        "TextTransformations": [{"Priority": 0, "Type": "URL_DECODE"}]}});
    let xss = json!({"XssMatchStatement": {"FieldToMatch": {"Body": {"OversizeHandling": "MATCH"}},
        "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}});
    // Benign inputs never match, whatever the detectors.
    assert!(!matches(sqli.clone(), &req("/?id=42")));
    assert!(!matches(xss.clone(), &req("/").body(b"hello", 8192)));
    // Oversize handling comes before the detector.
    assert!(matches(xss, &req("/").body(&[b'a'; 100], 10)));
    let bad = json!({"SqliMatchStatement": {"FieldToMatch": {"QueryString": {}}, "SensitivityLevel": "MEDIUM",
        "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}});
    assert!(
        rampart_waf::compile(&acl(json!([rule("r", 0, bad, block())])), &Res::default()).is_err()
    );
}

#[test]
fn sqli_and_xss_detect_after_transformations() {
    let sqli = json!({"SqliMatchStatement": {"FieldToMatch": {"QueryString": {}},
        "TextTransformations": [{"Priority": 0, "Type": "URL_DECODE"}]}});
    assert!(matches(sqli, &req("/?id=1%27%20OR%20%271%27%3D%271")));
    let xss = json!({"XssMatchStatement": {"FieldToMatch": {"QueryString": {}},
        "TextTransformations": [{"Priority": 0, "Type": "URL_DECODE"}]}});
    assert!(matches(xss, &req("/?q=%3Cscript%3Ealert(1)%3C/script%3E")));
}

#[test]
fn detectors_on_the_same_inspection_answer_alike_and_others_apart() {
    let sqli = |field: Value, tt: &str| {
        json!({"SqliMatchStatement": {"FieldToMatch": field, "SensitivityLevel": "LOW",
            "TextTransformations": [{"Priority": 0, "Type": tt}]}})
    };
    let query = || json!({"QueryString": {}});
    let rules = json!([
        rule("query-count", 0, sqli(query(), "URL_DECODE"), count()),
        rule("path", 1, sqli(uri(), "URL_DECODE"), block()),
        rule("query-raw", 2, sqli(query(), "NONE"), block()),
        rule("query-block", 3, sqli(query(), "URL_DECODE"), block()),
    ]);
    let plan = plan(&acl(rules), &Res::default());
    let attack = eval(&plan, &req("/fine?id=1%27%20OR%20%271%27%3D%271"));
    let counted: Vec<&str> = attack
        .non_terminating
        .iter()
        .map(|r| r.rule.as_str())
        .collect();
    assert_eq!(counted, ["query-count"]);
    let terminating = attack.terminating_rule.map(|r| r.rule);
    assert_eq!(terminating.as_deref(), Some("query-block"));
    let benign = eval(&plan, &req("/1%27%20OR%20%271%27%3D%271?id=42"));
    assert_eq!(
        benign.terminating_rule.map(|r| r.rule).as_deref(),
        Some("path")
    );
    assert!(benign.non_terminating.is_empty());
}

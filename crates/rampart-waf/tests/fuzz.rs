//! No request makes evaluation panic: random requests (deterministic PRNG) against a web ACL
//! that uses every field and many transformations.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use rampart_waf::{Environment, InspectedRequest, RateState, TokenCheck, TransformKind};
use serde_json::{Value, json};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn bytes(&mut self, max: usize) -> Vec<u8> {
        const ALPHABET: &[u8] = b"aZ09%&=;:/\\.-+<>\"'{}[]()*#!\0 \t\nux\xc3\xa9\xff";
        let n = self.below(max + 1);
        (0..n)
            .map(|_| {
                if self.below(4) == 0 {
                    self.next() as u8
                } else {
                    ALPHABET[self.below(ALPHABET.len())]
                }
            })
            .collect()
    }
    fn text(&mut self, max: usize) -> String {
        String::from_utf8_lossy(&self.bytes(max)).into_owned()
    }
}

fn fields() -> Vec<Value> {
    vec![
        json!({"SingleHeader": {"Name": "x"}}),
        json!({"Headers": {"MatchPattern": {"All": {}}, "MatchScope": "ALL", "OversizeHandling": "CONTINUE"}}),
        json!({"Cookies": {"MatchPattern": {"ExcludedCookies": ["a"]}, "MatchScope": "VALUE", "OversizeHandling": "MATCH"}}),
        json!({"SingleQueryArgument": {"Name": "q"}}),
        json!({"AllQueryArguments": {}}),
        json!({"UriPath": {}}),
        json!({"QueryString": {}}),
        json!({"Body": {"OversizeHandling": "CONTINUE"}}),
        json!({"Method": {}}),
        json!({"JsonBody": {"MatchPattern": {"All": {}}, "MatchScope": "ALL", "InvalidFallbackBehavior": "EVALUATE_AS_STRING"}}),
        json!({"JsonBody": {"MatchPattern": {"IncludedPaths": ["/a", "/b/0"]}, "MatchScope": "KEY"}}),
        json!({"HeaderOrder": {"OversizeHandling": "NO_MATCH"}}),
        json!({"JA3Fingerprint": {"FallbackBehavior": "MATCH"}}),
        json!({"UriFragment": {}}),
    ]
}

fn fuzz_acl() -> Value {
    let kinds: Vec<TransformKind> = TransformKind::all().collect();
    let names = [
        "NONE",
        "COMPRESS_WHITE_SPACE",
        "HTML_ENTITY_DECODE",
        "LOWERCASE",
        "CMD_LINE",
        "URL_DECODE",
        "BASE64_DECODE",
        "HEX_DECODE",
        "MD5",
        "REPLACE_COMMENTS",
        "ESCAPE_SEQ_DECODE",
        "SQL_HEX_DECODE",
        "CSS_DECODE",
        "JS_DECODE",
        "NORMALIZE_PATH",
        "NORMALIZE_PATH_WIN",
        "REMOVE_NULLS",
        "REPLACE_NULLS",
        "BASE64_DECODE_EXT",
        "URL_DECODE_UNI",
        "UTF8_TO_UNICODE",
        "REMOVE_WHITESPACE",
        "TRIM",
        "TRIM_LEFT",
        "TRIM_RIGHT",
        "REMOVE_COMMENTS_CHAR",
        "UPPERCASE",
        "CMD_LINE_WIN",
        "CMD_LINE_UNIX",
        "JS_DECODE_EXT",
        "SHA256",
    ];
    assert_eq!(kinds.len(), names.len());
    let mut rules = Vec::new();
    for (i, field) in fields().into_iter().enumerate() {
        let tts: Vec<Value> = (0..3)
            .map(|k| json!({"Priority": k, "Type": names[(i * 3 + k) % names.len()]}))
            .collect();
        let stmt = json!({"OrStatement": {"Statements": [
            {"ByteMatchStatement": {"SearchString": b64("zz"), "FieldToMatch": field.clone(), "PositionalConstraint": "CONTAINS_WORD", "TextTransformations": tts}},
            {"RegexMatchStatement": {"RegexString": "a.*b", "FieldToMatch": field.clone(), "TextTransformations": tts}},
            {"SizeConstraintStatement": {"FieldToMatch": field.clone(), "ComparisonOperator": "GT", "Size": 4000, "TextTransformations": tts}},
            {"SqliMatchStatement": {"FieldToMatch": field.clone(), "TextTransformations": tts}},
            {"XssMatchStatement": {"FieldToMatch": field, "TextTransformations": tts}}
        ]}});
        rules.push(rule(&format!("r{i}"), i as i64, stmt, count()));
    }
    rules.push(rule("rate", 100, json!({"RateBasedStatement": {"Limit": 10, "AggregateKeyType": "CUSTOM_KEYS",
        "CustomKeys": [{"Cookie": {"Name": "a", "TextTransformations": [{"Priority": 0, "Type": "URL_DECODE"}]}}, {"UriPath": {"TextTransformations": [{"Priority": 0, "Type": "NORMALIZE_PATH"}]}}]}}), json!({"Captcha": {}})));
    rules.push(rule(
        "labels",
        101,
        json!({"LabelMatchStatement": {"Scope": "NAMESPACE", "Key": "x"}}),
        block(),
    ));
    acl(json!(rules))
}

fn random_request(rng: &mut Rng) -> InspectedRequest {
    let methods = ["GET", "POST", "PUT", "DELETE", "x"];
    let target = format!("/{}?{}", rng.text(40), rng.text(60));
    let client = std::net::IpAddr::V4(std::net::Ipv4Addr::from(rng.next() as u32));
    let mut r = InspectedRequest::new(methods[rng.below(methods.len())], &target, client);
    for _ in 0..rng.below(6) {
        let name = ["x", "cookie", "Cookie", "x-forwarded-for", "content-type"][rng.below(5)];
        r.headers.push((name.to_owned(), rng.bytes(50)));
    }
    let body = if rng.below(3) == 0 {
        br#"{"a": {"b": [1, "x", null, true]}, "c": 2.5}"#.to_vec()
    } else {
        rng.bytes(300)
    };
    r = r.body(&body, 128);
    r.fragment = (rng.below(2) == 0).then(|| rng.text(10));
    r.ja3 = (rng.below(2) == 0).then(|| rng.text(32));
    r.token = [
        TokenCheck::Absent,
        TokenCheck::Invalid,
        TokenCheck::Valid {
            captcha_at: Some(rng.next() % 2000),
            challenge_at: None,
        },
    ][rng.below(3)];
    r
}

#[test]
fn random_requests_never_panic() {
    let p = plan(&fuzz_acl(), &Res::default());
    let state = RateState::new(1000);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..3000u64 {
        let r = random_request(&mut rng);
        let v = p.evaluate(&r, &Environment::bare(1000 + i / 100), &state);
        assert!(
            v.terminating_rule.is_none()
                || v.terminating_rule
                    .as_ref()
                    .is_some_and(|t| t.rule == "rate" || t.rule == "labels")
        );
    }
}

#[test]
fn every_transformation_survives_random_bytes() {
    let mut rng = Rng(42);
    for _ in 0..2000 {
        let input = rng.bytes(64);
        for kind in TransformKind::all() {
            if let Some(out) = kind.apply(&input) {
                assert_ne!(out, input, "{kind:?} reported a change that is none");
            }
        }
    }
}

/// Replaces one random node of `value` with a random JSON value.
fn mutate(value: &mut Value, rng: &mut Rng) {
    let children = match value {
        Value::Object(map) => map.len(),
        Value::Array(items) => items.len(),
        _ => 0,
    };
    if children == 0 || rng.below(4) == 0 {
        *value = match rng.below(7) {
            0 => Value::Null,
            1 => json!(rng.next() as i64 % 1000 - 10),
            2 => json!(rng.text(8)),
            3 => json!([]),
            4 => json!({}),
            5 => json!(true),
            _ => json!({"All": {}}),
        };
        return;
    }
    let pick = rng.below(children);
    match value {
        Value::Object(map) => {
            if let Some(child) = map.values_mut().nth(pick) {
                mutate(child, rng);
            }
        }
        Value::Array(items) => mutate(&mut items[pick], rng),
        _ => {}
    }
}

#[test]
fn mutated_web_acls_compile_or_fail_without_panicking() {
    let base = fuzz_acl();
    let mut rng = Rng(7);
    let mut compiled = 0;
    for _ in 0..2000 {
        let mut acl = base.clone();
        for _ in 0..=rng.below(3) {
            mutate(&mut acl, &mut rng);
        }
        if let Ok(p) = rampart_waf::compile(&acl, &Res::default()) {
            compiled += 1;
            let r = random_request(&mut rng);
            p.evaluate(&r, &Environment::bare(0), &RateState::default());
        }
    }
    assert!(compiled > 0, "some mutations keep the web ACL valid");
}

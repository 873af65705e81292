//! A table per FieldToMatch.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::{Value, json};

fn has(search: &str, field: Value) -> Value {
    byte_match(search, field, "CONTAINS", &[])
}

fn exactly(search: &str, field: Value) -> Value {
    byte_match(search, field, "EXACTLY", &[])
}

#[test]
fn single_header_is_case_insensitive_and_first_value() {
    let r = req("/")
        .header("User-Agent", "BadBot/1.0")
        .header("user-agent", "Other");
    assert!(matches(
        has("BadBot", json!({"SingleHeader": {"Name": "user-agent"}})),
        &r
    ));
    assert!(!matches(
        has("Other", json!({"SingleHeader": {"Name": "USER-AGENT"}})),
        &r
    ));
    assert!(!matches(
        has("x", json!({"SingleHeader": {"Name": "referer"}})),
        &r
    ));
}

#[test]
fn headers_patterns_and_scopes() {
    let r = req("/")
        .header("X-Api-Key", "secret")
        .header("Accept", "text/html");
    let f = |pattern: Value, scope: &str| json!({"Headers": {"MatchPattern": pattern, "MatchScope": scope, "OversizeHandling": "CONTINUE"}});
    for (pattern, scope, search, expected) in [
        (json!({"All": {}}), "KEY", "x-api-key", false), // names as sent
        (json!({"All": {}}), "KEY", "X-Api-Key", true),
        (json!({"All": {}}), "KEY", "secret", false),
        (json!({"All": {}}), "VALUE", "secret", true),
        (json!({"All": {}}), "VALUE", "X-Api-Key", false),
        (json!({"All": {}}), "ALL", "Accept", true),
        (json!({"All": {}}), "ALL", "text/html", true),
        (
            json!({"IncludedHeaders": ["accept"]}),
            "VALUE",
            "secret",
            false,
        ),
        (
            json!({"IncludedHeaders": ["x-api-key"]}),
            "VALUE",
            "secret",
            true,
        ),
        (
            json!({"ExcludedHeaders": ["X-API-KEY"]}),
            "VALUE",
            "secret",
            false,
        ),
        (
            json!({"ExcludedHeaders": ["accept"]}),
            "VALUE",
            "secret",
            true,
        ),
    ] {
        assert_eq!(
            matches(exactly(search, f(pattern.clone(), scope)), &r),
            expected,
            "{pattern} {scope} {search}"
        );
    }
}

#[test]
fn headers_oversize_handling() {
    let mut r = req("/");
    for i in 0..201 {
        r = r.header(&format!("h{i}"), "v");
    }
    let f = |handling: &str| json!({"Headers": {"MatchPattern": {"All": {}}, "MatchScope": "VALUE", "OversizeHandling": handling}});
    assert!(matches(exactly("nothing", f("MATCH")), &r));
    assert!(!matches(exactly("v", f("NO_MATCH")), &r));
    assert!(matches(exactly("v", f("CONTINUE")), &r));
    let big = req("/").header("a", &"x".repeat(9000));
    assert!(matches(exactly("nothing", f("MATCH")), &big));
}

#[test]
fn cookies_patterns_and_scopes() {
    let r = req("/")
        .header("Cookie", "session=abc; theme=dark")
        .header("cookie", "lang=fr");
    let f = |pattern: Value, scope: &str| json!({"Cookies": {"MatchPattern": pattern, "MatchScope": scope, "OversizeHandling": "CONTINUE"}});
    for (pattern, scope, search, expected) in [
        (json!({"All": {}}), "KEY", "session", true),
        (json!({"All": {}}), "KEY", "abc", false),
        (json!({"All": {}}), "VALUE", "dark", true),
        (json!({"All": {}}), "VALUE", "fr", true),
        (json!({"All": {}}), "ALL", "lang", true),
        (json!({"IncludedCookies": ["theme"]}), "VALUE", "abc", false),
        (
            json!({"IncludedCookies": ["session"]}),
            "VALUE",
            "abc",
            true,
        ),
        (
            json!({"ExcludedCookies": ["session"]}),
            "VALUE",
            "abc",
            false,
        ),
    ] {
        assert_eq!(
            matches(exactly(search, f(pattern.clone(), scope)), &r),
            expected,
            "{pattern} {scope} {search}"
        );
    }
}

#[test]
fn query_arguments() {
    let r = req("/p?Id=7&name=bob&empty=&flag");
    assert!(matches(
        exactly("7", json!({"SingleQueryArgument": {"Name": "id"}})),
        &r
    ));
    assert!(!matches(
        exactly("bob", json!({"SingleQueryArgument": {"Name": "id"}})),
        &r
    ));
    assert!(matches(
        exactly("bob", json!({"AllQueryArguments": {}})),
        &r
    ));
    assert!(
        !matches(exactly("name", json!({"AllQueryArguments": {}})), &r),
        "values only"
    );
    assert!(matches(
        exactly("Id=7&name=bob&empty=&flag", json!({"QueryString": {}})),
        &r
    ));
}

#[test]
fn pre_parse_transformations_run_before_query_parsing() {
    let s = json!({"ByteMatchStatement": {"SearchString": b64("x"), "FieldToMatch": {"SingleQueryArgument": {"Name": "a"}},
        "PositionalConstraint": "EXACTLY", "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
        "PreParseTextTransformations": [{"Priority": 0, "Type": "URL_DECODE"}]}});
    // `%26` decodes to `&` before the string is split into arguments.
    assert!(matches(s, &req("/?b=1%26a=x")));
    let on_path = json!({"ByteMatchStatement": {"SearchString": b64("x"), "FieldToMatch": {"UriPath": {}},
        "PositionalConstraint": "EXACTLY", "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
        "PreParseTextTransformations": [{"Priority": 0, "Type": "URL_DECODE"}]}});
    assert!(
        rampart_waf::compile(
            &acl(json!([rule("r", 0, on_path, block())])),
            &Res::default()
        )
        .is_err()
    );
}

#[test]
fn method_path_fragment() {
    let r = rampart_waf::InspectedRequest::new("DELETE", "/items/1", ip("192.0.2.1"));
    assert!(matches(exactly("DELETE", json!({"Method": {}})), &r));
    assert!(matches(exactly("/items/1", json!({"UriPath": {}})), &r));
    let mut with = r.clone();
    with.fragment = Some("top".into());
    assert!(matches(
        exactly(
            "top",
            json!({"UriFragment": {"FallbackBehavior": "NO_MATCH"}})
        ),
        &with
    ));
    assert!(matches(
        exactly("top", json!({"UriFragment": {"FallbackBehavior": "MATCH"}})),
        &r
    ));
    assert!(!matches(exactly("top", json!({"UriFragment": {}})), &r));
}

#[test]
fn body_oversize_handling() {
    let small = req("/").body(b"hello world", 16);
    let big = req("/").body(b"hello world, and much more", 8);
    let f = |h: &str| json!({"Body": {"OversizeHandling": h}});
    assert!(matches(has("world", f("CONTINUE")), &small));
    assert!(
        !matches(has("more", f("CONTINUE")), &big),
        "only the first 8 bytes are inspected"
    );
    assert!(matches(has("hello", f("CONTINUE")), &big));
    assert!(matches(has("zzz", f("MATCH")), &big));
    assert!(!matches(has("hello", f("NO_MATCH")), &big));
    assert!(
        matches(has("hello", json!({"Body": {}})), &big),
        "CONTINUE by default"
    );
}

fn json_body(pattern: Value, scope: &str, invalid: Option<&str>) -> Value {
    let mut spec =
        json!({"MatchPattern": pattern, "MatchScope": scope, "OversizeHandling": "CONTINUE"});
    if let Some(i) = invalid {
        spec["InvalidFallbackBehavior"] = json!(i);
    }
    json!({"JsonBody": spec})
}

#[test]
fn json_body_scopes_and_paths() {
    let body = br#"{"user": {"name": "eve", "roles": ["admin", "dev"]}, "n": 42, "ok": true, "a/b": {"c~": 1.5}}"#;
    let r = req("/").body(body, 8192);
    let all = json!({"All": {}});
    for (pattern, scope, search, expected) in [
        (all.clone(), "ALL", "eve", true),
        (all.clone(), "ALL", "roles", true),
        (all.clone(), "KEY", "eve", false),
        (all.clone(), "KEY", "name", true),
        (all.clone(), "VALUE", "name", false),
        (all.clone(), "VALUE", "admin", true),
        (all.clone(), "VALUE", "42", true),
        (all.clone(), "VALUE", "true", true),
        (all.clone(), "VALUE", "1.5", true),
        (
            json!({"IncludedPaths": ["/a~1b/c~0"]}),
            "VALUE",
            "1.5",
            true,
        ),
        (
            json!({"IncludedPaths": ["/user/roles"]}),
            "VALUE",
            "dev",
            true,
        ),
        (
            json!({"IncludedPaths": ["/user/roles/0"]}),
            "VALUE",
            "dev",
            false,
        ),
        (
            json!({"IncludedPaths": ["/n", "/user/name"]}),
            "VALUE",
            "eve",
            true,
        ),
        (json!({"IncludedPaths": ["/missing"]}), "ALL", "eve", false),
        (json!({"IncludedPaths": ["/user"]}), "KEY", "roles", true),
        (json!({"IncludedPaths": ["/user"]}), "KEY", "user", false),
        (json!({"IncludedPaths": ["/us"]}), "VALUE", "eve", false),
        (json!({"IncludedPaths": [""]}), "VALUE", "42", true),
    ] {
        assert_eq!(
            matches(exactly(search, json_body(pattern.clone(), scope, None)), &r),
            expected,
            "{pattern} {scope} {search}"
        );
    }
}

#[test]
fn json_body_invalid_fallback() {
    let r = req("/").body(b"{\"a\": \"evil\", broken", 8192);
    let all = json!({"All": {}});
    assert!(matches(
        has("nothing", json_body(all.clone(), "ALL", Some("MATCH"))),
        &r
    ));
    assert!(!matches(
        has("evil", json_body(all.clone(), "ALL", Some("NO_MATCH"))),
        &r
    ));
    assert!(matches(
        has(
            "evil",
            json_body(all.clone(), "ALL", Some("EVALUATE_AS_STRING"))
        ),
        &r
    ));
    // Without a fallback, what was parsed before the error is inspected.
    assert!(matches(
        has("evil", json_body(all.clone(), "ALL", None)),
        &r
    ));
    assert!(!matches(
        has("broken", json_body(all.clone(), "ALL", None)),
        &r
    ));
    // A match in a body that turns out invalid later still gets the fallback.
    assert!(!matches(
        has("evil", json_body(all.clone(), "ALL", Some("NO_MATCH"))),
        &r
    ));
    let trailing = req("/").body(br#"{"a": "evil"} trailing"#, 8192);
    assert!(!matches(
        has("evil", json_body(all.clone(), "VALUE", Some("NO_MATCH"))),
        &trailing
    ));
    assert!(matches(
        has("zzz", json_body(all, "VALUE", Some("MATCH"))),
        &trailing
    ));
}

#[test]
fn header_order_and_fingerprints() {
    let r = req("/")
        .header("Host", "x")
        .header("User-Agent", "y")
        .header("Accept", "z");
    assert!(matches(
        exactly(
            "host:user-agent:accept",
            json!({"HeaderOrder": {"OversizeHandling": "CONTINUE"}})
        ),
        &r
    ));
    let mut tls = r.clone();
    tls.ja3 = Some("773906b0efdefa24a7f2b8eb6985bf37".into());
    tls.ja4 = Some("t13d1516h2_8daaf6152771_b0da82dd1658".into());
    let ja3 = |fb: &str| json!({"JA3Fingerprint": {"FallbackBehavior": fb}});
    let ja4 = |fb: &str| json!({"JA4Fingerprint": {"FallbackBehavior": fb}});
    assert!(matches(
        exactly("773906b0efdefa24a7f2b8eb6985bf37", ja3("NO_MATCH")),
        &tls
    ));
    assert!(matches(has("t13d", ja4("NO_MATCH")), &tls));
    assert!(
        matches(exactly("x", ja3("MATCH")), &r),
        "absent fingerprint, fallback MATCH"
    );
    assert!(!matches(exactly("x", ja4("NO_MATCH")), &r));
}

#[test]
fn field_to_match_must_name_one_field() {
    let two = byte_match(
        "x",
        json!({"UriPath": {}, "QueryString": {}}),
        "CONTAINS",
        &[],
    );
    let err = rampart_waf::compile(&acl(json!([rule("r", 0, two, block())])), &Res::default())
        .err()
        .unwrap();
    assert!(err.message().contains("exactly one"), "{err}");
}

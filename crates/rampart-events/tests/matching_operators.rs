//! Matching anything-but, numeric, cidr, exists and $or: (pattern, event, expected). Patterns and events are AWS's documented
//! examples where the guide has them, cited per block:
//! - [ops]   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html>
//! - [cf]    <https://docs.aws.amazon.com/eventbridge/latest/userguide/content-filtering-with-event-patterns.html>
//! - [arr]   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html>
//! - [null]  <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html>
//! - [pat]   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html>

#![allow(clippy::unwrap_used)]

mod common;

use common::{check, ec2};
use serde_json::{Value, json};

#[test]
fn anything_but() {
    check(&[
        (
            "[cf] string",
            json!({"detail": {"state": [{"anything-but": "initializing"}]}}),
            ec2("running"),
            true,
        ),
        (
            "[cf] string, excluded",
            json!({"detail": {"state": [{"anything-but": "initializing"}]}}),
            ec2("initializing"),
            false,
        ),
        (
            "[cf] number",
            json!({"detail": {"x-limit": [{"anything-but": 123}]}}),
            json!({"detail": {"x-limit": 456}}),
            true,
        ),
        (
            "[cf] number, excluded",
            json!({"detail": {"x-limit": [{"anything-but": 123}]}}),
            json!({"detail": {"x-limit": 123}}),
            false,
        ),
        (
            "[cf] list of strings",
            json!({"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}),
            ec2("running"),
            true,
        ),
        (
            "[cf] list of strings, excluded",
            json!({"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}),
            ec2("overloaded"),
            false,
        ),
        (
            "[cf] list of numbers",
            json!({"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}),
            json!({"detail": {"x-limit": 301}}),
            true,
        ),
        (
            "[cf] list of numbers, excluded",
            json!({"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}),
            json!({"detail": {"x-limit": 200}}),
            false,
        ),
        (
            "[cf] prefix",
            json!({"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}),
            ec2("running"),
            true,
        ),
        (
            "[cf] prefix, excluded",
            json!({"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}),
            ec2("initializing"),
            false,
        ),
        (
            "prefix list, excluded",
            json!({"r": [{"anything-but": {"prefix": ["us-", "eu-"]}}]}),
            json!({"r": "eu-west-1"}),
            false,
        ),
        (
            "prefix list, other",
            json!({"r": [{"anything-but": {"prefix": ["us-", "eu-"]}}]}),
            json!({"r": "ap-south-1"}),
            true,
        ),
        (
            "[cf] suffix",
            json!({"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}}),
            json!({"detail": {"FileName": "a.png"}}),
            true,
        ),
        (
            "[cf] suffix, excluded",
            json!({"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}}),
            json!({"detail": {"FileName": "a.txt"}}),
            false,
        ),
        (
            "[cf] ignore case",
            json!({"detail": {"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "OverLoaded"]}}]}}),
            ec2("running"),
            true,
        ),
        (
            "[cf] ignore case, excluded",
            json!({"detail": {"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "OverLoaded"]}}]}}),
            ec2("STOPPED"),
            false,
        ),
        (
            "[cf] wildcard",
            json!({"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}}),
            json!({"detail": {"FilePath": "/usr/bin/x"}}),
            true,
        ),
        (
            "[cf] wildcard, excluded",
            json!({"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}}),
            json!({"detail": {"FilePath": "/usr/lib/x"}}),
            false,
        ),
        (
            "[cf] wildcard list, excluded",
            json!({"detail": {"FilePath": [{"anything-but": {"wildcard": ["*/lib/*", "*/bin/*"]}}]}}),
            json!({"detail": {"FilePath": "/usr/bin/x"}}),
            false,
        ),
        (
            "anything-but needs the field",
            json!({"detail": {"state": [{"anything-but": "initializing"}]}}),
            json!({"detail": {}}),
            false,
        ),
        (
            "anything-but on an array: any other element",
            json!({"s": [{"anything-but": "a"}]}),
            json!({"s": ["a", "b"]}),
            true,
        ),
        (
            "anything-but on an array of only excluded",
            json!({"s": [{"anything-but": "a"}]}),
            json!({"s": ["a", "a"]}),
            false,
        ),
    ]);
}

#[test]
fn numeric() {
    let pattern = json!({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}],
                                    "d-count": [{"numeric": ["<", 10]}],
                                    "x-limit": [{"numeric": ["=", 3.018e2]}]}});
    let event = |c: Value, d: Value, x: Value| json!({"detail": {"c-count": c, "d-count": d, "x-limit": x}});
    check(&[
        (
            "[cf] numeric ranges",
            pattern.clone(),
            event(json!(5), json!(7), json!(301.8)),
            true,
        ),
        (
            "[cf] upper bound inclusive",
            pattern.clone(),
            event(json!(5.0), json!(9.999999), json!(301.8)),
            true,
        ),
        (
            "[cf] lower bound exclusive",
            pattern.clone(),
            event(json!(0), json!(7), json!(301.8)),
            false,
        ),
        (
            "[cf] above upper",
            pattern.clone(),
            event(json!(5.000001), json!(7), json!(301.8)),
            false,
        ),
        (
            "[cf] strictly below 10",
            pattern.clone(),
            event(json!(1), json!(10), json!(301.8)),
            false,
        ),
        (
            "[cf] equals",
            pattern.clone(),
            event(json!(1), json!(1), json!(301.80000001)),
            true,
        ),
        (
            "[cf] equals, other",
            pattern,
            event(json!(1), json!(1), json!(301.81)),
            false,
        ),
        (
            "numeric is for numbers only",
            json!({"n": [{"numeric": [">", 0]}]}),
            json!({"n": "5"}),
            false,
        ),
        (
            "numbers beyond 5.0e9 never match",
            json!({"n": [{"numeric": [">", 0]}]}),
            json!({"n": 6.0e9}),
            false,
        ),
        (
            "the limit itself does",
            json!({"n": [{"numeric": [">=", 5.0e9]}]}),
            json!({"n": 5.0e9}),
            true,
        ),
        (
            "negative ranges",
            json!({"n": [{"numeric": [">=", -10, "<", -5]}]}),
            json!({"n": -7.5}),
            true,
        ),
    ]);
}

#[test]
fn cidr() {
    let v4 = json!({"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}});
    let v6 = json!({"detail": {"sourceIPAddress": [{"cidr": "2001:db8::/64"}]}});
    let ip = |a: &str| json!({"detail": {"sourceIPAddress": a}});
    check(&[
        ("[cf] IPv4 inside", v4.clone(), ip("10.0.0.255"), true),
        ("[cf] IPv4 outside", v4.clone(), ip("10.0.1.0"), false),
        (
            "IPv4 block, IPv6 address",
            v4.clone(),
            ip("::ffff:10.0.0.1"),
            false,
        ),
        ("not an address", v4, ip("example.com"), false),
        ("[cf] IPv6 inside", v6.clone(), ip("2001:db8::1"), true),
        ("[cf] IPv6 outside", v6, ip("2001:db8:0:1::1"), false),
        (
            "exact IPv6 value, other spelling",
            json!({"a": ["2001:db8::1"]}),
            json!({"a": "2001:0db8:0:0::1"}),
            true,
        ),
        (
            "exact IPv4 value",
            json!({"a": ["192.0.2.7"]}),
            json!({"a": "192.0.2.8"}),
            false,
        ),
        (
            "single address",
            json!({"a": [{"cidr": "192.0.2.7"}]}),
            json!({"a": "192.0.2.7"}),
            true,
        ),
        (
            "/0 is everything",
            json!({"a": [{"cidr": "0.0.0.0/0"}]}),
            json!({"a": "203.0.113.9"}),
            true,
        ),
    ]);
}

#[test]
fn exists() {
    check(&[
        (
            "[cf] exists true",
            json!({"detail": {"state": [{"exists": true}]}}),
            ec2("running"),
            true,
        ),
        (
            "[cf] exists true, absent",
            json!({"detail": {"c-count": [{"exists": true}]}}),
            ec2("running"),
            false,
        ),
        (
            "[cf] exists false, absent",
            json!({"detail": {"c-count": [{"exists": false}]}}),
            ec2("running"),
            true,
        ),
        (
            "[cf] exists false, present",
            json!({"detail": {"state": [{"exists": false}]}}),
            ec2("running"),
            false,
        ),
        (
            "exists false, whole parent absent",
            json!({"detail": {"c-count": [{"exists": false}]}}),
            json!({"source": "x"}),
            true,
        ),
        (
            "exists true on null",
            json!({"v": [{"exists": true}]}),
            json!({"v": null}),
            true,
        ),
        (
            "exists is about leaves: object",
            json!({"v": [{"exists": true}]}),
            json!({"v": {"a": 1}}),
            false,
        ),
        (
            "exists false on an empty array",
            json!({"v": [{"exists": false}]}),
            json!({"v": []}),
            true,
        ),
        (
            "exists true on a non-empty array",
            json!({"v": [{"exists": true}]}),
            json!({"v": [1]}),
            true,
        ),
    ]);
}

#[test]
fn or() {
    let detail_or = json!({"detail": {"$or": [
        {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
        {"d-count": [{"numeric": ["<", 10]}]},
        {"x-limit": [{"numeric": ["=", 3.018e2]}]}]}});
    let top_or = json!({"source": ["aws.ec2"], "$or": [
        {"detail-type": ["EC2 Instance State-change Notification"]},
        {"detail": {"state": ["pending"]}}]});
    check(&[
        (
            "[cf] $or, first branch",
            detail_or.clone(),
            json!({"detail": {"c-count": 3}}),
            true,
        ),
        (
            "[cf] $or, third branch",
            detail_or.clone(),
            json!({"detail": {"x-limit": 301.8}}),
            true,
        ),
        (
            "[cf] $or, none",
            detail_or,
            json!({"detail": {"c-count": 9, "d-count": 11}}),
            false,
        ),
        (
            "[cf] $or with AND outside",
            top_or.clone(),
            ec2("running"),
            true,
        ),
        (
            "[cf] $or, AND fails",
            top_or.clone(),
            json!({"source": "aws.s3", "detail-type": "EC2 Instance State-change Notification"}),
            false,
        ),
        (
            "[cf] $or, second branch nested",
            top_or,
            json!({"source": "aws.ec2", "detail-type": "x", "detail": {"state": "pending"}}),
            true,
        ),
    ]);
}

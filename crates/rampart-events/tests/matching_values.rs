//! Matching exact values, arrays, null/empty, prefix, suffix, equals-ignore-case and wildcard: (pattern, event, expected). Patterns and events are AWS's documented
//! examples where the guide has them, cited per block:
//! - [ops]   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html>
//! - [cf]    <https://docs.aws.amazon.com/eventbridge/latest/userguide/content-filtering-with-event-patterns.html>
//! - [arr]   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html>
//! - [null]  <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html>
//! - [pat]   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html>

#![allow(clippy::unwrap_used)]

mod common;

use common::{check, ec2};
use serde_json::json;

#[test]
fn exact_and_nested() {
    let pattern = json!({"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"],
                         "detail": {"state": ["terminated"]}});
    check(&[
        (
            "[pat] nested exact",
            pattern.clone(),
            ec2("terminated"),
            true,
        ),
        (
            "[pat] nested exact, other state",
            pattern,
            ec2("running"),
            false,
        ),
        (
            "[pat] multiple values",
            json!({"source": ["aws.ec2", "aws.fargate"]}),
            ec2("running"),
            true,
        ),
        (
            "[pat] missing field",
            json!({"detail": {"zone": ["a"]}}),
            ec2("running"),
            false,
        ),
        (
            "[ops] and",
            json!({"Location": ["New York"], "Day": ["Monday"]}),
            json!({"Location": "New York", "Day": "Monday"}),
            true,
        ),
        (
            "[ops] and, one differs",
            json!({"Location": ["New York"], "Day": ["Monday"]}),
            json!({"Location": "New York", "Day": "Tuesday"}),
            false,
        ),
        (
            "pattern object over event scalar",
            json!({"detail": {"state": ["x"]}}),
            json!({"detail": "x"}),
            false,
        ),
        (
            "exact string is not a number",
            json!({"n": ["5"]}),
            json!({"n": 5}),
            false,
        ),
        (
            "exact number is numeric: 300 = 3.0e2",
            json!({"n": [300]}),
            json!({"n": 3.0e2}),
            true,
        ),
        (
            "exact numbers to six decimal places",
            json!({"n": [301.8]}),
            json!({"n": 301.800_000_01}),
            true,
        ),
        (
            "exact number, other value",
            json!({"n": [300]}),
            json!({"n": 301}),
            false,
        ),
        (
            "exact operator",
            json!({"a": [{"exact": "x"}]}),
            json!({"a": "x"}),
            true,
        ),
        (
            "exact operator, other",
            json!({"a": [{"exact": "x"}]}),
            json!({"a": "xy"}),
            false,
        ),
        (
            "exact booleans",
            json!({"b": [true]}),
            json!({"b": true}),
            true,
        ),
        (
            "exact boolean is not the string",
            json!({"b": [true]}),
            json!({"b": "true"}),
            false,
        ),
    ]);
}

#[test]
fn arrays() {
    let pattern = json!({"resources": [
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]});
    check(&[
        (
            "[arr] intersection non-empty",
            pattern.clone(),
            json!({"resources": [
            "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
            "arn:aws:ec2:us-east-1:000000000000:instance/i-b188560f"]}),
            true,
        ),
        (
            "[arr] intersection empty",
            pattern,
            json!({"resources": [
            "arn:aws:ec2:us-east-1:000000000000:instance/i-b188560f"]}),
            false,
        ),
        (
            "array of objects, one element matches whole",
            json!({"detail": {"items": {"name": ["a"], "size": [1]}}}),
            json!({"detail": {"items": [{"name": "a", "size": 2}, {"name": "a", "size": 1}]}}),
            true,
        ),
        (
            "array of objects, fields from different elements",
            json!({"detail": {"items": {"name": ["a"], "size": [1]}}}),
            json!({"detail": {"items": [{"name": "a", "size": 2}, {"name": "b", "size": 1}]}}),
            false,
        ),
        (
            "nested arrays of values",
            json!({"v": ["x"]}),
            json!({"v": [["y"], ["x"]]}),
            true,
        ),
    ]);
}

#[test]
fn null_and_empty() {
    let event = json!({"detail": {"eventVersion": "", "responseElements": null}});
    check(&[
        (
            "[null] null matches null",
            json!({"detail": {"responseElements": [null]}}),
            event.clone(),
            true,
        ),
        (
            "[null] empty string matches empty string",
            json!({"detail": {"eventVersion": [""]}}),
            event.clone(),
            true,
        ),
        (
            "[null] null is not the empty string",
            json!({"detail": {"eventVersion": [null]}}),
            event.clone(),
            false,
        ),
        (
            "[null] empty string is not null",
            json!({"detail": {"responseElements": [""]}}),
            event.clone(),
            false,
        ),
        (
            "[null] null does not match a missing field",
            json!({"detail": {"other": [null]}}),
            event.clone(),
            false,
        ),
        (
            "[ops] empty",
            json!({"LastName": [""]}),
            json!({"LastName": ""}),
            true,
        ),
        (
            "[ops] empty, not empty",
            json!({"LastName": [""]}),
            json!({"LastName": "Doe"}),
            false,
        ),
    ]);
}

#[test]
fn prefix_and_suffix() {
    check(&[
        (
            "[cf] prefix",
            json!({"time": [{"prefix": "2017-10-02"}]}),
            json!({"time": "2017-10-02T18:43:48Z"}),
            true,
        ),
        (
            "[cf] prefix, other day",
            json!({"time": [{"prefix": "2017-10-02"}]}),
            json!({"time": "2017-10-03T18:43:48Z"}),
            false,
        ),
        (
            "prefix is for strings only",
            json!({"n": [{"prefix": "12"}]}),
            json!({"n": 123}),
            false,
        ),
        (
            "[cf] prefix ignoring case",
            json!({"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}),
            json!({"detail": {"service": "eventbridge"}}),
            true,
        ),
        (
            "[cf] prefix ignoring case, EVENTB",
            json!({"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}),
            json!({"detail": {"service": "EVENTBRIDGE"}}),
            true,
        ),
        (
            "[cf] prefix ignoring case, no",
            json!({"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}),
            json!({"detail": {"service": "Events"}}),
            false,
        ),
        (
            "plain prefix is case-sensitive",
            json!({"s": [{"prefix": "EventB"}]}),
            json!({"s": "eventbridge"}),
            false,
        ),
        (
            "[cf] suffix",
            json!({"FileName": [{"suffix": ".png"}]}),
            json!({"FileName": "image.png"}),
            true,
        ),
        (
            "[cf] suffix, other",
            json!({"FileName": [{"suffix": ".png"}]}),
            json!({"FileName": "image.PNG"}),
            false,
        ),
        (
            "[cf] suffix ignoring case",
            json!({"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}),
            json!({"detail": {"FileName": "image.PNG"}}),
            true,
        ),
        (
            "[cf] suffix ignoring case, no",
            json!({"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}),
            json!({"detail": {"FileName": "image.jpg"}}),
            false,
        ),
    ]);
}

#[test]
fn equals_ignore_case() {
    let pattern =
        json!({"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]});
    check(&[
        (
            "[cf] equals-ignore-case",
            pattern.clone(),
            ec2("running"),
            true,
        ),
        (
            "[cf] equals-ignore-case, other",
            pattern,
            json!({"detail-type": "EC2 Spot Instance Interruption Warning"}),
            false,
        ),
        (
            "[ops] Alice",
            json!({"Name": [{"equals-ignore-case": "alice"}]}),
            json!({"Name": "ALICE"}),
            true,
        ),
        (
            "equals-ignore-case is not a prefix",
            json!({"Name": [{"equals-ignore-case": "alice"}]}),
            json!({"Name": "Alicex"}),
            false,
        ),
    ]);
}

#[test]
fn wildcard() {
    let bus = json!({"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]});
    check(&[
        (
            "[cf] wildcard",
            bus.clone(),
            json!({"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}),
            true,
        ),
        (
            "[cf] wildcard, other Region",
            bus,
            json!({"EventBusArn": "arn:aws:events:us-west-2:123456789012:event-bus/default"}),
            false,
        ),
        (
            "[cf] dir/*.png",
            json!({"FileName": [{"wildcard": "dir/*.png"}]}),
            json!({"FileName": "dir/a.png"}),
            true,
        ),
        (
            "[cf] dir/*.png, jpg",
            json!({"FileName": [{"wildcard": "dir/*.png"}]}),
            json!({"FileName": "dir/a.jpg"}),
            false,
        ),
        (
            "escaped star is literal",
            json!({"F": [{"wildcard": "a\\*b"}]}),
            json!({"F": "axb"}),
            false,
        ),
        (
            "escaped star is one character",
            json!({"F": [{"wildcard": "a\\*b"}]}),
            json!({"F": "ax*b"}),
            false,
        ),
        (
            "escaped star matches a star",
            json!({"F": [{"wildcard": "a\\*b"}]}),
            json!({"F": "a*b"}),
            true,
        ),
        (
            "a repeated piece needs two occurrences",
            json!({"F": [{"wildcard": "*ab*ab*"}]}),
            json!({"F": "xxab"}),
            false,
        ),
        (
            "a repeated piece, twice",
            json!({"F": [{"wildcard": "*ab*ab*"}]}),
            json!({"F": "xxabyab"}),
            true,
        ),
        (
            "wildcard on numbers never",
            json!({"F": [{"wildcard": "*"}]}),
            json!({"F": 5}),
            false,
        ),
    ]);
}

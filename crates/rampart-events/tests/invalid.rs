//! Invalid patterns and the reason given in `InvalidEventPatternException`
//! (`Event pattern is not valid. Reason: <reason>`). The rules are AWS's documented ones
//! (EventBridge user guide, "Comparison operators…", "Content filtering…": operators on leaf
//! arrays, numeric limits of ±5.0e9, anything-but lists of only strings or only numbers,
//! wildcard escapes); the reasons are worded as EventBridge's matcher (aws/event-ruler,
//! `JsonRuleCompiler`, `WildcardParser`, `Range`) words them, without the
//! ` at [Source: ...; line: l, column: c]` location EventBridge appends.

#![allow(clippy::unwrap_used)]

use rampart_events::{Pattern, PatternError};

fn reason(pattern: &str) -> String {
    match Pattern::parse(pattern) {
        Ok(_) => format!("accepted: {pattern}"),
        Err(error) => error.reason().to_owned(),
    }
}

#[test]
fn message_carries_the_reason() {
    let error = Pattern::parse(r#"{"source": "aws.ec2"}"#).err().unwrap();
    assert_eq!(
        error.to_string(),
        "Event pattern is not valid. Reason: \"source\" must be an object or an array"
    );
    assert!(matches!(error, PatternError::Invalid(_)));
}

#[test]
fn structure() {
    check(&[
        ("[1]", "Filter is not an object"),
        ("{}", "Empty objects are not allowed"),
        (r#"{"detail": {}}"#, "Empty objects are not allowed"),
        (r#"{"source": []}"#, "Empty arrays are not allowed"),
        (
            r#"{"source": 5}"#,
            "\"source\" must be an object or an array",
        ),
        (
            r#"{"source": [["a"]]}"#,
            "Match value must be String, number, true, false, or null",
        ),
        (r#"{"source": [{}]}"#, "Match expression name not found"),
        (
            r#"{"source": [{"prefix": "a", "suffix": "b"}]}"#,
            "Only one key allowed in match expression",
        ),
        (
            r#"{"source": [{"prefx": "a"}]}"#,
            "Unrecognized match type prefx",
        ),
        (
            r#"{"$or": {"a": ["b"]}}"#,
            "It must be an Array followed with $or.",
        ),
        (
            r#"{"$or": [{"a": ["b"]}]}"#,
            "There must have at least 2 Objects in $or relationship.",
        ),
        (
            r#"{"$or": [{"a": ["b"]}, "c"]}"#,
            "Only JSON object is allowed in array of $or relationship.",
        ),
        (
            r#"{"d": {"$or": [{"a": ["b"]}, {}]}}"#,
            "Empty objects are not allowed",
        ),
    ]);
}

#[test]
fn operators() {
    check(&[
        (
            r#"{"a": [{"exact": 5}]}"#,
            "exact match pattern must be a string",
        ),
        (
            r#"{"a": [{"prefix": 5}]}"#,
            "prefix match pattern must be a string",
        ),
        (
            r#"{"a": [{"suffix": null}]}"#,
            "suffix match pattern must be a string",
        ),
        (
            r#"{"a": [{"prefix": {}}]}"#,
            "Prefix expression name not found",
        ),
        (
            r#"{"a": [{"suffix": {}}]}"#,
            "Suffix expression name not found",
        ),
        (
            r#"{"a": [{"prefix": {"wildcard": "x"}}]}"#,
            "Unsupported prefix pattern: wildcard",
        ),
        (
            r#"{"a": [{"suffix": {"equals-ignore-case": 1}}]}"#,
            "equals-ignore-case match pattern must be a string",
        ),
        (
            r#"{"a": [{"equals-ignore-case": ["x"]}]}"#,
            "equals-ignore-case match pattern must be a string",
        ),
        (
            r#"{"a": [{"exists": "yes"}]}"#,
            "exists match pattern must be either true or false.",
        ),
        (
            r#"{"a": [{"cidr": 10}]}"#,
            "prefix match pattern must be a string",
        ),
        (
            r#"{"a": [{"cidr": "10.0.0.0/33"}]}"#,
            "Nonstandard IP address: 10.0.0.0/33",
        ),
        (
            r#"{"a": [{"cidr": "10.0.0/8"}]}"#,
            "Nonstandard IP address: 10.0.0/8",
        ),
        (
            r#"{"a": [{"cidr": "2001:db8::/129"}]}"#,
            "Nonstandard IP address: 2001:db8::/129",
        ),
        (
            r#"{"a": [{"wildcard": "a**b"}]}"#,
            "Consecutive wildcard characters at pos 2",
        ),
        (
            r#"{"a": [{"wildcard": "abc**def"}]}"#,
            "Consecutive wildcard characters at pos 4",
        ),
        (
            r#"{"a": [{"wildcard": "a\\b"}]}"#,
            "Invalid escape character at pos 2",
        ),
        (
            r#"{"a": [{"wildcard": 3}]}"#,
            "wildcard match pattern must be a string",
        ),
    ]);
}

#[test]
fn anything_but() {
    check(&[
        (
            r#"{"a": [{"anything-but": true}]}"#,
            "Value of anything-but must be an array or single string/number value.",
        ),
        (
            r#"{"a": [{"anything-but": ["x", 1]}]}"#,
            "Inside anything but list, either all values are number or string, mixed type is not supported",
        ),
        (
            r#"{"a": [{"anything-but": []}]}"#,
            "Inside anything but list, either all values are number or string, mixed type is not supported",
        ),
        (
            r#"{"a": [{"anything-but": [null]}]}"#,
            "Inside anything but list, start|null|boolean is not supported.",
        ),
        (
            r#"{"a": [{"anything-but": {}}]}"#,
            "Anything-But expression name not found",
        ),
        (
            r#"{"a": [{"anything-but": {"prefix": ""}}]}"#,
            "Null prefix/suffix not allowed",
        ),
        (
            r#"{"a": [{"anything-but": {"suffix": ["x", ""]}}]}"#,
            "Null prefix/suffix not allowed",
        ),
        (
            r#"{"a": [{"anything-but": {"prefix": 5}}]}"#,
            "prefix/suffix match pattern must be a string",
        ),
        (
            r#"{"a": [{"anything-but": {"prefix": true}}]}"#,
            "Value of anything-but must be an array or single string/number value.",
        ),
        (
            r#"{"a": [{"anything-but": {"numeric": [">", 1]}}]}"#,
            "Unsupported anything-but pattern: numeric",
        ),
        (
            r#"{"a": [{"anything-but": {"wildcard": ["a**"]}}]}"#,
            "Consecutive wildcard characters at pos 2",
        ),
        (
            r#"{"a": [{"anything-but": {"wildcard": [1]}}]}"#,
            "wildcard match pattern must be a string",
        ),
        (
            r#"{"a": [{"anything-but": {"equals-ignore-case": [1]}}]}"#,
            "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
        ),
    ]);
}

#[test]
fn numeric() {
    check(&[
        (
            r#"{"a": [{"numeric": 5}]}"#,
            "Value of numeric must be an array.",
        ),
        (
            r#"{"a": [{"numeric": []}]}"#,
            "Invalid member in numeric match: ]",
        ),
        (
            r#"{"a": [{"numeric": [5, ">"]}]}"#,
            "Invalid member in numeric match: 5",
        ),
        (
            r#"{"a": [{"numeric": [">"]}]}"#,
            "Value of > must be numeric",
        ),
        (
            r#"{"a": [{"numeric": ["=", "1"]}]}"#,
            "Value of equals must be numeric",
        ),
        (
            r#"{"a": [{"numeric": ["!=", 1]}]}"#,
            "Unrecognized numeric range operator: !=",
        ),
        (
            r#"{"a": [{"numeric": [">", 5, "<", 1]}]}"#,
            "Bottom must be less than top",
        ),
        (
            r#"{"a": [{"numeric": [">=", 5, "<=", 5]}]}"#,
            "Bottom must be less than top",
        ),
        (
            r#"{"a": [{"numeric": [">", 1, ">=", 2]}]}"#,
            "Bad numeric range operator: >=",
        ),
        (
            r#"{"a": [{"numeric": [">", 1, 2]}]}"#,
            "Bad value in numeric range: 2",
        ),
        (
            r#"{"a": [{"numeric": [">", 1, "<", 2, "<", 3]}]}"#,
            "Too many terms in numeric range expression",
        ),
        (
            r#"{"a": [{"numeric": ["<", 1, ">", 0]}]}"#,
            "Too many elements in numeric expression",
        ),
        (
            r#"{"a": [{"numeric": ["=", 1, "<", 2]}]}"#,
            "Too many elements in numeric expression",
        ),
        (
            r#"{"a": [{"numeric": ["<", 5000000001]}]}"#,
            "Value of < must be between -5.0E9 and 5.0E9 inclusive",
        ),
        (
            r#"{"a": [{"numeric": [">=", -5.1e9]}]}"#,
            "Value of >= must be between -5.0E9 and 5.0E9 inclusive",
        ),
    ]);
}

#[test]
fn limits_accepted() {
    for ok in [
        r#"{"a": [{"numeric": [">=", -5.0e9, "<=", 5.0e9]}]}"#,
        r#"{"a": [{"wildcard": "a\\*b\\\\c*"}]}"#,
        r#"{"a": [{"cidr": "2001:db8::/32"}, {"cidr": "10.0.0.0/8"}]}"#,
        r#"{"a": [{"prefix": ""}]}"#,
        r#"{"a": [null, "", 1, true]}"#,
    ] {
        assert!(
            Pattern::parse(ok).is_ok(),
            "refused: {ok}: {:?}",
            Pattern::parse(ok).err()
        );
    }
}

fn check(cases: &[(&str, &str)]) {
    let failures: Vec<String> = cases
        .iter()
        .filter(|(pattern, expected)| reason(pattern) != *expected)
        .map(|(pattern, expected)| {
            format!(
                "{pattern}: expected {expected:?}, got {:?}",
                reason(pattern)
            )
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! Invalid patterns and the reason given in `InvalidEventPatternException`
//! (`Event pattern is not valid. Reason: <reason>`). The rules are AWS's documented ones
//! (EventBridge user guide, "Comparison operators…", "Content filtering…": operators on leaf
//! arrays, numeric limits of ±5.0e9, anything-but lists of only strings or only numbers,
//! wildcard escapes); the reasons are worded as EventBridge's matcher (aws/event-ruler) words them.

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
    let cases = [
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
        (r#"{"source": [{}]}"#, "Empty objects are not allowed"),
        (
            r#"{"source": [{"prefix": "a", "suffix": "b"}]}"#,
            "Only one key allowed in match expression",
        ),
        (
            r#"{"source": [{"prefx": "a"}]}"#,
            "Unrecognized match type prefx",
        ),
        (
            r#"{"$or": [{"a": ["b"]}]}"#,
            "Or relationship must have at least two elements",
        ),
        (
            r#"{"$or": [{"a": ["b"]}, "c"]}"#,
            "Every element of $or must be an object",
        ),
    ];
    check(&cases);
}

#[test]
fn operators() {
    let cases = [
        (
            r#"{"a": [{"prefix": 5}]}"#,
            "prefix match pattern must be a string or a valid json object",
        ),
        (
            r#"{"a": [{"prefix": {"wildcard": "x"}}]}"#,
            "Unsupported prefix pattern: only equals-ignore-case may be nested",
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
            r#"{"a": [{"wildcard": "a\\b"}]}"#,
            "Invalid escape character at pos 1",
        ),
        (
            r#"{"a": [{"wildcard": 3}]}"#,
            "wildcard match pattern must be a string",
        ),
    ];
    check(&cases);
}

#[test]
fn anything_but() {
    let cases = [
        (
            r#"{"a": [{"anything-but": true}]}"#,
            "Value of anything-but must be an array or single string/number value.",
        ),
        (
            r#"{"a": [{"anything-but": ["x", 1]}]}"#,
            "Inside anything but list, only all strings or all numbers are supported",
        ),
        (
            r#"{"a": [{"anything-but": [null]}]}"#,
            "Inside anything but list, only all strings or all numbers are supported",
        ),
        (
            r#"{"a": [{"anything-but": []}]}"#,
            "Empty arrays are not allowed",
        ),
        (
            r#"{"a": [{"anything-but": {"prefix": ""}}]}"#,
            "Null prefix/suffix not allowed",
        ),
        (
            r#"{"a": [{"anything-but": {"suffix": ""}}]}"#,
            "Null prefix/suffix not allowed",
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
            r#"{"a": [{"anything-but": {"equals-ignore-case": [1]}}]}"#,
            "equals-ignore-case match pattern must be a string",
        ),
    ];
    check(&cases);
}

#[test]
fn numeric() {
    let cases = [
        (
            r#"{"a": [{"numeric": 5}]}"#,
            "Value of numeric must be an array.",
        ),
        (
            r#"{"a": [{"numeric": [">"]}]}"#,
            "Value of numeric must be an array of one or two operators, each followed by a number",
        ),
        (
            r#"{"a": [{"numeric": ["!=", 1]}]}"#,
            "Unrecognized numeric range operator: !=",
        ),
        (
            r#"{"a": [{"numeric": [">", "1"]}]}"#,
            "Value of > must be a number",
        ),
        (
            r#"{"a": [{"numeric": [">", 5.0e9, "<", 1]}]}"#,
            "Bad numeric range: the lower bound must be below the upper bound",
        ),
        (
            r#"{"a": [{"numeric": [">", 1, ">=", 2]}]}"#,
            "Bad numeric range: more than one bound on the same side (\">=\")",
        ),
        (
            r#"{"a": [{"numeric": ["=", 1, "<", 2]}]}"#,
            "Bad numeric range: \"=\" cannot be combined with another operator",
        ),
        (
            r#"{"a": [{"numeric": ["<", 5000000001]}]}"#,
            "Value of < must be between -5.0E9 and 5.0E9 inclusive (got 5000000001)",
        ),
        (
            r#"{"a": [{"numeric": [">=", -5.1e9]}]}"#,
            "Value of >= must be between -5.0E9 and 5.0E9 inclusive (got -5100000000.0)",
        ),
    ];
    check(&cases);
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

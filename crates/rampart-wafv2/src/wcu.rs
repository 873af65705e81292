//! Web ACL capacity units (WCUs) of rules, as the WAF developer guide documents them per rule
//! statement: string match 2 (exact, starts with, ends with) or 10 (contains, contains word);
//! regex 3; regex pattern set 25; size constraint 1; SQL injection 20 (sensitivity HIGH 30);
//! cross-site scripting 40; geo, ASN, label match 1; IP set 1 (+4 with a forwarded IP
//! position of ANY); rate-based 2 + 30 per custom aggregation key + its scope-down statement;
//! And/Or/Not the sum of their statements; a rule group its capacity; a managed rule group its
//! published capacity (+ its scope-down statement). For the statements that inspect a request
//! component: All query parameters adds 10, JSON body doubles the base cost, and each text
//! transformation adds 10 (type `NONE`, which the model's minimum of one makes common, applies
//! none and adds nothing).
//!
//! Statements are read as AWS's JSON (what the store keeps); the structure has been checked
//! (`check`) before capacity is computed, so what is missing here costs nothing.

use crate::managed;
use serde_json::Value;

/// The capacity of a rule group by ARN (`None`: unknown; checked elsewhere).
pub type GroupCapacity<'a> = &'a dyn Fn(&str) -> Option<i64>;

/// The WCUs of `rules` (a JSON array of `Rule`).
pub fn rules_wcu(rules: &[Value], groups: GroupCapacity<'_>) -> i64 {
    rules
        .iter()
        .map(|rule| {
            rule.get("Statement")
                .map_or(0, |s| statement_wcu(s, groups))
        })
        .sum()
}

/// The WCUs of one `Statement`.
pub fn statement_wcu(statement: &Value, groups: GroupCapacity<'_>) -> i64 {
    let Some((kind, body)) = statement.as_object().and_then(|o| o.iter().next()) else {
        return 0;
    };
    match kind.as_str() {
        "ByteMatchStatement" => inspecting(body, byte_match_base(body)),
        "RegexMatchStatement" => inspecting(body, 3),
        "RegexPatternSetReferenceStatement" => inspecting(body, 25),
        "SizeConstraintStatement" => inspecting(body, 1),
        "SqliMatchStatement" => inspecting(body, sqli_base(body)),
        "XssMatchStatement" => inspecting(body, 40),
        "GeoMatchStatement" | "AsnMatchStatement" | "LabelMatchStatement" => 1,
        "IPSetReferenceStatement" => ip_set(body),
        "RateBasedStatement" => rate_based(body, groups),
        "AndStatement" | "OrStatement" => nested(body.get("Statements"), groups),
        "NotStatement" => body
            .get("Statement")
            .map_or(0, |s| statement_wcu(s, groups)),
        "RuleGroupReferenceStatement" => text(body, "ARN").and_then(groups).unwrap_or(0),
        "ManagedRuleGroupStatement" => managed_group(body, groups),
        _ => 0,
    }
}

fn text<'a>(body: &'a Value, member: &str) -> Option<&'a str> {
    body.get(member).and_then(Value::as_str)
}

fn nested(statements: Option<&Value>, groups: GroupCapacity<'_>) -> i64 {
    statements.and_then(Value::as_array).map_or(0, |list| {
        list.iter().map(|s| statement_wcu(s, groups)).sum()
    })
}

fn byte_match_base(body: &Value) -> i64 {
    match text(body, "PositionalConstraint") {
        Some("CONTAINS" | "CONTAINS_WORD") => 10,
        _ => 2,
    }
}

fn sqli_base(body: &Value) -> i64 {
    match text(body, "SensitivityLevel") {
        Some("HIGH") => 30,
        _ => 20,
    }
}

/// A statement inspecting a request component: `base` doubled for JSON body, +10 for all
/// query parameters, +10 per text transformation.
fn inspecting(body: &Value, base: i64) -> i64 {
    let field = body.get("FieldToMatch");
    let has = |component: &str| field.and_then(|f| f.get(component)).is_some();
    let mut cost = if has("JsonBody") { base * 2 } else { base };
    if has("AllQueryArguments") {
        cost += 10;
    }
    // The model needs at least one transformation; `NONE` applies none and costs nothing.
    let transformations = body
        .get("TextTransformations")
        .and_then(Value::as_array)
        .map_or(0, |list| {
            list.iter()
                .filter(|t| t.get("Type").and_then(Value::as_str) != Some("NONE"))
                .count()
        });
    cost + 10 * i64::try_from(transformations).unwrap_or(i64::MAX / 20)
}

fn ip_set(body: &Value) -> i64 {
    let position = body
        .get("IPSetForwardedIPConfig")
        .and_then(|c| c.get("Position"))
        .and_then(Value::as_str);
    if position == Some("ANY") { 5 } else { 1 }
}

fn rate_based(body: &Value, groups: GroupCapacity<'_>) -> i64 {
    let keys = body
        .get("CustomKeys")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let scope_down = body
        .get("ScopeDownStatement")
        .map_or(0, |s| statement_wcu(s, groups));
    2 + 30 * i64::try_from(keys).unwrap_or(0) + scope_down
}

fn managed_group(body: &Value, groups: GroupCapacity<'_>) -> i64 {
    let (vendor, name) = (text(body, "VendorName"), text(body, "Name"));
    let capacity = match (vendor, name) {
        (Some(vendor), Some(name)) => managed::find(vendor, name).map_or(0, |g| g.capacity),
        _ => 0,
    };
    let scope_down = body
        .get("ScopeDownStatement")
        .map_or(0, |s| statement_wcu(s, groups));
    capacity + scope_down
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn none(_: &str) -> Option<i64> {
        None
    }

    fn transforms(n: usize) -> Value {
        if n == 0 {
            return json!([{"Priority": 0, "Type": "NONE"}]);
        }
        let list: Vec<Value> = (0..n)
            .map(|i| json!({"Priority": i, "Type": "LOWERCASE"}))
            .collect();
        Value::Array(list)
    }

    fn byte_match(constraint: &str, field: Value, n: usize) -> Value {
        json!({"ByteMatchStatement": {"SearchString": "x", "FieldToMatch": field,
            "TextTransformations": transforms(n), "PositionalConstraint": constraint}})
    }

    #[test]
    fn documented_costs() {
        let uri = json!({"UriPath": {}});
        let all_args = json!({"AllQueryArguments": {}});
        let json_body = json!({"JsonBody": {"MatchPattern": {"All": {}}, "MatchScope": "ALL"}});
        let sqli = |level: &str| {
            json!({"SqliMatchStatement": {"FieldToMatch": {"Body": {}},
                "TextTransformations": transforms(1), "SensitivityLevel": level}})
        };
        let rate = json!({"RateBasedStatement": {"Limit": 100, "AggregateKeyType": "CUSTOM_KEYS",
            "CustomKeys": [{"HTTPMethod": {}}, {"UriPath": {"TextTransformations": transforms(1)}}],
            "ScopeDownStatement": {"GeoMatchStatement": {"CountryCodes": ["US"]}}}});
        let cases: Vec<(Value, i64)> = vec![
            (byte_match("EXACTLY", uri.clone(), 0), 2),
            (byte_match("STARTS_WITH", uri.clone(), 1), 12),
            (byte_match("CONTAINS", uri.clone(), 2), 30),
            (byte_match("CONTAINS_WORD", all_args.clone(), 1), 30),
            (byte_match("EXACTLY", json_body.clone(), 1), 14),
            (byte_match("CONTAINS", json_body, 0), 20),
            (sqli("LOW"), 30),
            (sqli("HIGH"), 40),
            (
                json!({"XssMatchStatement": {"FieldToMatch": uri.clone(), "TextTransformations": transforms(1)}}),
                50,
            ),
            (
                json!({"RegexMatchStatement": {"RegexString": "a+", "FieldToMatch": uri.clone(), "TextTransformations": transforms(0)}}),
                3,
            ),
            (
                json!({"RegexPatternSetReferenceStatement": {"ARN": "a", "FieldToMatch": all_args, "TextTransformations": transforms(1)}}),
                45,
            ),
            (
                json!({"SizeConstraintStatement": {"FieldToMatch": uri, "ComparisonOperator": "GT", "Size": 1, "TextTransformations": transforms(0)}}),
                1,
            ),
            (json!({"GeoMatchStatement": {"CountryCodes": ["US"]}}), 1),
            (
                json!({"LabelMatchStatement": {"Scope": "LABEL", "Key": "a:b"}}),
                1,
            ),
            (json!({"IPSetReferenceStatement": {"ARN": "a"}}), 1),
            (
                json!({"IPSetReferenceStatement": {"ARN": "a", "IPSetForwardedIPConfig": {"HeaderName": "X-Forwarded-For", "FallbackBehavior": "MATCH", "Position": "ANY"}}}),
                5,
            ),
            (
                json!({"RateBasedStatement": {"Limit": 100, "AggregateKeyType": "IP"}}),
                2,
            ),
            (rate, 63),
            (json!({"NotStatement": {"Statement": sqli("LOW")}}), 30),
            (
                json!({"AndStatement": {"Statements": [sqli("LOW"), {"GeoMatchStatement": {"CountryCodes": ["US"]}}]}}),
                31,
            ),
            (
                json!({"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}}),
                700,
            ),
            (
                json!({"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesAmazonIpReputationList"}}),
                25,
            ),
        ];
        for (statement, expected) in cases {
            assert_eq!(statement_wcu(&statement, &none), expected, "{statement}");
        }
    }

    #[test]
    fn rule_groups_cost_their_capacity() {
        let groups = |arn: &str| (arn == "rg").then_some(120);
        let rules = vec![
            json!({"Name": "a", "Statement": {"RuleGroupReferenceStatement": {"ARN": "rg"}}}),
            json!({"Name": "b", "Statement": {"GeoMatchStatement": {"CountryCodes": ["US"]}}}),
        ];
        assert_eq!(rules_wcu(&rules, &groups), 121);
    }
}

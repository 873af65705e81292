//! The semantic checks AWS makes on rules beyond the model's constraints: rule names and
//! priorities unique, one action of the right kind per rule, union members (statement,
//! action, request component) with exactly one value, statements only where AWS allows them
//! (rate-based, rule group and managed rule group statements at the top of a rule; rule
//! group and managed rule group references in web ACLs only), text transformation priorities
//! unique, regular expressions that compile, custom response bodies that exist. Collects
//! the ARNs the rules reference (whose existence the service checks) and the labels they add
//! and match.

use crate::errors::{bad_format, invalid_parameter, nonexistent};
use rampart_codec::ServiceError;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// AWS's reason for a union member with several values (or none).
const ONE_VALUE: &str =
    "Your statement has multiple values set for a field that requires exactly one value.";
/// AWS's reason for a statement nested where it cannot be.
const NOT_NESTABLE: &str = "You can't nest this statement type.";

/// What the rules refer to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Checked {
    /// ARNs of IP sets, regex pattern sets and rule groups, without repeats, in order.
    pub references: Vec<String>,
    /// Labels the rules add (`RuleLabels`).
    pub labels_added: Vec<String>,
    /// Label keys the rules match (`LabelMatchStatement` with scope LABEL).
    pub labels_matched: Vec<String>,
}

/// Where the rules are: a web ACL may reference rule groups, a rule group may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    WebAcl,
    RuleGroup,
}

/// Checks `rules` (a JSON array of `Rule`) of a `container` whose custom response bodies are
/// `bodies`.
pub fn check_rules(
    rules: &[Value],
    container: Container,
    bodies: Option<&Map<String, Value>>,
) -> Result<Checked, ServiceError> {
    let mut names = HashSet::new();
    let mut priorities = HashSet::new();
    let mut out = Checked::default();
    for rule in rules {
        let name = str_of(rule, "Name");
        if !names.insert(name) {
            return Err(invalid_parameter(
                "RULE",
                name,
                "A rule with this name already exists.",
            ));
        }
        let priority = rule.get("Priority").and_then(Value::as_i64).unwrap_or(0);
        if !priorities.insert(priority) {
            let reason = "A rule with this priority already exists.";
            return Err(invalid_parameter("RULE", &priority.to_string(), reason));
        }
        check_rule(rule, container, bodies, &mut out)?;
    }
    Ok(out)
}

fn str_of<'a>(value: &'a Value, member: &str) -> &'a str {
    value.get(member).and_then(Value::as_str).unwrap_or("")
}

/// The single member of a union, or the AWS error naming `field`.
pub fn one_of<'a>(value: &'a Value, field: &str) -> Result<(&'a str, &'a Value), ServiceError> {
    let object = value.as_object().filter(|o| o.len() == 1);
    match object.and_then(|o| o.iter().next()) {
        Some((key, inner)) => Ok((key.as_str(), inner)),
        None => Err(invalid_parameter(field, field_name(field), ONE_VALUE)),
    }
}

fn field_name(field: &str) -> &'static str {
    match field {
        "STATEMENT" => "Statement",
        "RULE_ACTION" => "Action",
        "OVERRIDE_ACTION" => "OverrideAction",
        "DEFAULT_ACTION" => "DefaultAction",
        _ => "FieldToMatch",
    }
}

fn check_rule(
    rule: &Value,
    container: Container,
    bodies: Option<&Map<String, Value>>,
    out: &mut Checked,
) -> Result<(), ServiceError> {
    let statement = rule.get("Statement").unwrap_or(&Value::Null);
    let (kind, _) = one_of(statement, "STATEMENT")?;
    let group = matches!(
        kind,
        "RuleGroupReferenceStatement" | "ManagedRuleGroupStatement"
    );
    if group && container == Container::RuleGroup {
        return Err(invalid_parameter("STATEMENT", kind, NOT_NESTABLE));
    }
    match (group, rule.get("Action"), rule.get("OverrideAction")) {
        (true, None, Some(action)) => {
            one_of(action, "OVERRIDE_ACTION")?;
        }
        (false, Some(action), None) => check_action(action, "RULE_ACTION", bodies)?,
        (true, _, _) => {
            return Err(invalid_parameter(
                "OVERRIDE_ACTION",
                "OverrideAction",
                ONE_VALUE,
            ));
        }
        (false, _, _) => return Err(invalid_parameter("RULE_ACTION", "Action", ONE_VALUE)),
    }
    check_statement(statement, true, out)?;
    for label in rule
        .get("RuleLabels")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.labels_added.push(str_of(label, "Name").to_owned());
    }
    Ok(())
}

/// Checks a `RuleAction` or `DefaultAction` (`field`): one action, and the custom response
/// body it names among `bodies`.
pub fn check_action(
    action: &Value,
    field: &str,
    bodies: Option<&Map<String, Value>>,
) -> Result<(), ServiceError> {
    let (_, inner) = one_of(action, field)?;
    let key = inner
        .get("CustomResponse")
        .and_then(|c| c.get("CustomResponseBodyKey"))
        .and_then(Value::as_str);
    if let Some(key) = key
        && !bodies.is_some_and(|b| b.contains_key(key))
    {
        let reason = "The custom response body key doesn't exist in the custom response bodies.";
        return Err(invalid_parameter("CUSTOM_RESPONSE_BODY", key, reason));
    }
    Ok(())
}

fn check_statement(statement: &Value, top: bool, out: &mut Checked) -> Result<(), ServiceError> {
    let (kind, body) = one_of(statement, "STATEMENT")?;
    let top_only = matches!(
        kind,
        "RateBasedStatement" | "RuleGroupReferenceStatement" | "ManagedRuleGroupStatement"
    );
    if top_only && !top {
        return Err(invalid_parameter("STATEMENT", kind, NOT_NESTABLE));
    }
    match kind {
        "AndStatement" | "OrStatement" => {
            let list = body.get("Statements").and_then(Value::as_array);
            for nested in list.into_iter().flatten() {
                check_statement(nested, false, out)?;
            }
        }
        "NotStatement" => {
            check_statement(body.get("Statement").unwrap_or(&Value::Null), false, out)?
        }
        "ManagedRuleGroupStatement" | "RateBasedStatement" => {
            if kind == "ManagedRuleGroupStatement" {
                check_managed(body)?;
            }
            if let Some(scope_down) = body.get("ScopeDownStatement") {
                check_statement(scope_down, false, out)?;
            }
        }
        "RegexMatchStatement" => check_regex(str_of(body, "RegexString"), "STATEMENT")?,
        "LabelMatchStatement" if str_of(body, "Scope") == "LABEL" => {
            out.labels_matched.push(str_of(body, "Key").to_owned());
        }
        _ => {}
    }
    if let Some(arn) = body.get("ARN").and_then(Value::as_str)
        && !out.references.iter().any(|r| r == arn)
    {
        out.references.push(arn.to_owned());
    }
    if let Some(field) = body.get("FieldToMatch") {
        one_of(field, "FIELD_TO_MATCH")?;
    }
    check_transformations(body)
}

/// A managed rule group statement names a group (and version) of the catalog.
fn check_managed(body: &Value) -> Result<(), ServiceError> {
    let group = crate::managed::find(str_of(body, "VendorName"), str_of(body, "Name"));
    let version = body.get("Version").and_then(Value::as_str);
    match group {
        Some(g) if version.is_none_or(|v| g.versions.contains(&v)) => Ok(()),
        _ => Err(nonexistent()),
    }
}

fn check_transformations(body: &Value) -> Result<(), ServiceError> {
    let list = body.get("TextTransformations").and_then(Value::as_array);
    let mut seen = HashSet::new();
    for t in list.into_iter().flatten() {
        let priority = t.get("Priority").and_then(Value::as_i64).unwrap_or(0);
        if !seen.insert(priority) {
            let reason = "A text transformation with this priority already exists.";
            return Err(invalid_parameter(
                "TEXT_TRANSFORMATION",
                &priority.to_string(),
                reason,
            ));
        }
    }
    Ok(())
}

/// A regular expression AWS accepts: it compiles (no backreferences or lookaround).
pub fn check_regex(pattern: &str, field: &str) -> Result<(), ServiceError> {
    regex::Regex::new(pattern)
        .map(|_| ())
        .map_err(|_| bad_format(field, pattern))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(name: &str, priority: i64, statement: Value) -> Value {
        json!({"Name": name, "Priority": priority, "Action": {"Block": {}}, "Statement": statement,
            "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": name}})
    }

    fn geo() -> Value {
        json!({"GeoMatchStatement": {"CountryCodes": ["US"]}})
    }

    fn reason(result: Result<Checked, ServiceError>) -> String {
        match result {
            Ok(_) => String::from("ok"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn names_and_priorities_are_unique() {
        let twice = [rule("a", 1, geo()), rule("a", 2, geo())];
        assert!(
            reason(check_rules(&twice, Container::WebAcl, None))
                .contains("field: RULE, parameter: a")
        );
        let same = [rule("a", 1, geo()), rule("b", 1, geo())];
        assert!(reason(check_rules(&same, Container::WebAcl, None)).contains("parameter: 1"));
    }

    #[test]
    fn statements_have_one_value_and_nest_where_allowed() {
        let two = json!({"GeoMatchStatement": {"CountryCodes": ["US"]}, "LabelMatchStatement": {"Scope": "LABEL", "Key": "k"}});
        assert!(
            reason(check_rules(&[rule("a", 1, two)], Container::WebAcl, None)).contains(ONE_VALUE)
        );
        let nested = json!({"NotStatement": {"Statement": {"RateBasedStatement": {"Limit": 100, "AggregateKeyType": "IP"}}}});
        assert!(
            reason(check_rules(
                &[rule("a", 1, nested)],
                Container::WebAcl,
                None
            ))
            .contains(NOT_NESTABLE)
        );
        let group = json!({"Name": "g", "Priority": 0, "OverrideAction": {"None": {}},
            "Statement": {"RuleGroupReferenceStatement": {"ARN": "arn"}}});
        assert!(
            reason(check_rules(
                std::slice::from_ref(&group),
                Container::RuleGroup,
                None
            ))
            .contains(NOT_NESTABLE)
        );
        let checked = check_rules(&[group], Container::WebAcl, None).unwrap_or_default();
        assert_eq!(checked.references, vec!["arn".to_owned()]);
    }

    #[test]
    fn actions_match_the_statement() {
        let mut group = rule(
            "g",
            0,
            json!({"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesSQLiRuleSet"}}),
        );
        assert!(
            reason(check_rules(
                std::slice::from_ref(&group),
                Container::WebAcl,
                None
            ))
            .contains("OVERRIDE_ACTION")
        );
        if let Some(o) = group.as_object_mut() {
            o.remove("Action");
            o.insert("OverrideAction".into(), json!({"Count": {}}));
        }
        assert_eq!(reason(check_rules(&[group], Container::WebAcl, None)), "ok");
        let custom = json!({"Name": "c", "Priority": 0, "Statement": geo(), "Action": {"Block": {"CustomResponse": {"ResponseCode": 403, "CustomResponseBodyKey": "page"}}}});
        assert!(
            reason(check_rules(
                std::slice::from_ref(&custom),
                Container::WebAcl,
                None
            ))
            .contains("CUSTOM_RESPONSE_BODY")
        );
        let bodies = json!({"page": {"ContentType": "TEXT_PLAIN", "Content": "no"}});
        assert_eq!(
            reason(check_rules(
                &[custom],
                Container::WebAcl,
                bodies.as_object()
            )),
            "ok"
        );
    }

    #[test]
    fn managed_groups_come_from_the_catalog() {
        let managed = |name: &str, version: Option<&str>| {
            let mut statement = json!({"VendorName": "AWS", "Name": name});
            if let Some(v) = version {
                statement["Version"] = json!(v);
            }
            json!({"Name": "m", "Priority": 0, "OverrideAction": {"None": {}},
                "Statement": {"ManagedRuleGroupStatement": statement}})
        };
        let check = |rule: Value| reason(check_rules(&[rule], Container::WebAcl, None));
        assert_eq!(check(managed("AWSManagedRulesLinuxRuleSet", None)), "ok");
        assert_eq!(
            check(managed("AWSManagedRulesLinuxRuleSet", Some("Version_1.0"))),
            "ok"
        );
        assert!(
            check(managed("AWSManagedRulesLinuxRuleSet", Some("Version_9.9"))).contains("exist")
        );
        assert!(check(managed("NoSuchGroup", None)).contains("exist"));
    }

    #[test]
    fn regexes_and_transformations() {
        let bad = json!({"RegexMatchStatement": {"RegexString": "(a", "FieldToMatch": {"UriPath": {}}, "TextTransformations": []}});
        assert!(
            reason(check_rules(&[rule("a", 1, bad)], Container::WebAcl, None))
                .contains("formatting")
        );
        let twice = json!({"SqliMatchStatement": {"FieldToMatch": {"Body": {}}, "TextTransformations": [
            {"Priority": 0, "Type": "NONE"}, {"Priority": 0, "Type": "LOWERCASE"}]}});
        assert!(
            reason(check_rules(&[rule("a", 1, twice)], Container::WebAcl, None))
                .contains("TEXT_TRANSFORMATION")
        );
    }
}

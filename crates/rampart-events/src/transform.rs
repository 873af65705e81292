//! What a target receives: the whole event, its `Input` constant, the part `InputPath`
//! selects, or the `InputTransformer`'s template filled from its `InputPathsMap`.
//!
//! Template placeholders (`<name>`) follow AWS's quoting rules: inside a JSON string (`"<x>"`)
//! a value goes in as text (a string's characters, JSON-escaped); outside a string, in a JSON
//! template, it goes in as JSON (strings keep their quotes); in a template that is not JSON
//! (plain text), it goes in as text. A path that selects nothing gives `null` in JSON and an
//! empty string in text (AWS documents no other behaviour; a doubt worth checking).

use crate::access::validation;
use crate::generated::{InputTransformer, ServiceError, Target};
use serde_json::Value;
use std::collections::BTreeMap;

/// Most entries an InputPathsMap holds.
pub const MAX_PATHS: usize = 100;

/// Names AWS defines for every template.
const RESERVED: &[&str] = &[
    "aws.events.event",
    "aws.events.event.json",
    "aws.events.event.ingestion-time",
    "aws.events.rule-arn",
    "aws.events.rule-name",
];

/// Checks a target's input settings; the message names what is wrong.
pub fn check_target(target: &Target) -> Result<(), String> {
    let given = [
        target.input.is_some(),
        target.input_path.is_some(),
        target.input_transformer.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err("Only one of Input, InputPath, or InputTransformer can be provided.".into());
    }
    if let Some(input) = &target.input {
        serde_json::from_str::<Value>(input).map_err(|_| "Input is not valid JSON.".to_owned())?;
    }
    if let Some(path) = &target.input_path {
        parse_path(path).ok_or_else(|| format!("InputPath {path} is not a valid JsonPath."))?;
    }
    if let Some(t) = &target.input_transformer {
        check_transformer(t)?;
    }
    Ok(())
}

fn check_transformer(t: &InputTransformer) -> Result<(), String> {
    let paths = t.input_paths_map.clone().unwrap_or_default();
    if paths.len() > MAX_PATHS {
        return Err(format!(
            "InputPathsMap has {} entries; at most {MAX_PATHS} are allowed.",
            paths.len()
        ));
    }
    for (key, path) in &paths {
        if key.starts_with("aws.") {
            return Err(format!("InputPathsMap key {key} is reserved."));
        }
        parse_path(path)
            .ok_or_else(|| format!("InputPathsMap value {path} is not a valid JsonPath."))?;
    }
    Ok(())
}

/// What the target receives for `event` matched by `rule_arn`.
pub fn target_input(target: &Target, event: &Value, rule_arn: &str) -> String {
    if let Some(input) = &target.input {
        return input.clone();
    }
    if let Some(path) = &target.input_path {
        return select(event, path).map_or_else(|| "null".to_owned(), Value::to_string);
    }
    match &target.input_transformer {
        Some(t) => transform(t, event, rule_arn),
        None => event.to_string(),
    }
}

/// The transformer's template with every placeholder filled.
pub fn transform(t: &InputTransformer, event: &Value, rule_arn: &str) -> String {
    let mut values: BTreeMap<String, Option<Value>> = BTreeMap::new();
    for (key, path) in t.input_paths_map.iter().flatten() {
        values.insert(key.clone(), select(event, path).cloned());
    }
    let rule_name = rule_arn.rsplit('/').next().unwrap_or_default();
    let reserved = [
        event.clone(),
        Value::String(event.to_string()),
        event.get("time").cloned().unwrap_or(Value::Null),
        Value::String(rule_arn.to_owned()),
        Value::String(rule_name.to_owned()),
    ];
    for (name, value) in RESERVED.iter().zip(reserved) {
        values.insert((*name).to_owned(), Some(value));
    }
    fill(t.input_template.as_deref().unwrap_or_default(), &values)
}

/// Replaces `<name>` placeholders of `template` known in `values`.
fn fill(template: &str, values: &BTreeMap<String, Option<Value>>) -> String {
    let trimmed = template.trim_start();
    let json_template = trimmed.starts_with('{') || trimmed.starts_with('[');
    let mut out = String::with_capacity(template.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        let filled = (c == '<' && !escaped)
            .then(|| placeholder(rest))
            .flatten()
            .and_then(|(name, after)| Some((values.get(name)?, after)));
        if let Some((value, after)) = filled {
            out.push_str(&render(value.as_ref(), in_string, json_template));
            rest = after;
            continue;
        }
        escaped = in_string && c == '\\' && !escaped;
        if c == '"' && !escaped {
            in_string = !in_string;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `<name>` at the start of `text`: the name and what follows the `>`.
fn placeholder(text: &str) -> Option<(&str, &str)> {
    let end = text.find('>')?;
    let name = &text[1..end];
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    ok.then(|| (name, &text[end + 1..]))
}

fn render(value: Option<&Value>, in_string: bool, json_template: bool) -> String {
    match (value, in_string) {
        (Some(Value::String(s)), true) => escape(s),
        (Some(v), true) => escape(&v.to_string()),
        (None, true) => String::new(),
        (Some(v), false) if json_template => v.to_string(),
        (None, false) if json_template => "null".to_owned(),
        (Some(Value::String(s)), false) => s.clone(),
        (Some(v), false) => v.to_string(),
        (None, false) => String::new(),
    }
}

/// `s` escaped for the inside of a JSON string.
fn escape(s: &str) -> String {
    let quoted = Value::String(s.to_owned()).to_string();
    quoted[1..quoted.len() - 1].to_owned()
}

/// One step of a JSONPath.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// `$`, `$.a.b`, `$.a[0]`, `$['a b']`: the simple JSONPath AWS's paths use.
fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = &r[..end];
            if key.is_empty() {
                return None;
            }
            steps.push(Step::Key(key.to_owned()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix("['") {
            let end = r.find("']")?;
            steps.push(Step::Key(r[..end].to_owned()));
            rest = &r[end + 2..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            steps.push(Step::Index(r[..end].parse().ok()?));
            rest = &r[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

/// The part of `event` `path` selects, if any.
pub fn select<'a>(event: &'a Value, path: &str) -> Option<&'a Value> {
    let steps = parse_path(path)?;
    steps.iter().try_fold(event, |v, step| match step {
        Step::Key(k) => v.get(k.as_str()),
        Step::Index(i) => v.get(*i),
    })
}

/// A ValidationException for a target whose input settings `check_target` refused.
pub fn invalid_input(message: String) -> ServiceError {
    validation(message)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event() -> Value {
        json!({"id": "e1", "time": "2026-01-01T00:00:00Z", "detail-type": "Order",
               "detail": {"instance": "i-123", "state": "RUNNING", "count": 3,
                          "tags": ["a", "b"], "say": "he said \"hi\""}})
    }

    fn transformer(paths: &[(&str, &str)], template: &str) -> InputTransformer {
        InputTransformer {
            input_paths_map: Some(
                paths
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            ),
            input_template: Some(template.to_owned()),
        }
    }

    const PATHS: &[(&str, &str)] = &[
        ("instance", "$.detail.instance"),
        ("state", "$.detail.state"),
        ("count", "$.detail.count"),
        ("tags", "$.detail.tags"),
        ("say", "$.detail.say"),
        ("missing", "$.detail.nothing"),
    ];

    #[test]
    fn json_templates_quote_by_position() {
        let t = transformer(
            PATHS,
            r#"{"i": <instance>, "s": "state is <state>", "n": <count>, "t": <tags>, "m": <missing>}"#,
        );
        let out: Value = serde_json::from_str(&transform(&t, &event(), "arn:r/x")).unwrap();
        assert_eq!(
            out,
            json!({"i": "i-123", "s": "state is RUNNING", "n": 3, "t": ["a", "b"], "m": null})
        );
    }

    #[test]
    fn strings_inside_quotes_are_escaped() {
        let t = transformer(PATHS, r#"{"q": "<say>", "first": "<tags>"}"#);
        let out: Value = serde_json::from_str(&transform(&t, &event(), "arn:r/x")).unwrap();
        assert_eq!(
            out,
            json!({"q": "he said \"hi\"", "first": "[\"a\",\"b\"]"})
        );
    }

    #[test]
    fn string_and_text_templates_insert_text() {
        let t = transformer(PATHS, r#""<instance> is in state <state>""#);
        assert_eq!(
            transform(&t, &event(), "a"),
            r#""i-123 is in state RUNNING""#
        );
        let t = transformer(PATHS, "instance <instance> is <state><missing>");
        assert_eq!(transform(&t, &event(), "a"), "instance i-123 is RUNNING");
    }

    #[test]
    fn reserved_variables_and_unknown_placeholders() {
        let t = transformer(
            &[],
            r#"{"rule": "<aws.events.rule-name>", "arn": <aws.events.rule-arn>, "x": "<other>"}"#,
        );
        let out: Value =
            serde_json::from_str(&transform(&t, &event(), "arn:aws:events:r:1:rule/bus/r1"))
                .unwrap();
        assert_eq!(
            out,
            json!({"rule": "r1", "arn": "arn:aws:events:r:1:rule/bus/r1", "x": "<other>"})
        );
    }

    #[test]
    fn input_and_input_path() {
        let mut target = Target {
            input_path: Some("$.detail.tags[1]".into()),
            ..Target::default()
        };
        assert_eq!(target_input(&target, &event(), "a"), r#""b""#);
        target.input_path = Some("$".into());
        assert_eq!(target_input(&target, &event(), "a"), event().to_string());
        target.input_path = None;
        target.input = Some(r#"{"const": 1}"#.into());
        assert_eq!(target_input(&target, &event(), "a"), r#"{"const": 1}"#);
    }

    #[test]
    fn target_checks() {
        let both = Target {
            input: Some("{}".into()),
            input_path: Some("$.a".into()),
            ..Target::default()
        };
        assert!(check_target(&both).is_err());
        let bad_path = Target {
            input_path: Some("detail".into()),
            ..Target::default()
        };
        assert!(check_target(&bad_path).is_err());
        let too_many: Vec<(String, String)> = (0..101)
            .map(|i| (format!("k{i}"), "$.a".to_owned()))
            .collect();
        let t = Target {
            input_transformer: Some(InputTransformer {
                input_paths_map: Some(too_many.into_iter().collect()),
                input_template: Some("x".into()),
            }),
            ..Target::default()
        };
        assert!(check_target(&t).is_err());
        let bad_json = Target {
            input: Some("{nope".into()),
            ..Target::default()
        };
        assert!(check_target(&bad_json).is_err());
    }
}

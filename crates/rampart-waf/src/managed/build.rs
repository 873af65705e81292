//! Small builders of the WAFv2 JSON the managed groups are written in: fields, statements with
//! their text transformations, and rules with their label.

use base64::Engine;
use serde_json::{Value, json};

/// `TextTransformations`, in order.
pub(super) fn tts(kinds: &[&str]) -> Value {
    let list: Vec<Value> = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| json!({"Priority": i, "Type": k}))
        .collect();
    if list.is_empty() {
        json!([{"Priority": 0, "Type": "NONE"}])
    } else {
        json!(list)
    }
}

pub(super) fn query_args() -> Value {
    json!({"AllQueryArguments": {}})
}

pub(super) fn query_string() -> Value {
    json!({"QueryString": {}})
}

pub(super) fn uri_path() -> Value {
    json!({"UriPath": {}})
}

pub(super) fn method() -> Value {
    json!({"Method": {}})
}

/// The body, inspected as far as the engine was given it (`CONTINUE`).
pub(super) fn body() -> Value {
    json!({"Body": {"OversizeHandling": "CONTINUE"}})
}

pub(super) fn header(name: &str) -> Value {
    json!({"SingleHeader": {"Name": name}})
}

/// Every header's name and value.
pub(super) fn headers() -> Value {
    json!({"Headers": {"MatchPattern": {"All": {}}, "MatchScope": "ALL", "OversizeHandling": "CONTINUE"}})
}

/// Every cookie's value.
pub(super) fn cookies() -> Value {
    json!({"Cookies": {"MatchPattern": {"All": {}}, "MatchScope": "VALUE", "OversizeHandling": "CONTINUE"}})
}

pub(super) fn regex(pattern: &str, field: Value, kinds: &[&str]) -> Value {
    json!({"RegexMatchStatement": {"RegexString": pattern, "FieldToMatch": field, "TextTransformations": tts(kinds)}})
}

pub(super) fn sqli(field: Value, kinds: &[&str]) -> Value {
    json!({"SqliMatchStatement": {"FieldToMatch": field, "TextTransformations": tts(kinds), "SensitivityLevel": "LOW"}})
}

pub(super) fn xss(field: Value, kinds: &[&str]) -> Value {
    json!({"XssMatchStatement": {"FieldToMatch": field, "TextTransformations": tts(kinds)}})
}

pub(super) fn exactly(text: &str, field: Value) -> Value {
    let search = base64::engine::general_purpose::STANDARD.encode(text);
    json!({"ByteMatchStatement": {"SearchString": search, "FieldToMatch": field,
        "PositionalConstraint": "EXACTLY", "TextTransformations": tts(&[])}})
}

pub(super) fn larger(field: Value, size: u64) -> Value {
    json!({"SizeConstraintStatement": {"FieldToMatch": field, "ComparisonOperator": "GT",
        "Size": size, "TextTransformations": tts(&[])}})
}

pub(super) fn not(statement: Value) -> Value {
    json!({"NotStatement": {"Statement": statement}})
}

pub(super) fn ip_set(arn: &str) -> Value {
    json!({"IPSetReferenceStatement": {"ARN": arn}})
}

/// One rule of a managed group: what it is called, the label it adds (relative to the
/// group's namespace), its action (`Block` or `Count`) and its statement.
pub(super) struct RuleSpec {
    pub(super) name: &'static str,
    pub(super) label: &'static str,
    pub(super) action: &'static str,
    pub(super) statement: Value,
}

pub(super) fn block(name: &'static str, label: &'static str, statement: Value) -> RuleSpec {
    RuleSpec {
        name,
        label,
        action: "Block",
        statement,
    }
}

/// The `Rules` JSON, priorities in the listed order.
pub(super) fn rules(specs: Vec<RuleSpec>) -> Vec<Value> {
    specs
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            json!({
                "Name": r.name, "Priority": i, "Statement": r.statement,
                "Action": {r.action: {}}, "RuleLabels": [{"Name": r.label}],
                "VisibilityConfig": {"SampledRequestsEnabled": true,
                    "CloudWatchMetricsEnabled": true, "MetricName": r.name}
            })
        })
        .collect()
}

/// Media types whose bodies are binary (images, audio, video, fonts, archives, PDF).
const BINARY_TYPES: &str = r"^\s*(?:image|audio|video|font)/|^\s*application/(?:octet-stream|zip|gzip|x-gzip|x-tar|x-7z-compressed|x-bzip2|pdf|wasm)\b";

/// `statement` on bodies that are not declared binary: the SQL and XSS detectors read text,
/// and random bytes of an image upload sometimes look like an injection to them (an
/// application does not parse an `image/png` body as a form or JSON).
pub(super) fn text_body(statement: Value) -> Value {
    let binary = regex(BINARY_TYPES, header("content-type"), &["LOWERCASE"]);
    json!({"AndStatement": {"Statements": [statement, not(binary)]}})
}

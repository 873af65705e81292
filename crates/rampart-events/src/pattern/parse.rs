//! Parsing and validating a pattern into its compiled form. Structure and operator rules come
//! from AWS's EventBridge user guide ("Event patterns", "Comparison operators for use in event
//! patterns", "Content filtering in Amazon EventBridge event patterns"); the reasons are the
//! ones EventBridge's matcher (aws/event-ruler) gives in `InvalidEventPatternException`.

use super::cidr::Cidr;
use super::numeric::Range;
use super::text::lower;
use super::wildcard::Wildcard;
use super::{Exclusion, Literal, Matcher, Node, Object, PatternError};
use serde_json::{Map, Value};

type Parsed<T> = Result<T, String>;

/// Parses pattern text into its root object.
pub(super) fn parse(text: &str) -> Result<Object, PatternError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| PatternError::Invalid(e.to_string()))?;
    let Value::Object(map) = value else {
        return Err(PatternError::Invalid("Filter is not an object".to_owned()));
    };
    object(&map).map_err(PatternError::Invalid)
}

fn object(map: &Map<String, Value>) -> Parsed<Object> {
    if map.is_empty() {
        return Err("Empty objects are not allowed".to_owned());
    }
    let mut parsed = Object::default();
    for (name, value) in map {
        match value {
            _ if name == "$or" => parsed.ors.push(or_branches(value)?),
            Value::Object(inner) => parsed
                .fields
                .push((name.clone(), Node::Object(object(inner)?))),
            Value::Array(items) => parsed.fields.push((name.clone(), Node::Leaf(leaf(items)?))),
            _ => return Err(format!("\"{name}\" must be an object or an array")),
        }
    }
    Ok(parsed)
}

/// `"$or": [{..}, {..}, ...]` (AWS, "Content filtering…", or matching): at least two objects,
/// each a pattern of its own applied at the same level.
fn or_branches(value: &Value) -> Parsed<Vec<Object>> {
    let Value::Array(branches) = value else {
        return Err("It must be an Array followed with $or.".to_owned());
    };
    let parsed = branches
        .iter()
        .map(|branch| match branch {
            Value::Object(map) => object(map),
            _ => Err("Only JSON object is allowed in array of $or relationship.".to_owned()),
        })
        .collect::<Parsed<Vec<Object>>>()?;
    if parsed.len() < 2 {
        return Err("There must have at least 2 Objects in $or relationship.".to_owned());
    }
    Ok(parsed)
}

/// A leaf's array: JSON scalars (exact matching) and single-key operator objects. Arrays
/// may not nest (AWS: the value to match is in a JSON array of values).
fn leaf(items: &[Value]) -> Parsed<Vec<Matcher>> {
    if items.is_empty() {
        return Err("Empty arrays are not allowed".to_owned());
    }
    items
        .iter()
        .map(|item| match item {
            Value::Object(map) => operator(map),
            Value::Array(_) => {
                Err("Match value must be String, number, true, false, or null".to_owned())
            }
            Value::String(text) if is_ip_address(text) => Cidr::parse(text).map(Matcher::Cidr),
            scalar => Ok(Matcher::Exact(literal(scalar))),
        })
        .collect()
}

/// An exact value that is an IP address matches the address however the event writes it
/// (`2001:db8::1` and `2001:0db8:0:0::1`), as EventBridge's matcher turns such values into
/// one-address ranges.
fn is_ip_address(text: &str) -> bool {
    text.parse::<std::net::IpAddr>().is_ok()
}

fn literal(scalar: &Value) -> Literal {
    match scalar {
        Value::String(s) => Literal::String(s.clone()),
        Value::Number(n) => Literal::Number(n.as_f64().unwrap_or(f64::NAN)),
        Value::Bool(b) => Literal::Bool(*b),
        _ => Literal::Null,
    }
}

fn operator(map: &Map<String, Value>) -> Parsed<Matcher> {
    let (name, value) = only_key(map, "Match expression name not found")?;
    match name {
        "exact" => Ok(Matcher::Exact(Literal::String(
            string(name, value)?.to_owned(),
        ))),
        "prefix" => affix(value, "prefix", Matcher::Prefix, Matcher::PrefixIgnoreCase),
        "suffix" => affix(value, "suffix", Matcher::Suffix, Matcher::SuffixIgnoreCase),
        "equals-ignore-case" => Ok(Matcher::EqualsIgnoreCase(lower(string(name, value)?))),
        "wildcard" => Ok(Matcher::Wildcard(Wildcard::parse(string(name, value)?)?)),
        "exists" => match value {
            Value::Bool(b) => Ok(Matcher::Exists(*b)),
            _ => Err("exists match pattern must be either true or false.".to_owned()),
        },
        "numeric" => match value {
            Value::Array(items) => Ok(Matcher::Numeric(Range::parse(items)?)),
            _ => Err("Value of numeric must be an array.".to_owned()),
        },
        // EventBridge's matcher words a non-string CIDR this way too.
        "cidr" => Ok(Matcher::Cidr(Cidr::parse(string("prefix", value)?)?)),
        "anything-but" => exclusion(value).map(Matcher::AnythingBut),
        other => Err(format!("Unrecognized match type {other}")),
    }
}

/// The one key of an operator object (`missing` when it has none).
fn only_key<'a>(map: &'a Map<String, Value>, missing: &str) -> Parsed<(&'a str, &'a Value)> {
    let mut entries = map.iter();
    match (entries.next(), entries.next()) {
        (Some((key, value)), None) => Ok((key.as_str(), value)),
        (None, _) => Err(missing.to_owned()),
        _ => Err("Only one key allowed in match expression".to_owned()),
    }
}

fn string<'a>(name: &str, value: &'a Value) -> Parsed<&'a str> {
    value
        .as_str()
        .ok_or_else(|| format!("{name} match pattern must be a string"))
}

/// `prefix` / `suffix`: a string, or `{"equals-ignore-case": "..."}` (AWS: "Prefix matching
/// while ignoring case", "Suffix matching while ignoring case").
fn affix(
    value: &Value,
    name: &str,
    plain: fn(String) -> Matcher,
    ignore_case: fn(String) -> Matcher,
) -> Parsed<Matcher> {
    let Value::Object(map) = value else {
        return Ok(plain(string(name, value)?.to_owned()));
    };
    let title = if name == "prefix" { "Prefix" } else { "Suffix" };
    match only_key(map, &format!("{title} expression name not found"))? {
        ("equals-ignore-case", v) => Ok(ignore_case(lower(string("equals-ignore-case", v)?))),
        (other, _) => Err(format!("Unsupported {name} pattern: {other}")),
    }
}

/// `anything-but` (AWS, "Anything-but matching"): a string or number, a list of only strings
/// or only numbers, or one of `prefix`, `suffix`, `equals-ignore-case`, `wildcard` with a
/// string or a list of strings.
fn exclusion(value: &Value) -> Parsed<Exclusion> {
    let Value::Object(map) = value else {
        return match value {
            Value::String(_) | Value::Number(_) => Ok(Exclusion::Values(vec![literal(value)])),
            Value::Array(items) => exclusion_list(items),
            _ => Err(NOT_STRING_OR_NUMBER.to_owned()),
        };
    };
    let (name, value) = only_key(map, "Anything-But expression name not found")?;
    let not_string = match name {
        "prefix" | "suffix" => "prefix/suffix match pattern must be a string",
        "equals-ignore-case" => {
            "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
        }
        "wildcard" => "wildcard match pattern must be a string",
        other => return Err(format!("Unsupported anything-but pattern: {other}")),
    };
    let texts = strings(value, not_string)?;
    if matches!(name, "prefix" | "suffix") && texts.iter().any(|t| t.is_empty()) {
        return Err("Null prefix/suffix not allowed".to_owned());
    }
    let owned = || texts.iter().map(|t| (*t).to_owned()).collect();
    Ok(match name {
        "prefix" => Exclusion::Prefix(owned()),
        "suffix" => Exclusion::Suffix(owned()),
        "equals-ignore-case" => {
            Exclusion::EqualsIgnoreCase(texts.iter().map(|t| lower(t)).collect())
        }
        _ => Exclusion::Wildcard(
            texts
                .iter()
                .map(|t| Wildcard::parse(t))
                .collect::<Parsed<_>>()?,
        ),
    })
}

const NOT_STRING_OR_NUMBER: &str =
    "Value of anything-but must be an array or single string/number value.";

fn exclusion_list(items: &[Value]) -> Parsed<Exclusion> {
    if items
        .iter()
        .any(|item| !item.is_string() && !item.is_number())
    {
        return Err("Inside anything but list, start|null|boolean is not supported.".to_owned());
    }
    let all_strings = items.iter().all(Value::is_string);
    let all_numbers = items.iter().all(Value::is_number);
    if items.is_empty() || (!all_strings && !all_numbers) {
        return Err(
            "Inside anything but list, either all values are number or string, \
                    mixed type is not supported"
                .to_owned(),
        );
    }
    Ok(Exclusion::Values(items.iter().map(literal).collect()))
}

/// A string or an array of strings; `not_string` when a member is something else, and the
/// value itself must be a string, a number (refused as `not_string`) or an array.
fn strings<'a>(value: &'a Value, not_string: &str) -> Parsed<Vec<&'a str>> {
    match value {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Number(_) => Err(not_string.to_owned()),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().ok_or_else(|| not_string.to_owned()))
            .collect(),
        _ => Err(NOT_STRING_OR_NUMBER.to_owned()),
    }
}

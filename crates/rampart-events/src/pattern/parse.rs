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
            Value::Array(branches) if name == "$or" && branches.iter().any(Value::is_object) => {
                parsed.ors.push(or_branches(branches)?);
            }
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
fn or_branches(branches: &[Value]) -> Parsed<Vec<Object>> {
    if branches.len() < 2 {
        return Err("Or relationship must have at least two elements".to_owned());
    }
    branches
        .iter()
        .map(|branch| match branch {
            Value::Object(map) => object(map),
            _ => Err("Every element of $or must be an object".to_owned()),
        })
        .collect()
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
            scalar => Ok(Matcher::Exact(literal(scalar))),
        })
        .collect()
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
    let mut entries = map.iter();
    let (Some((name, value)), None) = (entries.next(), entries.next()) else {
        return Err(if map.is_empty() {
            "Empty objects are not allowed".to_owned()
        } else {
            "Only one key allowed in match expression".to_owned()
        });
    };
    match name.as_str() {
        "prefix" => affix(name, value, Matcher::Prefix, Matcher::PrefixIgnoreCase),
        "suffix" => affix(name, value, Matcher::Suffix, Matcher::SuffixIgnoreCase),
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
        "cidr" => Ok(Matcher::Cidr(Cidr::parse(string(name, value)?)?)),
        "anything-but" => exclusion(value).map(Matcher::AnythingBut),
        other => Err(format!("Unrecognized match type {other}")),
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
    name: &str,
    value: &Value,
    plain: fn(String) -> Matcher,
    ignore_case: fn(String) -> Matcher,
) -> Parsed<Matcher> {
    match value {
        Value::String(s) => Ok(plain(s.clone())),
        Value::Object(map) => match single(map) {
            Some(("equals-ignore-case", Value::String(s))) => Ok(ignore_case(lower(s))),
            Some(("equals-ignore-case", _)) => {
                Err("equals-ignore-case match pattern must be a string".to_owned())
            }
            _ => Err(format!(
                "Unsupported {name} pattern: only equals-ignore-case may be nested"
            )),
        },
        _ => Err(format!(
            "{name} match pattern must be a string or a valid json object"
        )),
    }
}

fn single(map: &Map<String, Value>) -> Option<(&str, &Value)> {
    let mut entries = map.iter();
    match (entries.next(), entries.next()) {
        (Some((key, value)), None) => Some((key.as_str(), value)),
        _ => None,
    }
}

/// `anything-but` (AWS, "Anything-but matching"): a string or number, a list of only strings
/// or only numbers, or one of `prefix`, `suffix`, `equals-ignore-case`, `wildcard`.
fn exclusion(value: &Value) -> Parsed<Exclusion> {
    match value {
        Value::String(_) | Value::Number(_) => Ok(Exclusion::Values(vec![literal(value)])),
        Value::Array(items) => exclusion_list(items),
        Value::Object(map) => match single(map) {
            Some(("prefix", v)) => Ok(Exclusion::Prefix(non_empty("prefix", v)?.to_owned())),
            Some(("suffix", v)) => Ok(Exclusion::Suffix(non_empty("suffix", v)?.to_owned())),
            Some(("equals-ignore-case", v)) => {
                let strings = strings("equals-ignore-case", v)?;
                Ok(Exclusion::EqualsIgnoreCase(
                    strings.into_iter().map(lower).collect(),
                ))
            }
            Some(("wildcard", v)) => {
                let strings = strings("wildcard", v)?;
                strings
                    .into_iter()
                    .map(Wildcard::parse)
                    .collect::<Parsed<_>>()
                    .map(Exclusion::Wildcard)
            }
            Some((other, _)) => Err(format!("Unsupported anything-but pattern: {other}")),
            None => Err("Only one key allowed in match expression".to_owned()),
        },
        _ => {
            Err("Value of anything-but must be an array or single string/number value.".to_owned())
        }
    }
}

fn exclusion_list(items: &[Value]) -> Parsed<Exclusion> {
    if items.is_empty() {
        return Err("Empty arrays are not allowed".to_owned());
    }
    let all_strings = items.iter().all(Value::is_string);
    let all_numbers = items.iter().all(Value::is_number);
    if !all_strings && !all_numbers {
        return Err(
            "Inside anything but list, only all strings or all numbers are supported".to_owned(),
        );
    }
    Ok(Exclusion::Values(items.iter().map(literal).collect()))
}

fn non_empty<'a>(name: &str, value: &'a Value) -> Parsed<&'a str> {
    match value.as_str() {
        Some("") => Err("Null prefix/suffix not allowed".to_owned()),
        Some(s) => Ok(s),
        None => Err(format!("{name} match pattern must be a string")),
    }
}

/// A string or a non-empty array of strings.
fn strings<'a>(name: &str, value: &'a Value) -> Parsed<Vec<&'a str>> {
    match value {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Array(items) if !items.is_empty() => {
            items.iter().map(|item| string(name, item)).collect()
        }
        _ => Err(format!(
            "{name} match pattern must be a string or a non-empty array of strings"
        )),
    }
}

//! Reading the WAFv2 JSON: required and optional members with AWS-style errors.

use crate::error::{CompileError, Result};
use serde_json::{Map, Value};

/// An object, or an error naming `what`.
pub(crate) fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| CompileError::invalid(format!("{what} must be an object")))
}

/// A required member.
pub(crate) fn req<'a>(obj: &'a Map<String, Value>, key: &str, what: &str) -> Result<&'a Value> {
    obj.get(key)
        .filter(|v| !v.is_null())
        .ok_or_else(|| CompileError::invalid(format!("{what}.{key} is required")))
}

/// A required string member.
pub(crate) fn req_str<'a>(obj: &'a Map<String, Value>, key: &str, what: &str) -> Result<&'a str> {
    req(obj, key, what)?
        .as_str()
        .ok_or_else(|| CompileError::invalid(format!("{what}.{key} must be a string")))
}

/// An optional string member.
pub(crate) fn opt_str<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

/// A required integer member.
pub(crate) fn req_i64(obj: &Map<String, Value>, key: &str, what: &str) -> Result<i64> {
    req(obj, key, what)?
        .as_i64()
        .ok_or_else(|| CompileError::invalid(format!("{what}.{key} must be an integer")))
}

/// An optional array member (empty when absent).
pub(crate) fn opt_array<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    what: &str,
) -> Result<&'a [Value]> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(CompileError::invalid(format!(
            "{what}.{key} must be a list"
        ))),
    }
}

/// The single member of a union-shaped object (`{"Allow": {}}`), its name and value.
pub(crate) fn union<'a>(value: &'a Value, what: &str) -> Result<(&'a str, &'a Value)> {
    let obj = object(value, what)?;
    let mut set = obj.iter().filter(|(_, v)| !v.is_null());
    match (set.next(), set.next()) {
        (Some((k, v)), None) => Ok((k.as_str(), v)),
        _ => Err(CompileError::invalid(format!(
            "{what} must specify exactly one member"
        ))),
    }
}

/// An enum member parsed with `parse`, or AWS-style error listing `what`.
pub(crate) fn enum_str<T>(
    obj: &Map<String, Value>,
    key: &str,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T> {
    let text = req_str(obj, key, what)?;
    parse(text)
        .ok_or_else(|| CompileError::invalid(format!("{what}.{key} has an invalid value: {text}")))
}

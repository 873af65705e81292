//! Moving between the generated wire shapes and AWS's JSON, which is what the store keeps:
//! inputs are read as JSON members by their AWS names, outputs are built as JSON and read
//! back into the generated output shape.

use crate::errors::internal_error;
use crate::record::Resource;
use rampart_codec::ServiceError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// A wire shape as a JSON object.
pub fn to_map<T: Serialize>(shape: &T) -> Result<Map<String, Value>, ServiceError> {
    match serde_json::to_value(shape) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(internal_error()),
    }
}

/// A wire shape from JSON.
pub fn shape<T: DeserializeOwned>(value: Value) -> Result<T, ServiceError> {
    serde_json::from_value(value).map_err(|e| {
        tracing::error!(error = %e, "a stored WAFv2 document does not fit its shape");
        internal_error()
    })
}

/// The string member `key` of `map` ("" when absent).
pub fn text<'a>(map: &'a Map<String, Value>, key: &str) -> &'a str {
    map.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The array member `key` of `map` (empty when absent).
pub fn list<'a>(map: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    map.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The object member `key` of `map`.
pub fn object<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Map<String, Value>> {
    map.get(key).and_then(Value::as_object)
}

/// Copies `keys` present in `from` into `to`, and removes from `to` those absent in `from`
/// (an update replaces every mutable setting).
pub fn replace(to: &mut Map<String, Value>, from: &Map<String, Value>, keys: &[&str]) {
    for key in keys {
        match from.get(*key) {
            Some(value) => {
                to.insert((*key).to_owned(), value.clone());
            }
            None => {
                to.remove(*key);
            }
        }
    }
}

/// The `Summary` AWS answers for a resource (IPSetSummary, RuleGroupSummary, ...).
pub fn summary(record: &Resource) -> Value {
    let mut out = json!({"Name": record.name, "Id": record.id, "LockToken": record.lock_token,
        "ARN": record.arn});
    if let (Some(d), Some(o)) = (record.body.get("Description"), out.as_object_mut()) {
        o.insert("Description".into(), d.clone());
    }
    out
}

/// Wire tags as (key, value) pairs.
pub fn tag_pairs(tags: &[Value]) -> Vec<(String, String)> {
    tags.iter()
        .map(|t| {
            let key = t.get("Key").and_then(Value::as_str).unwrap_or("");
            let value = t.get("Value").and_then(Value::as_str).unwrap_or("");
            (key.to_owned(), value.to_owned())
        })
        .collect()
}

/// The page size a `Limit` asks for (AWS's default is 100).
pub fn limit_of(map: &Map<String, Value>) -> usize {
    map.get("Limit")
        .and_then(Value::as_u64)
        .and_then(|l| usize::try_from(l).ok())
        .unwrap_or(100)
}

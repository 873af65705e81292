//! CloudTrail-style `requestParameters` / `responseElements` built from operation shapes.

use super::{Blob, Timestamp};
use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use time::format_description::FormatItem;
use time::macros::format_description;

/// A structure that can describe itself in an audit record: the non-sensitive, non-blob members
/// that are set, keyed by lowerCamelCase member name.
pub trait AuditParams {
    /// The members that are set, as a JSON object (possibly empty).
    fn audit_map(&self) -> Map<String, Value>;

    /// The audit JSON object, or `None` when no member is set (CloudTrail shows `null`).
    fn audit_json(&self) -> Option<Value> {
        let map = self.audit_map();
        (!map.is_empty()).then_some(Value::Object(map))
    }
}

/// A member value as it appears in an audit record; `None` leaves it out.
pub trait AuditValue {
    /// The JSON form of the value.
    fn audit_value(&self) -> Option<Value>;
}

/// Inserts `key` into `map` when `value` is set and has an audit form.
pub fn put<T: AuditValue>(map: &mut Map<String, Value>, key: &str, value: &Option<T>) {
    if let Some(v) = value.as_ref().and_then(AuditValue::audit_value) {
        map.insert(key.to_owned(), v);
    }
}

impl AuditValue for String {
    fn audit_value(&self) -> Option<Value> {
        Some(Value::String(self.clone()))
    }
}

impl AuditValue for bool {
    fn audit_value(&self) -> Option<Value> {
        Some(Value::Bool(*self))
    }
}

impl AuditValue for i32 {
    fn audit_value(&self) -> Option<Value> {
        Some(Value::from(*self))
    }
}

impl AuditValue for i64 {
    fn audit_value(&self) -> Option<Value> {
        Some(Value::from(*self))
    }
}

impl AuditValue for f64 {
    fn audit_value(&self) -> Option<Value> {
        serde_json::Number::from_f64(*self).map(Value::Number)
    }
}

impl AuditValue for Blob {
    fn audit_value(&self) -> Option<Value> {
        None
    }
}

/// CloudTrail's date style, e.g. `Jan 7, 2024, 12:00:00 AM`.
const CLOUDTRAIL_DATE: &[FormatItem<'static>] = format_description!(
    "[month repr:short] [day padding:none], [year], [hour repr:12 padding:none]:[minute]:[second] [period]"
);

impl AuditValue for Timestamp {
    fn audit_value(&self) -> Option<Value> {
        self.0.format(CLOUDTRAIL_DATE).ok().map(Value::String)
    }
}

impl<T: AuditValue> AuditValue for Box<T> {
    fn audit_value(&self) -> Option<Value> {
        T::audit_value(self)
    }
}

impl<T: AuditValue> AuditValue for Vec<T> {
    fn audit_value(&self) -> Option<Value> {
        Some(Value::Array(
            self.iter().filter_map(AuditValue::audit_value).collect(),
        ))
    }
}

impl<T: AuditValue> AuditValue for BTreeMap<String, T> {
    fn audit_value(&self) -> Option<Value> {
        let map = self
            .iter()
            .filter_map(|(k, v)| v.audit_value().map(|v| (k.clone(), v)))
            .collect();
        Some(Value::Object(map))
    }
}

/// Stands for a sensitive value in generated `Debug` output.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("*** Sensitive Data Redacted ***")
    }
}

/// The input of an operation the model gives none, or the output `{}` of one without output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Empty;

impl Serialize for Empty {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_map(Some(0))?.end()
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EmptyObject {}

impl<'de> Deserialize<'de> for Empty {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        EmptyObject::deserialize(deserializer).map(|EmptyObject {}| Empty)
    }
}

impl AuditParams for Empty {
    fn audit_map(&self) -> Map<String, Value> {
        Map::new()
    }
}

impl super::Validate for Empty {
    fn validate(&self, _path: &str, _errs: &mut super::ValidationErrors) {}
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn put_skips_unset_and_blob_members() {
        let mut m = Map::new();
        put(&mut m, "keyId", &Some(String::from("k")));
        put::<String>(&mut m, "description", &None);
        put(&mut m, "plaintext", &Some(Blob(vec![1])));
        put(&mut m, "numberOfBytes", &Some(32_i32));
        put(&mut m, "tags", &Some(vec![String::from("a")]));
        let mut ctx = BTreeMap::new();
        ctx.insert(String::from("purpose"), String::from("test"));
        put(&mut m, "encryptionContext", &Some(ctx));
        assert_eq!(
            Value::Object(m),
            serde_json::json!({"keyId": "k", "numberOfBytes": 32, "tags": ["a"],
                               "encryptionContext": {"purpose": "test"}})
        );
    }

    #[test]
    fn timestamps_use_cloudtrail_style() {
        let t = Timestamp(datetime!(2024-01-07 00:00:00 UTC));
        assert_eq!(
            t.audit_value(),
            Some(Value::from("Jan 7, 2024, 12:00:00 AM"))
        );
        let t = Timestamp(datetime!(2024-11-17 13:05:09 UTC));
        assert_eq!(
            t.audit_value(),
            Some(Value::from("Nov 17, 2024, 1:05:09 PM"))
        );
    }

    #[test]
    fn empty_is_an_empty_object() {
        assert_eq!(serde_json::to_string(&Empty).unwrap(), "{}");
        assert_eq!(serde_json::from_str::<Empty>("{}").unwrap(), Empty);
        assert!(serde_json::from_str::<Empty>(r#"{"a":1}"#).is_err());
        assert_eq!(Empty.audit_json(), None);
    }

    #[test]
    fn redacted_debug() {
        assert_eq!(
            format!("{:?}", Some(Redacted)),
            "Some(*** Sensitive Data Redacted ***)"
        );
    }
}

//! Parameter policies as PutParameter checks them: a JSON array of at most 10
//! `{"Type", "Version", "Attributes"}` objects of the types Expiration (`Timestamp`),
//! ExpirationNotification (`Before`, `Unit`) and NoChangeNotification (`After`, `Unit`), at
//! most one of each type.

use crate::generated::ServiceError;
use crate::generated::errors::{
    incompatible_policy_exception, invalid_policy_attribute_exception,
    invalid_policy_type_exception, policies_limit_exceeded_exception,
};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const MAX_POLICIES: usize = 10;
const TYPES: &[&str] = &[
    "Expiration",
    "ExpirationNotification",
    "NoChangeNotification",
];

/// The policies of `text`, each re-serialized compactly, or AWS's error.
pub fn parse(text: &str) -> Result<Vec<String>, ServiceError> {
    let value: Value = serde_json::from_str(text).map_err(|_| bad_type())?;
    let list = match value {
        Value::Array(list) => list,
        single @ Value::Object(_) => vec![single],
        _ => return Err(bad_type()),
    };
    if list.len() > MAX_POLICIES {
        return Err(policies_limit_exceeded_exception(
            "You specified more than the maximum number of allowed policies for the parameter. \
             The maximum is 10.",
        ));
    }
    let mut seen = Vec::new();
    for policy in &list {
        let kind = check_policy(policy)?;
        if seen.contains(&kind) {
            return Err(incompatible_policy_exception(
                "There is a conflict in the policies specified for this parameter. You can't, \
                 for example, specify two Expiration policies for a parameter. Review your \
                 policies, and try again.",
            ));
        }
        seen.push(kind);
    }
    Ok(list.iter().map(Value::to_string).collect())
}

fn bad_type() -> ServiceError {
    invalid_policy_type_exception(
        "The policy type is not supported. Parameter Store supports the following policy types: \
         Expiration, ExpirationNotification, and NoChangeNotification.",
    )
}

fn bad_attribute() -> ServiceError {
    invalid_policy_attribute_exception("A policy attribute or its value is invalid.")
}

/// Checks one policy; its type.
fn check_policy(policy: &Value) -> Result<&str, ServiceError> {
    let object = policy.as_object().ok_or_else(bad_type)?;
    let kind = object
        .get("Type")
        .and_then(Value::as_str)
        .ok_or_else(bad_type)?;
    let kind = TYPES
        .iter()
        .copied()
        .find(|t| *t == kind)
        .ok_or_else(bad_type)?;
    if object.get("Version").and_then(Value::as_str) != Some("1.0") {
        return Err(bad_attribute());
    }
    let attributes = object
        .get("Attributes")
        .and_then(Value::as_object)
        .ok_or_else(bad_attribute)?;
    match kind {
        "Expiration" => expiration_ms(attributes).map(drop)?,
        "ExpirationNotification" => duration_ms(attributes, "Before").map(drop)?,
        _ => duration_ms(attributes, "After").map(drop)?,
    }
    Ok(kind)
}

/// An Expiration policy's `Timestamp`, in epoch milliseconds.
pub fn expiration_ms(attributes: &Map<String, Value>) -> Result<i64, ServiceError> {
    let text = attributes
        .get("Timestamp")
        .and_then(Value::as_str)
        .ok_or_else(bad_attribute)?;
    let at = OffsetDateTime::parse(text, &Rfc3339).map_err(|_| bad_attribute())?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).map_err(|_| bad_attribute())
}

/// A notification policy's `field` (`Before`/`After`) with its `Unit` (Days or Hours), in
/// milliseconds.
pub fn duration_ms(attributes: &Map<String, Value>, field: &str) -> Result<i64, ServiceError> {
    let count: i64 = attributes
        .get(field)
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .filter(|n| *n > 0)
        .ok_or_else(bad_attribute)?;
    let unit = match attributes.get("Unit").and_then(Value::as_str) {
        Some("Days") => 86_400_000,
        Some("Hours") => 3_600_000,
        _ => return Err(bad_attribute()),
    };
    count.checked_mul(unit).ok_or_else(bad_attribute)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn policies_are_checked_as_aws_does() {
        let ok = r#"[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2030-01-01T00:00:00.000Z"}},
            {"Type":"ExpirationNotification","Version":"1.0","Attributes":{"Before":"15","Unit":"Days"}},
            {"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"20","Unit":"Hours"}}]"#;
        assert_eq!(parse(ok).unwrap().len(), 3);
        let code = |t: &str| parse(t).unwrap_err().code.to_string();
        assert_eq!(
            code(r#"[{"Type":"Nope","Version":"1.0","Attributes":{}}]"#),
            "InvalidPolicyTypeException"
        );
        assert_eq!(code("not json"), "InvalidPolicyTypeException");
        assert_eq!(
            code(r#"[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"soon"}}]"#),
            "InvalidPolicyAttributeException"
        );
        assert_eq!(
            code(
                r#"[{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"2","Unit":"Weeks"}}]"#
            ),
            "InvalidPolicyAttributeException"
        );
        let twice = r#"[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2030-01-01T00:00:00Z"}},
            {"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2031-01-01T00:00:00Z"}}]"#;
        assert_eq!(code(twice), "IncompatiblePolicyException");
        let many = format!("[{}]", [r#"{"Type":"Expiration"}"#; 11].join(","));
        assert_eq!(code(&many), "PoliciesLimitExceededException");
    }
}

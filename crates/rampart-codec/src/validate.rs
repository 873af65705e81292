//! Model constraint checks producing AWS (Coral) style `ValidationException` messages.
//!
//! Generated `Validate` impls call the checks here; each failed constraint adds one item such as
//! `Value 'x' at 'keyId' failed to satisfy constraint: Member must have length greater than or
//! equal to 1`. Sensitive members omit the value (`Value at 'plaintext' ...`).

use super::{Blob, ServiceError, Timestamp};
use regex::Regex;
use std::collections::BTreeMap;
use std::fmt::Display;

/// A structure that checks its members against the model's constraints.
pub trait Validate {
    /// Adds one item to `errs` per failed constraint; `path` is the structure's own path
    /// (empty for the operation input).
    fn validate(&self, path: &str, errs: &mut ValidationErrors);
}

/// How a value is shown inside a validation message (Java `toString` style, like AWS).
pub trait ConstraintValue {
    /// The text between the quotes in `Value '...' at`.
    fn render(&self) -> String {
        String::from("{...}")
    }
}

impl ConstraintValue for str {
    fn render(&self) -> String {
        self.to_owned()
    }
}

impl ConstraintValue for String {
    fn render(&self) -> String {
        self.clone()
    }
}

impl ConstraintValue for Blob {
    fn render(&self) -> String {
        let n = self.0.len();
        format!("java.nio.HeapByteBuffer[pos=0 lim={n} cap={n}]")
    }
}

impl ConstraintValue for Timestamp {
    fn render(&self) -> String {
        self.0.to_string()
    }
}

macro_rules! display_value {
    ($($t:ty),*) => {
        $(impl ConstraintValue for $t {
            fn render(&self) -> String {
                self.to_string()
            }
        })*
    };
}
display_value!(bool, i32, i64, f32, f64);

impl<T: ConstraintValue> ConstraintValue for [T] {
    fn render(&self) -> String {
        let items: Vec<String> = self.iter().map(ConstraintValue::render).collect();
        format!("[{}]", items.join(", "))
    }
}

impl<T: ConstraintValue> ConstraintValue for Vec<T> {
    fn render(&self) -> String {
        self.as_slice().render()
    }
}

impl<T: ConstraintValue> ConstraintValue for BTreeMap<String, T> {
    fn render(&self) -> String {
        let items: Vec<String> = self
            .iter()
            .map(|(k, v)| format!("{k}={}", v.render()))
            .collect();
        format!("{{{}}}", items.join(", "))
    }
}

/// Where a member sits in the input, and whether its value may be shown.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    parent: &'a str,
    name: &'a str,
    sensitive: bool,
}

impl<'a> Field<'a> {
    /// Member `name` (lowerCamelCase) of the structure at `parent`.
    pub fn new(parent: &'a str, name: &'a str, sensitive: bool) -> Self {
        Self {
            parent,
            name,
            sensitive,
        }
    }

    /// The value at exactly `path` (list items, map values).
    pub fn at(path: &'a str, sensitive: bool) -> Self {
        Self::new(path, "", sensitive)
    }

    /// The dotted path, e.g. `tags.1.member.tagKey`.
    pub fn path(&self) -> String {
        match (self.parent.is_empty(), self.name.is_empty()) {
            (true, _) => self.name.to_owned(),
            (false, true) => self.parent.to_owned(),
            (false, false) => format!("{}.{}", self.parent, self.name),
        }
    }

    /// Path of the 0-based list item `index`: `<path>.<index+1>.member`.
    pub fn item_path(&self, index: usize) -> String {
        format!("{}.{}.member", self.path(), index + 1)
    }

    /// Path of the value under map key `key`: `<path>.<key>`.
    pub fn entry_path(&self, key: &str) -> String {
        format!("{}.{key}", self.path())
    }

    /// True when the value must not appear in messages.
    pub fn sensitive(&self) -> bool {
        self.sensitive
    }
}

/// Collects every failed constraint of one request, in member order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors {
    items: Vec<String>,
}

impl ValidationErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of failed constraints.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when every constraint held.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The individual items, without the `N validation errors detected:` prefix.
    pub fn items(&self) -> &[String] {
        &self.items
    }

    /// Adds `Value <shown> at '<path>' failed to satisfy constraint: <constraint>`.
    pub fn add<V: ConstraintValue + ?Sized>(
        &mut self,
        field: &Field<'_>,
        value: &V,
        constraint: impl Display,
    ) {
        let shown = if field.sensitive {
            String::from("Value")
        } else {
            format!("Value '{}'", value.render())
        };
        self.items.push(format!(
            "{shown} at '{}' failed to satisfy constraint: {constraint}",
            field.path()
        ));
    }

    /// A required member is absent.
    pub fn missing(&mut self, field: &Field<'_>) {
        self.items.push(format!(
            "Value null at '{}' failed to satisfy constraint: Member must not be null",
            field.path()
        ));
    }

    /// Length (characters, bytes or entries) within `[min, max]`.
    pub fn length<V: ConstraintValue + ?Sized>(
        &mut self,
        field: &Field<'_>,
        value: &V,
        len: usize,
        min: Option<u64>,
        max: Option<u64>,
    ) {
        let len = u64::try_from(len).unwrap_or(u64::MAX);
        if let Some(min) = min.filter(|m| len < *m) {
            self.add(
                field,
                value,
                format_args!("Member must have length greater than or equal to {min}"),
            );
        }
        if let Some(max) = max.filter(|m| len > *m) {
            self.add(
                field,
                value,
                format_args!("Member must have length less than or equal to {max}"),
            );
        }
    }

    /// Integer value within `[min, max]`.
    pub fn range<V: ConstraintValue + Into<i64> + Copy>(
        &mut self,
        field: &Field<'_>,
        value: V,
        min: Option<i64>,
        max: Option<i64>,
    ) {
        let n: i64 = value.into();
        if let Some(min) = min.filter(|m| n < *m) {
            self.add(
                field,
                &value,
                format_args!("Member must have value greater than or equal to {min}"),
            );
        }
        if let Some(max) = max.filter(|m| n > *m) {
            self.add(
                field,
                &value,
                format_args!("Member must have value less than or equal to {max}"),
            );
        }
    }

    /// Floating-point value within `[min, max]`.
    pub fn range_f64(&mut self, field: &Field<'_>, value: f64, min: Option<f64>, max: Option<f64>) {
        if let Some(min) = min.filter(|m| value < *m) {
            self.add(
                field,
                &value,
                format_args!("Member must have value greater than or equal to {min}"),
            );
        }
        if let Some(max) = max.filter(|m| value > *m) {
            self.add(
                field,
                &value,
                format_args!("Member must have value less than or equal to {max}"),
            );
        }
    }

    /// The value must contain a match of `regex` (Smithy semantics: anchored only if the
    /// pattern itself is). `pattern` is the model's text, shown in the message. A pattern
    /// that failed to compile (`None`) is not enforced.
    pub fn pattern(
        &mut self,
        field: &Field<'_>,
        value: &str,
        regex: Option<&Regex>,
        pattern: &str,
    ) {
        if regex.is_some_and(|re| !re.is_match(value)) {
            self.add(
                field,
                value,
                format_args!("Member must satisfy regular expression pattern: {pattern}"),
            );
        }
    }

    /// An enum member holds a value outside the model's set; `allowed` is `[A, B, C]`.
    pub fn enum_value(&mut self, field: &Field<'_>, value: &str, known: bool, allowed: &str) {
        if !known {
            self.add(
                field,
                value,
                format_args!("Member must satisfy enum value set: {allowed}"),
            );
        }
    }

    /// The `ValidationException` message, or `None` when there is nothing to report.
    pub fn message(&self) -> Option<String> {
        let n = self.items.len();
        let head = match n {
            0 => return None,
            1 => String::from("1 validation error detected: "),
            _ => format!("{n} validation errors detected: "),
        };
        Some(head + &self.items.join("; "))
    }

    /// `Ok` when empty, else the `ValidationException`.
    pub fn into_result(self) -> Result<(), ServiceError> {
        match self.message() {
            None => Ok(()),
            Some(msg) => Err(ServiceError::validation(msg)),
        }
    }
}

/// A required member that generated validation has already checked, for operation bodies
/// that must stay total without `unwrap`: its absence becomes `into(message)`, with the
/// message AWS answers for that one missing member (`1 validation error detected: Value null
/// at 'keyId' failed to satisfy constraint: Member must not be null`). Each service maps the
/// message into its own error type.
pub fn required<T, E>(
    value: Option<T>,
    member: &str,
    into: impl FnOnce(String) -> E,
) -> Result<T, E> {
    value.ok_or_else(|| {
        let mut errs = ValidationErrors::new();
        errs.missing(&Field::new("", member, false));
        into(errs.message().unwrap_or_default())
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn one(f: impl FnOnce(&mut ValidationErrors)) -> String {
        let mut errs = ValidationErrors::new();
        f(&mut errs);
        errs.message().unwrap_or_default()
    }

    #[test]
    fn missing_member() {
        let msg = one(|e| e.missing(&Field::new("", "keyId", false)));
        assert_eq!(
            msg,
            "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: \
             Member must not be null"
        );
    }

    #[test]
    fn required_maps_absence_to_the_missing_member_message() {
        assert_eq!(required(Some(3), "keyId", ServiceError::validation), Ok(3));
        let err = required(None::<u8>, "keyId", ServiceError::validation).unwrap_err();
        assert_eq!(err.code, "ValidationException");
        assert_eq!(
            err.message,
            one(|e| e.missing(&Field::new("", "keyId", false)))
        );
    }

    #[test]
    fn string_length_bounds() {
        let f = Field::new("", "keyId", false);
        let msg = one(|e| e.length(&f, "", 0, Some(1), Some(2048)));
        assert!(msg.ends_with(
            "Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1"
        ));
        let long = "x".repeat(2049);
        let msg = one(|e| e.length(&f, long.as_str(), 2049, Some(1), Some(2048)));
        assert!(msg.ends_with("Member must have length less than or equal to 2048"));
        assert!(one(|e| e.length(&f, "abc", 3, Some(1), Some(2048))).is_empty());
    }

    #[test]
    fn sensitive_values_are_not_shown() {
        let f = Field::new("", "plaintext", true);
        let blob = Blob(vec![7; 4097]);
        let msg = one(|e| e.length(&f, &blob, blob.len(), Some(1), Some(4096)));
        assert_eq!(
            msg,
            "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: \
             Member must have length less than or equal to 4096"
        );
    }

    #[test]
    fn blobs_render_like_aws() {
        let f = Field::new("", "ciphertextBlob", false);
        let blob = Blob(Vec::new());
        let msg = one(|e| e.length(&f, &blob, 0, Some(1), Some(6144)));
        assert!(
            msg.contains("Value 'java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]' at 'ciphertextBlob'")
        );
    }

    #[test]
    fn integer_range() {
        let f = Field::new("", "numberOfBytes", false);
        let msg = one(|e| e.range(&f, 2000_i32, Some(1), Some(1024)));
        assert_eq!(
            msg,
            "1 validation error detected: Value '2000' at 'numberOfBytes' failed to satisfy \
             constraint: Member must have value less than or equal to 1024"
        );
        let msg = one(|e| e.range(&f, 0_i32, Some(1), Some(1024)));
        assert!(msg.ends_with("Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"));
        assert!(
            one(|e| e.range_f64(&f, 1.5, Some(0.0), Some(1.0))).contains("less than or equal to 1")
        );
    }

    #[test]
    fn enum_and_pattern() {
        let f = Field::new("", "keySpec", false);
        let msg = one(|e| e.enum_value(&f, "FOO", false, "[A, B, C]"));
        assert!(msg.ends_with(
            "Value 'FOO' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [A, B, C]"
        ));
        let re = Regex::new("^[a-f0-9]+$").ok();
        let g = Field::new("", "hex", false);
        assert!(one(|e| e.pattern(&g, "abc1", re.as_ref(), "^[a-f0-9]+$")).is_empty());
        let msg = one(|e| e.pattern(&g, "xyz", re.as_ref(), "^[a-f0-9]+$"));
        assert!(msg.ends_with("Member must satisfy regular expression pattern: ^[a-f0-9]+$"));
        // Unanchored patterns only need to match somewhere.
        let re = Regex::new("[0-9]{12}").ok();
        assert!(one(|e| e.pattern(&g, "x123456789012y", re.as_ref(), "[0-9]{12}")).is_empty());
    }

    #[test]
    fn several_errors_are_counted_and_joined() {
        let mut errs = ValidationErrors::new();
        errs.missing(&Field::new("", "keyId", false));
        let item = "tags.1.member";
        errs.missing(&Field::new(item, "tagKey", false));
        assert_eq!(errs.len(), 2);
        let msg = errs.clone().message().unwrap_or_default();
        assert!(msg.starts_with("2 validation errors detected: Value null at 'keyId'"));
        assert!(msg.contains("; Value null at 'tags.1.member.tagKey'"));
        let err = errs.into_result().unwrap_err();
        assert_eq!(err.code, "ValidationException");
    }

    #[test]
    fn paths() {
        let f = Field::new("", "tags", false);
        assert_eq!(f.item_path(0), "tags.1.member");
        assert_eq!(Field::new("a.b", "c", false).path(), "a.b.c");
        assert_eq!(Field::at("x.2.member", false).path(), "x.2.member");
        assert_eq!(f.entry_path("k"), "tags.k");
    }

    #[test]
    fn collections_render_java_style() {
        assert_eq!(
            vec![String::from("a"), String::from("b")].render(),
            "[a, b]"
        );
        let mut m = BTreeMap::new();
        m.insert(String::from("k"), String::from("v"));
        assert_eq!(m.render(), "{k=v}");
    }
}

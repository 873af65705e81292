//! Matching an event against a compiled pattern (AWS, "Event patterns" and "Arrays in Amazon
//! EventBridge event patterns"): every pattern field must match; a leaf matches when any of its
//! alternatives matches any value of the event field, arrays in the event counting element by
//! element; objects nest; a pattern object under an event array matches if one element
//! matches it whole. Operators see leaves only (scalars), so `exists` is about leaf values:
//! a field holding an object or an empty array does not "exist" as a leaf.

use super::numeric::same_number;
use super::text::{ends_with_ignore_case, eq_ignore_case, starts_with_ignore_case};
use super::{Exclusion, Literal, Matcher, Node, Object};
use serde_json::{Map, Value};

/// Whether `event` (absent when the event has no object here) matches `object`.
pub(super) fn object_matches(object: &Object, event: Option<&Map<String, Value>>) -> bool {
    object
        .fields
        .iter()
        .all(|(name, node)| node_matches(node, event.and_then(|m| m.get(name))))
        && object
            .ors
            .iter()
            .all(|branches| branches.iter().any(|b| object_matches(b, event)))
}

fn node_matches(node: &Node, value: Option<&Value>) -> bool {
    match node {
        Node::Object(object) => nested_matches(object, value),
        Node::Leaf(matchers) => leaf_matches(matchers, value),
    }
}

fn nested_matches(object: &Object, value: Option<&Value>) -> bool {
    match value {
        Some(Value::Object(map)) => object_matches(object, Some(map)),
        Some(Value::Array(items)) if !items.is_empty() => {
            items.iter().any(|item| nested_matches(object, Some(item)))
        }
        _ => object_matches(object, None),
    }
}

fn leaf_matches(matchers: &[Matcher], value: Option<&Value>) -> bool {
    matchers.iter().any(|matcher| match (matcher, value) {
        (Matcher::Exists(wanted), _) => *wanted == value.is_some_and(has_scalar),
        (_, Some(value)) => any_scalar(value, matcher),
        (_, None) => false,
    })
}

fn has_scalar(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.iter().any(has_scalar),
        Value::Object(_) => false,
        _ => true,
    }
}

fn any_scalar(value: &Value, matcher: &Matcher) -> bool {
    match value {
        Value::Array(items) => items.iter().any(|item| any_scalar(item, matcher)),
        Value::Object(_) => false,
        scalar => scalar_matches(matcher, scalar),
    }
}

fn scalar_matches(matcher: &Matcher, value: &Value) -> bool {
    let text = value.as_str();
    match matcher {
        Matcher::Exact(literal) => literal_eq(literal, value),
        Matcher::Prefix(p) => text.is_some_and(|t| t.starts_with(p.as_str())),
        Matcher::PrefixIgnoreCase(p) => text.is_some_and(|t| starts_with_ignore_case(t, p)),
        Matcher::Suffix(s) => text.is_some_and(|t| t.ends_with(s.as_str())),
        Matcher::SuffixIgnoreCase(s) => text.is_some_and(|t| ends_with_ignore_case(t, s)),
        Matcher::EqualsIgnoreCase(s) => text.is_some_and(|t| eq_ignore_case(t, s)),
        Matcher::Wildcard(w) => text.is_some_and(|t| w.matches(t)),
        Matcher::Numeric(range) => value.as_f64().is_some_and(|n| range.contains(n)),
        Matcher::Cidr(cidr) => text.is_some_and(|t| cidr.contains(t)),
        Matcher::AnythingBut(exclusion) => !excluded(exclusion, value),
        Matcher::Exists(_) => false,
    }
}

/// Whether `anything-but` excludes `value`. The string forms exclude strings only: a number
/// is never "a string starting with" anything.
fn excluded(exclusion: &Exclusion, value: &Value) -> bool {
    let text = value.as_str();
    match exclusion {
        Exclusion::Values(literals) => literals.iter().any(|l| literal_eq(l, value)),
        Exclusion::Prefix(all) => {
            text.is_some_and(|t| all.iter().any(|p| t.starts_with(p.as_str())))
        }
        Exclusion::Suffix(all) => text.is_some_and(|t| all.iter().any(|s| t.ends_with(s.as_str()))),
        Exclusion::EqualsIgnoreCase(all) => {
            text.is_some_and(|t| all.iter().any(|s| eq_ignore_case(t, s)))
        }
        Exclusion::Wildcard(all) => text.is_some_and(|t| all.iter().any(|w| w.matches(t))),
    }
}

fn literal_eq(literal: &Literal, value: &Value) -> bool {
    match (literal, value) {
        (Literal::String(a), Value::String(b)) => a == b,
        (Literal::Number(a), Value::Number(b)) => b.as_f64().is_some_and(|b| same_number(*a, b)),
        (Literal::Bool(a), Value::Bool(b)) => a == b,
        (Literal::Null, Value::Null) => true,
        _ => false,
    }
}

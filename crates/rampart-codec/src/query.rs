//! AWS query protocol input: `application/x-www-form-urlencoded` parameters as botocore's
//! `QuerySerializer` writes them, and the decoding helpers generated `FromQuery` impls call.
//!
//! Keys are dotted paths: structures as `A.B`, lists as `Name.member.N` (or `Name.N` when
//! flattened; `Name=` alone is an empty list), maps as `Name.entry.N.key` / `.value`. The
//! parameters become a [`QueryNode`] tree; unknown parameters are ignored, as AWS does.

use super::{Blob, ServiceError, Timestamp};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::collections::BTreeMap;
use std::str::FromStr;

/// The most segments a parameter name may have (`A.member.1.B.entry.2.value...`); deeper
/// names are ignored like any unknown parameter.
pub const MAX_DEPTH: usize = 64;

/// One level of the parameter tree: the value given for this exact key (if any) and the keys
/// that continue below it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryNode {
    value: Option<String>,
    children: BTreeMap<String, QueryNode>,
}

impl QueryNode {
    /// The tree of decoded `(key, value)` pairs; a repeated key keeps its last value.
    pub fn from_pairs<K: AsRef<str>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut root = Self::default();
        for (key, value) in pairs {
            root.insert(key.as_ref(), value.into());
        }
        root
    }

    /// Parses a form body or query string (`a=1&b=x+y%21`): `+` is a space, `%XX` a byte,
    /// invalid UTF-8 is replaced (it can then match no parameter) and empty pairs are skipped.
    pub fn parse_form(form: &[u8]) -> Self {
        Self::from_pairs(form_pairs(form))
    }

    /// Adds the pairs of another form (e.g. the body after the query string); later values win.
    pub fn merge_form(&mut self, form: &[u8]) {
        for (key, value) in form_pairs(form) {
            self.insert(&key, value);
        }
    }

    /// Sets the value at dotted `key`. Keys deeper than any model nests ([`MAX_DEPTH`]
    /// segments) name no member and are dropped, so the tree stays shallow (no deep recursion).
    fn insert(&mut self, key: &str, value: String) {
        if key.split('.').nth(MAX_DEPTH).is_some() {
            return;
        }
        let mut node = self;
        for segment in key.split('.') {
            node = node.children.entry(segment.to_owned()).or_default();
        }
        node.value = Some(value);
    }

    /// The value given for exactly this key.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// The node under `segment`.
    pub fn get(&self, segment: &str) -> Option<&Self> {
        self.children.get(segment)
    }

    /// The value of the top-level parameter `name` (e.g. `Action`).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Self::value)
    }

    /// True when neither this key nor anything below it was given.
    pub fn is_empty(&self) -> bool {
        self.value.is_none() && self.children.is_empty()
    }

    /// Children whose key is a positive index, in numeric order (`1, 2, 10`).
    fn indexed(&self) -> Vec<(u64, &Self)> {
        let mut items: Vec<(u64, &Self)> = self
            .children
            .iter()
            .filter_map(|(k, v)| Some((k.parse::<u64>().ok().filter(|i| *i > 0)?, v)))
            .collect();
        items.sort_by_key(|(i, _)| *i);
        items
    }
}

/// Decoded `(key, value)` pairs of a form; see [`QueryNode::parse_form`].
pub fn form_pairs(form: &[u8]) -> Vec<(String, String)> {
    form.split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = match pair.iter().position(|b| *b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            (form_decode(key), form_decode(value))
        })
        .collect()
}

fn form_decode(raw: &[u8]) -> String {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    let bytes: Vec<u8> = percent_encoding::percent_decode(&spaced).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A structure decoded from its node of the parameter tree.
pub trait FromQuery: Sized {
    /// Decodes the members below `node`; `path` is the node's parameter name (`Tags.member.1`),
    /// empty for the operation input, and is used in error messages.
    fn from_query(node: &QueryNode, path: &str) -> Result<Self, ServiceError>;
}

impl FromQuery for super::Empty {
    fn from_query(_node: &QueryNode, _path: &str) -> Result<Self, ServiceError> {
        Ok(Self)
    }
}

/// `parent.name`, or `name` at the top level.
pub fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// `InvalidParameterValue` (400) naming the parameter and the expected type, never the value.
fn invalid(path: &str, expected: &str) -> ServiceError {
    ServiceError::new(
        "InvalidParameterValue",
        400,
        format!("Invalid value for parameter {path}: expected {expected}."),
    )
}

/// A string member.
pub fn string(node: Option<&QueryNode>) -> Option<String> {
    node.and_then(QueryNode::value).map(str::to_owned)
}

/// An enum member: any text is kept, validation rejects values outside the set.
pub fn enumeration<E: for<'a> From<&'a str>>(node: Option<&QueryNode>) -> Option<E> {
    node.and_then(QueryNode::value).map(E::from)
}

/// An `integer`, `long`, `float` or `double` member.
pub fn number<T: FromStr>(node: Option<&QueryNode>, path: &str) -> Result<Option<T>, ServiceError> {
    let Some(text) = node.and_then(QueryNode::value) else {
        return Ok(None);
    };
    let text = text.trim();
    let parsed = match text {
        "Infinity" => "inf".parse(),
        "-Infinity" => "-inf".parse(),
        _ => text.parse(),
    };
    parsed.map(Some).map_err(|_| invalid(path, "a number"))
}

/// A `boolean` member: `true` or `false`.
pub fn boolean(node: Option<&QueryNode>, path: &str) -> Result<Option<bool>, ServiceError> {
    match node.and_then(QueryNode::value) {
        None => Ok(None),
        Some(t) if t.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(t) if t.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(invalid(path, "true or false")),
    }
}

/// A `blob` member: standard padded base64.
pub fn blob(node: Option<&QueryNode>, path: &str) -> Result<Option<Blob>, ServiceError> {
    node.and_then(QueryNode::value)
        .map(|t| {
            STANDARD
                .decode(t.trim())
                .map(Blob)
                .map_err(|_| invalid(path, "base64"))
        })
        .transpose()
}

/// A `timestamp` member: ISO 8601 (what botocore sends) or epoch seconds.
pub fn timestamp(node: Option<&QueryNode>, path: &str) -> Result<Option<Timestamp>, ServiceError> {
    node.and_then(QueryNode::value)
        .map(|t| {
            Timestamp::parse_iso8601(t.trim()).ok_or_else(|| invalid(path, "an ISO 8601 timestamp"))
        })
        .transpose()
}

/// A structure member.
pub fn structure<T: FromQuery>(
    node: Option<&QueryNode>,
    path: &str,
) -> Result<Option<T>, ServiceError> {
    node.map(|n| T::from_query(n, path)).transpose()
}

/// A list member. `member` is the element name (`member`, or the model's `locationName`);
/// `None` for flattened lists, whose items sit directly below the node. `Name=` alone is an
/// empty list; items are taken in index order and gaps are skipped.
pub fn list<T>(
    node: Option<&QueryNode>,
    path: &str,
    member: Option<&str>,
    item: impl Fn(Option<&QueryNode>, &str) -> Result<Option<T>, ServiceError>,
) -> Result<Option<Vec<T>>, ServiceError> {
    let Some(node) = node else {
        return Ok(None);
    };
    let (items, prefix) = match member {
        Some(name) => (node.get(name), join(path, name)),
        None => (Some(node), path.to_owned()),
    };
    let mut out = Vec::new();
    for (i, child) in items.map(QueryNode::indexed).unwrap_or_default() {
        if let Some(v) = item(Some(child), &format!("{prefix}.{i}"))? {
            out.push(v);
        }
    }
    Ok(Some(out))
}

/// Element names of a map member: entries below `entry` (or directly when flattened), each
/// with a key and a value element.
#[derive(Debug, Clone, Copy)]
pub struct MapNames<'a> {
    /// True for flattened maps.
    pub flattened: bool,
    /// The key element (`key` unless the model names it).
    pub key: &'a str,
    /// The value element (`value` unless the model names it).
    pub value: &'a str,
}

/// A map member with string keys; entries without a key or value are skipped.
pub fn map<V>(
    node: Option<&QueryNode>,
    path: &str,
    names: MapNames<'_>,
    value: impl Fn(Option<&QueryNode>, &str) -> Result<Option<V>, ServiceError>,
) -> Result<Option<BTreeMap<String, V>>, ServiceError> {
    let Some(node) = node else {
        return Ok(None);
    };
    let (entries, prefix) = if names.flattened {
        (Some(node), path.to_owned())
    } else {
        (node.get("entry"), join(path, "entry"))
    };
    let mut out = BTreeMap::new();
    for (i, entry) in entries.map(QueryNode::indexed).unwrap_or_default() {
        let Some(key) = string(entry.get(names.key)) else {
            continue;
        };
        let at = format!("{prefix}.{i}.{}", names.value);
        if let Some(v) = value(entry.get(names.value), &at)? {
            out.insert(key, v);
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
#[path = "query_tests.rs"]
mod tests;

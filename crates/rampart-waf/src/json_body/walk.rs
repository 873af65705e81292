//! A serde visitor that walks a JSON body without building it, testing keys and leaf values
//! as they are parsed and stopping at the first match.

use crate::field::Scope;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The marker error that stops parsing at a match.
const MATCHED: &str = "rampart-waf: matched";

/// Walks `body`: (a key or value matched, the whole body parsed as one JSON value).
pub(super) fn walk(
    body: &[u8],
    scope: Scope,
    paths: Option<&[String]>,
    test: &mut dyn FnMut(&[u8]) -> bool,
) -> (bool, bool) {
    let mut state = Walk {
        scope,
        paths,
        pointer: String::new(),
        test,
        found: false,
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let parsed = Node(&mut state)
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .is_ok();
    (state.found, parsed && !state.found)
}

struct Walk<'w> {
    scope: Scope,
    /// `IncludedPaths`; `None` for All.
    paths: Option<&'w [String]>,
    /// The JSON pointer of the node being parsed.
    pointer: String,
    test: &'w mut dyn FnMut(&[u8]) -> bool,
    found: bool,
}

impl Walk<'_> {
    /// The node at `pointer` is one of the included paths or inside one.
    fn selected(&self) -> bool {
        let Some(paths) = self.paths else {
            return true;
        };
        paths.iter().any(|p| {
            self.pointer == *p
                || (self.pointer.starts_with(p.as_str())
                    && self.pointer.as_bytes()[p.len()] == b'/')
        })
    }

    /// Tests a key or value; `Err` (stop) when it matches.
    fn check<E: de::Error>(&mut self, value: &[u8], is_key: bool) -> Result<(), E> {
        let wanted = if is_key {
            self.scope.keys()
        } else {
            self.scope.values()
        };
        if wanted && self.selected() && (self.test)(value) {
            self.found = true;
            return Err(E::custom(MATCHED));
        }
        Ok(())
    }
}

/// One JSON value.
struct Node<'a, 'w>(&'a mut Walk<'w>);

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.check(v.as_bytes(), false)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.0.check(if v { b"true" } else { b"false" }, false)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.0.check(v.to_string().as_bytes(), false)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.0.check(v.to_string().as_bytes(), false)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        let text = serde_json::Number::from_f64(v)
            .map(|n| n.to_string())
            .unwrap_or_default();
        self.0.check(text.as_bytes(), false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.check(b"null", false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        loop {
            let len = self.0.pointer.len();
            self.0.pointer.push('/');
            self.0.pointer.push_str(&index.to_string());
            let more = seq.next_element_seed(Node(self.0))?;
            self.0.pointer.truncate(len);
            if more.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(len) = map.next_key_seed(Key(self.0))? {
            map.next_value_seed(Node(self.0))?;
            self.0.pointer.truncate(len);
        }
        Ok(())
    }
}

/// An object key: tested, then appended to the pointer (escaped); its value is the pointer
/// length before it.
struct Key<'a, 'w>(&'a mut Walk<'w>);

impl<'de> DeserializeSeed<'de> for Key<'_, '_> {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_, '_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        self.0.check(v.as_bytes(), true)?;
        let len = self.0.pointer.len();
        self.0.pointer.push('/');
        for c in v.chars() {
            match c {
                '~' => self.0.pointer.push_str("~0"),
                '/' => self.0.pointer.push_str("~1"),
                c => self.0.pointer.push(c),
            }
        }
        Ok(len)
    }
}

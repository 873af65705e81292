//! Key encoding and scan ranges shared by both backends.
//!
//! Keys are stored as their UTF-8 bytes, so a prefix scan is the byte range
//! `[prefix, successor(prefix))`: exact for any key, including ones containing `%` or `_`.

use crate::StoreError;

/// The byte range one `scan` call reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScanBounds {
    /// Lower bound on the key.
    pub lower: Vec<u8>,
    /// Whether `lower` itself may be returned (false when it came from `start_after`).
    pub lower_inclusive: bool,
    /// Exclusive upper bound; `None` when the prefix is empty.
    pub upper: Option<Vec<u8>>,
    /// Row limit, already clamped for SQL.
    pub limit: i64,
}

impl ScanBounds {
    /// The range for keys starting with `prefix` and strictly after `start_after`;
    /// `None` when no row can match (`limit == 0`).
    pub(crate) fn new(prefix: &str, start_after: Option<&str>, limit: usize) -> Option<Self> {
        if limit == 0 {
            return None;
        }
        let prefix = prefix.as_bytes();
        let (lower, lower_inclusive) = match start_after {
            Some(after) if after.as_bytes() >= prefix => (after.as_bytes().to_vec(), false),
            _ => (prefix.to_vec(), true),
        };
        Some(ScanBounds {
            lower,
            lower_inclusive,
            upper: successor(prefix),
            limit: sql_limit(limit),
        })
    }

    /// The `WHERE` clause on `key` for this range, with placeholders produced by `param(n)`
    /// numbered from `first`: lower bound first, then upper bound if any.
    pub(crate) fn key_clause(&self, first: usize, param: fn(usize) -> String) -> String {
        let op = if self.lower_inclusive { ">=" } else { ">" };
        let mut clause = format!("key {op} {}", param(first));
        if self.upper.is_some() {
            clause.push_str(&format!(" AND key < {}", param(first + 1)));
        }
        clause
    }
}

/// The smallest byte string greater than every string starting with `prefix`, if any.
pub(crate) fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut out = prefix.to_vec();
    while let Some(last) = out.pop() {
        if last < u8::MAX {
            out.push(last + 1);
            return Some(out);
        }
    }
    None
}

/// A `usize` limit as an SQL `LIMIT` value.
pub(crate) fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// A stored key back to its string form.
pub(crate) fn key_from_bytes(bytes: Vec<u8>) -> Result<String, StoreError> {
    String::from_utf8(bytes).map_err(|_| StoreError::Decode("stored key is not UTF-8".into()))
}

/// A stored version or sequence number (SQL `BIGINT`) as `u64`.
pub(crate) fn to_u64(value: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Decode(format!("negative {what} {value}")))
}

/// An expected version as SQL `BIGINT`; versions beyond `i64::MAX` cannot exist.
pub(crate) fn to_i64(version: u64) -> Option<i64> {
    i64::try_from(version).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successor_increments_last_byte() {
        assert_eq!(successor(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(successor(b"a\xff"), Some(b"b".to_vec()));
        assert_eq!(successor(b"\xff\xff"), None);
        assert_eq!(successor(b""), None);
    }

    #[test]
    fn start_after_before_prefix_is_ignored() {
        let b = ScanBounds::new("k/", Some("a"), 10).expect("bounds");
        assert_eq!((b.lower.as_slice(), b.lower_inclusive), (&b"k/"[..], true));
        let b = ScanBounds::new("k/", Some("k/x"), 10).expect("bounds");
        assert_eq!(
            (b.lower.as_slice(), b.lower_inclusive),
            (&b"k/x"[..], false)
        );
        assert!(ScanBounds::new("k/", None, 0).is_none());
    }
}

//! Pagination: `Limit` defaults and caps per operation, and opaque `Marker` tokens.

use super::KmsError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// What a marker pages through; a marker from one list is refused by another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// ListKeys (position: key id).
    Keys,
    /// ListAliases (position: alias name).
    Aliases,
    /// ListResourceTags (position: tag key).
    Tags,
    /// ListKeyPolicies (position: policy name).
    Policies,
    /// ListKeyRotations (position: backing-key version).
    Rotations,
    /// ListGrants (position: grant id).
    Grants,
    /// ListRetirableGrants (position: `<key account>/<key id>/<grant id>`).
    RetirableGrants,
}

impl ListKind {
    fn tag(self) -> &'static str {
        match self {
            Self::Keys => "k1",
            Self::Aliases => "a1",
            Self::Tags => "t1",
            Self::Policies => "p1",
            Self::Rotations => "r1",
            Self::Grants => "g1",
            Self::RetirableGrants => "rg1",
        }
    }

    /// (default, maximum) page size, as the AWS API reference states.
    pub fn limits(self) -> (usize, usize) {
        match self {
            Self::Keys | Self::Policies | Self::Rotations => (100, 1000),
            Self::Aliases | Self::Grants | Self::RetirableGrants => (50, 100),
            Self::Tags => (50, 50),
        }
    }

    /// The page size for a requested `Limit` (default when absent, capped at the maximum).
    pub fn page_size(self, limit: Option<i64>) -> usize {
        let (default, max) = self.limits();
        match limit {
            Some(n) if n >= 1 => usize::try_from(n).unwrap_or(max).min(max),
            _ => default,
        }
    }
}

/// Encodes "resume strictly after `position`" for `kind`.
pub fn encode_marker(kind: ListKind, position: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{position}", kind.tag()))
}

/// Decodes a marker issued by `encode_marker` for the same `kind`.
pub fn decode_marker(kind: ListKind, marker: &str) -> Result<String, KmsError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(marker)
        .map_err(|_| KmsError::invalid_marker())?;
    let text = String::from_utf8(bytes).map_err(|_| KmsError::invalid_marker())?;
    let position = text
        .strip_prefix(kind.tag())
        .and_then(|rest| rest.strip_prefix(':'))
        .ok_or_else(KmsError::invalid_marker)?;
    Ok(position.to_owned())
}

/// One page of results: the items, and the marker for the next page when truncated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// Items on this page.
    pub items: Vec<T>,
    /// `NextMarker`, present exactly when the listing is truncated.
    pub next_marker: Option<String>,
}

impl<T> Page<T> {
    /// Cuts `items` (fetched with one extra) to `size`, setting the marker from `position`.
    pub fn from_overfetch(
        kind: ListKind,
        mut items: Vec<T>,
        size: usize,
        position: impl Fn(&T) -> String,
    ) -> Self {
        if items.len() <= size {
            return Self {
                items,
                next_marker: None,
            };
        }
        items.truncate(size);
        let next_marker = items
            .last()
            .map(|last| encode_marker(kind, &position(last)));
        Self { items, next_marker }
    }

    /// `Truncated` as AWS reports it.
    pub fn truncated(&self) -> bool {
        self.next_marker.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip_per_kind() {
        let m = encode_marker(ListKind::Keys, "abc");
        assert_eq!(decode_marker(ListKind::Keys, &m), Ok("abc".into()));
        assert_eq!(
            decode_marker(ListKind::Aliases, &m),
            Err(KmsError::invalid_marker())
        );
        assert_eq!(
            decode_marker(ListKind::Keys, "!!!"),
            Err(KmsError::invalid_marker())
        );
        assert_eq!(
            decode_marker(ListKind::Keys, "Zm9v"),
            Err(KmsError::invalid_marker())
        );
        let alias = encode_marker(ListKind::Aliases, "alias/a:b");
        assert_eq!(
            decode_marker(ListKind::Aliases, &alias),
            Ok("alias/a:b".into())
        );
    }

    #[test]
    fn page_sizes() {
        assert_eq!(ListKind::Keys.page_size(None), 100);
        assert_eq!(ListKind::Keys.page_size(Some(1000)), 1000);
        assert_eq!(ListKind::Aliases.page_size(Some(1000)), 100);
        assert_eq!(ListKind::Tags.page_size(Some(7)), 7);
        assert_eq!(ListKind::Tags.page_size(Some(0)), 50);
    }

    #[test]
    fn overfetch_sets_marker() {
        let page = Page::from_overfetch(ListKind::Tags, vec!["a", "b", "c"], 2, |s| s.to_string());
        assert_eq!(page.items, vec!["a", "b"]);
        assert!(page.truncated());
        let marker = page.next_marker.unwrap_or_default();
        assert_eq!(decode_marker(ListKind::Tags, &marker), Ok("b".into()));
        let page = Page::from_overfetch(ListKind::Tags, vec!["a", "b"], 2, |s| s.to_string());
        assert!(!page.truncated());
    }
}

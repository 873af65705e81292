//! Resource tags on keys: reserved `aws:` prefix and the per-key quota.

use super::KmsError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most tags one key may carry.
pub const MAX_TAGS_PER_KEY: usize = 50;

/// A key's tags as stored (schema version 1), ordered by tag key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagSet {
    /// Record schema version.
    pub schema: u32,
    /// Tag key → tag value.
    pub tags: BTreeMap<String, String>,
}

impl TagSet {
    /// An empty tag set.
    pub fn new() -> Self {
        Self {
            schema: 1,
            tags: BTreeMap::new(),
        }
    }

    /// Adds or replaces tags, enforcing reserved keys and the quota. A request naming a tag key
    /// twice, or more than 50 tags, is refused with AWS's TagException first.
    pub fn apply(&mut self, new_tags: &[(String, String)]) -> Result<(), KmsError> {
        check_request_tags(new_tags)?;
        for (key, _) in new_tags {
            check_tag_key(key)?;
        }
        let mut next = self.tags.clone();
        for (key, value) in new_tags {
            next.insert(key.clone(), value.clone());
        }
        if next.len() > MAX_TAGS_PER_KEY {
            return Err(KmsError::LimitExceeded(format!(
                "The request was rejected because the key would have more than {MAX_TAGS_PER_KEY} tags."
            )));
        }
        self.tags = next;
        Ok(())
    }

    /// Removes the named tags (absent ones are ignored, as AWS does).
    pub fn remove(&mut self, keys: &[String]) -> Result<(), KmsError> {
        for key in keys {
            check_tag_key(key)?;
        }
        for key in keys {
            self.tags.remove(key);
        }
        Ok(())
    }
}

/// TagException for a request's tag list that repeats a key or holds more than 50 tags.
pub fn check_request_tags(tags: &[(String, String)]) -> Result<(), KmsError> {
    let mut keys: Vec<&str> = tags.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    if keys.len() < tags.len() {
        return Err(KmsError::Tag("Duplicate tag keys".into()));
    }
    if tags.len() > MAX_TAGS_PER_KEY {
        return Err(KmsError::Tag("Too many tags".into()));
    }
    Ok(())
}

/// Tag keys beginning with `aws:` are reserved for AWS.
pub fn check_tag_key(key: &str) -> Result<(), KmsError> {
    if key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")) {
        return Err(KmsError::Tag(
            "Tags beginning with aws: are reserved".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(k: &str, v: &str) -> (String, String) {
        (k.to_owned(), v.to_owned())
    }

    #[test]
    fn apply_and_remove() {
        let mut set = TagSet::new();
        assert_eq!(set.apply(&[pair("b", "1"), pair("a", "2")]), Ok(()));
        assert_eq!(set.apply(&[pair("a", "3")]), Ok(()));
        let keys: Vec<_> = set.tags.keys().cloned().collect();
        assert_eq!(keys, vec!["a", "b"]);
        assert_eq!(set.tags.get("a").map(String::as_str), Some("3"));
        assert_eq!(set.remove(&["a".into(), "zzz".into()]), Ok(()));
        assert_eq!(set.tags.len(), 1);
    }

    #[test]
    fn reserved_prefix() {
        let mut set = TagSet::new();
        let err = Err(KmsError::Tag(
            "Tags beginning with aws: are reserved".into(),
        ));
        assert_eq!(set.apply(&[pair("ok", "1"), pair("AWS:x", "1")]), err);
        assert!(set.tags.is_empty(), "nothing applied on error");
        assert_eq!(set.remove(&["aws:x".into()]), err);
    }

    #[test]
    fn duplicate_and_too_many_in_one_request() {
        let mut set = TagSet::new();
        let dup = set.apply(&[pair("a", "1"), pair("b", "2"), pair("a", "3")]);
        assert_eq!(dup, Err(KmsError::Tag("Duplicate tag keys".into())));
        let many: Vec<_> = (0..=MAX_TAGS_PER_KEY)
            .map(|i| pair(&format!("k{i}"), "v"))
            .collect();
        assert_eq!(set.apply(&many), Err(KmsError::Tag("Too many tags".into())));
        assert!(set.tags.is_empty(), "nothing applied on error");
    }

    #[test]
    fn quota() {
        let mut set = TagSet::new();
        let many: Vec<_> = (0..MAX_TAGS_PER_KEY)
            .map(|i| pair(&format!("k{i}"), "v"))
            .collect();
        assert_eq!(set.apply(&many), Ok(()));
        assert!(matches!(
            set.apply(&[pair("one-more", "v")]),
            Err(KmsError::LimitExceeded(_))
        ));
        assert_eq!(set.apply(&[pair("k1", "new")]), Ok(()));
    }
}

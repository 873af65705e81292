//! The grants of recently used keys, for the authorization step: a request that only a grant
//! allows would otherwise read every grant of the key from the store on each call. A cached
//! list is trusted for [`GRANT_TTL`] and only to allow: when it allows nothing the store is read
//! again, so a grant made on any node works at once. Local grant writes empty the cache, so a
//! retired or revoked grant stops working at once on this node and within [`GRANT_TTL`] on the
//! others (AWS documents grant changes as eventually consistent too).

use crate::domain::GrantRecord;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a cached list of a key's grants may allow requests.
pub(crate) const GRANT_TTL: Duration = Duration::from_secs(1);
/// Keys above which the cache is emptied.
const MAX_KEYS: usize = 1_000;

/// A key's grants and when they were read.
type Entry = (Arc<Vec<GrantRecord>>, Instant);

/// Grants by key (row prefix of the key's grants), with when they were read.
#[derive(Default)]
pub(crate) struct GrantCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl GrantCache {
    fn entries(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The grants of `key_prefix` if read less than [`GRANT_TTL`] ago.
    pub(crate) fn fresh(&self, key_prefix: &str) -> Option<Arc<Vec<GrantRecord>>> {
        let entries = self.entries();
        let (grants, read_at) = entries.get(key_prefix)?;
        (read_at.elapsed() < GRANT_TTL).then(|| grants.clone())
    }

    /// Remembers the grants of `key_prefix`, just read from the store.
    pub(crate) fn put(&self, key_prefix: String, grants: Arc<Vec<GrantRecord>>) {
        let mut entries = self.entries();
        if entries.len() >= MAX_KEYS {
            entries.clear();
        }
        entries.insert(key_prefix, (grants, Instant::now()));
    }

    /// Forgets everything (after a local grant write).
    pub(crate) fn clear(&self) {
        self.entries().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_fresh_until_cleared_and_bounded() {
        let cache = GrantCache::default();
        assert!(cache.fresh("a/").is_none());
        cache.put("a/".into(), Arc::new(Vec::new()));
        assert!(cache.fresh("a/").is_some());
        cache.clear();
        assert!(cache.fresh("a/").is_none());
        for i in 0..=MAX_KEYS {
            cache.put(format!("{i}/"), Arc::new(Vec::new()));
        }
        assert!(cache.entries().len() <= MAX_KEYS);
    }
}

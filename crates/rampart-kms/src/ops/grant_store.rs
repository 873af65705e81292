//! Grant storage: the grants of each key (`kms_grants`, rows `<account>/<region>/<key>/<grant>`),
//! the retiring-principal index that ListRetirableGrants reads (`kms_grant_retirees`, rows
//! `<region>#<retiring principal>#<account>/<key>/<grant>`, each holding a copy of the immutable
//! grant) and a per-key grant count (`kms_grant_counts`, row `<account>/<region>/<key>`) that
//! enforces the 50,000-grant quota and serialises grant creation on a key with compare-and-swap.

use crate::domain::{GrantRecord, KmsError, Scope};
use crate::store::key_row;
use rampart_store::{Expect, Store, Table, Versioned, Write};
use serde::{Deserialize, Serialize};

/// Grants, one row per grant.
pub const GRANTS: &str = "kms_grants";
/// Copies of grants with a retiring principal, keyed by Region and retiring principal.
pub const RETIREES: &str = "kms_grant_retirees";
/// Number of grants of each key.
pub const COUNTS: &str = "kms_grant_counts";

/// Longest scan done in one store call.
pub(crate) const SCAN_BATCH: usize = 500;

/// How many grants a key has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantCount {
    /// Number of grants.
    pub count: u64,
}

/// Typed views of the grant tables.
#[derive(Clone)]
pub(crate) struct GrantTables {
    pub store: Store,
    pub grants: Table<GrantRecord>,
    pub retirees: Table<GrantRecord>,
    pub counts: Table<GrantCount>,
}

/// `<account>/<region>/<key>/` — the prefix of a key's grant rows.
pub(crate) fn key_grants_prefix(scope: &Scope, key_id: &str) -> String {
    format!("{}/", key_row(scope, key_id))
}

/// Row of one grant.
pub(crate) fn grant_row(scope: &Scope, key_id: &str, grant_id: &str) -> String {
    format!("{}{grant_id}", key_grants_prefix(scope, key_id))
}

/// `<region>#<retiree>#` — the prefix of the index rows of one retiring principal. `#` cannot
/// occur in a principal (`^[\w+=,.@:/-]+$`), so one principal's prefix never covers another's.
pub(crate) fn retiree_prefix(region: &str, retiree: &str) -> String {
    format!("{region}#{retiree}#")
}

/// Position of a grant within its retiree's index rows: `<account>/<key>/<grant>`.
pub(crate) fn retiree_position(grant: &GrantRecord) -> String {
    format!("{}/{}/{}", grant.account, grant.key_id, grant.grant_id)
}

fn retiree_row(grant: &GrantRecord, retiree: &str) -> String {
    format!(
        "{}{}",
        retiree_prefix(&grant.region, retiree),
        retiree_position(grant)
    )
}

impl GrantTables {
    /// The grant tables in `store`.
    pub fn new(store: Store) -> Self {
        Self {
            grants: Table::new(store.clone(), GRANTS),
            retirees: Table::new(store.clone(), RETIREES),
            counts: Table::new(store.clone(), COUNTS),
            store,
        }
    }

    /// Grant `grant_id` of key `key_id` in `scope`, if it exists.
    pub async fn get(
        &self,
        scope: &Scope,
        key_id: &str,
        grant_id: &str,
    ) -> Result<Option<Versioned<GrantRecord>>, KmsError> {
        Ok(self.grants.get(&grant_row(scope, key_id, grant_id)).await?)
    }

    /// The grant count row of a key (None when the key never had grants).
    pub async fn count(
        &self,
        scope: &Scope,
        key_id: &str,
    ) -> Result<Option<Versioned<GrantCount>>, KmsError> {
        Ok(self.counts.get(&key_row(scope, key_id)).await?)
    }

    /// Every grant of a key, in grant-id order.
    pub async fn all_of_key(
        &self,
        scope: &Scope,
        key_id: &str,
    ) -> Result<Vec<(String, Versioned<GrantRecord>)>, KmsError> {
        let prefix = key_grants_prefix(scope, key_id);
        let mut found = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let batch = self
                .grants
                .scan(&prefix, after.as_deref(), SCAN_BATCH)
                .await?;
            let done = batch.len() < SCAN_BATCH;
            after = batch.last().map(|(row, _)| row.clone());
            found.extend(batch);
            if done {
                return Ok(found);
            }
        }
    }

    /// The writes creating `grant`: its row, its retiree index row and the key's count moved
    /// from `count` (compare-and-swap) to one more.
    pub fn create_writes(
        &self,
        grant: &GrantRecord,
        count: Option<&Versioned<GrantCount>>,
    ) -> Result<Vec<Write>, KmsError> {
        let scope = grant.scope();
        let row = grant_row(&scope, &grant.key_id, &grant.grant_id);
        let mut writes = vec![self.grants.put(&row, grant, Expect::Absent)?];
        if let Some(retiree) = grant.retiree() {
            let index = retiree_row(grant, retiree);
            writes.push(self.retirees.put(&index, grant, Expect::Absent)?);
        }
        let (current, expect) = match count {
            Some(c) => (c.value.count, Expect::Version(c.version)),
            None => (0, Expect::Absent),
        };
        let next = GrantCount {
            count: current.saturating_add(1),
        };
        let count_row = key_row(&scope, &grant.key_id);
        writes.push(self.counts.put(&count_row, &next, expect)?);
        Ok(writes)
    }

    /// The writes deleting `grant` (compare-and-swap on its row), its index row, and lowering
    /// the key's count.
    pub fn delete_writes(
        &self,
        grant: &Versioned<GrantRecord>,
        count: Option<&Versioned<GrantCount>>,
    ) -> Result<Vec<Write>, KmsError> {
        let g = &grant.value;
        let scope = g.scope();
        let row = grant_row(&scope, &g.key_id, &g.grant_id);
        let mut writes = vec![self.grants.delete(&row, Expect::Version(grant.version))];
        if let Some(retiree) = g.retiree() {
            writes.push(self.retirees.delete(&retiree_row(g, retiree), Expect::Any));
        }
        if let Some(c) = count {
            let next = GrantCount {
                count: c.value.count.saturating_sub(1),
            };
            let count_row = key_row(&scope, &g.key_id);
            writes.push(
                self.counts
                    .put(&count_row, &next, Expect::Version(c.version))?,
            );
        }
        Ok(writes)
    }

    /// The writes deleting every grant of a key, their index rows and its count (key deletion).
    pub async fn purge_writes(&self, scope: &Scope, key_id: &str) -> Result<Vec<Write>, KmsError> {
        let mut writes = Vec::new();
        for (row, grant) in self.all_of_key(scope, key_id).await? {
            writes.push(self.grants.delete(&row, Expect::Any));
            if let Some(retiree) = grant.value.retiree() {
                let index = retiree_row(&grant.value, retiree);
                writes.push(self.retirees.delete(&index, Expect::Any));
            }
        }
        writes.push(self.counts.delete(&key_row(scope, key_id), Expect::Any));
        Ok(writes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_layout() {
        let s = Scope::new("111122223333", "us-east-1");
        assert_eq!(key_grants_prefix(&s, "k"), "111122223333/us-east-1/k/");
        assert_eq!(grant_row(&s, "k", "g"), "111122223333/us-east-1/k/g");
        let role = "arn:aws:iam::111122223333:role/a";
        let nested = "arn:aws:iam::111122223333:role/a/b";
        assert!(
            !retiree_prefix("us-east-1", nested).starts_with(&retiree_prefix("us-east-1", role))
        );
    }
}

//! Typed KMS tables over `rampart-store`. Rows are keyed `<account>/<region>/<id>` so a scan by
//! the `<account>/<region>/` prefix lists one scope in id order and pages by the last id seen.

use crate::domain::KmsArns;
use crate::domain::{AliasRecord, KeyRecord, KeyRef, KmsError, PolicyRecord, Scope, TagSet};
use rampart_store::{Expect, Index, IndexedTable, Store, StoreError, Table, Versioned, Write};
use serde::{Deserialize, Serialize};

/// Key metadata records.
pub const KEYS: &str = "kms_keys";
/// Backing keys, wrapped under the KMS domain key.
pub const BACKING_KEYS: &str = "kms_backing_keys";
/// Aliases.
pub const ALIASES: &str = "kms_aliases";
/// The aliases' index by target key id (entries commit with their alias row).
pub const ALIASES_BY_TARGET: &str = "kms_aliases#target";
/// Name of that index.
const TARGET_INDEX: &str = "target";
/// Tag sets, one row per key.
pub const TAGS: &str = "kms_tags";
/// Key policies, one row per key.
pub const POLICIES: &str = "kms_policies";
/// Deletion schedule, keyed by due time so the sweeper reads only what is due.
pub const DELETIONS: &str = "kms_deletions";
/// Which account holds each key id in each Region (`<region>/<key id>`): a symmetric ciphertext
/// names only its key id, and Decrypt without KeyId may need another account's key.
pub const KEY_INDEX: &str = "kms_key_index";

/// Longest scan the service does in one store call.
const SCAN_BATCH: usize = 500;

impl From<StoreError> for KmsError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { .. } => Self::Conflict(e.to_string()),
            _ => Self::Internal(format!("store: {e}")),
        }
    }
}

/// One backing key version, wrapped (AES-256-GCM under the KMS domain key; AAD = key ARN + version).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackingKeyRecord {
    /// Record schema version.
    pub schema: u32,
    /// Backing-key version (1 at creation).
    pub version: u32,
    /// The wrapped key, base64.
    pub wrapped: String,
    /// Creation time, epoch milliseconds.
    pub created_ms: i64,
    /// `AUTOMATIC` or `ON_DEMAND` for versions made by rotation; None for the first version.
    #[serde(default)]
    pub rotation_type: Option<String>,
    /// `KeyMaterialId` of this version.
    #[serde(default)]
    pub material_id: Option<String>,
}

/// The account holding a key id in a Region (a [`KEY_INDEX`] row).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyIndexEntry {
    /// Owning account.
    pub account: String,
}

/// Row key of a key's [`KEY_INDEX`] entry.
pub fn key_index_row(region: &str, key_id: &str) -> String {
    format!("{region}/{key_id}")
}

/// A scheduled deletion: which key to delete once its row key's due time has passed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeletionEntry {
    /// Owning account.
    pub account: String,
    /// Region.
    pub region: String,
    /// Key id.
    pub key_id: String,
}

/// `<account>/<region>/` — the prefix of every row of one scope.
pub fn scope_prefix(scope: &Scope) -> String {
    scope.prefix()
}

/// Row key of a key (also used for its tags and policy).
pub fn key_row(scope: &Scope, key_id: &str) -> String {
    scope.row(key_id)
}

/// Row key of one backing-key version.
pub fn backing_row(scope: &Scope, key_id: &str, version: u32) -> String {
    format!("{}/{version:010}", key_row(scope, key_id))
}

/// Row key of an alias.
pub fn alias_row(scope: &Scope, alias_name: &str) -> String {
    format!("{}{alias_name}", scope_prefix(scope))
}

/// Row key of a deletion schedule entry.
pub fn deletion_row(due_ms: i64, scope: &Scope, key_id: &str) -> String {
    crate::schedule::schedule_row(due_ms, scope, key_id)
}

/// The aliases' index by target key id.
fn target_index() -> Index<AliasRecord> {
    Index {
        name: TARGET_INDEX,
        table: ALIASES_BY_TARGET,
        keys: |alias| vec![alias.target_key_id.clone()],
    }
}

/// The KMS tables.
#[derive(Clone)]
pub struct KmsTables {
    /// The shared store, for transactions.
    pub store: Store,
    /// Key metadata.
    pub keys: Table<KeyRecord>,
    /// Wrapped backing keys.
    pub backing: Table<BackingKeyRecord>,
    /// Aliases, indexed by target key id.
    pub aliases: IndexedTable<AliasRecord>,
    /// Tag sets.
    pub tags: Table<TagSet>,
    /// Key policies.
    pub policies: Table<PolicyRecord>,
    /// Deletion schedule.
    pub deletions: Table<DeletionEntry>,
    /// Account of each key id per Region.
    pub key_index: Table<KeyIndexEntry>,
}

impl KmsTables {
    /// Typed views of the KMS tables in `store`.
    pub fn new(store: Store) -> Self {
        Self {
            keys: Table::new(store.clone(), KEYS),
            backing: Table::new(store.clone(), BACKING_KEYS),
            aliases: IndexedTable::new(store.clone(), ALIASES, vec![target_index()]),
            tags: Table::new(store.clone(), TAGS),
            policies: Table::new(store.clone(), POLICIES),
            deletions: Table::new(store.clone(), DELETIONS),
            key_index: Table::new(store.clone(), KEY_INDEX),
            store,
        }
    }

    /// The key `key_id` of `scope`, or NotFoundException.
    pub async fn require_key(
        &self,
        scope: &Scope,
        key_id: &str,
    ) -> Result<Versioned<KeyRecord>, KmsError> {
        self.keys
            .get(&key_row(scope, key_id))
            .await?
            .ok_or_else(|| KmsError::key_not_found(&scope.key_arn(key_id)))
    }

    /// The write recording that `key`'s account holds its key id in its Region.
    pub fn index_write(&self, key: &KeyRecord) -> Result<Write, KmsError> {
        let row = key_index_row(&key.region, &key.key_id);
        let entry = KeyIndexEntry {
            account: key.account.clone(),
        };
        Ok(self.key_index.put(&row, &entry, Expect::Any)?)
    }

    /// The account holding key id `key_id` in `region`, if recorded.
    pub async fn key_account(
        &self,
        region: &str,
        key_id: &str,
    ) -> Result<Option<String>, KmsError> {
        let entry = self.key_index.get(&key_index_row(region, key_id)).await?;
        Ok(entry.map(|e| e.value.account))
    }

    /// The alias `name` of `scope`, or NotFoundException naming the alias ARN.
    pub async fn require_alias(
        &self,
        scope: &Scope,
        name: &str,
    ) -> Result<Versioned<AliasRecord>, KmsError> {
        self.aliases
            .get(&alias_row(scope, name))
            .await?
            .ok_or_else(|| KmsError::alias_not_found(&scope.alias_arn(name)))
    }

    /// The key a parsed reference names (following an alias).
    pub async fn resolve(
        &self,
        scope: &Scope,
        key_ref: &KeyRef,
    ) -> Result<Versioned<KeyRecord>, KmsError> {
        match key_ref {
            KeyRef::Key(id) => self.require_key(scope, id).await,
            KeyRef::Alias(name) => {
                let alias = self.require_alias(scope, name).await?;
                self.require_key(scope, &alias.value.target_key_id).await
            }
        }
    }

    /// Every alias of `scope` pointing at `key_id`, from the index by target key (key ids
    /// of multi-Region keys repeat across Regions and accounts: only `scope`'s rows are kept).
    pub async fn aliases_of(
        &self,
        scope: &Scope,
        key_id: &str,
    ) -> Result<Vec<(String, Versioned<AliasRecord>)>, KmsError> {
        let prefix = scope_prefix(scope);
        let mut found = self
            .aliases
            .lookup_all(TARGET_INDEX, key_id, SCAN_BATCH)
            .await?;
        found.retain(|(row, _)| row.starts_with(&prefix));
        Ok(found)
    }

    /// The writes that delete a key and everything hanging off it: backing keys, aliases, tags,
    /// policy and grants (not its deletion-schedule entry). The key row must still be at `key.version`.
    pub async fn purge_writes(&self, key: &Versioned<KeyRecord>) -> Result<Vec<Write>, KmsError> {
        let record = &key.value;
        let scope = record.scope();
        let row = key_row(&scope, &record.key_id);
        let mut writes = vec![self.keys.delete(&row, Expect::Version(key.version))];
        let backing = self
            .backing
            .scan(&format!("{row}/"), None, SCAN_BATCH)
            .await?;
        writes.extend(
            backing
                .iter()
                .map(|(r, _)| self.backing.delete(r, Expect::Any)),
        );
        for (alias_row, alias) in self.aliases_of(&scope, &record.key_id).await? {
            writes.extend(self.aliases.delete(&alias_row, &alias.value, Expect::Any));
        }
        writes.push(self.tags.delete(&row, Expect::Any));
        writes.push(self.policies.delete(&row, Expect::Any));
        let index = key_index_row(&record.region, &record.key_id);
        writes.push(self.key_index.delete(&index, Expect::Any));
        let grants = crate::ops::grant_store::GrantTables::new(self.store.clone());
        writes.extend(grants.purge_writes(&scope, &record.key_id).await?);
        Ok(writes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_layout_groups_by_scope() {
        let s = Scope::new("111122223333", "us-east-1");
        assert_eq!(scope_prefix(&s), "111122223333/us-east-1/");
        assert_eq!(key_row(&s, "k"), "111122223333/us-east-1/k");
        assert_eq!(
            backing_row(&s, "k", 2),
            "111122223333/us-east-1/k/0000000002"
        );
        assert_eq!(alias_row(&s, "alias/a"), "111122223333/us-east-1/alias/a");
        assert_eq!(
            deletion_row(5, &s, "k"),
            "00000000000000000005/111122223333/us-east-1/k"
        );
        assert!(deletion_row(10, &s, "k") > deletion_row(9, &s, "z"));
    }
}

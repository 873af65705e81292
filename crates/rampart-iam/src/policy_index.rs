//! The one-time backfill of the entity tables' index by managed policy (`iam_users#policy`,
//! `iam_groups#policy`, `iam_roles#policy`): users, groups and roles stored before the index
//! existed get their entries, once per database (a marker row records that it was built).

use crate::directory::Directory;
use rampart_store::{Expect, IndexedTable, StoreError, Table};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Markers of one-time IAM migrations.
pub const MIGRATIONS: &str = "iam_migrations";
/// The marker of the policy index backfill.
pub const POLICY_INDEX_BUILT: &str = "policy-index-v1";

/// Rows read per page of the scan (each page's entries are written in one transaction).
const PAGE: usize = 500;

/// A finished one-time migration.
#[derive(Debug, Serialize, Deserialize)]
struct Done {
    at_ms: i64,
}

impl Directory {
    /// Writes the index entries of every user, group and role (attached policies and
    /// permissions boundary) unless the marker says this database was already indexed; returns
    /// how many records were indexed. Run before IAM answers, so a lookup by policy never
    /// misses an older record. Entry writes are idempotent upserts, so nodes starting together
    /// may both run it. A record changed by a served write while the backfill runs may keep an
    /// entry its new value no longer has; lookups re-check each row, so such an entry is
    /// skipped, never answered.
    pub async fn backfill_policy_index(&self) -> Result<usize, StoreError> {
        let tables = &self.tables;
        let markers: Table<Done> = Table::new(tables.store.clone(), MIGRATIONS);
        if markers.get(POLICY_INDEX_BUILT).await?.is_some() {
            return Ok(0);
        }
        let indexed = reindex(&tables.users).await?
            + reindex(&tables.groups).await?
            + reindex(&tables.roles).await?;
        let done = Done {
            at_ms: self.now_ms(),
        };
        let marker = markers.put(POLICY_INDEX_BUILT, &done, Expect::Any)?;
        tables.store.transact(vec![marker]).await?;
        Ok(indexed)
    }
}

/// Upserts the index entries of every row of `table`; returns how many rows it read.
async fn reindex<T>(table: &IndexedTable<T>) -> Result<usize, StoreError>
where
    T: Serialize + DeserializeOwned,
{
    let store = table.table().store();
    let mut rows = 0;
    let mut after: Option<String> = None;
    loop {
        let page = table.table().scan("", after.as_deref(), PAGE).await?;
        let done = page.len() < PAGE;
        after = page.last().map(|(row, _)| row.clone());
        rows += page.len();
        let writes: Vec<_> = page
            .iter()
            .flat_map(|(row, record)| table.reindex_writes(row, &record.value))
            .collect();
        if !writes.is_empty() {
            store.transact(writes).await?;
        }
        if done {
            return Ok(rows);
        }
    }
}

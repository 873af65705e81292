//! Backfills for rows stored before an index existed: `kms_key_index` (key id → owning
//! account, per Region), so that another account's Decrypt without KeyId can find a key from
//! the ciphertext alone (a key that already has its row is skipped); the aliases' index by
//! target key; and the queue items of schedule rows written before due work became queue
//! items (keys pending deletion, rotating, or with expiring material). The last two run once
//! per database (a marker row records that they did).

use crate::KmsService;
use crate::domain::KmsError;
use crate::ops::{expiry_schedule, rotation_schedule};
use crate::schedule::{DELETION_QUEUE, EXPIRY_QUEUE, ROTATION_QUEUE, enqueue_all};
use rampart_store::{Expect, Table};
use serde::{Deserialize, Serialize};

/// Markers of one-time KMS migrations.
const MIGRATIONS: &str = "kms_migrations";
/// The marker of the alias index backfill.
const ALIAS_INDEX_BUILT: &str = "alias-index-v1";
/// The marker of the schedule items backfill.
const DUE_ITEMS_BUILT: &str = "due-items-v1";

/// A finished one-time migration.
#[derive(Debug, Serialize, Deserialize)]
struct Done {
    at_ms: i64,
}

/// Keys read per page of the scan (and index rows written per transaction at most).
const PAGE: usize = 500;

impl KmsService {
    /// Writes the missing `kms_key_index` rows of every stored key; returns how many were
    /// written. Run once in the background when the service starts. A key deleted between the
    /// scan and the write can leave its row behind; that is harmless: the row only says which
    /// account to look in, and the lookup there answers NotFoundException as for any deleted key.
    pub async fn backfill_key_index(&self) -> Result<usize, KmsError> {
        let tables = &self.tables;
        let mut written = 0;
        let mut after: Option<String> = None;
        loop {
            let page = tables.keys.scan("", after.as_deref(), PAGE).await?;
            let done = page.len() < PAGE;
            after = page.last().map(|(row, _)| row.clone());
            let mut writes = Vec::new();
            for (_, key) in &page {
                let key = &key.value;
                if tables
                    .key_account(&key.region, &key.key_id)
                    .await?
                    .is_none()
                {
                    writes.push(tables.index_write(key)?);
                }
            }
            written += writes.len();
            if !writes.is_empty() {
                tables.store.transact(writes).await?;
            }
            if done {
                return Ok(written);
            }
        }
    }
}

impl KmsService {
    /// Writes the index entries of every alias stored before the aliases' index by target key
    /// existed, once per database; returns how many aliases were indexed. Run before the
    /// service answers, so a lookup by target never misses an older alias. Entry writes are
    /// idempotent upserts: nodes starting together may both run it.
    pub async fn backfill_alias_index(&self) -> Result<usize, KmsError> {
        let tables = &self.tables;
        let markers: Table<Done> = Table::new(tables.store.clone(), MIGRATIONS);
        if markers.get(ALIAS_INDEX_BUILT).await?.is_some() {
            return Ok(0);
        }
        let mut indexed = 0;
        let mut after: Option<String> = None;
        loop {
            let page = tables
                .aliases
                .table()
                .scan("", after.as_deref(), PAGE)
                .await?;
            let done = page.len() < PAGE;
            after = page.last().map(|(row, _)| row.clone());
            let writes: Vec<_> = page
                .iter()
                .flat_map(|(row, alias)| tables.aliases.reindex_writes(row, &alias.value))
                .collect();
            indexed += page.len();
            tables.store.transact(writes).await?;
            if done {
                break;
            }
        }
        let marker = markers.put(
            ALIAS_INDEX_BUILT,
            &Done {
                at_ms: self.now_ms(),
            },
            Expect::Any,
        )?;
        tables.store.transact(vec![marker]).await?;
        Ok(indexed)
    }
}

impl KmsService {
    /// Enqueues the queue item of every deletion, rotation and expiry schedule row, once per
    /// database; returns how many rows there were. Run before the jobs start, so work
    /// scheduled by an older Rampart (which swept the schedules) is still carried out. One
    /// live item per row (the enqueue's dedup key), so nodes starting together may both run it.
    pub async fn backfill_due_items(&self) -> Result<usize, KmsError> {
        let tables = &self.tables;
        let markers: Table<Done> = Table::new(tables.store.clone(), MIGRATIONS);
        if markers.get(DUE_ITEMS_BUILT).await?.is_some() {
            return Ok(0);
        }
        let mut rows = enqueue_all(&tables.deletions, &DELETION_QUEUE).await?;
        rows += enqueue_all(&rotation_schedule(tables), &ROTATION_QUEUE).await?;
        rows += enqueue_all(&expiry_schedule(tables), &EXPIRY_QUEUE).await?;
        let done = Done {
            at_ms: self.now_ms(),
        };
        let marker = markers.put(DUE_ITEMS_BUILT, &done, Expect::Any)?;
        tables.store.transact(vec![marker]).await?;
        Ok(rows)
    }
}

//! Key deletion: deletes keys whose deletion date has passed, with their backing keys, aliases,
//! tags and policy, one due item of the deletion queue at a time (`crate::schedule`). Deleting
//! a copy of a multi-Region key removes its Region from every other copy's configuration in the
//! same transaction; when that was the last replica of a primary waiting in
//! PendingReplicaDeletion, the primary becomes PendingDeletion and its waiting period starts
//! (a new schedule row and item). Deleted keys are
//! remembered (creation and end of the charged period) for the usage report's key-months.

use crate::KmsService;
use crate::domain::{KeyRecord, KmsError, Scope};
use crate::schedule::{DELETION_QUEUE, drain_schedule, scheduled};
use crate::store::{DeletionEntry, deletion_row, key_row};
use rampart_core::JobContext;
use rampart_store::{Expect, StoreError, Versioned, Write};

/// What one run of the background jobs did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobReport {
    /// Keys deleted because their waiting period ended.
    pub deleted: usize,
    /// Keys whose imported material expired (now PendingImport).
    pub expired: usize,
    /// Automatic rotations performed.
    pub rotated: usize,
}

impl KmsService {
    /// Runs every due background job once, here and now: deletions, expiry of imported material,
    /// automatic rotations, and the flush of usage counters (tests; a server runs them as the
    /// separate jobs of [`crate::jobs`], cluster-wide ones under a lease). Each job is
    /// independent; the first error is returned after all have run.
    pub async fn run_due_jobs(&self) -> Result<JobReport, KmsError> {
        let deleted = self.delete_due_keys().await;
        let expired = self.expire_imported_material().await;
        let rotated = self.rotate_due_keys().await;
        let flushed = self.flush_usage().await;
        flushed?;
        Ok(JobReport {
            deleted: deleted?,
            expired: expired?,
            rotated: rotated?,
        })
    }

    /// Deletes every key whose deletion date has passed; returns how many were deleted.
    /// A key cancelled or rescheduled concurrently is left alone (compare-and-swap on its row).
    pub async fn delete_due_keys(&self) -> Result<usize, KmsError> {
        self.delete_due_keys_at(&JobContext::at(self.now_ms()))
            .await
    }

    /// [`KmsService::delete_due_keys`] for one job run: the deletion items due at `ctx.now_ms`
    /// (the job runner's clock).
    pub async fn delete_due_keys_at(&self, ctx: &JobContext) -> Result<usize, KmsError> {
        let queue = &DELETION_QUEUE;
        drain_schedule(
            &self.tables.deletions,
            queue,
            ctx,
            |row, _, entry| async move { self.delete_one(&row, &entry, ctx.now_ms).await },
        )
        .await
    }

    /// Deletes the scheduled key if it is still due; false when it was not (and the stale
    /// schedule entry is dropped).
    async fn delete_one(
        &self,
        row: &str,
        entry: &Versioned<DeletionEntry>,
        now: i64,
    ) -> Result<bool, KmsError> {
        let e = &entry.value;
        let scope = Scope::new(e.account.clone(), e.region.clone());
        let key = self.tables.keys.get(&key_row(&scope, &e.key_id)).await?;
        let Some(key) = key.filter(|k| k.value.is_due(now)) else {
            self.tables
                .store
                .transact(vec![self.tables.deletions.delete(row, Expect::Any)])
                .await?;
            return Ok(false);
        };
        let mut writes = self.tables.purge_writes(&key).await?;
        writes.push(self.tables.deletions.delete(row, Expect::Any));
        writes.push(self.retired_key_write(&key.value)?);
        let (unlink, others) = self.unlink_writes(&key, now).await?;
        writes.extend(unlink);
        let outcome = self.tables.store.transact(writes).await;
        self.vault.invalidate_key(&scope, &e.key_id);
        for other in &others {
            self.vault.invalidate_key(&other.scope(), &other.key_id);
        }
        match outcome {
            Ok(()) => {
                tracing::info!(key_arn = %key.value.arn(), "deleted KMS key after its waiting period");
                Ok(true)
            }
            Err(StoreError::Conflict { .. }) => Ok(false),
            Err(other) => Err(other.into()),
        }
    }
}

impl KmsService {
    /// For a copy of a multi-Region key being deleted: the writes removing its Region from every
    /// other copy's configuration (compare-and-swap on each), and starting the waiting period of
    /// a primary in PendingReplicaDeletion that loses its last replica. Returns the writes and
    /// the copies they change.
    async fn unlink_writes(
        &self,
        key: &Versioned<KeyRecord>,
        now_ms: i64,
    ) -> Result<(Vec<Write>, Vec<KeyRecord>), KmsError> {
        let Some(config) = &key.value.multi_region_config else {
            return Ok((Vec::new(), Vec::new()));
        };
        let mut next_config = config.clone();
        next_config
            .replica_regions
            .retain(|r| *r != key.value.region);
        let mut writes = Vec::new();
        let mut changed = Vec::new();
        for copy in self.copies_of(key).await?.into_iter().skip(1) {
            let mut next = copy.value.clone();
            next.multi_region_config = Some(next_config.clone());
            if let Some(due) = next.begin_deletion_wait(now_ms) {
                let entry = DeletionEntry {
                    account: next.account.clone(),
                    region: next.region.clone(),
                    key_id: next.key_id.clone(),
                };
                let row = deletion_row(due, &next.scope(), &next.key_id);
                writes.extend(scheduled(
                    &self.tables.deletions,
                    &DELETION_QUEUE,
                    &row,
                    &entry,
                )?);
            }
            let row = key_row(&next.scope(), &next.key_id);
            writes.push(
                self.tables
                    .keys
                    .put(&row, &next, Expect::Version(copy.version))?,
            );
            changed.push(next);
        }
        Ok((writes, changed))
    }
}

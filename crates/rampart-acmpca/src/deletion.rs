//! Permanent deletion after the restore window: DeleteCertificateAuthority enqueues one due
//! item at the window's end, in its transaction, on `acmpca_deletions`. A cluster job drains
//! due items on the service clock and removes the CA (its row with the sealed key, and every
//! issued certificate's row) when it is still DELETED with that window; an item left stale by
//! RestoreCertificateAuthority or a newer deletion is dropped.

use crate::AcmPcaService;
use crate::service::CaRef;
use rampart_core::{Job, JobContext, JobFuture, JobOutcome, JobScope};
use rampart_jobs::{DueQueue, drain_due};
use rampart_store::{Expect, StoreError, Table, Write};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// The queue of due deletions.
pub const DELETION_QUEUE: DueQueue = DueQueue::named("acmpca_deletions");
/// Certificate rows read per scan when a CA is removed.
const SCAN_BATCH: usize = 500;

/// One due deletion.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Due {
    account: String,
    region: String,
    id: String,
    arn: String,
    due_ms: i64,
}

/// The write scheduling the permanent deletion of `ca` at `due_ms`.
pub fn schedule(ca: &CaRef, due_ms: i64) -> Write {
    let item = Due {
        account: ca.account.clone(),
        region: ca.region.clone(),
        id: ca.id.clone(),
        arn: ca.arn.clone(),
        due_ms,
    };
    Write::Enqueue {
        queue: DELETION_QUEUE.name,
        payload: serde_json::to_vec(&item).unwrap_or_default(),
        visible_at_ms: due_ms,
        dedup_key: None,
    }
}

impl AcmPcaService {
    /// Removes every CA whose restore window ended by `ctx.now_ms`; how many went.
    pub async fn run_due_deletions(&self, ctx: &JobContext) -> Result<usize, String> {
        drain_due(&self.store, &DELETION_QUEUE, ctx, |payload| async move {
            match serde_json::from_slice::<Due>(&payload) {
                Ok(due) => self.remove(&due, ctx.now_ms).await,
                Err(_) => Ok(false),
            }
        })
        .await
    }

    /// Removes the CA of `due` if it is still deleted with that window.
    async fn remove(&self, due: &Due, now_ms: i64) -> Result<bool, StoreError> {
        let row = crate::record::ca_row(&due.account, &due.region, &due.id);
        let Some(found) = self.tables.authorities.get(&row).await? else {
            return Ok(false);
        };
        let r = &found.value;
        let current = r.status == "DELETED" && r.restorable_until_ms == Some(due.due_ms);
        if r.arn != due.arn || !current || now_ms < due.due_ms {
            return Ok(false);
        }
        let mut writes = self.certificate_deletes(&due.id).await?;
        writes.push(
            self.tables
                .authorities
                .delete(&row, Expect::Version(found.version)),
        );
        self.store.transact(writes).await?;
        Ok(true)
    }

    /// The writes deleting every issued certificate and idempotency token row of CA `ca_id`.
    pub(crate) async fn certificate_deletes(&self, ca_id: &str) -> Result<Vec<Write>, StoreError> {
        let mut writes = rows_of(&self.tables.certificates, ca_id).await?;
        writes.extend(rows_of(&self.tables.tokens, ca_id).await?);
        Ok(writes)
    }
}

/// The writes deleting every row of `table` under `<ca_id>/`.
async fn rows_of<T: serde::de::DeserializeOwned + Serialize>(
    table: &Table<T>,
    ca_id: &str,
) -> Result<Vec<Write>, StoreError> {
    let prefix = format!("{ca_id}/");
    let mut writes = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let rows = table.scan(&prefix, after.as_deref(), SCAN_BATCH).await?;
        let done = rows.len() < SCAN_BATCH;
        after = rows.last().map(|(key, _)| key.clone());
        for (key, found) in rows {
            writes.push(table.delete(&key, Expect::Version(found.version)));
        }
        if done || after.is_none() {
            return Ok(writes);
        }
    }
}

/// The cluster job running due deletions.
pub struct DeletionJob(pub Arc<AcmPcaService>);

impl Job for DeletionJob {
    fn name(&self) -> &'static str {
        "acmpca.deletions"
    }

    fn period(&self) -> Duration {
        Duration::from_secs(60)
    }

    fn scope(&self) -> JobScope {
        JobScope::Cluster
    }

    fn run(&self, ctx: JobContext) -> JobFuture<'_> {
        Box::pin(async move { self.0.run_due_deletions(&ctx).await.map(JobOutcome::done) })
    }
}

//! Scheduled deletion at work: DeleteSecret enqueues one due item at the end of the recovery
//! window, in its transaction, on the `secretsmanager_deletions` queue. A cluster job drains
//! due items on the service clock and destroys the secret (its row, with the rows of every
//! sealed version and data key) when it is still scheduled for that time; an item left stale by
//! RestoreSecret or a newer deletion is dropped.

use crate::SecretsManagerService;
use crate::record::{SecretRecord, secret_row};
use rampart_core::{Job, JobContext, JobFuture, JobOutcome, JobScope};
use rampart_jobs::{DueQueue, drain_due};
use rampart_store::{Expect, StoreError, Write};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// The queue of due deletions.
pub const DELETION_QUEUE: DueQueue = DueQueue::named("secretsmanager_deletions");

/// One due deletion.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Due {
    account: String,
    region: String,
    name: String,
    arn: String,
    due_ms: i64,
}

/// The write scheduling the deletion of `record` at `due_ms`.
pub fn schedule(account: &str, region: &str, record: &SecretRecord, due_ms: i64) -> Write {
    let item = Due {
        account: account.into(),
        region: region.into(),
        name: record.name.clone(),
        arn: record.arn.clone(),
        due_ms,
    };
    Write::Enqueue {
        queue: DELETION_QUEUE.name,
        payload: serde_json::to_vec(&item).unwrap_or_default(),
        visible_at_ms: due_ms,
        dedup_key: None,
    }
}

impl SecretsManagerService {
    /// Destroys every secret whose deletion is due at `ctx.now_ms`; how many went.
    pub async fn run_due_deletions(&self, ctx: &JobContext) -> Result<usize, String> {
        drain_due(&self.store, &DELETION_QUEUE, ctx, |payload| async move {
            match serde_json::from_slice::<Due>(&payload) {
                Ok(due) => self.destroy(&due, ctx.now_ms).await,
                Err(_) => Ok(false),
            }
        })
        .await
    }

    /// Deletes the secret of `due` if it is still scheduled for that time.
    async fn destroy(&self, due: &Due, now_ms: i64) -> Result<bool, StoreError> {
        let row = secret_row(&due.account, &due.region, &due.name);
        let Some(found) = self.tables.secrets.get(&row).await? else {
            return Ok(false);
        };
        let r = &found.value;
        if r.arn != due.arn || r.deletion_due_ms != Some(due.due_ms) || now_ms < due.due_ms {
            return Ok(false);
        }
        let mut writes = self.delete_values(&r.arn).await?;
        let delete = self
            .tables
            .secrets
            .delete(&row, Expect::Version(found.version));
        writes.push(delete);
        self.store.transact(writes).await?;
        Ok(true)
    }
}

/// The cluster job running due deletions.
pub struct DeletionJob(pub Arc<SecretsManagerService>);

impl Job for DeletionJob {
    fn name(&self) -> &'static str {
        "secretsmanager.deletions"
    }

    fn period(&self) -> Duration {
        Duration::from_secs(30)
    }

    fn scope(&self) -> JobScope {
        JobScope::Cluster
    }

    fn run(&self, ctx: JobContext) -> JobFuture<'_> {
        Box::pin(async move { self.0.run_due_deletions(&ctx).await.map(JobOutcome::done) })
    }
}

//! The sync job: drains [`REPLICATION_QUEUE`] and, for each primary named there, writes every
//! replica's row from the primary's (metadata, tags, policy, labels, versions) with each new
//! version's value opened as the owner in the primary's Region and sealed again as the owner
//! under the replica's key in the replica's Region; values the primary pruned go too. Each
//! replica is written in one transaction with its status on the primary, which must still be
//! at the version read, so a sync never resurrects a removed replica nor records a status for
//! a state it did not copy. A replica whose key (or the primary's) is unusable is marked Failed
//! with the reason and the item is retried with backoff, so it recovers once the key is usable.

use super::sync_conflict_message;
use super::{REPLICATION_QUEUE, ReplicaState, ReplicaStatus, SYNCED, SyncItem, replica_arn};
use crate::SecretsManagerService;
use crate::generated::ServiceError;
use crate::policy::{owner_of, region_of};
use crate::record::{SecretRecord, ValueRecord, secret_row, value_row};
use crate::service::CAS_ATTEMPTS;
use rampart_core::{Job, JobContext, JobFuture, JobOutcome, JobScope, RequestContext};
use rampart_jobs::drain_due;
use rampart_store::{Expect, Versioned, Write};
use std::sync::Arc;
use std::time::Duration;

/// Why a replica could not be written.
pub(super) enum Failure {
    /// A lasting reason (a secret of that name is in the way): Failed until the user acts.
    Lasting(String),
    /// A key that may become usable: Failed, and the sync is tried again.
    Retry(String),
    /// A storage or internal fault: the sync is tried again, the status untouched.
    Internal(String),
}

impl Failure {
    pub(super) fn from_service(err: ServiceError) -> Failure {
        match err.status >= 500 {
            true => Failure::Internal(err.code.to_string()),
            // Doubt: AWS's StatusMessage for an unusable replica key is not documented; the
            // KMS refusal as Secrets Manager relays it is given after "Replication failed: ".
            false => Failure::Retry(format!("Replication failed: {}", err.message)),
        }
    }
}

/// The contexts a sync opens the primary's values and seals the replica's under.
pub(super) struct Sides {
    pub primary: RequestContext,
    pub replica: RequestContext,
}

impl SecretsManagerService {
    /// Syncs the replicas of every primary whose item is due at `ctx.now_ms`; how many items
    /// were synced. An item with a replica left Failed for a key is retried with backoff.
    pub async fn run_due_replication(&self, ctx: &JobContext) -> Result<usize, String> {
        drain_due(&self.store, &REPLICATION_QUEUE, ctx, |payload| async move {
            match serde_json::from_slice::<SyncItem>(&payload) {
                Ok(item) => self.sync(&item).await,
                Err(_) => Ok(false),
            }
        })
        .await
    }

    /// Syncs each replica of the item's primary; an error when one is to be tried again.
    async fn sync(&self, item: &SyncItem) -> Result<bool, String> {
        let Some(found) = self.primary_of(item).await? else {
            return Ok(false);
        };
        let mut unsettled = 0;
        for state in &found.value.replicas {
            if !self.sync_region(item, &state.region).await? {
                unsettled += 1;
            }
        }
        if !found.value.cross_account_replicas.is_empty() && !self.sync_cross(item).await? {
            unsettled += 1;
        }
        match unsettled {
            0 => Ok(true),
            n => Err(format!("{n} replica(s) failed to sync; trying again later")),
        }
    }

    /// The item's primary, unless it is gone (or another secret took its name).
    pub(super) async fn primary_of(
        &self,
        item: &SyncItem,
    ) -> Result<Option<Versioned<SecretRecord>>, String> {
        let found = self.load_at(&item.account, &item.region, &item.name).await;
        let found = found.map_err(|e| e.code.to_string())?;
        Ok(found.filter(|f| f.value.arn == item.arn))
    }

    /// Syncs the replica in `region`; whether it is settled (in sync, lastingly failed or
    /// gone) rather than to be tried again.
    async fn sync_region(&self, item: &SyncItem, region: &str) -> Result<bool, String> {
        for _ in 0..CAS_ATTEMPTS {
            let Some(found) = self.primary_of(item).await? else {
                return Ok(true);
            };
            let Some(state) = found.value.replicas.iter().find(|r| r.region == region) else {
                return Ok(true);
            };
            let (mut writes, status, message, settled) =
                match self.replica_writes(&found.value, state).await {
                    Ok(writes) => (writes, ReplicaStatus::InSync, SYNCED.to_owned(), true),
                    Err(Failure::Lasting(m)) => (vec![], ReplicaStatus::Failed, m, true),
                    Err(Failure::Retry(m)) => (vec![], ReplicaStatus::Failed, m, false),
                    Err(Failure::Internal(e)) => return Err(e),
                };
            if writes.is_empty()
                && state.status == status
                && state.message.as_ref() == Some(&message)
            {
                return Ok(settled);
            }
            let mut primary = found.value;
            if let Some(s) = primary.replicas.iter_mut().find(|r| r.region == region) {
                s.status = status;
                s.message = Some(message);
            }
            let row = secret_row(&item.account, &item.region, &item.name);
            let put = self
                .tables
                .secrets
                .put(&row, &primary, Expect::Version(found.version));
            writes.push(put.map_err(|e| e.to_string())?);
            match self.store.transact(writes).await {
                Ok(()) => return Ok(settled),
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(e.to_string()),
            }
        }
        Err("replication writes kept conflicting".into())
    }

    /// The writes making the replica of `state` a copy of `primary`.
    async fn replica_writes(
        &self,
        primary: &SecretRecord,
        state: &ReplicaState,
    ) -> Result<Vec<Write>, Failure> {
        let (account, home) = (owner_of(&primary.arn), region_of(&primary.arn));
        let arn = replica_arn(&primary.arn, &state.region);
        let row = secret_row(account, &state.region, &primary.name);
        let existing = self.tables.secrets.get(&row).await;
        let existing = existing.map_err(|e| Failure::Internal(e.to_string()))?;
        let mut writes = Vec::new();
        let mut kept = None;
        let expect = match existing {
            None => Expect::Absent,
            Some(found) if found.value.arn == arn && found.value.primary_region.is_some() => {
                kept = Some(found.value);
                Expect::Version(found.version)
            }
            Some(found) if state.force_overwrite => {
                let values = self.delete_values(&found.value.arn).await;
                writes.extend(values.map_err(|e| Failure::Internal(e.to_string()))?);
                Expect::Version(found.version)
            }
            Some(_) => {
                let message = sync_conflict_message(&primary.name, &state.region);
                return Err(Failure::Lasting(message));
            }
        };
        let sides = Sides {
            primary: RequestContext::for_account_root(account, home)
                .ok_or(Failure::Internal("account".into()))?,
            replica: RequestContext::for_account_root(account, &state.region)
                .ok_or(Failure::Internal("account".into()))?,
        };
        let replica = self
            .copy_of(primary, state, &arn, kept.as_ref(), &sides, &mut writes)
            .await?;
        let put = self.tables.secrets.put(&row, &replica, expect);
        writes.push(put.map_err(|e| Failure::Internal(e.to_string()))?);
        Ok(writes)
    }

    /// `primary` as the replica of `state` (ARN `arn`), keeping what the replica `kept`
    /// already holds under the same key; the writes of its new values and of the values the
    /// primary pruned go to `writes`.
    async fn copy_of(
        &self,
        primary: &SecretRecord,
        state: &ReplicaState,
        arn: &str,
        kept: Option<&SecretRecord>,
        sides: &Sides,
        writes: &mut Vec<Write>,
    ) -> Result<SecretRecord, Failure> {
        let mut replica = primary.clone();
        replica.arn = arn.to_owned();
        replica.kms_key_id.clone_from(&state.kms_key_id);
        replica.replicas = vec![];
        replica.cross_account_replicas = vec![];
        replica.primary_region = Some(region_of(&primary.arn).to_owned());
        replica.last_accessed_ms = kept.and_then(|k| k.last_accessed_ms);
        self.follow_versions(primary, &mut replica, kept, sides, writes)
            .await?;
        Ok(replica)
    }

    /// Gives `target` (a replica, its ARN and key set) the versions of `primary`: those `kept`
    /// (the replica as stored) already holds under the same key stay, the others are sealed
    /// for `target`, and the values of versions the primary no longer has are deleted.
    pub(super) async fn follow_versions(
        &self,
        primary: &SecretRecord,
        target: &mut SecretRecord,
        kept: Option<&SecretRecord>,
        sides: &Sides,
        writes: &mut Vec<Write>,
    ) -> Result<(), Failure> {
        let same_key = kept.filter(|k| k.kms_key_id == target.kms_key_id);
        target.versions.clone_from(&primary.versions);
        for v in &mut target.versions {
            v.earlier_keys.clear();
            match same_key.and_then(|k| k.version(&v.id)) {
                Some(old) => {
                    v.key_arn.clone_from(&old.key_arn);
                    v.last_accessed_ms = old.last_accessed_ms;
                }
                None => {
                    let key = target.kms_key_id.as_deref();
                    let value = self.reseal_for_replica(primary, &target.arn, &v.id, key, sides);
                    let value = value.await?;
                    v.key_arn.clone_from(&value.key_arn);
                    v.last_accessed_ms = None;
                    let put = self.put_value(&target.arn, &v.id, &value, Expect::Any);
                    writes.push(put.map_err(Failure::from_service)?);
                }
            }
        }
        for old in kept.map(|k| k.versions.as_slice()).unwrap_or_default() {
            if target.version(&old.id).is_none() {
                let row = value_row(&target.arn, &old.id);
                writes.push(self.tables.values.delete(&row, Expect::Any));
            }
        }
        Ok(())
    }

    /// Version `id` of `primary` opened on the primary's side and sealed for the replica
    /// `arn` under `key` on the replica's side. The plaintext lives only in memory, zeroized
    /// on drop.
    async fn reseal_for_replica(
        &self,
        primary: &SecretRecord,
        arn: &str,
        id: &str,
        key: Option<&str>,
        sides: &Sides,
    ) -> Result<ValueRecord, Failure> {
        let value = self.value_of(&primary.arn, id).await;
        let value = value.map_err(Failure::from_service)?;
        let opened = self.open(&sides.primary, &primary.arn, id, &value).await;
        let plain = opened.map_err(Failure::from_service)?;
        let sealed = self.seal(&sides.replica, key, arn, id, &plain).await;
        let sealed = sealed.map_err(Failure::from_service)?;
        Ok(ValueRecord {
            key_arn: sealed.key_arn,
            sealed: sealed.sealed,
            earlier: vec![],
        })
    }
}

/// The cluster job syncing replicas.
pub struct ReplicationJob(pub Arc<SecretsManagerService>);

impl Job for ReplicationJob {
    fn name(&self) -> &'static str {
        "secretsmanager.replication"
    }

    fn period(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn scope(&self) -> JobScope {
        JobScope::Cluster
    }

    fn run(&self, ctx: JobContext) -> JobFuture<'_> {
        Box::pin(async move { self.0.run_due_replication(&ctx).await.map(JobOutcome::done) })
    }
}

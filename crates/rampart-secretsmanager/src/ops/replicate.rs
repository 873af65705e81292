//! ReplicateSecretToRegions, RemoveRegionsFromReplication and StopReplicationToReplica, and the
//! ReplicationStatus every replication answer shows. Adding Regions records them InProgress on
//! the primary and enqueues their sync (see `replication`); removing one deletes its replica
//! (and the replica's value rows) with the primary's change; stopping promotes a replica to a
//! standalone secret in its Region and takes it off its primary's list, in one transaction.

use crate::SecretsManagerService;
use crate::generated::errors::{invalid_parameter_exception, invalid_request_exception};
use crate::generated::*;
use crate::ids::secret_id;
use crate::policy::{authorize_secret, owner_of};
use crate::record::{SecretRecord, secret_row};
use crate::replication::{ReplicaState, ReplicaStatus, enqueue_sync, refuse_replica};
use crate::replication::{replica_arn, replica_refusal, sync_conflict_message};
use crate::seal::DEFAULT_KEY;
use crate::service::{CAS_ATTEMPTS, internal, internal_error, marked_for_deletion};
use rampart_codec::Timestamp;
use rampart_core::RequestContext;
use rampart_store::{Expect, StoreError, Write};

/// InvalidParameterException for a Region that cannot take a replica: the primary's own
/// Region, one named twice, or one already holding a replica. Doubt: AWS's wording is known
/// for the primary's own Region only.
fn invalid_region() -> ServiceError {
    invalid_parameter_exception("Invalid replica region.")
}

/// The replicas an AddReplicaRegions list asks for, checked against the caller's Region and
/// the replicas `existing` already has.
pub fn new_replicas(
    ctx: &RequestContext,
    regions: Vec<ReplicaRegionType>,
    force_overwrite: bool,
    existing: &[ReplicaState],
) -> Result<Vec<ReplicaState>, ServiceError> {
    let mut out: Vec<ReplicaState> = Vec::new();
    for wanted in regions {
        let region = wanted.region.unwrap_or_default();
        let taken = |r: &ReplicaState| r.region == region;
        if region.is_empty()
            || region == ctx.region.as_str()
            || out.iter().any(taken)
            || existing.iter().any(taken)
        {
            return Err(invalid_region());
        }
        let key = wanted
            .kms_key_id
            .filter(|k| k != DEFAULT_KEY && !k.is_empty());
        out.push(ReplicaState::new(region, key, force_overwrite));
    }
    Ok(out)
}

/// `record`'s replicas as ReplicationStatus entries (LastAccessedDate left out).
pub fn statuses(record: &SecretRecord) -> Vec<ReplicationStatusType> {
    record
        .replicas
        .iter()
        .map(|r| ReplicationStatusType {
            region: Some(r.region.clone()),
            kms_key_id: Some(r.kms_key_id.clone().unwrap_or_else(|| DEFAULT_KEY.into())),
            status: Some(r.status.wire()),
            status_message: r.message.clone(),
            last_accessed_date: None,
        })
        .collect()
}

impl SecretsManagerService {
    /// DescribeSecret's ReplicationStatus of `record`: each replica's status with its own last
    /// access (read from the replica's row); `None` without replicas.
    pub(crate) async fn replication_status(
        &self,
        record: &SecretRecord,
    ) -> Result<Option<Vec<ReplicationStatusType>>, ServiceError> {
        if record.replicas.is_empty() {
            return Ok(None);
        }
        let mut out = statuses(record);
        for entry in &mut out {
            let region = entry.region.as_deref().unwrap_or_default();
            let found = self.load_at(owner_of(&record.arn), region, &record.name);
            if let Some(replica) = found.await?
                && replica.value.arn == replica_arn(&record.arn, region)
            {
                entry.last_accessed_date = replica
                    .value
                    .last_accessed_ms
                    .map(Timestamp::from_epoch_millis);
            }
        }
        Ok(Some(out))
    }

    /// Marks Failed at once, as AWS answers, each of `added` (replicas of secret `name`, ARN
    /// `arn`) whose Region holds another secret of that name, unless it is to be overwritten.
    pub(crate) async fn mark_conflicts(
        &self,
        ctx: &RequestContext,
        name: &str,
        arn: &str,
        added: &mut [ReplicaState],
    ) -> Result<(), ServiceError> {
        for state in added.iter_mut().filter(|s| !s.force_overwrite) {
            let found = self
                .load_at(ctx.account().as_str(), &state.region, name)
                .await?;
            let ours = |f: &SecretRecord| {
                f.arn == replica_arn(arn, &state.region) && f.primary_region.is_some()
            };
            if found.is_some_and(|f| !ours(&f.value)) {
                state.status = ReplicaStatus::Failed;
                state.message = Some(sync_conflict_message(name, &state.region));
            }
        }
        Ok(())
    }

    /// The primary secret `id` names, after authorizing `action` on it.
    async fn primary(
        &self,
        ctx: &RequestContext,
        id: Option<&str>,
        action: &str,
    ) -> Result<SecretRecord, ServiceError> {
        let record = self.resolve(ctx, secret_id(id)?).await?.value;
        authorize_secret(ctx, action, &record)?;
        refuse_replica(&record)?;
        Ok(record)
    }
}

impl ReplicateSecretToRegions for SecretsManagerService {
    async fn replicate_secret_to_regions(
        &self,
        ctx: &RequestContext,
        input: ReplicateSecretToRegionsRequest,
    ) -> Result<ReplicateSecretToRegionsResponse, ServiceError> {
        let action = "secretsmanager:ReplicateSecretToRegions";
        let record = self
            .primary(ctx, input.secret_id.as_deref(), action)
            .await?;
        if record.deleted_ms.is_some() {
            return Err(marked_for_deletion());
        }
        let force = input.force_overwrite_replica_secret.unwrap_or(false);
        let regions = input.add_replica_regions.unwrap_or_default();
        let mut added = new_replicas(ctx, regions, force, &record.replicas)?;
        self.mark_conflicts(ctx, &record.name, &record.arn, &mut added)
            .await?;
        let record = self
            .mutate(ctx, &record.name, |r| {
                refuse_taken(&added, &r.replicas)?;
                r.replicas.extend(added.iter().cloned());
                Ok(vec![])
            })
            .await?;
        Ok(ReplicateSecretToRegionsResponse {
            arn: Some(record.arn.clone()),
            replication_status: Some(statuses(&record)),
        })
    }
}

/// Refuses `added` when a racing call replicated to one of its Regions meanwhile.
fn refuse_taken(added: &[ReplicaState], existing: &[ReplicaState]) -> Result<(), ServiceError> {
    let taken = |a: &ReplicaState| existing.iter().any(|e| e.region == a.region);
    match added.iter().any(taken) {
        true => Err(invalid_region()),
        false => Ok(()),
    }
}

impl RemoveRegionsFromReplication for SecretsManagerService {
    async fn remove_regions_from_replication(
        &self,
        ctx: &RequestContext,
        input: RemoveRegionsFromReplicationRequest,
    ) -> Result<RemoveRegionsFromReplicationResponse, ServiceError> {
        let action = "secretsmanager:RemoveRegionsFromReplication";
        let record = self
            .primary(ctx, input.secret_id.as_deref(), action)
            .await?;
        // A Region that holds no replica is passed over: removal is idempotent (as moto's
        // AWS-checked tests have it).
        let regions = input.remove_replica_regions.unwrap_or_default();
        let record = self.remove_replicas(ctx, &record.name, &regions).await?;
        Ok(RemoveRegionsFromReplicationResponse {
            arn: Some(record.arn.clone()),
            replication_status: Some(statuses(&record)),
        })
    }
}

impl SecretsManagerService {
    /// Takes `regions` off the replicas of primary `name` and deletes those replicas with
    /// their values, in one transaction with the primary's change; the changed primary.
    async fn remove_replicas(
        &self,
        ctx: &RequestContext,
        name: &str,
        regions: &[String],
    ) -> Result<SecretRecord, ServiceError> {
        let (account, home) = (ctx.account().as_str(), ctx.region.as_str());
        let row = secret_row(account, home, name);
        for _ in 0..CAS_ATTEMPTS {
            let found = self.load_at(account, home, name).await?;
            let found = found.ok_or_else(crate::service::not_found)?;
            let mut record = found.value;
            let mut writes = Vec::new();
            for region in regions {
                writes.extend(self.replica_deletion(&record, region).await?);
            }
            record.replicas.retain(|r| !regions.contains(&r.region));
            let put = self
                .tables
                .secrets
                .put(&row, &record, Expect::Version(found.version));
            writes.push(put.map_err(internal)?);
            match self.store.transact(writes).await {
                Ok(()) => return Ok(record),
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(internal(e)),
            }
        }
        Err(internal(StoreError::Backend(
            "replica removal kept conflicting".into(),
        )))
    }

    /// The writes deleting the replica of `primary` in `region` and its values (none when the
    /// row there is not that replica, as after a failed replication).
    async fn replica_deletion(
        &self,
        primary: &SecretRecord,
        region: &str,
    ) -> Result<Vec<Write>, ServiceError> {
        let arn = replica_arn(&primary.arn, region);
        let row = secret_row(owner_of(&primary.arn), region, &primary.name);
        let found = self.tables.secrets.get(&row).await.map_err(internal)?;
        let Some(found) = found.filter(|f| f.value.arn == arn && f.value.primary_region.is_some())
        else {
            return Ok(vec![]);
        };
        let mut writes = self.delete_values(&arn).await.map_err(internal)?;
        writes.push(
            self.tables
                .secrets
                .delete(&row, Expect::Version(found.version)),
        );
        Ok(writes)
    }
}

impl StopReplicationToReplica for SecretsManagerService {
    async fn stop_replication_to_replica(
        &self,
        ctx: &RequestContext,
        input: StopReplicationToReplicaRequest,
    ) -> Result<StopReplicationToReplicaResponse, ServiceError> {
        let found = self
            .resolve(ctx, secret_id(input.secret_id.as_deref())?)
            .await?;
        let action = "secretsmanager:StopReplicationToReplica";
        authorize_secret(ctx, action, &found.value)?;
        if found.value.cross_account_primary.is_some() {
            return self.stop_cross_replica(ctx, &found.value.name).await;
        }
        if found.value.primary_region.is_none() {
            // Doubt: AWS's wording for a secret that is not a replica is not documented.
            return Err(invalid_request_exception(
                "StopReplicationToReplica can only be called on a replica secret.",
            ));
        }
        let name = found.value.name;
        for _ in 0..CAS_ATTEMPTS {
            match self.promote(ctx, &name).await? {
                Some(arn) => return Ok(StopReplicationToReplicaResponse { arn: Some(arn) }),
                None => continue,
            }
        }
        Err(internal_error())
    }
}

impl SecretsManagerService {
    /// Makes replica `name` of the caller's Region a standalone secret and takes it off its
    /// primary's replicas, in one transaction; its ARN, or `None` on a conflict.
    async fn promote(
        &self,
        ctx: &RequestContext,
        name: &str,
    ) -> Result<Option<String>, ServiceError> {
        let (account, here) = (ctx.account().as_str(), ctx.region.as_str());
        let found = self.load_at(account, here, name).await?;
        let found = found.ok_or_else(crate::service::not_found)?;
        let mut replica = found.value;
        let Some(home) = replica.primary_region.take() else {
            return Ok(Some(replica.arn));
        };
        let mut writes = Vec::new();
        if let Some(primary) = self.load_at(account, &home, name).await?
            && replica_arn(&primary.value.arn, here) == replica.arn
        {
            let mut record = primary.value;
            record.replicas.retain(|r| r.region != here);
            let row = secret_row(account, &home, name);
            let put = self
                .tables
                .secrets
                .put(&row, &record, Expect::Version(primary.version));
            writes.push(put.map_err(internal)?);
        }
        let row = secret_row(account, here, name);
        let put = self
            .tables
            .secrets
            .put(&row, &replica, Expect::Version(found.version));
        writes.push(put.map_err(internal)?);
        match self.store.transact(writes).await {
            Ok(()) => Ok(Some(replica.arn)),
            Err(e) if e.is_conflict() => Ok(None),
            Err(e) => Err(internal(e)),
        }
    }
}

impl SecretsManagerService {
    /// StopReplicationToReplica on a replica of another account's secret.
    async fn stop_cross_replica(
        &self,
        ctx: &RequestContext,
        name: &str,
    ) -> Result<StopReplicationToReplicaResponse, ServiceError> {
        for _ in 0..CAS_ATTEMPTS {
            if self.stop_cross(ctx, name).await? {
                let found = self.load(ctx, name).await?;
                let arn = found.map(|f| f.value.arn);
                return Ok(StopReplicationToReplicaResponse { arn });
            }
        }
        Err(internal_error())
    }
}

impl SecretsManagerService {
    /// UpdateSecret in a replica's Region: only the replica's key can change ("A replica
    /// secret can't be updated independently from its primary secret, except for its
    /// encryption key"). The key is recorded on the primary, with a sync enqueued that seals
    /// every version again under it. Doubt: AWS documents that the key can change, not the
    /// call; UpdateSecret with KmsKeyId alone in the replica's Region is assumed.
    pub(crate) async fn update_replica_key(
        &self,
        ctx: &RequestContext,
        replica: &SecretRecord,
        input: UpdateSecretRequest,
    ) -> Result<UpdateSecretResponse, ServiceError> {
        let only_key = input.description.is_none()
            && input.secret_string.is_none()
            && input.secret_binary.is_none();
        let Some(key) = input.kms_key_id.filter(|_| only_key) else {
            return Err(replica_refusal());
        };
        let key = Some(key).filter(|k| k != DEFAULT_KEY && !k.is_empty());
        for _ in 0..CAS_ATTEMPTS {
            if self.record_replica_key(ctx, replica, &key).await? {
                return Ok(UpdateSecretResponse {
                    arn: Some(replica.arn.clone()),
                    name: Some(replica.name.clone()),
                    version_id: None,
                });
            }
        }
        Err(internal_error())
    }
}

impl SecretsManagerService {
    /// Records `key` for `replica` (of the caller's Region) on its primary, InProgress with a
    /// sync enqueued, in one transaction; `false` on a conflict.
    async fn record_replica_key(
        &self,
        ctx: &RequestContext,
        replica: &SecretRecord,
        key: &Option<String>,
    ) -> Result<bool, ServiceError> {
        let home = replica.primary_region.clone().unwrap_or_default();
        let (account, here) = (ctx.account().as_str(), ctx.region.as_str());
        let found = self.load_at(account, &home, &replica.name).await?;
        let found = found.ok_or_else(crate::service::not_found)?;
        let mut primary = found.value;
        let ours = replica_arn(&primary.arn, here) == replica.arn;
        let state = primary.replicas.iter_mut().find(|r| r.region == here);
        let Some(state) = state.filter(|_| ours) else {
            return Err(crate::service::not_found());
        };
        state.kms_key_id.clone_from(key);
        state.status = ReplicaStatus::InProgress;
        state.message = None;
        let row = secret_row(account, &home, &primary.name);
        let put = self
            .tables
            .secrets
            .put(&row, &primary, Expect::Version(found.version));
        let writes = vec![
            enqueue_sync(account, &home, &primary),
            put.map_err(internal)?,
        ];
        match self.store.transact(writes).await {
            Ok(()) => Ok(true),
            Err(e) if e.is_conflict() => Ok(false),
            Err(e) => Err(internal(e)),
        }
    }
}

//! Replication to other Regions: what a primary records of its replicas, the rules shared by
//! the operations, and (in `sync`) the job that makes each replica follow its primary.
//!
//! A replica is a secret row of its own in (account, replica Region) under the primary's name,
//! with the primary's ARN in its Region (same name and suffix) and `primary_region` set, so the
//! ordinary reads serve it in its Region; every write to it is refused. Each change of a primary
//! that has replicas enqueues a sync item on [`REPLICATION_QUEUE`] in the change's transaction;
//! the `secretsmanager.replication` cluster job copies the primary to each replica, its values
//! re-sealed under a key of the replica's Region, and records each replica's status.

mod cross;
mod sync;

pub use cross::{name_in_arn, row_of_arn};
pub use sync::ReplicationJob;

use crate::generated::errors::invalid_parameter_exception;
use crate::generated::{ServiceError, StatusType};
use crate::policy::region_of;
use crate::record::SecretRecord;
use rampart_jobs::DueQueue;
use rampart_store::Write;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The queue of pending syncs (one item per change of a primary with replicas). A sync left
/// Failed by an unusable key is tried again after 2 s, doubling up to an hour, 16 times (some
/// ten hours) before the item is dead-lettered; the next change of the primary syncs anew.
pub const REPLICATION_QUEUE: DueQueue = DueQueue {
    max_attempts: 16,
    backoff: Duration::from_secs(2),
    ..DueQueue::named("secretsmanager_replication")
};

/// The StatusMessage of a replica in sync, as AWS words it.
pub const SYNCED: &str = "Replication succeeded";

/// Where a replica stands (Pending and Detached for replicas in another account only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplicaStatus {
    InProgress,
    InSync,
    Failed,
    Pending,
    Detached,
}

impl ReplicaStatus {
    /// The wire status.
    pub fn wire(self) -> StatusType {
        match self {
            ReplicaStatus::InProgress => StatusType::InProgress,
            ReplicaStatus::InSync => StatusType::InSync,
            ReplicaStatus::Failed => StatusType::Failed,
            ReplicaStatus::Pending => StatusType::Pending,
            ReplicaStatus::Detached => StatusType::Detached,
        }
    }
}

/// What a primary records of its replica in another account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossReplicaState {
    pub replica_arn: String,
    /// ReplicationRoleARN as AssociateCrossAccountReplica named it.
    pub role_arn: Option<String>,
    pub status: ReplicaStatus,
    pub message: Option<String>,
}

/// What a replica of another account's secret records of its primary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossPrimaryState {
    pub primary_arn: String,
    pub status: ReplicaStatus,
    pub message: Option<String>,
}

/// Whether a change of `record` is to be copied to replicas: it has replicas in other Regions
/// or an associated replica in another account.
pub fn has_replicas(record: &SecretRecord) -> bool {
    let linked = |r: &CrossReplicaState| r.status != ReplicaStatus::Detached;
    !record.replicas.is_empty() || record.cross_account_replicas.iter().any(linked)
}

/// What a primary records of one replica.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaState {
    /// The replica's Region.
    pub region: String,
    /// The key the replica is sealed under, as named; `None` for `aws/secretsmanager`.
    pub kms_key_id: Option<String>,
    pub status: ReplicaStatus,
    /// Why the replica failed, or [`SYNCED`].
    pub message: Option<String>,
    /// Whether a secret of the same name in that Region is overwritten
    /// (ForceOverwriteReplicaSecret).
    pub force_overwrite: bool,
}

impl ReplicaState {
    /// A replica being created in `region` under `kms_key_id`.
    pub fn new(region: String, kms_key_id: Option<String>, force_overwrite: bool) -> Self {
        ReplicaState {
            region,
            kms_key_id,
            status: ReplicaStatus::InProgress,
            message: None,
            force_overwrite,
        }
    }
}

/// One pending sync of the primary secret `name` of `account` in `region`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SyncItem {
    account: String,
    region: String,
    name: String,
    arn: String,
}

/// The write enqueueing a sync of `record`, the primary secret of `account` in `region`.
pub fn enqueue_sync(account: &str, region: &str, record: &SecretRecord) -> Write {
    let item = SyncItem {
        account: account.into(),
        region: region.into(),
        name: record.name.clone(),
        arn: record.arn.clone(),
    };
    Write::Enqueue {
        queue: REPLICATION_QUEUE.name,
        payload: serde_json::to_vec(&item).unwrap_or_default(),
        visible_at_ms: 0,
        dedup_key: None,
    }
}

/// The ARN of the replica in `region` of the secret whose ARN is `primary_arn`: the same ARN
/// with the replica's Region.
pub fn replica_arn(primary_arn: &str, region: &str) -> String {
    let mut parts: Vec<&str> = primary_arn.splitn(5, ':').collect();
    if let Some(slot) = parts.get_mut(3) {
        *slot = region;
    }
    parts.join(":")
}

/// InvalidParameterException for a write to a replica, as AWS answers it.
pub fn replica_refusal() -> ServiceError {
    invalid_parameter_exception(
        "Operation not permitted on a replica secret. Call must be made in primary secret's \
         region.",
    )
}

/// The StatusMessage of a replica whose Region holds another secret of the primary's name
/// (without ForceOverwriteReplicaSecret). Doubt: AWS documents the case ("Secret with this
/// name already exists in this region"), not one fixed wording.
pub fn sync_conflict_message(name: &str, region: &str) -> String {
    format!("Replication failed: Secret name {name} already exists in region {region}.")
}

/// Refuses a write to `record` when it is a replica.
pub fn refuse_replica(record: &SecretRecord) -> Result<(), ServiceError> {
    match record.primary_region {
        Some(_) => Err(replica_refusal()),
        None => Ok(()),
    }
}

/// The PrimaryRegion DescribeSecret and ListSecrets show (and the `primary-region` filter
/// reads): a replica's primary Region, a replicated primary's own; none for a secret that
/// takes no part in replication.
pub fn primary_region_of(record: &SecretRecord) -> Option<&str> {
    match &record.primary_region {
        Some(region) => Some(region),
        None if !record.replicas.is_empty() => Some(region_of(&record.arn)),
        None => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn replica_arns_keep_name_and_suffix() {
        let arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:a:b/c-AbCdEf";
        assert_eq!(
            replica_arn(arn, "eu-west-1"),
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a:b/c-AbCdEf"
        );
    }
}

//! What Secrets Manager keeps: one row per secret (its metadata, versions, labels and tags) in
//! the caller's account and Region, and one row per version holding its sealed value, so a
//! new version writes one small row instead of rewriting the whole history.

use crate::replication::{CrossPrimaryState, CrossReplicaState, ReplicaState};
use rampart_store::{Store, Table};
use serde::{Deserialize, Serialize};

/// Secret rows, keyed by [`secret_row`].
pub const SECRETS: &str = "secretsmanager_secrets";
/// Sealed version values, keyed by [`value_row`].
pub const VALUES: &str = "secretsmanager_values";

/// One secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SecretRecord {
    pub name: String,
    /// The ARN, ending with `-` and six random characters.
    pub arn: String,
    pub description: Option<String>,
    /// The customer key as the caller named it; `None` for `alias/aws/secretsmanager`.
    pub kms_key_id: Option<String>,
    pub created_ms: i64,
    pub last_changed_ms: i64,
    /// The last read of a value, truncated to the day.
    pub last_accessed_ms: Option<i64>,
    /// When DeleteSecret was called; `None` unless the secret is scheduled for deletion.
    /// Doubt: DescribeSecret's DeletedDate is taken to be this time (as the CLI shows it);
    /// DeleteSecret's DeletionDate is the end of the recovery window (`deletion_due_ms`).
    pub deleted_ms: Option<i64>,
    /// When the deletion job destroys the secret.
    pub deletion_due_ms: Option<i64>,
    /// Tags in the order they were added.
    pub tags: Vec<(String, String)>,
    /// Versions, oldest first.
    pub versions: Vec<VersionRecord>,
    /// The resource policy (JSON as PutResourcePolicy received it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_policy: Option<String>,
    // Replication (`crate::replication`).
    /// On a primary: its replicas in other Regions, in the order they were added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<ReplicaState>,
    /// On a replica: the Region of its primary (the replica is read-only while it is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_region: Option<String>,
    /// On a primary: its replica in another account of its Region (at most one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cross_account_replicas: Vec<CrossReplicaState>,
    /// On a replica of another account's secret: that primary and the replication status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_account_primary: Option<CrossPrimaryState>,
    /// Rotation: configuration, next window and the rotation in progress.
    #[serde(
        default,
        skip_serializing_if = "crate::rotation::state::RotationState::is_off"
    )]
    pub rotation: crate::rotation::state::RotationState,
}

/// One version; its sealed value is the [`ValueRecord`] at [`value_row`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionRecord {
    pub id: String,
    pub stages: Vec<String>,
    pub created_ms: i64,
    pub last_accessed_ms: Option<i64>,
    /// The ARN of the KMS key whose data key sealed the value.
    pub key_arn: String,
    /// Whether the value is a SecretBinary rather than a SecretString.
    pub binary: bool,
    /// The keys of the value's earlier sealings (see [`ValueRecord::earlier`]), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_keys: Vec<String>,
}

/// The sealed value of one version (see `seal`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ValueRecord {
    /// The ARN of the KMS key whose data key sealed the value.
    pub key_arn: String,
    /// The envelope, base64.
    pub sealed: String,
    /// The same value sealed under the secret's earlier keys: a key change re-seals the
    /// AWSCURRENT, AWSPENDING and AWSPREVIOUS versions and keeps their earlier sealings, so
    /// either key decrypts them (as AWS does).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<Sealing>,
}

/// A value sealed under one key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sealing {
    pub key_arn: String,
    pub sealed: String,
}

impl SecretRecord {
    /// The version with id `id`.
    pub fn version(&self, id: &str) -> Option<&VersionRecord> {
        self.versions.iter().find(|v| v.id == id)
    }

    /// The version carrying staging label `stage`.
    pub fn staged(&self, stage: &str) -> Option<&VersionRecord> {
        self.versions
            .iter()
            .find(|v| v.stages.iter().any(|s| s == stage))
    }
}

/// The row of secret `name` in `account`/`region`.
pub fn secret_row(account: &str, region: &str, name: &str) -> String {
    format!("{account}/{region}/{name}")
}

/// The row of version `version_id`'s value of the secret whose ARN is `arn` (names never hold
/// `#`, so [`values_prefix`] selects one secret's values only).
pub fn value_row(arn: &str, version_id: &str) -> String {
    format!("{}{version_id}", values_prefix(arn))
}

/// The row prefix of every value of the secret whose ARN is `arn`.
pub fn values_prefix(arn: &str) -> String {
    format!("{arn}#")
}

/// The row prefix of every secret of `account`/`region`.
pub fn scope_prefix(account: &str, region: &str) -> String {
    format!("{account}/{region}/")
}

/// The typed tables.
#[derive(Debug, Clone)]
pub struct Tables {
    pub secrets: Table<SecretRecord>,
    pub values: Table<ValueRecord>,
}

impl Tables {
    pub fn new(store: &Store) -> Tables {
        Tables {
            secrets: Table::new(store.clone(), SECRETS),
            values: Table::new(store.clone(), VALUES),
        }
    }
}

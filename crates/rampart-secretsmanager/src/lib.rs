//! Secrets Manager for Rampart: secrets with versions and staging labels, served from the
//! generated `secretsmanager` wire layer, with resource policies, rotation and replication.
//!
//! Rotation (`rotation`): RotateSecret stores the function and rules and starts a rotation;
//! the `secretsmanager.rotations` cluster job runs its four steps (createSecret, setSecret,
//! testSecret, finishSecret) through a built-in rotator (AWS rotation template names) or an
//! HTTP endpoint registered with `rampart rotation-function register`, committing progress in
//! the secret's record after each step so a restart resumes it, and records RotationStarted,
//! RotationSucceeded, RotationFailed and RotationAbandoned in the audit trail and on
//! EventBridge.
//!
//! Replication (`replication`): a replica in another Region is a read-only secret row of its
//! own there (same name and suffix, `PrimaryRegion` set), kept in sync by the
//! `secretsmanager.replication` cluster job from items every change of its primary enqueues
//! in its transaction; each value is opened as the owner in the primary's Region and sealed
//! again under a key of the replica's Region, and each replica reports InProgress, InSync or
//! Failed (with the reason, recovering on a later attempt). A replica in another account of
//! the same Region (cross-account replication) is created empty by that account, associated
//! by the primary's, and receives the primary's versions under its own customer key.
//!
//! Each version's value is sealed with AES-256-GCM under a fresh data key that KMS generates
//! as the caller, under the encryption context `{"SecretARN", "SecretVersionId"}`; the store
//! holds only the sealed value and the KMS ciphertext of its data key. Reading a value asks
//! KMS to decrypt that data key as the caller, so `kms:Decrypt` on the key is needed.

mod deletion;
pub mod generated;
mod ids;
pub mod labels;
mod module;
pub(crate) mod ops;
pub mod password;
pub mod policy;
mod record;
mod replication;
pub mod rotation;
mod seal;
mod service;

pub use module::{TABLES, module};
pub use service::SecretsManagerService;

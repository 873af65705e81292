//! Secrets Manager for Rampart: secrets with versions and staging labels, served from the
//! generated `secretsmanager` wire layer, with resource policies (rotation and replication
//! answer not-served for now).
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
mod ops;
pub mod password;
pub mod policy;
mod record;
mod replication;
pub mod rotation;
mod seal;
mod service;

pub use module::{TABLES, module};
pub use service::SecretsManagerService;

//! SSM Parameter Store for Rampart: hierarchical parameters with versions, labels, tags and
//! selectors, served from the generated `ssm` wire layer (only the Parameter Store operations;
//! every other SSM operation answers not-served).
//!
//! A `SecureString` value is encrypted through KMS as the caller, under the encryption context
//! `{"PARAMETER_ARN": <arn>}`; the store holds only the ciphertext. Reading it with decryption
//! asks KMS to decrypt as the caller, so `kms:Decrypt` on the key is needed.
//!
//! Storage (`record.rs`, `rows.rs`): a small parameter row (the latest version, the span of
//! kept versions, labels, tags) and one row per kept version, written together; a put costs
//! the parameter row and one version row whatever the history's length. Rows of the first
//! layout (versions inline) are still read, and move into version rows on their next write.

mod events;
pub mod generated;
mod module;
mod names;
mod ops;
mod policy_jobs;
mod record;
mod rows;
mod secure;
mod service;
mod token;

pub use module::{TABLES, module};
pub use service::SsmService;

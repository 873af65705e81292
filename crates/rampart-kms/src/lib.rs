//! AWS KMS service: symmetric keys, aliases, tags and key policies over `rampart-store`, with key
//! material only ever stored wrapped under the KMS domain key. Every request is authorized
//! (`authz`): key policy, the caller's IAM policies, grants, cross-account rules.

mod authz;
mod convert;
pub mod crypto;
pub mod domain;
pub mod generated;
pub mod jobs;
mod key_index;
mod module;
mod ops;
pub mod recipient;
mod schedule;
mod service;
pub mod store;
mod sweeper;
pub mod usage;

pub use sweeper::JobReport;

pub use authz::via::ViaServiceCall;
pub use module::module;
pub use service::KmsService;

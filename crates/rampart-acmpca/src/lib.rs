//! ACM Private CA for Rampart: root and subordinate CAs with real keys (RSA 2048/3072/4096,
//! EC P-256/P-384/P-521) sealed under the root key and never exported, CSRs, imported CA
//! certificates, issuance from AWS's templates (rcgen over aws-lc-rs), revocation records and
//! the DELETED restore window, resource policies enforced for other accounts on the actions a
//! CA shares, permissions for ACM (`acm_permitted`), and audit reports kept as the objects S3
//! would hold ([`audit_report`]). Served from the generated `acm-pca` wire layer over RPC v2
//! CBOR and JSON 1.1; CRLs and OCSP come later.

mod access;
mod acm_access;
mod api;
pub mod audit_report;
mod deletion;
pub mod generated;
mod keys;
mod module;
mod names;
mod ops;
mod parse;
mod record;
mod resource_policy;
mod service;
mod shared;
mod sign;
mod template;
mod validity;
mod verify;

pub use module::{TABLES, module};
pub use service::AcmPcaService;

//! ACM Private CA for Rampart: root and subordinate CAs with real keys (RSA 2048/3072/4096,
//! EC P-256/P-384/P-521) sealed under the root key and never exported, CSRs, imported CA
//! certificates, issuance from AWS's templates (rcgen over aws-lc-rs), revocation records and
//! the DELETED restore window. Served from the generated `acm-pca` wire layer over RPC v2 CBOR
//! and JSON 1.1; audit reports, permissions and policies answer not-served for now, and CRLs
//! and OCSP come later.

mod api;
mod deletion;
pub mod for_acm;
pub mod generated;
mod keys;
mod module;
mod names;
mod ops;
mod parse;
mod record;
mod service;
mod sign;
mod template;
mod validity;
mod verify;

pub use module::{TABLES, module};
pub use service::AcmPcaService;

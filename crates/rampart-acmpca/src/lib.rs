//! ACM Private CA for Rampart: root and subordinate CAs with real keys (RSA 2048/3072/4096,
//! EC P-256/P-384/P-521, ML-DSA-44/65/87) sealed under the root key and never exported, CSRs, imported CA
//! certificates, issuance from AWS's templates (rcgen over aws-lc-rs), revocation, the
//! DELETED restore window, resource policies enforced for other accounts on the actions a
//! CA shares, permissions for ACM (`acm_permitted`), and audit reports kept as the objects S3
//! would hold ([`audit_report`]). Served from the generated `acm-pca` wire layer over RPC v2
//! CBOR and JSON 1.1 (all 29 operations of the model). Multi-Region CAs (`multi_region`):
//! IAM_WORKLOAD_IDENTITY service-affiliated primaries, their replicas in other Regions and
//! their associations; [`workload`] issues the certificates AWS STS would ask for.
//!
//! Revocation as AWS runs it: `crl/` checks RevocationConfiguration, writes X.509 v2 CRLs
//! signed by the CA (30 minutes after a revocation, at once on configuration changes and
//! activation, refreshed before they expire, by the `acmpca.crls` cluster job) and keeps them
//! as the S3 objects AWS would write; issued certificates name the CRL and the OCSP responder;
//! `ocsp/` answers RFC 6960 requests signed with the CA key; `public.rs` serves both over plain
//! HTTP (a `PublicRoute`: S3-style CRL paths and hosts, AWS's OCSP host, custom CNAMEs and
//! `/_rampart/acm-pca/ocsp/<region>`).

mod access;
mod acm_access;
mod api;
pub mod audit_report;
mod ca_key;
mod crl;
mod deletion;
pub mod for_acm;
pub mod generated;
mod issuer;
mod keys;
mod module;
mod multi_region;
mod names;
mod ocsp;
mod ops;
mod parse;
mod public;
mod record;
mod resource_policy;
mod service;
mod shared;
mod sign;
mod template;
mod validity;
mod verify;
pub mod workload;

pub use module::{TABLES, module};
pub use service::AcmPcaService;

//! AWS CloudTrail: LookupEvents over the audit trail every Rampart service call writes.
//!
//! Event history is read straight from the store's append-only audit log, newest first, for
//! the caller's account and Region; see `scan` for how a page is found without reading more
//! than it needs.

pub mod generated;
mod module;
mod query;
mod record;
mod scan;
mod service;
mod token;

pub use module::module;
pub use service::CloudTrailService;

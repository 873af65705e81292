//! The served operations, one `impl <Operation> for AcmPcaService` each, grouped by area.

mod audit_report;
mod ca_cert;
mod certificate;
pub(crate) mod create;
pub(crate) mod describe;
mod issue;
pub(crate) mod lifecycle;
pub(crate) mod permissions;
mod policy;
pub(crate) mod tags;

//! The served operations, one `impl <Operation> for AcmPcaService` each, grouped by area.

pub(crate) mod associations;
mod audit_report;
mod ca_cert;
mod certificate;
pub(crate) mod create;
pub(crate) mod describe;
pub(crate) mod issue;
pub(crate) mod lifecycle;
pub(crate) mod permissions;
mod policy;
mod replicas;
pub(crate) mod tags;

//! The served operations, one `impl <Operation> for AcmPcaService` each, grouped by area.

mod ca_cert;
mod certificate;
pub(crate) mod create;
mod describe;
mod issue;
pub(crate) mod lifecycle;
pub(crate) mod tags;

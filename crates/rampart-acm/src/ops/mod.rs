//! The served operations, one `impl <Operation> for AcmService` each, grouped by area.

pub(crate) mod account;
mod acme_accounts;
mod acme_bindings;
mod acme_domains;
mod acme_endpoints;
mod delete;
mod export;
mod import;
pub(crate) mod list;
mod options;
mod organization;
mod private;
mod read;
mod renew;
mod request;
mod resend;
mod revoke;
mod search;
pub(crate) mod tags;
mod validations;

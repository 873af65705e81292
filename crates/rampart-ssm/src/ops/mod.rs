//! The Parameter Store operations, one file per concern.

mod delete;
mod describe;
mod filters;
mod get;
mod history;
mod labels;
mod path;
pub(crate) mod policies;
mod put;
mod reference;
mod settings;
mod tags;
mod tier;

/// Attempts at a compare-and-swap write before giving up.
const CAS_ATTEMPTS: usize = 8;

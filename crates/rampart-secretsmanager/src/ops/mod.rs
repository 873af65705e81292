//! The Secrets Manager operations, one file per concern.

mod batch;
mod batch_read;
mod create;
mod cross_account;
mod delete;
mod describe;
mod filters;
mod list;
mod policy;
mod put;
mod random;
mod replicate;
mod rotate;
mod stage;
mod tags;
mod value;
pub(crate) mod version;

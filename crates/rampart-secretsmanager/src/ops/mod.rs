//! The Secrets Manager operations, one file per concern.

mod batch;
mod create;
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

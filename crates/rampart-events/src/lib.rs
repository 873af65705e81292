//! EventBridge for Rampart: the default and custom buses, rules with event patterns
//! ([`pattern::Pattern`] parses a pattern once and matches events), targets, and delivery
//! through a store outbox ([`outbox::Delivery`] items, claimed by the delivery job).
//!
//! Other services publish with `rampart_module::publish` in the transaction of their change;
//! the module ingests those events onto the account's default bus.

mod access;
mod archive;
mod connection;
pub mod delivery;
pub mod generated;
pub mod ingest;
mod management_gate;
mod module;
mod ops;
pub mod outbox;
pub mod pattern;
mod route;
pub mod schedule;
pub mod scheduler;
mod service;
pub mod store;
pub mod transform;

pub use module::module;
pub use pattern::{Pattern, PatternError};
pub use route::DeliveryError;
pub use service::EventsService;

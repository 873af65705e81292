//! The EventBridge operations, one file per resource kind.

mod buses;
mod permissions;
pub(crate) mod put_events;
mod rules;
mod tags;
mod targets;
mod test_pattern;

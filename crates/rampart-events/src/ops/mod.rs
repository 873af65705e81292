//! The EventBridge operations, one file per resource kind.

mod api_destinations;
mod archives;
mod buses;
mod connections;
mod paging;
mod permissions;
pub(crate) mod put_events;
mod replays;
mod rules;
mod tags;
mod targets;
mod test_pattern;

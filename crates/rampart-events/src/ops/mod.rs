//! The EventBridge operations, one file per resource kind.

mod api_destinations;
mod archives;
mod connections;
mod paging;
mod replays;
mod test_pattern;

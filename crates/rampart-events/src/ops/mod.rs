//! The EventBridge operations, one file per resource kind.

mod api_destinations;
mod connections;
mod paging;
mod test_pattern;

//! The EventBridge operations, one file per resource kind.

mod test_pattern;

//! EventBridge for Rampart. For now the event-pattern engine: [`pattern::Pattern`] parses and
//! validates a pattern once (AWS's `InvalidEventPatternException` reasons) and matches events.

pub mod pattern;

pub use pattern::{Pattern, PatternError};

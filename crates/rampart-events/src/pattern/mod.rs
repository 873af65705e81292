//! Event patterns: the compiled form, parsing (`parse.rs`), matching (`matcher.rs`) and the
//! operators with state of their own (`numeric.rs`, `cidr.rs`, `wildcard.rs`, `text.rs`).
//!
//! Syntax and semantics follow AWS's EventBridge user guide, "Event patterns", "Arrays in
//! Amazon EventBridge event patterns", "Comparison operators for use in event patterns" and
//! "Content filtering in Amazon EventBridge event patterns".

mod cidr;
mod matcher;
mod numeric;
mod parse;
mod text;
mod wildcard;

use cidr::Cidr;
use numeric::Range;
use serde_json::Value;
use wildcard::Wildcard;

/// A pattern that PutRule / TestEventPattern refused, with AWS's reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// The pattern is not valid; the message is AWS's `InvalidEventPatternException` text,
    /// `Event pattern is not valid. Reason: <reason>`.
    #[error("Event pattern is not valid. Reason: {0}")]
    Invalid(String),
}

impl PatternError {
    /// The reason alone (the part after `Reason: `).
    pub fn reason(&self) -> &str {
        match self {
            PatternError::Invalid(reason) => reason,
        }
    }
}

/// An event pattern compiled once; [`Pattern::matches`] allocates nothing.
#[derive(Debug, Clone)]
pub struct Pattern {
    root: Object,
}

impl Pattern {
    /// Parses and validates a pattern given as JSON text.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        parse::parse(text).map(|root| Pattern { root })
    }

    /// Whether `event` (an EventBridge event as JSON) matches the pattern.
    pub fn matches(&self, event: &Value) -> bool {
        matcher::object_matches(&self.root, event.as_object())
    }
}

/// A pattern object: every field must match (AND) and, for each `$or`, one of its branches.
#[derive(Debug, Clone, Default)]
struct Object {
    fields: Vec<(String, Node)>,
    ors: Vec<Vec<Object>>,
}

/// What a pattern field holds: a nested object or the leaf's list of alternatives (OR).
#[derive(Debug, Clone)]
enum Node {
    Object(Object),
    Leaf(Vec<Matcher>),
}

/// A JSON scalar of a pattern, compared by exact matching and `anything-but`.
#[derive(Debug, Clone, PartialEq)]
enum Literal {
    String(String),
    Number(f64),
    Bool(bool),
    Null,
}

/// One alternative of a leaf.
#[derive(Debug, Clone)]
enum Matcher {
    Exact(Literal),
    Prefix(String),
    PrefixIgnoreCase(String),
    Suffix(String),
    SuffixIgnoreCase(String),
    EqualsIgnoreCase(String),
    Wildcard(Wildcard),
    Exists(bool),
    Numeric(Range),
    Cidr(Cidr),
    AnythingBut(Exclusion),
}

/// What an `anything-but` excludes.
#[derive(Debug, Clone)]
enum Exclusion {
    Values(Vec<Literal>),
    Prefix(Vec<String>),
    Suffix(Vec<String>),
    EqualsIgnoreCase(Vec<String>),
    Wildcard(Vec<Wildcard>),
}

//! SQL injection and cross-site scripting detectors behind WAF's SqliMatch and XssMatch statements.
//!
//! The input is the already-transformed field value (the engine applies TextTransformations
//! first). Pure functions, no I/O; the work is linear in the input's length.
//!
//! Both detectors follow libinjection's approach, in Rampart's own code: the SQL detector
//! tokenizes the input into typed tokens, folds them and matches token-type fingerprints of
//! injections ([`sqli`]); the XSS detector runs an HTML5-style tokenizer and flags dangerous
//! tags, attributes and URL schemes ([`xss`]).

mod sqli;
mod xss;

/// SqliMatch's `SensitivityLevel`: LOW flags fewer inputs (fewer false positives), HIGH more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sensitivity {
    #[default]
    Low,
    High,
}

/// True when `input` looks like a SQL injection attack at `sensitivity`.
pub fn is_sqli(input: &[u8], sensitivity: Sensitivity) -> bool {
    sqli::detect(input, sensitivity)
}

/// True when `input` looks like a cross-site scripting attack.
pub fn is_xss(input: &[u8]) -> bool {
    xss::detect(input)
}

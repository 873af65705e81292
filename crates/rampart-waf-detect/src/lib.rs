//! SQL injection and cross-site scripting detectors behind WAF's SqliMatch and XssMatch statements.
//!
//! The input is the already-transformed field value (the engine applies TextTransformations
//! first). Pure functions, no I/O, no allocation beyond small fixed buffers where possible.

/// SqliMatch's `SensitivityLevel`: LOW flags fewer inputs (fewer false positives), HIGH more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sensitivity {
    #[default]
    Low,
    High,
}

/// True when `input` looks like a SQL injection attack at `sensitivity`.
///
/// PLACEHOLDER until the detector lands (work in progress on a branch; never merged as is).
pub fn is_sqli(input: &[u8], sensitivity: Sensitivity) -> bool {
    let _ = (input, sensitivity);
    false
}

/// True when `input` looks like a cross-site scripting attack.
///
/// PLACEHOLDER until the detector lands (work in progress on a branch; never merged as is).
pub fn is_xss(input: &[u8]) -> bool {
    let _ = input;
    false
}

//! The error a rejected policy document produces, shaped like IAM's (`code` + `message`).

/// Error code IAM, STS and KMS use for a document that is not a valid policy.
pub const MALFORMED_POLICY_DOCUMENT: &str = "MalformedPolicyDocument";
/// Error code IAM uses when a policy exceeds a size quota.
pub const LIMIT_EXCEEDED: &str = "LimitExceeded";

/// A policy document was rejected: `code` is the AWS error code, `message` AWS's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct PolicyError {
    /// AWS error code, e.g. `MalformedPolicyDocument` or `LimitExceeded`.
    pub code: &'static str,
    /// Human-readable message, as AWS words it.
    pub message: String,
}

impl PolicyError {
    /// A `MalformedPolicyDocument` error with `message`.
    pub fn malformed(message: impl Into<String>) -> Self {
        PolicyError {
            code: MALFORMED_POLICY_DOCUMENT,
            message: message.into(),
        }
    }

    /// IAM's generic "Syntax errors in policy." rejection.
    pub fn syntax() -> Self {
        Self::malformed("Syntax errors in policy.")
    }

    /// A `LimitExceeded` error with `message`.
    pub fn limit(message: impl Into<String>) -> Self {
        PolicyError {
            code: LIMIT_EXCEEDED,
            message: message.into(),
        }
    }
}

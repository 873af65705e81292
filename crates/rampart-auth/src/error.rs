//! Authentication failures, each mapped to the AWS error code, HTTP status and message.

/// Why a request was not authenticated.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    MissingAuthenticationToken(String),
    #[error("{0}")]
    IncompleteSignature(String),
    #[error("{0}")]
    InvalidSignature(String),
    #[error("{0}")]
    UnrecognizedClient(String),
    #[error("{0}")]
    SignatureExpired(String),
}

impl AuthError {
    /// The AWS `__type` code for JSON protocols (e.g. `InvalidSignatureException`).
    pub fn code(&self) -> &'static str { unimplemented!() }
    /// HTTP status (400 or 403 as AWS answers).
    pub fn status(&self) -> u16 { unimplemented!() }
}

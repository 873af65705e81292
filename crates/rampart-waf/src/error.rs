//! Why a web ACL or rule group did not compile.

/// A web ACL or rule group the engine refuses, with a message the API can return as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CompileError {
    /// The JSON is not a valid configuration (`WAFInvalidParameterException`).
    #[error("{0}")]
    Invalid(String),
    /// A referenced resource does not exist (`WAFNonexistentItemException`).
    #[error("{0}")]
    NotFound(String),
}

impl CompileError {
    /// The message alone.
    pub fn message(&self) -> &str {
        match self {
            CompileError::Invalid(m) | CompileError::NotFound(m) => m,
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> CompileError {
        CompileError::Invalid(message.into())
    }
}

/// Shorthand for compile steps.
pub(crate) type Result<T> = std::result::Result<T, CompileError>;

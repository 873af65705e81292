//! `ServiceError`: an AWS error code, its message and its HTTP status.

use std::borrow::Cow;
use std::fmt;

/// An error answered to the client as `{"__type": code, "message": message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    /// AWS error code (`__type`), e.g. `NotFoundException`.
    pub code: Cow<'static, str>,
    /// Human-readable message; never contains secret values.
    pub message: String,
    /// HTTP status code.
    pub status: u16,
    /// Members of the error bound to response headers (restJson1 `httpHeader` members of the
    /// exception, e.g. `Retry-After`): sent as headers by `rest_error_response`; the other
    /// protocols carry no header-bound error members.
    pub headers: Vec<(&'static str, String)>,
    /// Further members of the error's body besides `message` (WAFv2's
    /// `WAFInvalidParameterException` carries `Field`, `Parameter` and `Reason`): written as
    /// string members of the JSON error body, in order.
    pub members: Vec<(&'static str, String)>,
}

impl ServiceError {
    /// An error with an explicit code, status and message.
    pub fn new(
        code: impl Into<Cow<'static, str>>,
        status: u16,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            status,
            headers: Vec::new(),
            members: Vec::new(),
        }
    }

    /// AccessDeniedException (HTTP 400) with the policy engine's message: how every JSON
    /// service answers a refused authorization.
    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new("AccessDeniedException", 400, message)
    }

    /// The error with header `name` set to `value` (a header-bound member of the exception).
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The error with body member `name` set to `value` (a modeled member of the exception
    /// besides its message).
    pub fn with_member(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.members.push((name, value.into()));
        self
    }

    /// `ValidationException` (400).
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new("ValidationException", 400, message)
    }

    /// `SerializationException` (400): the body could not be read as the operation's input.
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new("SerializationException", 400, message)
    }

    /// `UnknownOperationException` (400): the target names no operation of the service.
    pub fn unknown_operation() -> Self {
        Self::new("UnknownOperationException", 400, "")
    }

    /// `InternalFailure` (500) with a generic message; the caller logs the details.
    pub fn internal() -> Self {
        Self::new("InternalFailure", 500, "An internal error occurred.")
    }

    /// `UnsupportedOperationException` (400) for an operation Rampart does not implement yet.
    pub fn not_implemented(service: &str, operation: &str) -> Self {
        Self::new(
            "UnsupportedOperationException",
            400,
            format!("Rampart does not implement {service} operation {operation} yet."),
        )
    }

    /// True when the status is a server fault (5xx).
    pub fn is_server_fault(&self) -> bool {
        self.status >= 500
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            f.write_str(&self.code)
        } else {
            write!(f, "{}: {}", self.code, self.message)
        }
    }
}

impl std::error::Error for ServiceError {}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn constructors_set_code_and_status() {
        let e = ServiceError::validation("bad");
        assert_eq!(
            (e.code.as_ref(), e.status, e.message.as_str()),
            ("ValidationException", 400, "bad")
        );
        let e = ServiceError::serialization("x");
        assert_eq!((e.code.as_ref(), e.status), ("SerializationException", 400));
        let e = ServiceError::unknown_operation();
        assert_eq!(
            (e.code.as_ref(), e.status),
            ("UnknownOperationException", 400)
        );
        let e = ServiceError::internal();
        assert_eq!((e.code.as_ref(), e.status), ("InternalFailure", 500));
        assert_eq!(e.message, "An internal error occurred.");
        assert!(e.is_server_fault());
        let e = ServiceError::new(String::from("NotFoundException"), 400, "nope");
        assert_eq!(e.code, "NotFoundException");
    }

    #[test]
    fn not_implemented_names_service_and_operation() {
        let e = ServiceError::not_implemented("KMS", "Encrypt");
        assert_eq!(e.code, "UnsupportedOperationException");
        assert_eq!(e.status, 400);
        assert_eq!(
            e.message,
            "Rampart does not implement KMS operation Encrypt yet."
        );
    }

    #[test]
    fn display_shows_code_and_message() {
        assert_eq!(
            ServiceError::validation("m").to_string(),
            "ValidationException: m"
        );
        assert_eq!(
            ServiceError::unknown_operation().to_string(),
            "UnknownOperationException"
        );
    }
}

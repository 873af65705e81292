//! Authentication failures, each mapped to the AWS error code, HTTP status and message.

/// The message AWS sends when the computed and provided signatures differ.
pub(crate) const MSG_SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match \
the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service \
documentation for details.";

/// The message AWS sends for an unknown access key id.
pub(crate) const MSG_UNRECOGNIZED_CLIENT: &str =
    "The security token included in the request is invalid.";

/// The message AWS sends for a session token past its expiry.
pub(crate) const MSG_EXPIRED_TOKEN: &str = "The security token included in the request is expired";

/// The message AWS sends when a request carries no authentication at all.
pub(crate) const MSG_MISSING_TOKEN: &str = "Missing Authentication Token";

/// The message AWS sends for a presigned URL used after `X-Amz-Date + X-Amz-Expires`.
pub(crate) const MSG_REQUEST_EXPIRED: &str = "Request has expired";

/// Why a request was not authenticated. The `Display` text is the message shown to the client;
/// it never contains a secret (at most the access key id, scope and the provided signature).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// Neither an `Authorization` header nor presigned query parameters were sent.
    #[error("{0}")]
    MissingAuthenticationToken(String),
    /// The `Authorization` header or presigned query is missing parts or is malformed (a
    /// parameter repeated or unknown), or `SignedHeaders` names a header that was not sent.
    #[error("{0}")]
    IncompleteSignature(String),
    /// The signature does not match (or is not 64 lower-case hex digits over a canonical
    /// `SignedHeaders` list), the scope is wrong, `host`, the request date or `X-Amz-Target` is
    /// not signed, or the request carries two signatures (two `Authorization` headers, or one
    /// and a presigned query).
    #[error("{0}")]
    InvalidSignature(String),
    /// The access key id is unknown, or its session token is missing, forged or altered.
    #[error("{0}")]
    UnrecognizedClient(String),
    /// The session token (`X-Amz-Security-Token`) of temporary credentials has expired
    /// (query services answer `ExpiredToken`, 403).
    #[error("{0}")]
    ExpiredToken(String),
    /// The request time is more than 15 minutes away from the server's clock
    /// (AWS answers `InvalidSignatureException` "Signature expired: ...").
    #[error("{0}")]
    SignatureExpired(String),
    /// A presigned URL was used after its `X-Amz-Expires` lifetime (403 `AccessDenied`).
    #[error("{0}")]
    RequestExpired(String),
}

impl AuthError {
    /// The AWS `__type` code for JSON protocols (e.g. `InvalidSignatureException`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingAuthenticationToken(_) => "MissingAuthenticationTokenException",
            Self::IncompleteSignature(_) => "IncompleteSignatureException",
            Self::InvalidSignature(_) | Self::SignatureExpired(_) => "InvalidSignatureException",
            Self::UnrecognizedClient(_) => "UnrecognizedClientException",
            Self::ExpiredToken(_) => "ExpiredTokenException",
            Self::RequestExpired(_) => "AccessDeniedException",
        }
    }

    /// HTTP status (400 or 403 as AWS answers).
    pub fn status(&self) -> u16 {
        match self {
            Self::RequestExpired(_) => 403,
            _ => 400,
        }
    }

    /// No authentication information at all.
    pub(crate) fn missing_token() -> Self {
        Self::MissingAuthenticationToken(MSG_MISSING_TOKEN.to_owned())
    }

    /// The computed signature differs from the provided one.
    pub(crate) fn signature_mismatch() -> Self {
        Self::InvalidSignature(MSG_SIGNATURE_MISMATCH.to_owned())
    }

    /// The access key id is not known.
    /// `UnrecognizedClientException` for an access key id that is not known.
    pub fn unrecognized_client() -> Self {
        Self::UnrecognizedClient(MSG_UNRECOGNIZED_CLIENT.to_owned())
    }

    /// `ExpiredTokenException` for temporary credentials whose session token has expired.
    pub fn expired_token() -> Self {
        Self::ExpiredToken(MSG_EXPIRED_TOKEN.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses_match_aws() {
        let cases = [
            (
                AuthError::missing_token(),
                "MissingAuthenticationTokenException",
                400,
            ),
            (
                AuthError::IncompleteSignature(String::new()),
                "IncompleteSignatureException",
                400,
            ),
            (
                AuthError::signature_mismatch(),
                "InvalidSignatureException",
                400,
            ),
            (
                AuthError::unrecognized_client(),
                "UnrecognizedClientException",
                400,
            ),
            (
                AuthError::SignatureExpired(String::new()),
                "InvalidSignatureException",
                400,
            ),
            (
                AuthError::RequestExpired(String::new()),
                "AccessDeniedException",
                403,
            ),
            (AuthError::expired_token(), "ExpiredTokenException", 400),
        ];
        for (err, code, status) in cases {
            assert_eq!(err.code(), code);
            assert_eq!(err.status(), status);
        }
        assert_eq!(
            AuthError::missing_token().to_string(),
            "Missing Authentication Token"
        );
        assert_eq!(
            AuthError::expired_token().to_string(),
            "The security token included in the request is expired"
        );
    }
}

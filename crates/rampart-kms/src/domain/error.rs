//! The KMS domain error: one variant per AWS error code, carrying the exact AWS message.

/// A failure of a KMS operation, worded as AWS KMS words it. Messages never contain key
/// material or plaintext. `Internal` carries a diagnostic for the log only.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KmsError {
    /// `NotFoundException`: the key, alias or policy does not exist (or the id is malformed).
    #[error("NotFoundException: {0}")]
    NotFound(String),
    /// `DisabledException`: the key is disabled.
    #[error("DisabledException: {0}")]
    Disabled(String),
    /// `KMSInvalidStateException`: the key state does not allow the operation.
    #[error("KMSInvalidStateException: {0}")]
    InvalidState(String),
    /// `InvalidCiphertextException`: malformed, tampered or wrong-context ciphertext.
    #[error("InvalidCiphertextException")]
    InvalidCiphertext,
    /// `IncorrectKeyException`: the KeyId given does not match the ciphertext's key.
    #[error("IncorrectKeyException: {0}")]
    IncorrectKey(String),
    /// `InvalidKeyUsageException`: the key cannot be used this way.
    #[error("InvalidKeyUsageException: {0}")]
    InvalidKeyUsage(String),
    /// `AlreadyExistsException`: the alias already exists.
    #[error("AlreadyExistsException: {0}")]
    AlreadyExists(String),
    /// `ValidationException`: a parameter is invalid.
    #[error("ValidationException: {0}")]
    Validation(String),
    /// `NotAuthorizedException`: e.g. an `alias/aws/` alias name (AWS sends no message).
    #[error("NotAuthorizedException")]
    NotAuthorized,
    /// `TagException`: e.g. a reserved `aws:` tag key.
    #[error("TagException: {0}")]
    Tag(String),
    /// `LimitExceededException`: a quota was exceeded.
    #[error("LimitExceededException: {0}")]
    LimitExceeded(String),
    /// `InvalidMarkerException`: the pagination marker is not one Rampart issued.
    #[error("InvalidMarkerException: {0}")]
    InvalidMarker(String),
    /// `MalformedPolicyDocumentException`: the key policy is not a JSON policy document.
    #[error("MalformedPolicyDocumentException: {0}")]
    MalformedPolicy(String),
    /// `UnsupportedOperationException`: a feature Rampart (or AWS) does not support here.
    #[error("UnsupportedOperationException: {0}")]
    Unsupported(String),
    /// `DryRunOperationException`: the request would have succeeded.
    #[error("DryRunOperationException")]
    DryRun,
    /// `KMSInternalException`: storage or crypto fault. The text is logged, never shown.
    #[error("internal failure: {0}")]
    Internal(String),
    /// A compare-and-swap conflict: retried by last-writer-wins operations, and answered as
    /// `KMSInternalException` only if it outlasts the store's retry budget.
    #[error("concurrent modification: {0}")]
    Conflict(String),
    /// `KMSInvalidSignatureException`: Verify found the signature invalid (AWS sends no message).
    #[error("KMSInvalidSignatureException")]
    InvalidSignature,
    /// `KMSInvalidMacException`: VerifyMac found the MAC invalid (AWS sends no message).
    #[error("KMSInvalidMacException")]
    InvalidMac,
    /// `ExpiredImportTokenException`: the import token (and its wrapping key) has expired.
    #[error("ExpiredImportTokenException: {0}")]
    ExpiredImportToken(String),
    /// `InvalidImportTokenException`: the import token is not valid or is for another key.
    #[error("InvalidImportTokenException: {0}")]
    InvalidImportToken(String),
    /// `IncorrectKeyMaterialException`: imported material is invalid or not what was imported before.
    #[error("IncorrectKeyMaterialException: {0}")]
    IncorrectKeyMaterial(String),
    /// `AccessDeniedException`: e.g. changing the rotation of an AWS managed key.
    #[error("AccessDeniedException: {0}")]
    AccessDenied(String),
    /// `InvalidGrantTokenException`: a grant token is not one Rampart issued.
    #[error("InvalidGrantTokenException: {0}")]
    InvalidGrantToken(String),
    /// `InvalidGrantIdException`: a grant id is not well-formed.
    #[error("InvalidGrantIdException: {0}")]
    InvalidGrantId(String),
    /// `InvalidArnException`: an ARN (e.g. a grant's principal, or an alias where only keys are
    /// accepted) is not valid.
    #[error("InvalidArnException: {0}")]
    InvalidArn(String),
}

impl KmsError {
    /// The AWS error code (`__type`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "NotFoundException",
            Self::Disabled(_) => "DisabledException",
            Self::InvalidState(_) => "KMSInvalidStateException",
            Self::InvalidCiphertext => "InvalidCiphertextException",
            Self::IncorrectKey(_) => "IncorrectKeyException",
            Self::InvalidKeyUsage(_) => "InvalidKeyUsageException",
            Self::AlreadyExists(_) => "AlreadyExistsException",
            Self::Validation(_) => "ValidationException",
            Self::NotAuthorized => "NotAuthorizedException",
            Self::Tag(_) => "TagException",
            Self::LimitExceeded(_) => "LimitExceededException",
            Self::InvalidMarker(_) => "InvalidMarkerException",
            Self::MalformedPolicy(_) => "MalformedPolicyDocumentException",
            Self::Unsupported(_) => "UnsupportedOperationException",
            Self::DryRun => "DryRunOperationException",
            Self::Internal(_) | Self::Conflict(_) => "KMSInternalException",
            Self::InvalidSignature => "KMSInvalidSignatureException",
            Self::InvalidMac => "KMSInvalidMacException",
            Self::ExpiredImportToken(_) => "ExpiredImportTokenException",
            Self::InvalidImportToken(_) => "InvalidImportTokenException",
            Self::IncorrectKeyMaterial(_) => "IncorrectKeyMaterialException",
            Self::AccessDenied(_) => "AccessDeniedException",
            Self::InvalidGrantToken(_) => "InvalidGrantTokenException",
            Self::InvalidGrantId(_) => "InvalidGrantIdException",
            Self::InvalidArn(_) => "InvalidArnException",
        }
    }

    /// The message shown to the client (empty where AWS sends none; generic for internal faults).
    pub fn client_message(&self) -> String {
        match self {
            Self::NotFound(m)
            | Self::Disabled(m)
            | Self::InvalidState(m)
            | Self::IncorrectKey(m)
            | Self::InvalidKeyUsage(m)
            | Self::AlreadyExists(m)
            | Self::Validation(m)
            | Self::Tag(m)
            | Self::LimitExceeded(m)
            | Self::InvalidMarker(m)
            | Self::MalformedPolicy(m)
            | Self::Unsupported(m)
            | Self::ExpiredImportToken(m)
            | Self::InvalidImportToken(m)
            | Self::IncorrectKeyMaterial(m)
            | Self::AccessDenied(m)
            | Self::InvalidGrantToken(m)
            | Self::InvalidGrantId(m)
            | Self::InvalidArn(m) => m.clone(),
            Self::InvalidCiphertext
            | Self::NotAuthorized
            | Self::InvalidSignature
            | Self::InvalidMac => String::new(),
            Self::DryRun => {
                "The request would have succeeded, but the DryRun option is set.".into()
            }
            Self::Internal(_) | Self::Conflict(_) => "An internal error occurred.".into(),
        }
    }

    /// HTTP status: 500 for internal faults, 400 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            Self::Internal(_) | Self::Conflict(_) => 500,
            _ => 400,
        }
    }

    /// Whether this is a compare-and-swap conflict worth re-reading and retrying.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict(_))
    }

    /// `NotFoundException` for a key ARN that does not exist.
    pub fn key_not_found(arn: &str) -> Self {
        Self::NotFound(format!("Key '{arn}' does not exist"))
    }

    /// `NotFoundException` for an alias ARN that does not exist.
    pub fn alias_not_found(alias_arn: &str) -> Self {
        Self::NotFound(format!("Alias {alias_arn} is not found."))
    }

    /// `NotFoundException` for text that is not a key id at all.
    pub fn invalid_key_id(text: &str) -> Self {
        Self::NotFound(format!("Invalid keyId '{text}'"))
    }

    /// `InvalidMarkerException` for a marker Rampart did not issue.
    pub fn invalid_marker() -> Self {
        Self::InvalidMarker(
            "The request was rejected because the marker that specifies where pagination should \
             next begin is not valid."
                .into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages() {
        let e = KmsError::key_not_found("arn:aws:kms:us-east-1:000000000000:key/k");
        assert_eq!(e.code(), "NotFoundException");
        assert_eq!(
            e.client_message(),
            "Key 'arn:aws:kms:us-east-1:000000000000:key/k' does not exist"
        );
        assert_eq!(KmsError::InvalidCiphertext.client_message(), "");
        let internal = KmsError::Internal("disk on fire".into());
        assert_eq!(internal.status(), 500);
        assert!(!internal.client_message().contains("disk"));
        assert_eq!(
            KmsError::invalid_key_id("x").client_message(),
            "Invalid keyId 'x'"
        );
    }
}

//! What can go wrong encrypting or decrypting a message, in words that say what is wrong.

use std::io;

/// An encryption or decryption failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The message is not in the AWS Encryption SDK format, or is truncated.
    #[error("malformed message: {0}")]
    Malformed(&'static str),
    /// An algorithm suite id this library does not know.
    #[error("unsupported algorithm suite 0x{0:04x}")]
    UnsupportedSuite(u16),
    /// The commitment policy forbids the message's (or the requested) algorithm suite.
    #[error("the commitment policy {policy} does not allow algorithm suite 0x{suite:04x}")]
    CommitmentPolicy {
        /// The policy in force.
        policy: &'static str,
        /// The suite it refused.
        suite: u16,
    },
    /// The message's key commitment does not match its data key.
    #[error("key commitment does not match the data key")]
    Commitment,
    /// An authentication tag or signature did not verify: the message was altered or the key
    /// or encryption context is wrong.
    #[error("the message failed authentication: {0}")]
    Authentication(&'static str),
    /// No keyring could decrypt any of the message's encrypted data keys.
    #[error("no keyring could decrypt a data key of the message{0}")]
    NoDataKey(String),
    /// The message holds more encrypted data keys than allowed.
    #[error("the message has {found} encrypted data keys, more than the limit of {limit}")]
    TooManyDataKeys {
        /// Encrypted data keys in the message.
        found: usize,
        /// The configured maximum.
        limit: usize,
    },
    /// The encryption context is not acceptable (reserved key, too large, or a required key
    /// is missing or differs).
    #[error("encryption context: {0}")]
    Context(String),
    /// A keyring failed (for example the KMS call was refused).
    #[error("keyring: {0}")]
    Keyring(String),
    /// The caller used the API out of order or with bad parameters.
    #[error("{0}")]
    Usage(&'static str),
    /// A cryptographic primitive failed unexpectedly.
    #[error("cryptographic failure")]
    Crypto,
    /// Reading the input or writing the output failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl From<aws_lc_rs::error::Unspecified> for Error {
    fn from(_: aws_lc_rs::error::Unspecified) -> Self {
        Error::Crypto
    }
}

impl From<Error> for io::Error {
    fn from(err: Error) -> Self {
        match err {
            Error::Io(err) => err,
            other => io::Error::new(io::ErrorKind::InvalidData, other),
        }
    }
}

/// Result of this crate's operations.
pub type Result<T> = std::result::Result<T, Error>;

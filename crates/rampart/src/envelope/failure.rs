//! Why an encrypt or decrypt failed, in words for the user, and its exit code.

use rampart_esdk::Error;
use std::path::Path;

/// A failure with its exit status.
#[derive(Debug)]
pub struct Failure {
    /// The process exit code.
    pub code: u8,
    /// What went wrong.
    pub message: String,
}

/// Exit codes (documented in `rampart encrypt --help`).
pub mod code {
    /// Bad flags or files.
    pub const USAGE: u8 = 2;
    /// KMS refused (no permission, disabled or missing key) or could not be reached.
    pub const KMS: u8 = 3;
    /// No configured key can decrypt the message.
    pub const WRONG_KEY: u8 = 4;
    /// The message was altered (a tag, commitment or signature failed) or is not a message.
    pub const TAMPERED: u8 = 5;
    /// The encryption context is missing a required pair or differs.
    pub const CONTEXT: u8 = 6;
    /// The commitment policy forbids the algorithm suite.
    pub const POLICY: u8 = 7;
    /// Reading or writing a file failed.
    pub const IO: u8 = 8;
}

impl Failure {
    /// Bad usage.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: code::USAGE,
            message: message.into(),
        }
    }

    /// Bad usage reported by the library.
    pub fn usage_of(err: Error) -> Self {
        Self::usage(err.to_string())
    }

    /// An I/O failure on `path`.
    pub fn io(path: &Path, err: std::io::Error) -> Self {
        Self {
            code: code::IO,
            message: format!("{}: {err}", path.display()),
        }
    }

    /// A library error while processing `path`.
    pub fn of(path: &Path, err: Error) -> Self {
        let (code, what) = match &err {
            Error::Keyring(_) => (code::KMS, "the key service refused"),
            Error::NoDataKey(_) => (code::WRONG_KEY, "no key you named can decrypt it"),
            Error::Authentication(_)
            | Error::Commitment
            | Error::Malformed(_)
            | Error::UnsupportedSuite(_) => {
                (code::TAMPERED, "the message is damaged or was altered")
            }
            Error::Context(_) => (code::CONTEXT, "wrong encryption context"),
            Error::CommitmentPolicy { .. } => (code::POLICY, "refused"),
            Error::Io(_) => (code::IO, "I/O"),
            Error::TooManyDataKeys { .. } | Error::Usage(_) | Error::Crypto => {
                (code::USAGE, "refused")
            }
        };
        Self {
            code,
            message: format!("{}: {what} ({err})", path.display()),
        }
    }
}

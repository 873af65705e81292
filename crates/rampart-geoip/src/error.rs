//! Why a database file could not be loaded.

use std::path::PathBuf;

/// A database that could not be loaded; the message names the file and, where it applies, the
/// line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// No file was given.
    #[error("no database file given")]
    NoFiles,
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A line is not `start,end,value` with valid addresses and value.
    #[error("{path} line {line}: {reason}")]
    Line {
        /// The file.
        path: PathBuf,
        /// The line number, from 1.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// The file holds no range at all (only comments, blank or unknown-country lines).
    #[error("{path}: no address ranges (expected lines `start,end,value`)")]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

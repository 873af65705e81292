//! The AWS Encryption SDK message format in Rust: envelope encryption done by the client, so
//! the server never sees the plaintext. Writes message format 2 (key-committing suites) and
//! reads formats 1 and 2, framed and non-framed, streaming in both directions; raw AES, raw
//! RSA and multi-keyrings; the commitment policies of the SDKs.
//!
//! ```
//! use rampart_esdk::{DefaultCmm, EncryptOptions, DecryptOptions, keyring::raw_aes::RawAesKeyring};
//! let keyring = RawAesKeyring::new("my-namespace", "my-key", &[7u8; 32]).unwrap();
//! let cmm = DefaultCmm::new(keyring);
//! let message = rampart_esdk::encrypt(b"secret", &cmm, &EncryptOptions::default()).unwrap();
//! let (plaintext, _context) = rampart_esdk::decrypt(&message, &cmm, &DecryptOptions::default()).unwrap();
//! assert_eq!(plaintext, b"secret");
//! ```

pub mod body;
pub mod caching;
pub mod cmm;
pub mod context;
pub mod decrypt;
pub mod encrypt;
pub mod error;
pub mod header;
pub mod keyring;
pub mod keys;
pub mod kms;
pub mod materials;
pub mod signer;
pub mod suite;
mod wire;

pub use caching::{CacheLimits, CachingCmm};
pub use cmm::{DefaultCmm, EncryptionRequest, MaterialsManager};
pub use context::EncryptionContext;
pub use decrypt::{DecryptOptions, Decryptor, Streaming, decrypt};
pub use encrypt::{EncryptOptions, Encryptor, encrypt};
pub use error::{Error, Result};
pub use materials::{CommitmentPolicy, EncryptedDataKey, Keyring};
pub use suite::AlgorithmSuite;

#[cfg(test)]
mod tests;

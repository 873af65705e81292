//! Sealing the root key: key file (default), passphrase (Argon2id) or Shamir shares.

use crate::{CryptoError, root::RootKey};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// How the root key is sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SealMode { KeyFile, Passphrase, Shamir { shares: u8, threshold: u8 } }

/// The root key wrapped under the unseal key, plus what is needed to re-derive that key.
/// Safe to store in the database (no secret in it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SealedRoot { pub mode: SealMode, /* fields chosen by the implementation */ }

pub fn init_keyfile(_keyfile: &Path) -> Result<(RootKey, SealedRoot), CryptoError> { unimplemented!() }
pub fn unseal_keyfile(_sealed: &SealedRoot, _keyfile: &Path) -> Result<RootKey, CryptoError> { unimplemented!() }
pub fn init_passphrase(_passphrase: &str) -> Result<(RootKey, SealedRoot), CryptoError> { unimplemented!() }
pub fn unseal_passphrase(_sealed: &SealedRoot, _passphrase: &str) -> Result<RootKey, CryptoError> { unimplemented!() }
/// Returns the root key, its sealed form and `shares` printable share strings.
pub fn init_shamir(_shares: u8, _threshold: u8) -> Result<(RootKey, SealedRoot, Vec<String>), CryptoError> { unimplemented!() }

/// Collects Shamir shares until the threshold is reached.
pub struct ShamirUnsealer { _private: () }
impl ShamirUnsealer {
    pub fn new(_sealed: SealedRoot) -> Result<Self, CryptoError> { unimplemented!() }
    /// Adds one share; `Ok(Some(root))` once enough valid shares unseal the root key.
    pub fn add_share(&mut self, _share: &str) -> Result<Option<RootKey>, CryptoError> { unimplemented!() }
    /// (shares given so far, threshold)
    pub fn progress(&self) -> (usize, usize) { unimplemented!() }
}

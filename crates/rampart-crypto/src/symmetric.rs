//! KMS symmetric (SYMMETRIC_DEFAULT) ciphertext blobs: versioned, carrying the key id and the
//! backing-key version; a fresh key per call (HKDF from the backing key and a random salt);
//! AES-256-GCM with the canonical encryption context as associated data.

use crate::CryptoError;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// A KMS key's 256-bit backing key (one per rotation version).
pub struct BackingKey(pub(crate) Zeroizing<[u8; 32]>);

impl BackingKey {
    pub fn generate() -> Self { unimplemented!() }
    pub fn from_bytes(_bytes: &[u8]) -> Result<Self, CryptoError> { unimplemented!() }
    pub fn as_bytes(&self) -> &[u8] { unimplemented!() }
}

/// What the blob says about itself before decryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobHeader { pub key_id: String, pub backing_version: u32 }

pub fn encrypt(_key: &BackingKey, _header: &BlobHeader, _plaintext: &[u8], _context: &BTreeMap<String, String>) -> Vec<u8> { unimplemented!() }
pub fn parse_header(_blob: &[u8]) -> Result<BlobHeader, CryptoError> { unimplemented!() }
pub fn decrypt(_key: &BackingKey, _blob: &[u8], _context: &BTreeMap<String, String>) -> Result<Zeroizing<Vec<u8>>, CryptoError> { unimplemented!() }

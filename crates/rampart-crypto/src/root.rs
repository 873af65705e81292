//! The root key and the domain keys derived from it (HKDF-SHA256), and AEAD wrapping under them.

use crate::CryptoError;
use zeroize::Zeroizing;

/// Which part of Rampart a domain key protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain { Kms, Credentials, Secrets, Ssm, Acm, Audit }

/// The 256-bit root key. Never stored in plaintext; see `seal`.
pub struct RootKey(pub(crate) Zeroizing<[u8; 32]>);

impl RootKey {
    pub fn generate() -> Self { unimplemented!() }
    /// HKDF-SHA256(root, info = "rampart/domain/<name>/v1").
    pub fn domain_key(&self, _domain: Domain) -> DomainKey { unimplemented!() }
}

/// A 256-bit AES-GCM key for one domain.
pub struct DomainKey(pub(crate) Zeroizing<[u8; 32]>);

impl DomainKey {
    /// AES-256-GCM with a random nonce; `aad` binds the blob to its owner (e.g. key ARN + version).
    pub fn wrap(&self, _plaintext: &[u8], _aad: &[u8]) -> Vec<u8> { unimplemented!() }
    pub fn unwrap(&self, _blob: &[u8], _aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> { unimplemented!() }
}

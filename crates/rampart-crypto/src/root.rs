//! The root key and the domain keys derived from it (HKDF-SHA256), and AEAD wrapping under them.

use crate::{CryptoError, envelope, kdf, random};
use std::fmt;
use zeroize::Zeroizing;

/// Fixed HKDF salt for domain keys (the root key is already uniformly random).
const DOMAIN_SALT: &[u8] = b"rampart/root/domain-salt/v1";

/// Which part of Rampart a domain key protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    Kms,
    Credentials,
    Secrets,
    Ssm,
    Acm,
    Audit,
    /// The Rampart CA's private key, sealed in the store.
    Tls,
    /// EventBridge connections' secrets (API key values, passwords, OAuth client secrets).
    Events,
    /// API Gateway's API key values.
    ApiGateway,
    /// WAF tokens (`aws-waf-token` cookies the edge issues after a challenge).
    Waf,
}

impl Domain {
    /// The name used in the HKDF info string.
    pub fn name(self) -> &'static str {
        match self {
            Domain::Kms => "kms",
            Domain::Credentials => "credentials",
            Domain::Secrets => "secrets",
            Domain::Ssm => "ssm",
            Domain::Acm => "acm",
            Domain::Audit => "audit",
            Domain::Tls => "tls",
            Domain::Events => "events",
            Domain::ApiGateway => "apigateway",
            Domain::Waf => "waf",
        }
    }

    /// The HKDF info string: `rampart/domain/<name>/v1`.
    fn info(self) -> &'static [u8] {
        match self {
            Domain::Kms => b"rampart/domain/kms/v1",
            Domain::Credentials => b"rampart/domain/credentials/v1",
            Domain::Secrets => b"rampart/domain/secrets/v1",
            Domain::Ssm => b"rampart/domain/ssm/v1",
            Domain::Acm => b"rampart/domain/acm/v1",
            Domain::Audit => b"rampart/domain/audit/v1",
            Domain::Tls => b"rampart/domain/tls/v1",
            Domain::Events => b"rampart/domain/events/v1",
            Domain::ApiGateway => b"rampart/domain/apigateway/v1",
            Domain::Waf => b"rampart/domain/waf/v1",
        }
    }
}

/// The 256-bit root key. Never stored in plaintext; see `seal`.
pub struct RootKey(pub(crate) Zeroizing<[u8; 32]>);

impl RootKey {
    /// A fresh random root key.
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        random::fill(&mut key[..]);
        RootKey(key)
    }

    /// HKDF-SHA256(root, info = "rampart/domain/<name>/v1").
    pub fn domain_key(&self, domain: Domain) -> DomainKey {
        DomainKey(kdf::derive_32(DOMAIN_SALT, &self.0[..], &[domain.info()]))
    }
}

impl fmt::Debug for RootKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RootKey(<redacted>)")
    }
}

/// A 256-bit AES-GCM key for one domain.
pub struct DomainKey(pub(crate) Zeroizing<[u8; 32]>);

impl DomainKey {
    /// AES-256-GCM with a random nonce; `aad` binds the blob to its owner (e.g. key ARN + version).
    ///
    /// Output: `version(1) || nonce(12) || ciphertext || tag(16)`. The only failure AES-GCM has
    /// is a plaintext above ~64 GiB; wrapped values are keys and secrets far below that, so this
    /// ends the process in that case (see [`crate::fatal`]). Use [`DomainKey::try_wrap`] for
    /// plaintexts of unbounded size.
    pub fn wrap(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        match self.try_wrap(plaintext, aad) {
            Ok(blob) => blob,
            Err(_) => crate::fatal("AES-GCM refused to wrap a value"),
        }
    }

    /// Like [`DomainKey::wrap`], reporting an over-long plaintext as `CryptoError::Other`.
    pub fn try_wrap(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        envelope::seal(&kdf::aes256_gcm_key(&self.0), plaintext, aad)
    }

    /// HMAC-SHA256 of `data` under a key derived from this domain key for `label` (a keyed
    /// fingerprint: recognises a value again without storing it).
    pub fn mac(&self, label: &[u8], data: &[u8]) -> [u8; 32] {
        let derived = aws_lc_rs::hmac::sign(
            &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &self.0[..]),
            label,
        );
        let tag = aws_lc_rs::hmac::sign(
            &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, derived.as_ref()),
            data,
        );
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }

    /// Reverses [`DomainKey::wrap`]; `InvalidCiphertext` on a wrong `aad`, key or any tampering.
    pub fn unwrap(&self, blob: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        envelope::open(&kdf::aes256_gcm_key(&self.0), blob, aad)
    }
}

impl fmt::Debug for DomainKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DomainKey(<redacted>)")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const ALL: [Domain; 10] = [
        Domain::Kms,
        Domain::Credentials,
        Domain::Secrets,
        Domain::Ssm,
        Domain::Acm,
        Domain::Audit,
        Domain::Tls,
        Domain::Events,
        Domain::ApiGateway,
        Domain::Waf,
    ];

    #[test]
    fn info_strings_follow_the_naming_scheme() {
        for d in ALL {
            let expected = format!("rampart/domain/{}/v1", d.name());
            assert_eq!(d.info(), expected.as_bytes());
        }
    }

    #[test]
    fn domain_keys_are_deterministic_and_distinct() {
        let root = RootKey::generate();
        let keys: Vec<[u8; 32]> = ALL.iter().map(|d| *root.domain_key(*d).0).collect();
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(*root.domain_key(Domain::Kms).0, keys[0]);
        assert_ne!(*RootKey::generate().domain_key(Domain::Kms).0, keys[0]);
    }

    #[test]
    fn wrap_round_trips_and_binds_aad() {
        let root = RootKey::generate();
        let key = root.domain_key(Domain::Kms);
        let blob = key.wrap(b"backing key bytes", b"arn:aws:kms:...:key/1#1");
        assert_eq!(blob[0], 1);
        assert_eq!(blob.len(), 1 + 12 + 17 + 16);
        let plain = key.unwrap(&blob, b"arn:aws:kms:...:key/1#1").unwrap();
        assert_eq!(&plain[..], b"backing key bytes");
        let wrong_aad = key.unwrap(&blob, b"arn:aws:kms:...:key/1#2");
        assert!(matches!(wrong_aad, Err(CryptoError::InvalidCiphertext)));
        let other = root.domain_key(Domain::Secrets);
        assert!(other.unwrap(&blob, b"arn:aws:kms:...:key/1#1").is_err());
        let mut tampered = blob.clone();
        tampered[20] ^= 0x80;
        assert!(key.unwrap(&tampered, b"arn:aws:kms:...:key/1#1").is_err());
        assert_ne!(
            blob,
            key.wrap(b"backing key bytes", b"arn:aws:kms:...:key/1#1")
        );
    }

    #[test]
    fn debug_is_redacted() {
        let root = RootKey::generate();
        let shown = format!("{root:?} {:?}", root.domain_key(Domain::Audit));
        assert_eq!(shown, "RootKey(<redacted>) DomainKey(<redacted>)");
    }
}

//! HKDF-SHA256 helpers shared by the key hierarchy (fixed 32-byte outputs).

use aws_lc_rs::{aead, hkdf};
use zeroize::Zeroizing;

/// The HKDF output length used for every derived key: 32 bytes.
struct Len32;

impl hkdf::KeyType for Len32 {
    fn len(&self) -> usize {
        32
    }
}

/// HKDF-SHA256(salt, ikm, info) → 32 bytes.
pub(crate) fn derive_32(salt: &[u8], ikm: &[u8], info: &[&[u8]]) -> Zeroizing<[u8; 32]> {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(ikm);
    let mut out = Zeroizing::new([0u8; 32]);
    let filled = prk
        .expand(info, Len32)
        .and_then(|okm| okm.fill(&mut out[..]));
    if filled.is_err() {
        // Cannot happen: 32 bytes is far below HKDF-SHA256's 8160-byte limit.
        crate::fatal("HKDF-SHA256 expansion to 32 bytes failed");
    }
    out
}

/// HKDF-SHA256(salt, ikm, info) used directly as an AES-256-GCM key (no intermediate copy).
pub(crate) fn derive_aes256_gcm(salt: &[u8], ikm: &[u8], info: &[&[u8]]) -> aead::LessSafeKey {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(ikm);
    match prk.expand(info, &aead::AES_256_GCM) {
        Ok(okm) => aead::LessSafeKey::new(aead::UnboundKey::from(okm)),
        // Cannot happen: the AES-256-GCM key length (32) is within HKDF's limit.
        Err(_) => crate::fatal("HKDF-SHA256 expansion to an AES-256-GCM key failed"),
    }
}

/// An AES-256-GCM key from 32 raw bytes.
pub(crate) fn aes256_gcm_key(key: &[u8; 32]) -> aead::LessSafeKey {
    match aead::UnboundKey::new(&aead::AES_256_GCM, key) {
        Ok(unbound) => aead::LessSafeKey::new(unbound),
        // Cannot happen: the key is exactly AES-256's length.
        Err(_) => crate::fatal("AES-256-GCM rejected a 32-byte key"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// RFC 5869 test case 1 (first 32 bytes of the 42-byte OKM).
    #[test]
    fn derive_32_matches_rfc5869() {
        let ikm = [0x0bu8; 22];
        let salt: Vec<u8> = (0x00..=0x0c).collect();
        let info: Vec<u8> = (0xf0..=0xf9).collect();
        let okm = derive_32(&salt, &ikm, &[&info]);
        let expected = [
            0x3c, 0xb2, 0x5f, 0x25, 0xfa, 0xac, 0xd5, 0x7a, 0x90, 0x43, 0x4f, 0x64, 0xd0, 0x36,
            0x2f, 0x2a, 0x2d, 0x2d, 0x0a, 0x90, 0xcf, 0x1a, 0x5a, 0x4c, 0x5d, 0xb0, 0x2d, 0x56,
            0xec, 0xc4, 0xc5, 0xbf,
        ];
        assert_eq!(*okm, expected);
    }
}

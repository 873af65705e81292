//! The AES-256-GCM envelope used for wrapped keys: `version(1) || nonce(12) || ct || tag(16)`.
//!
//! Used by domain keys (key material at rest) and by sealing (the root key under the unseal
//! key). The caller's associated data binds the envelope to its owner.

use crate::{CryptoError, random};
use aws_lc_rs::aead::{Aad, LessSafeKey, NONCE_LEN, Nonce};
use zeroize::Zeroizing;

/// Current envelope format version.
const VERSION: u8 = 1;
/// AES-GCM tag length.
const TAG_LEN: usize = 16;
/// Bytes before the ciphertext.
const HEADER_LEN: usize = 1 + NONCE_LEN;

/// Encrypts `plaintext` with a fresh random nonce.
///
/// # Errors
/// `CryptoError::Other` only if the plaintext exceeds AES-GCM's limit (about 64 GiB).
pub(crate) fn seal(
    key: &LessSafeKey,
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let nonce_bytes: [u8; NONCE_LEN] = random::array();
    let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
    out.push(VERSION);
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(plaintext);
    let nonce = Nonce::assume_unique_for_key(nonce_bytes);
    let tag = key
        .seal_in_place_separate_tag(nonce, Aad::from(aad), &mut out[HEADER_LEN..])
        .map_err(|_| CryptoError::Other("plaintext too long for AES-GCM".into()))?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// Decrypts an envelope made by [`seal`] with the same key and `aad`.
///
/// # Errors
/// `CryptoError::InvalidCiphertext` when the envelope is truncated, has an unknown version,
/// was tampered with, or the key or `aad` differ.
pub(crate) fn open(
    key: &LessSafeKey,
    blob: &[u8],
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if blob.len() < HEADER_LEN + TAG_LEN || blob[0] != VERSION {
        return Err(CryptoError::InvalidCiphertext);
    }
    let nonce = Nonce::try_assume_unique_for_key(&blob[1..HEADER_LEN])
        .map_err(|_| CryptoError::InvalidCiphertext)?;
    let mut buf = Zeroizing::new(blob[HEADER_LEN..].to_vec());
    let plain_len = key
        .open_in_place(nonce, Aad::from(aad), &mut buf)
        .map_err(|_| CryptoError::InvalidCiphertext)?
        .len();
    buf.truncate(plain_len);
    Ok(buf)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::kdf::aes256_gcm_key;

    #[test]
    fn round_trip_and_rejections() {
        let key = aes256_gcm_key(&[7u8; 32]);
        let blob = seal(&key, b"secret", b"owner").unwrap();
        assert_eq!(blob.len(), HEADER_LEN + 6 + TAG_LEN);
        assert_eq!(*open(&key, &blob, b"owner").unwrap(), b"secret");
        assert!(open(&key, &blob, b"other").is_err());
        assert!(open(&key, &blob[..blob.len() - 1], b"owner").is_err());
        assert!(open(&aes256_gcm_key(&[8u8; 32]), &blob, b"owner").is_err());
        for i in 0..blob.len() {
            let mut bad = blob.clone();
            bad[i] ^= 0x01;
            assert!(open(&key, &bad, b"owner").is_err(), "byte {i}");
        }
        assert!(open(&key, &[], b"owner").is_err());
    }
}

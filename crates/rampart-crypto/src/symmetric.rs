//! KMS symmetric (SYMMETRIC_DEFAULT) ciphertext blobs: versioned, carrying the key id and the
//! backing-key version; a fresh key per call (HKDF from the backing key and a random salt);
//! AES-256-GCM with the canonical encryption context as associated data.
//!
//! Blob layout (all integers big-endian):
//!
//! ```text
//! 0x01 | key_id_len u8 | key_id (UTF-8) | backing_version u32 | salt [16] | nonce [12] |
//! AES-256-GCM ciphertext | tag [16]
//! ```
//!
//! The per-call key is HKDF-SHA256(ikm = backing key, salt, info = "rampart/kms/symmetric/v1").
//! The associated data is every byte before the ciphertext (format byte, key id, version, salt
//! and nonce) followed by the canonical encryption context: entries in key byte order, each key
//! and value prefixed by its length as u32 — exact and case-sensitive.

use crate::{CryptoError, kdf, random};
use aws_lc_rs::aead::{Aad, NONCE_LEN, Nonce};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use zeroize::Zeroizing;

/// Format byte of the current blob version.
const FORMAT_V1: u8 = 0x01;
/// HKDF info for the per-call key.
const INFO: &[u8] = b"rampart/kms/symmetric/v1";
const SALT_LEN: usize = 16;
const TAG_LEN: usize = 16;
/// Fixed bytes around the key id: format, id length, version, salt, nonce.
const FIXED_HEADER_LEN: usize = 1 + 1 + 4 + SALT_LEN + NONCE_LEN;

/// A KMS key's 256-bit backing key (one per rotation version).
pub struct BackingKey(pub(crate) Zeroizing<[u8; 32]>);

impl BackingKey {
    /// A fresh random backing key.
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        random::fill(&mut key[..]);
        BackingKey(key)
    }

    /// A backing key from its 32 raw bytes (e.g. just unwrapped from storage).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let mut key = Zeroizing::new([0u8; 32]);
        if bytes.len() != key.len() {
            return Err(CryptoError::Other(
                "a backing key must be exactly 32 bytes".into(),
            ));
        }
        key.copy_from_slice(bytes);
        Ok(BackingKey(key))
    }

    /// The raw key bytes (to be wrapped under the KMS domain key before storage).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0[..]
    }
}

impl fmt::Debug for BackingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BackingKey(<redacted>)")
    }
}

/// What the blob says about itself before decryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobHeader {
    pub key_id: String,
    pub backing_version: u32,
}

/// The positions of a blob's parts, after structural validation.
struct Layout<'a> {
    key_id: &'a str,
    backing_version: u32,
    salt: &'a [u8],
    nonce: &'a [u8],
    /// Offset of the ciphertext: everything before it is authenticated header.
    body_start: usize,
}

impl<'a> Layout<'a> {
    fn parse(blob: &'a [u8]) -> Result<Self, CryptoError> {
        let (&format, rest) = blob.split_first().ok_or(CryptoError::InvalidCiphertext)?;
        let (&id_len, rest) = rest.split_first().ok_or(CryptoError::InvalidCiphertext)?;
        let id_len = usize::from(id_len);
        if format != FORMAT_V1 || id_len == 0 || blob.len() < FIXED_HEADER_LEN + id_len + TAG_LEN {
            return Err(CryptoError::InvalidCiphertext);
        }
        let (id, rest) = rest.split_at(id_len);
        let key_id = std::str::from_utf8(id).map_err(|_| CryptoError::InvalidCiphertext)?;
        let (version, rest) = rest.split_at(4);
        let (salt, rest) = rest.split_at(SALT_LEN);
        let nonce = &rest[..NONCE_LEN];
        let mut version_bytes = [0u8; 4];
        version_bytes.copy_from_slice(version);
        Ok(Layout {
            key_id,
            backing_version: u32::from_be_bytes(version_bytes),
            salt,
            nonce,
            body_start: FIXED_HEADER_LEN + id_len,
        })
    }
}

/// Encrypts `plaintext` under a fresh key derived from `key`, binding `header` and `context`.
///
/// `header.key_id` must be 1..=255 bytes (a key id or ARN always is); a violation, like a
/// plaintext above AES-GCM's ~64 GiB limit, is a caller bug that ends the process (see
/// [`crate::fatal`]). Use [`try_encrypt`] to get those as errors instead.
pub fn encrypt(
    key: &BackingKey,
    header: &BlobHeader,
    plaintext: &[u8],
    context: &BTreeMap<String, String>,
) -> Vec<u8> {
    match try_encrypt(key, header, plaintext, context) {
        Ok(blob) => blob,
        Err(_) => crate::fatal("symmetric encrypt called with an invalid key id or plaintext"),
    }
}

/// [`encrypt`], reporting an empty or over-long key id (or an impossible plaintext size) as
/// `CryptoError::Other`.
pub fn try_encrypt(
    key: &BackingKey,
    header: &BlobHeader,
    plaintext: &[u8],
    context: &BTreeMap<String, String>,
) -> Result<Vec<u8>, CryptoError> {
    let id = header.key_id.as_bytes();
    let id_len = u8::try_from(id.len())
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| CryptoError::Other("key id must be 1 to 255 bytes".into()))?;
    let body_start = FIXED_HEADER_LEN + id.len();
    let mut out = Vec::with_capacity(body_start + plaintext.len() + TAG_LEN);
    out.extend_from_slice(&[FORMAT_V1, id_len]);
    out.extend_from_slice(id);
    out.extend_from_slice(&header.backing_version.to_be_bytes());
    let salt_and_nonce: [u8; SALT_LEN + NONCE_LEN] = random::array();
    out.extend_from_slice(&salt_and_nonce);
    out.extend_from_slice(plaintext);

    let (salt, nonce) = salt_and_nonce.split_at(SALT_LEN);
    let sealing = kdf::derive_aes256_gcm(salt, &key.0[..], &[INFO]);
    let nonce =
        Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptoError::InvalidCiphertext)?;
    let (head, body) = out.split_at_mut(body_start);
    let aad = associated_data(head, context)?;
    let tag = sealing
        .seal_in_place_separate_tag(nonce, Aad::from(aad), body)
        .map_err(|_| CryptoError::Other("plaintext too long for AES-GCM".into()))?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// Reads the key id and backing-key version without decrypting.
///
/// # Errors
/// `InvalidCiphertext` when the blob is not a structurally valid v1 blob (wrong format byte,
/// truncated, non-UTF-8 key id). Passing this check does not mean the blob is authentic.
pub fn parse_header(blob: &[u8]) -> Result<BlobHeader, CryptoError> {
    let layout = Layout::parse(blob)?;
    Ok(BlobHeader {
        key_id: layout.key_id.to_owned(),
        backing_version: layout.backing_version,
    })
}

/// Decrypts a blob made by [`encrypt`] with the same backing key and encryption context.
///
/// # Errors
/// `InvalidCiphertext` on any mismatch: wrong key or context, any tampered byte, truncation.
pub fn decrypt(
    key: &BackingKey,
    blob: &[u8],
    context: &BTreeMap<String, String>,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let layout = Layout::parse(blob)?;
    let opening = kdf::derive_aes256_gcm(layout.salt, &key.0[..], &[INFO]);
    let nonce = Nonce::try_assume_unique_for_key(layout.nonce)
        .map_err(|_| CryptoError::InvalidCiphertext)?;
    let (head, body) = blob.split_at(layout.body_start);
    let aad = associated_data(head, context).map_err(|_| CryptoError::InvalidCiphertext)?;
    let mut buf = Zeroizing::new(body.to_vec());
    let plain_len = opening
        .open_in_place(nonce, Aad::from(aad), &mut buf)
        .map_err(|_| CryptoError::InvalidCiphertext)?
        .len();
    buf.truncate(plain_len);
    Ok(buf)
}

/// `head || canonical(context)`; borrows `head` when there is no context (the common case).
fn associated_data<'h>(
    head: &'h [u8],
    context: &BTreeMap<String, String>,
) -> Result<Cow<'h, [u8]>, CryptoError> {
    if context.is_empty() {
        return Ok(Cow::Borrowed(head));
    }
    let encoded_len: usize = context.iter().map(|(k, v)| 8 + k.len() + v.len()).sum();
    let mut aad = Vec::with_capacity(head.len() + encoded_len);
    aad.extend_from_slice(head);
    for (k, v) in context {
        push_length_prefixed(&mut aad, k.as_bytes())?;
        push_length_prefixed(&mut aad, v.as_bytes())?;
    }
    Ok(Cow::Owned(aad))
}

fn push_length_prefixed(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), CryptoError> {
    let len = u32::try_from(bytes.len())
        .map_err(|_| CryptoError::Other("encryption context entry too long".into()))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "symmetric_tests.rs"]
mod tests;

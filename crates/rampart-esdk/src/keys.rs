//! Key derivation (identity, HKDF, and the committing suites' derive and commit keys) and the
//! header authentication tag.

use crate::error::{Error, Result};
use crate::suite::{AlgorithmSuite, IV_LEN, Kdf, TAG_LEN};
use aws_lc_rs::{aead, constant_time, hkdf};
use zeroize::Zeroizing;

/// Bytes of the commit key in format 2 headers.
const COMMIT_KEY_LEN: usize = 32;

/// The key that encrypts the header tag and the body, derived from the data key.
pub struct DerivedKey {
    key: aead::LessSafeKey,
}

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-Expand of `prk` for `info` into `len` bytes.
fn expand(prk: &hkdf::Prk, info: &[&[u8]], len: usize) -> Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    prk.expand(info, Len(len))?.fill(&mut out)?;
    Ok(out)
}

/// The extract step: the salt is the message id for committing suites, zeros otherwise
/// (HKDF's empty salt is the hash length of zeros).
fn extract(
    suite: AlgorithmSuite,
    algorithm: hkdf::Algorithm,
    data_key: &[u8],
    message_id: &[u8],
) -> hkdf::Prk {
    let salt = if suite.is_committing() {
        message_id
    } else {
        &[]
    };
    hkdf::Salt::new(algorithm, salt).extract(data_key)
}

/// The commit key of a committing suite's message (its header's suite data).
pub fn commit_key(suite: AlgorithmSuite, data_key: &[u8], message_id: &[u8]) -> Result<Vec<u8>> {
    let Some(algorithm) = suite.hkdf().filter(|_| suite.is_committing()) else {
        return Ok(Vec::new());
    };
    let prk = extract(suite, algorithm, data_key, message_id);
    Ok(expand(&prk, &[b"COMMITKEY"], COMMIT_KEY_LEN)?.to_vec())
}

/// Checks a message's commit key in constant time.
pub fn verify_commitment(
    suite: AlgorithmSuite,
    data_key: &[u8],
    message_id: &[u8],
    stored: &[u8],
) -> Result<()> {
    if !suite.is_committing() {
        return Ok(());
    }
    let expected = commit_key(suite, data_key, message_id)?;
    constant_time::verify_slices_are_equal(&expected, stored).map_err(|_| Error::Commitment)
}

impl DerivedKey {
    /// Derives the encryption key of `suite` for the message `message_id`.
    pub fn derive(suite: AlgorithmSuite, data_key: &[u8], message_id: &[u8]) -> Result<Self> {
        let id = suite.id().to_be_bytes();
        let bytes = match suite.hkdf() {
            None => Zeroizing::new(data_key.to_vec()),
            Some(algorithm) => {
                let prk = extract(suite, algorithm, data_key, message_id);
                let info: [&[u8]; 2] = if suite.is_committing() {
                    [&id, b"DERIVEKEY"]
                } else {
                    [&id, message_id]
                };
                expand(&prk, &info, suite.key_len())?
            }
        };
        debug_assert!(suite.kdf() != Kdf::Identity || bytes.len() == suite.key_len());
        let unbound = aead::UnboundKey::new(suite.aead(), &bytes)?;
        Ok(Self {
            key: aead::LessSafeKey::new(unbound),
        })
    }

    /// Encrypts `in_out` in place under `iv` and `aad`, answering the tag.
    pub fn seal(&self, iv: [u8; IV_LEN], aad: &[u8], in_out: &mut [u8]) -> Result<[u8; TAG_LEN]> {
        let nonce = aead::Nonce::assume_unique_for_key(iv);
        let tag = self
            .key
            .seal_in_place_separate_tag(nonce, aead::Aad::from(aad), in_out)?;
        let mut out = [0u8; TAG_LEN];
        out.copy_from_slice(tag.as_ref());
        Ok(out)
    }

    /// Decrypts `sealed` (ciphertext followed by its tag) in place, answering the plaintext
    /// length; fails with an authentication error naming `what`.
    pub fn open(
        &self,
        iv: [u8; IV_LEN],
        aad: &[u8],
        sealed: &mut [u8],
        what: &'static str,
    ) -> Result<usize> {
        let nonce = aead::Nonce::assume_unique_for_key(iv);
        self.key
            .open_in_place(nonce, aead::Aad::from(aad), sealed)
            .map(|plain| plain.len())
            .map_err(|_| Error::Authentication(what))
    }
}

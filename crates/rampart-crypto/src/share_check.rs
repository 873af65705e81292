//! Share commitments: one keyed hash per Shamir share index, stored in the seal record, so each
//! share offered to a sealed server can be checked on its own.
//!
//! `commitment(i) = HMAC-SHA256(salt, "rampart/seal/share-commitment/v1" || i || y_i)` where
//! `y_i` are the share's 32 bytes and `salt` is 32 random bytes drawn when the store is
//! initialised (so commitments of two stores, or two seals of one store, are unrelated and
//! nothing can be precomputed).
//!
//! Why storing them reveals nothing useful: the unseal key is 32 uniformly random bytes and the
//! polynomial's other coefficients are uniformly random, so each share is uniformly random and
//! any `threshold - 1` shares are independent of every other share. A commitment therefore only
//! lets someone confirm a guess of a full 256-bit share, which is no easier than guessing the
//! unseal key itself — and the record already holds an equivalent check of that key
//! (`kek_check`) and the root key wrapped under it. An operator holding fewer than `threshold`
//! shares still faces 2^256 candidates for any other share. With 1-of-1 the share is the key
//! and its commitment is one more keyed hash of it, like `kek_check`.

use crate::seal_record::Digest;
use crate::shamir::ParsedShare;
use crate::{CryptoError, random};
use aws_lc_rs::hmac;
use serde::{Deserialize, Serialize};

/// Domain-separation label of share commitments (version 1).
const LABEL: &[u8] = b"rampart/seal/share-commitment/v1";
/// Length of the per-store salt.
const SALT_LEN: usize = 32;

/// The salt and one commitment per share index (position `i - 1` holds index `i`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ShareCheck {
    salt: Digest,
    commitments: Vec<Digest>,
}

impl ShareCheck {
    /// Commitments to `shares`, which must be the shares with indices `1..=shares.len()` in
    /// order (as [`crate::shamir::split`] returns them); anything else is refused, since a
    /// misplaced commitment would refuse the real share of its index.
    pub(crate) fn new<'a>(
        shares: impl IntoIterator<Item = &'a ParsedShare>,
    ) -> Result<Self, CryptoError> {
        let salt = random::bytes(SALT_LEN);
        let key = hmac::Key::new(hmac::HMAC_SHA256, &salt);
        let mut commitments = Vec::new();
        for (position, share) in shares.into_iter().enumerate() {
            if usize::from(share.index) != position + 1 {
                return Err(CryptoError::Other("shares out of index order".into()));
            }
            let tag = hmac::sign(&key, &message(share));
            commitments.push(Digest(tag.as_ref().to_vec()));
        }
        Ok(ShareCheck {
            salt: Digest(salt),
            commitments,
        })
    }

    /// How many share indices have a commitment.
    pub(crate) fn len(&self) -> usize {
        self.commitments.len()
    }

    /// Whether `share` is the share committed to at its index (constant-time comparison).
    pub(crate) fn verify(&self, share: &ParsedShare) -> bool {
        let Some(expected) = usize::from(share.index)
            .checked_sub(1)
            .and_then(|i| self.commitments.get(i))
        else {
            return false;
        };
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.salt.0);
        hmac::verify(&key, &message(share), &expected.0).is_ok()
    }
}

/// `label || index || y values`; zeroized on drop (it contains the share).
fn message(share: &ParsedShare) -> zeroize::Zeroizing<Vec<u8>> {
    let bytes = share.bytes();
    let mut msg = zeroize::Zeroizing::new(Vec::with_capacity(LABEL.len() + bytes.len()));
    msg.extend_from_slice(LABEL);
    msg.extend_from_slice(&bytes);
    msg
}

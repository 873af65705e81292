//! Collecting Shamir shares on a sealed server.
//!
//! With a seal record that has share commitments, each share is verified on its own: a forged
//! or mistyped share is refused and changes nothing, and the verified shares are kept until
//! `threshold` of them open the root key. A record from before commitments cannot tell a real
//! share from a forged one, so the unsealer keeps up to [`LEGACY_PER_INDEX`] candidates per
//! index and, on each new share, tries the sets of `threshold` candidates with distinct indices
//! that include it; once a set opens the root key it evaluates the sharing polynomial at every
//! index and returns the record with commitments, to be stored in place of the old one.

use crate::CryptoError;
use crate::root::RootKey;
use crate::seal::{self, KEY_LEN, SealMode, SealedRoot};
use crate::shamir::{self, ParsedShare};
use crate::share_check::ShareCheck;
use zeroize::Zeroizing;

/// Candidate shares kept per index for a record without commitments (oldest dropped first, so
/// an operator can always offer a real share again after forgeries for its index).
pub const LEGACY_PER_INDEX: usize = 3;
/// Share sets tried after one offered share, for a record without commitments (about 10 ms of
/// CPU in a release build; callers run `add_share` off the async workers).
pub const LEGACY_MAX_TRIES: usize = 1024;

/// What one offered share did.
#[derive(Debug)]
pub enum ShareOutcome {
    /// Verified against its commitment and counted: `given` verified shares of `threshold`
    /// (offering a share already counted changes nothing).
    Counted { given: usize, threshold: usize },
    /// Kept as a candidate: the record predates commitments, so the share cannot be checked
    /// on its own.
    Unverified,
    /// The root key. `upgraded` is the seal record with commitments, to store in place of a
    /// record that had none.
    Unsealed {
        root: RootKey,
        upgraded: Option<SealedRoot>,
    },
}

/// Collects Shamir shares until `threshold` of them open the root key.
pub struct ShamirUnsealer {
    sealed: SealedRoot,
    shares: u8,
    threshold: u8,
    /// Verified shares, distinct indices (records with commitments).
    verified: Vec<ParsedShare>,
    /// Candidates of index `i` at position `i - 1` (records without commitments).
    candidates: Vec<Vec<ParsedShare>>,
}

impl ShamirUnsealer {
    /// Starts collecting shares for a root sealed with [`seal::init_shamir`].
    pub fn new(sealed: SealedRoot) -> Result<Self, CryptoError> {
        let SealMode::Shamir { shares, threshold } = sealed.mode else {
            return Err(CryptoError::Unseal(
                "the root key is not sealed with Shamir shares".into(),
            ));
        };
        if threshold == 0 || threshold > shares {
            return Err(CryptoError::Other(
                "the seal record's Shamir parameters are invalid".into(),
            ));
        }
        if let Some(check) = &sealed.share_check
            && check.len() != usize::from(shares)
        {
            return Err(CryptoError::Other(
                "the seal record's share commitments do not match its share count".into(),
            ));
        }
        let candidates = (0..shares).map(|_| Vec::new()).collect();
        Ok(ShamirUnsealer {
            sealed,
            shares,
            threshold,
            verified: Vec::new(),
            candidates,
        })
    }

    /// Offers one printed share. Errors never echo the share.
    ///
    /// A malformed share, one whose index no share of this seal has, or (with commitments) one
    /// that is not the committed share of its index is refused without changing anything.
    pub fn add_share(&mut self, share: &str) -> Result<ShareOutcome, CryptoError> {
        let parsed = shamir::parse(share, KEY_LEN)?;
        if parsed.index > self.shares {
            return Err(CryptoError::Unseal(format!(
                "no share of this seal has index {} (there are {})",
                parsed.index, self.shares
            )));
        }
        if self.sealed.share_check.is_some() {
            self.add_verified(parsed)
        } else {
            self.add_candidate(parsed)
        }
    }

    /// (shares counted so far, threshold): verified shares, or for a record without
    /// commitments the indices that have a candidate.
    pub fn progress(&self) -> (usize, usize) {
        let given = if self.sealed.share_check.is_some() {
            self.verified.len()
        } else {
            self.candidates.iter().filter(|c| !c.is_empty()).count()
        };
        (given, usize::from(self.threshold))
    }

    fn add_verified(&mut self, share: ParsedShare) -> Result<ShareOutcome, CryptoError> {
        let check = self.sealed.share_check.as_ref();
        if !check.is_some_and(|c| c.verify(&share)) {
            return Err(CryptoError::Unseal(format!(
                "this is not share {} of this seal (mistyped, or from another seal); progress is unchanged",
                share.index
            )));
        }
        if !self.verified.iter().any(|v| v.index == share.index) {
            self.verified.push(share);
        }
        let (given, threshold) = self.progress();
        if given < threshold {
            return Ok(ShareOutcome::Counted { given, threshold });
        }
        let kek = kek_of(self.verified.iter(), self.threshold)?;
        let root = seal::open(&self.sealed, &kek, "").map_err(|_| {
            CryptoError::Other(
                "the seal record is inconsistent: verified shares do not open the root key".into(),
            )
        })?;
        self.verified.clear();
        Ok(ShareOutcome::Unsealed {
            root,
            upgraded: None,
        })
    }

    fn add_candidate(&mut self, share: ParsedShare) -> Result<ShareOutcome, CryptoError> {
        let position = usize::from(share.index) - 1;
        let Some(slot) = self.candidates.get_mut(position) else {
            return Err(CryptoError::Other("share index out of range".into()));
        };
        if slot.iter().any(|c| c.same_as(&share)) {
            return Ok(ShareOutcome::Unverified);
        }
        if slot.len() >= LEGACY_PER_INDEX {
            slot.remove(0);
        }
        slot.push(share);
        let Some((root, set)) = self.search_from(position)? else {
            return Ok(ShareOutcome::Unverified);
        };
        let upgraded = self.with_commitments(&set)?;
        self.candidates.iter_mut().for_each(Vec::clear);
        Ok(ShareOutcome::Unsealed {
            root,
            upgraded: Some(upgraded),
        })
    }

    /// Tries the sets of `threshold` candidates with distinct indices that contain the newest
    /// candidate at `position`; the first that opens the root key wins.
    fn search_from(
        &self,
        position: usize,
    ) -> Result<Option<(RootKey, Vec<&ParsedShare>)>, CryptoError> {
        let Some(newest) = self.candidates.get(position).and_then(|c| c.last()) else {
            return Ok(None);
        };
        let others: Vec<usize> = (0..self.candidates.len())
            .filter(|&p| p != position && !self.candidates[p].is_empty())
            .collect();
        if others.len() + 1 < usize::from(self.threshold) {
            return Ok(None);
        }
        let mut search = Search {
            sealed: &self.sealed,
            threshold: self.threshold,
            tries: 0,
        };
        let mut chosen = vec![newest];
        let found = search.extend(&self.candidates, &others, &mut chosen)?;
        Ok(found.map(|root| (root, chosen)))
    }

    /// This record with commitments to every share of the polynomial through `set`.
    fn with_commitments(&self, set: &[&ParsedShare]) -> Result<SealedRoot, CryptoError> {
        let all = (1..=self.shares)
            .map(|x| shamir::share_at(set, self.threshold, x))
            .collect::<Result<Vec<_>, _>>()?;
        let mut record = self.sealed.clone();
        record.share_check = Some(ShareCheck::new(&all)?);
        Ok(record)
    }
}

/// A bounded search over candidate sets.
struct Search<'s> {
    sealed: &'s SealedRoot,
    threshold: u8,
    tries: usize,
}

impl Search<'_> {
    /// Extends `chosen` with one candidate of each of some `rest` positions until it holds
    /// `threshold` shares, trying each full set; on success `chosen` is the set that opened.
    fn extend<'a>(
        &mut self,
        candidates: &'a [Vec<ParsedShare>],
        rest: &[usize],
        chosen: &mut Vec<&'a ParsedShare>,
    ) -> Result<Option<RootKey>, CryptoError> {
        let missing = usize::from(self.threshold) - chosen.len();
        if missing == 0 {
            return self.attempt(chosen);
        }
        for (i, &position) in rest.iter().enumerate() {
            if rest.len() - i < missing {
                break;
            }
            for candidate in candidates[position].iter().rev() {
                chosen.push(candidate);
                if let Some(root) = self.extend(candidates, &rest[i + 1..], chosen)? {
                    return Ok(Some(root));
                }
                chosen.pop();
            }
        }
        Ok(None)
    }

    fn attempt(&mut self, set: &[&ParsedShare]) -> Result<Option<RootKey>, CryptoError> {
        self.tries += 1;
        if self.tries > LEGACY_MAX_TRIES {
            return Err(CryptoError::Unseal(
                "too many unverifiable candidate shares to try (this seal record predates share \
                 commitments): restart the server and offer only the real shares"
                    .into(),
            ));
        }
        let kek = kek_of(set.iter().copied(), self.threshold)?;
        match seal::open(self.sealed, &kek, "") {
            Ok(root) => Ok(Some(root)),
            Err(CryptoError::Unseal(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// The unseal key interpolated from `shares`.
fn kek_of<'a>(
    shares: impl IntoIterator<Item = &'a ParsedShare>,
    threshold: u8,
) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
    let kek = shamir::combine(shares, threshold)?;
    let kek: [u8; KEY_LEN] = kek[..]
        .try_into()
        .map_err(|_| CryptoError::Unseal("shares reconstruct a key of the wrong length".into()))?;
    Ok(Zeroizing::new(kek))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "unsealer_tests.rs"]
mod tests;

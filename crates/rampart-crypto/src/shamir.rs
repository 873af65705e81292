//! Shamir secret sharing of the unseal key (the `blahaj` crate, GF(256)) and the printable
//! share format `rampart-share-v1:<index>:<base64url>`.

use crate::CryptoError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use blahaj::{Share, Sharks};
use zeroize::Zeroizing;

/// The text prefix of every share of this format version.
const PREFIX: &str = "rampart-share-v1";

/// One share: its index (the polynomial's x, 1..=255) and its y values. The share bytes are
/// zeroized on drop by `blahaj`.
pub(crate) struct ParsedShare {
    pub(crate) index: u8,
    share: Share,
}

impl ParsedShare {
    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let (&index, _) = bytes.split_first()?;
        let share = Share::try_from(bytes).ok()?;
        Some(ParsedShare { index, share })
    }

    /// `index || y values`, the share as `blahaj` serializes it.
    pub(crate) fn bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(Vec::from(&self.share))
    }

    /// Whether `other` is byte-for-byte the same share.
    pub(crate) fn same_as(&self, other: &ParsedShare) -> bool {
        *self.bytes() == *other.bytes()
    }

    /// The printable form `rampart-share-v1:<index>:<base64url>`.
    pub(crate) fn print(&self) -> String {
        let bytes = self.bytes();
        let body = bytes.get(1..).unwrap_or_default();
        format!("{PREFIX}:{}:{}", self.index, URL_SAFE_NO_PAD.encode(body))
    }
}

/// Splits `secret` into `count` shares (indices 1..=count), any `threshold` of which recover it.
pub(crate) fn split(secret: &[u8], count: u8, threshold: u8) -> Vec<ParsedShare> {
    Sharks(threshold)
        .dealer(secret)
        .take(usize::from(count))
        .filter_map(|share| ParsedShare::from_bytes(&Zeroizing::new(Vec::from(&share))))
        .collect()
}

/// Parses one printed share whose secret is `secret_len` bytes. Errors never echo the input.
pub(crate) fn parse(text: &str, secret_len: usize) -> Result<ParsedShare, CryptoError> {
    let malformed = || {
        CryptoError::Unseal(format!(
            "malformed share: expected {PREFIX}:<index>:<base64>"
        ))
    };
    let mut parts = text.trim().split(':');
    let (Some(PREFIX), Some(index), Some(body), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let index: u8 = index.parse().map_err(|_| malformed())?;
    if index == 0 {
        return Err(malformed());
    }
    let body = Zeroizing::new(URL_SAFE_NO_PAD.decode(body).map_err(|_| malformed())?);
    if body.len() != secret_len {
        return Err(CryptoError::Unseal(
            "share has the wrong length: is it a share of this Rampart?".into(),
        ));
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(1 + body.len()));
    bytes.push(index);
    bytes.extend_from_slice(&body);
    ParsedShare::from_bytes(&bytes).ok_or_else(malformed)
}

/// Recovers the secret from at least `threshold` shares with distinct indices.
pub(crate) fn combine<'a>(
    shares: impl IntoIterator<Item = &'a ParsedShare>,
    threshold: u8,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    Sharks(threshold)
        .recover(shares.into_iter().map(|s| &s.share))
        .map(Zeroizing::new)
        .map_err(|e| CryptoError::Unseal(format!("cannot combine shares: {e}")))
}

/// The share at index `x` of the polynomial through `shares` (exactly `threshold` shares with
/// distinct indices, so the polynomial is the dealer's).
///
/// `blahaj` only evaluates the interpolated polynomial at 0. In GF(2^8) subtraction is XOR, so
/// the Lagrange basis at `x`, `Π (x − x_j)/(x_i − x_j)`, equals the basis at 0 of the points
/// moved to `x_j ⊕ x`: `Π (x_j ⊕ x)/((x_j ⊕ x) ⊕ (x_i ⊕ x))`. Interpolating the moved points
/// at 0 therefore gives f(x). (A moved point may land on 0; the formula still holds.)
pub(crate) fn share_at(
    shares: &[&ParsedShare],
    threshold: u8,
    x: u8,
) -> Result<ParsedShare, CryptoError> {
    let moved: Vec<ParsedShare> = shares
        .iter()
        .filter_map(|s| {
            let mut bytes = s.bytes();
            bytes[0] ^= x;
            ParsedShare::from_bytes(&bytes)
        })
        .collect();
    if x == 0 || moved.len() != usize::from(threshold) {
        return Err(CryptoError::Other(
            "cannot evaluate the share polynomial".into(),
        ));
    }
    let y = combine(&moved, threshold)?;
    let mut bytes = Zeroizing::new(Vec::with_capacity(1 + y.len()));
    bytes.push(x);
    bytes.extend_from_slice(&y);
    ParsedShare::from_bytes(&bytes)
        .ok_or_else(|| CryptoError::Other("cannot evaluate the share polynomial".into()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn printed(shares: &[ParsedShare]) -> Vec<String> {
        shares.iter().map(ParsedShare::print).collect()
    }

    #[test]
    fn split_parse_combine() {
        let secret = [42u8; 32];
        let shares = printed(&split(&secret, 5, 3));
        assert_eq!(shares.len(), 5);
        for (i, s) in shares.iter().enumerate() {
            assert!(
                s.starts_with(&format!("rampart-share-v1:{}:", i + 1)),
                "{s}"
            );
        }
        let parsed: Vec<ParsedShare> = shares[2..].iter().map(|s| parse(s, 32).unwrap()).collect();
        assert_eq!(*combine(&parsed, 3).unwrap(), secret);
    }

    #[test]
    fn parse_rejects_malformed_text() {
        let good = split(&[1u8; 32], 2, 2).remove(0).print();
        assert!(parse(&format!("  {good}\n"), 32).is_ok());
        for bad in [
            "",
            "rampart-share-v1",
            "rampart-share-v2:1:AAAA",
            "rampart-share-v1:0:AAAA",
            "rampart-share-v1:256:AAAA",
            "rampart-share-v1:x:AAAA",
            "rampart-share-v1:1:not base64!",
            "rampart-share-v1:1:AAAA:extra",
        ] {
            assert!(parse(bad, 32).is_err(), "{bad}");
        }
        assert!(parse(&good, 16).is_err());
    }

    /// Any `threshold` shares give back every other share of the dealer's polynomial.
    #[test]
    fn share_at_recomputes_the_dealers_shares() {
        let secret: Vec<u8> = (0..32).collect();
        for (count, threshold) in [(5u8, 3u8), (2, 2), (7, 7), (1, 1), (255, 4)] {
            let shares = split(&secret, count, threshold);
            let known: Vec<&ParsedShare> = shares.iter().rev().take(threshold.into()).collect();
            for original in &shares {
                let again = share_at(&known, threshold, original.index).unwrap();
                assert!(
                    again.same_as(original),
                    "{threshold}-of-{count} at {}",
                    original.index
                );
            }
        }
        let shares = split(&secret, 3, 2);
        assert!(share_at(&[&shares[0]], 2, 3).is_err(), "too few shares");
        assert!(
            share_at(&[&shares[0], &shares[1]], 2, 0).is_err(),
            "x = 0 is the secret"
        );
    }
}

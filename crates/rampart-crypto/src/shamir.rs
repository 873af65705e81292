//! Shamir secret sharing of the unseal key (the `blahaj` crate, GF(256)) and the printable
//! share format `rampart-share-v1:<index>:<base64url>`.

use crate::CryptoError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use blahaj::{Share, Sharks};
use zeroize::Zeroizing;

/// The text prefix of every share of this format version.
const PREFIX: &str = "rampart-share-v1";

/// One parsed share. The share bytes are zeroized on drop by `blahaj`.
pub(crate) struct ParsedShare {
    pub(crate) index: u8,
    share: Share,
}

impl ParsedShare {
    /// The share's y values (for comparing two shares with the same index).
    fn body(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(Vec::from(&self.share))
    }

    /// Whether `other` is byte-for-byte the same share.
    pub(crate) fn same_as(&self, other: &ParsedShare) -> bool {
        self.index == other.index && *self.body() == *other.body()
    }
}

/// Splits `secret` into `count` printable shares, any `threshold` of which recover it.
pub(crate) fn split(secret: &[u8], count: u8, threshold: u8) -> Vec<String> {
    Sharks(threshold)
        .dealer(secret)
        .take(usize::from(count))
        .map(|share| {
            let bytes = Zeroizing::new(Vec::from(&share));
            let (index, body) = bytes.split_first().unwrap_or((&0, &[]));
            format!("{PREFIX}:{index}:{}", URL_SAFE_NO_PAD.encode(body))
        })
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
    let share = Share::try_from(&bytes[..]).map_err(|_| malformed())?;
    Ok(ParsedShare { index, share })
}

/// Recovers the secret from at least `threshold` shares with distinct indices.
pub(crate) fn combine(
    shares: &[ParsedShare],
    threshold: u8,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    Sharks(threshold)
        .recover(shares.iter().map(|s| &s.share))
        .map(Zeroizing::new)
        .map_err(|e| CryptoError::Unseal(format!("cannot combine shares: {e}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn split_parse_combine() {
        let secret = [42u8; 32];
        let shares = split(&secret, 5, 3);
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
        let good = split(&[1u8; 32], 2, 2).remove(0);
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
}

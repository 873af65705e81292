//! Secure random bytes from aws-lc-rs's system RNG, and what is drawn from them: uniform
//! integers ([`below`]) and text over an alphabet ([`text`]).
//!
//! AWS-LC's RNG does not fail on a working system (it aborts internally on entropy failure). If
//! it ever reports a failure, [`fill`] retries once through `aws_lc_rs::rand::fill` and then ends
//! the process: every caller uses these bytes as keys, salts or nonces, and there is no safe
//! way to continue without them.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};

/// `n` random bytes.
pub fn bytes(n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    fill(&mut out);
    out
}

/// Fills `out` with random bytes.
pub fn fill(out: &mut [u8]) {
    if SystemRandom::new().fill(out).is_ok() || aws_lc_rs::rand::fill(out).is_ok() {
        return;
    }
    crate::fatal("the system random number generator failed")
}

/// `N` random bytes as an array (keys, salts, nonces).
pub fn array<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    fill(&mut out);
    out
}

/// A uniform integer below `n` (taken as 1 when 0), by rejection sampling.
pub fn below(n: u32) -> u32 {
    let n = n.max(1);
    // [0, limit) holds a whole number of multiples of n.
    let limit = u32::MAX - (u32::MAX % n);
    loop {
        let value = u32::from_be_bytes(array());
        if value < limit {
            return value % n;
        }
    }
}

/// `len` characters drawn uniformly from `alphabet` (ASCII letters; at most 256 are used;
/// empty for an empty alphabet), by rejection sampling of bytes: ids, API keys, passwords.
pub fn text(alphabet: &[u8], len: usize) -> String {
    let alphabet = &alphabet[..alphabet.len().min(256)];
    if alphabet.is_empty() {
        return String::new();
    }
    // Bytes at or past the last whole multiple of the alphabet's size are dropped.
    let cut = 256 - 256 % alphabet.len();
    let mut out = String::with_capacity(len);
    let mut buffer = [0u8; 64];
    while out.len() < len {
        fill(&mut buffer);
        let usable = buffer.iter().map(|b| usize::from(*b)).filter(|b| *b < cut);
        for b in usable.take(len - out.len()) {
            out.push(char::from(alphabet[b % alphabet.len()]));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bytes_have_requested_length_and_differ() {
        assert_eq!(bytes(0).len(), 0);
        let a = bytes(32);
        let b = bytes(32);
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert_ne!(array::<16>(), [0u8; 16]);
    }

    #[test]
    fn text_uses_only_its_alphabet_and_every_letter() {
        let drawn = text(b"abc", 3000);
        assert_eq!(drawn.len(), 3000);
        assert!(drawn.chars().all(|c| "abc".contains(c)));
        for letter in ['a', 'b', 'c'] {
            let count = drawn.chars().filter(|c| *c == letter).count();
            assert!((800..1200).contains(&count), "{letter}: {count}");
        }
        assert_eq!(text(b"", 5), "");
        assert_eq!(text(b"x", 0), "");
    }

    #[test]
    fn below_stays_below() {
        assert!((0..1000).all(|_| below(7) < 7));
        assert_eq!(below(0), 0);
        assert_eq!(below(1), 0);
    }
}

//! Secure random bytes from aws-lc-rs's system RNG.
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
}

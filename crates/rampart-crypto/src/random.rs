//! Secure random bytes from aws-lc-rs's system RNG.

/// `n` random bytes.
pub fn bytes(_n: usize) -> Vec<u8> { unimplemented!() }
/// Fills `out` with random bytes.
pub fn fill(_out: &mut [u8]) { unimplemented!() }

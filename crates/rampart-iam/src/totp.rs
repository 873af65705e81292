//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1 of the 30-second
//! time step, six digits, as virtual MFA applications compute them; seeds are 40 random
//! bytes shown as Base32 (64 characters, as AWS's), and the `otpauth://` URI their QR code
//! holds.

use aws_lc_rs::hmac;
use zeroize::Zeroizing;

/// Seconds per time step.
pub const STEP_SECONDS: i64 = 30;
/// Bytes of a new seed.
const SEED_BYTES: usize = 40;

/// A fresh seed as Base32 text (RFC 4648, no padding).
pub fn new_seed() -> Zeroizing<String> {
    let raw = Zeroizing::new(rampart_crypto::random::bytes(SEED_BYTES));
    Zeroizing::new(data_encoding::BASE32_NOPAD.encode(&raw))
}

/// The time step of an instant (Unix milliseconds).
pub fn step_at(epoch_ms: i64) -> i64 {
    epoch_ms.div_euclid(1000).div_euclid(STEP_SECONDS)
}

/// The six-digit code of `seed` (Base32 text) at time step `step`; `None` when the seed is
/// not Base32.
pub fn code(seed: &str, step: i64) -> Option<String> {
    let key = Zeroizing::new(data_encoding::BASE32_NOPAD.decode(seed.as_bytes()).ok()?);
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &key);
    let counter = u64::try_from(step).ok()?.to_be_bytes();
    let tag = hmac::sign(&key, &counter);
    let digest = tag.as_ref();
    let offset = usize::from(digest.last()? & 0x0f);
    let window: [u8; 4] = digest.get(offset..offset + 4)?.try_into().ok()?;
    let number = u32::from_be_bytes(window) & 0x7fff_ffff;
    Some(format!("{:06}", number % 1_000_000))
}

/// The step `s` within `earliest..=latest` at which `first` is the code of `s` and `second`
/// the code of `s + 1` (EnableMFADevice and ResyncMFADevice want two consecutive codes).
pub fn consecutive(
    seed: &str,
    first: &str,
    second: &str,
    earliest: i64,
    latest: i64,
) -> Option<i64> {
    (earliest..=latest).rev().find(|s| {
        code(seed, *s).is_some_and(|c| c == first) && code(seed, s + 1).is_some_and(|c| c == second)
    })
}

/// The `otpauth://` URI of a virtual device: the label `<issuer>:<name>@<account>`, the seed
/// and the issuer, percent-encoded.
pub fn otpauth_uri(issuer: &str, device: &str, account: &str, seed: &str) -> Zeroizing<String> {
    let label = format!("{issuer}:{device}@{account}");
    Zeroizing::new(format!(
        "otpauth://totp/{}?secret={seed}&issuer={}",
        encode(&label),
        encode(issuer)
    ))
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'@' | b':' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// RFC 6238's SHA-1 seed ("12345678901234567890") in Base32.
    const RFC_SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_rfc_6238_test_vectors() {
        // RFC 6238 Appendix B, SHA-1, last six of the eight digits.
        for (time, expected) in [
            (59_i64, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code(RFC_SEED, step_at(time * 1000)).unwrap(), expected);
        }
    }

    #[test]
    fn two_consecutive_codes_find_their_step() {
        let seed = new_seed();
        assert_eq!(seed.len(), 64);
        let (a, b) = (code(&seed, 100).unwrap(), code(&seed, 101).unwrap());
        assert_eq!(consecutive(&seed, &a, &b, 95, 105), Some(100));
        assert_eq!(consecutive(&seed, &b, &a, 95, 105), None);
        assert_eq!(consecutive(&seed, &a, &b, 101, 105), None);
    }

    #[test]
    fn the_uri_names_issuer_device_and_account() {
        let uri = otpauth_uri("Amazon Web Services", "dev 1", "123456789012", "ABC");
        assert_eq!(
            uri.as_str(),
            "otpauth://totp/Amazon%20Web%20Services:dev%201@123456789012?secret=ABC\
             &issuer=Amazon%20Web%20Services"
        );
    }
}

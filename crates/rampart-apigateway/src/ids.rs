//! Identifiers as API Gateway makes them: REST API and resource ids of 10 lowercase
//! alphanumerics, deployment ids of 6, from the OS CSPRNG.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};

const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// `len` random lowercase alphanumerics (bytes past the last whole multiple of 36 are
/// dropped, so every character is equally likely).
fn random_id(len: usize) -> String {
    random_from(ALPHABET, len)
}

/// `len` random characters of `alphabet` (at most 256 long), each equally likely.
fn random_from(alphabet: &[u8], len: usize) -> String {
    let cut = 256 - 256 % alphabet.len();
    let rng = SystemRandom::new();
    let mut out = String::with_capacity(len);
    let mut bytes = [0u8; 32];
    while out.len() < len {
        // The OS CSPRNG does not fail on supported systems; should it, the zeroed bytes still
        // make a well-formed id and the store's absent-row check refuses a duplicate.
        let _ = rng.fill(&mut bytes);
        for b in bytes
            .iter()
            .filter(|b| usize::from(**b) < cut)
            .take(len - out.len())
        {
            out.push(char::from(alphabet[usize::from(*b) % alphabet.len()]));
        }
    }
    out
}

/// A REST API or resource id.
pub fn api_id() -> String {
    random_id(10)
}

/// A generated API key value: 40 letters and digits.
pub fn api_key_value() -> String {
    random_from(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        40,
    )
}

/// A custom domain name's host id (its distribution or regional domain name).
pub fn host_id() -> String {
    random_id(10)
}

/// A deployment id.
pub fn deployment_id() -> String {
    random_id(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_lowercase_alphanumerics_of_their_length() {
        let id = api_id();
        assert_eq!(id.len(), 10);
        assert!(id.bytes().all(|b| ALPHABET.contains(&b)));
        assert_eq!(deployment_id().len(), 6);
        assert_ne!(api_id(), api_id());
        let value = api_key_value();
        assert_eq!(value.len(), 40);
        assert!(value.bytes().all(|b| b.is_ascii_alphanumeric()));
    }
}

//! Identifiers as API Gateway makes them: REST API and resource ids of 10 lowercase
//! alphanumerics, deployment ids of 6, from the OS CSPRNG.

use rampart_crypto::random::text;

const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// `len` random lowercase alphanumerics, each equally likely.
fn random_id(len: usize) -> String {
    text(ALPHABET, len)
}

/// A REST API or resource id.
pub fn api_id() -> String {
    random_id(10)
}

/// A generated API key value: 40 letters and digits.
pub fn api_key_value() -> String {
    text(
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

//! Identifiers IAM mints: unique ids (`AIDA...`, `AROA...`, `AGPA...`, `ANPA...`), access key
//! ids (`AKIA...`, `ASIA...`) and secret access keys, from the system CSPRNG.

use zeroize::Zeroizing;

/// Letters of unique ids and access key ids.
const ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// Letters of secret access keys.
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `len` random characters of `alphabet`, each equally likely.
fn random_text(len: usize, alphabet: &[u8]) -> String {
    rampart_crypto::random::text(alphabet, len)
}

/// A unique id: `prefix` (`AIDA` user, `AROA` role, `AGPA` group, `ANPA` policy) and 17
/// characters, 21 in all as AWS's.
pub fn unique_id(prefix: &str) -> String {
    format!("{prefix}{}", random_text(17, ID_ALPHABET))
}

/// A signing certificate id: 28 characters, as AWS's.
pub fn certificate_id() -> String {
    random_text(28, ID_ALPHABET)
}

/// An SSH public key id: `APKA` + 17 characters.
pub fn ssh_public_key_id() -> String {
    unique_id("APKA")
}

/// An access advisor job id: a random (version 4) UUID, 36 characters as AWS's.
pub fn job_id() -> String {
    let mut b = rampart_crypto::random::bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex::encode(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A delegation request id: `dr-` and 32 lower-case hex digits (16 random bytes).
pub fn delegation_request_id() -> String {
    format!("dr-{}", hex::encode(rampart_crypto::random::bytes(16)))
}

/// A long-term access key id: `AKIA` + 16 characters.
pub fn access_key_id() -> String {
    format!("AKIA{}", random_text(16, ID_ALPHABET))
}

/// A temporary (STS) access key id: `ASIA` + 16 characters.
pub fn temporary_access_key_id() -> String {
    format!("ASIA{}", random_text(16, ID_ALPHABET))
}

/// A 40-character secret access key.
pub fn secret_access_key() -> Zeroizing<String> {
    Zeroizing::new(random_text(40, SECRET_ALPHABET))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_match_aws() {
        let id = unique_id("AIDA");
        assert_eq!(id.len(), 21);
        assert!(id.starts_with("AIDA"));
        let key = access_key_id();
        assert_eq!(key.len(), 20);
        assert!(
            key.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
        assert_eq!(temporary_access_key_id().len(), 20);
        assert_eq!(secret_access_key().len(), 40);
        assert_ne!(*secret_access_key(), *secret_access_key());
    }
}

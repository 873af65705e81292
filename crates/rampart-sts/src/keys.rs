//! Temporary access key ids (`ASIA...`) that carry their account the way AWS's do, and the
//! account of any access key id read back from it (what `GetAccessKeyInfo` answers).
//!
//! The 16 characters after the prefix are RFC 4648 base32 of 10 bytes; bits 46..7 of the
//! first 6 bytes (big-endian) hold the account number, the rest is random.

/// RFC 4648 base32 letters (the alphabet of AWS access key ids).
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// Characters of an access key id before the encoded part (`AKIA`, `ASIA`).
const PREFIX_LEN: usize = 4;
/// Characters of the encoded part.
const BODY_LEN: usize = 16;
/// The account bits inside the first 48 bits.
const ACCOUNT_MASK: u64 = 0x7f_ff_ff_ff_ff_80;

/// A new temporary access key id (`ASIA` + 16 characters) encoding `account` (12 digits).
pub fn temporary_access_key_id(account: &str) -> String {
    let mut bytes: [u8; 10] = rampart_crypto::random::array();
    let number = account.parse::<u64>().unwrap_or(0) & (ACCOUNT_MASK >> 7);
    let head = (number << 7) | u64::from(bytes[5] & 0x7f);
    bytes[..6].copy_from_slice(&head.to_be_bytes()[2..]);
    format!("ASIA{}", encode(&bytes))
}

/// The account an access key id encodes (12 digits), or `None` when the id is too short or
/// not base32 after its prefix.
pub fn account_of_key_id(access_key_id: &str) -> Option<String> {
    let body = access_key_id.get(PREFIX_LEN..PREFIX_LEN + BODY_LEN)?;
    let bytes = decode(body)?;
    let mut head = [0u8; 8];
    head[2..].copy_from_slice(&bytes[..6]);
    let number = (u64::from_be_bytes(head) & ACCOUNT_MASK) >> 7;
    Some(format!("{number:012}"))
}

/// Base32 of exactly 10 bytes: 16 letters, no padding.
fn encode(bytes: &[u8; 10]) -> String {
    let mut out = String::with_capacity(BODY_LEN);
    for chunk in bytes.chunks(5) {
        let mut word = [0u8; 8];
        word[3..].copy_from_slice(chunk);
        let bits = u64::from_be_bytes(word);
        for i in (0..8).rev() {
            let index = usize::try_from((bits >> (i * 5)) & 31).unwrap_or(0);
            out.push(char::from(ALPHABET[index]));
        }
    }
    out
}

/// The 10 bytes behind 16 base32 letters.
fn decode(text: &str) -> Option<[u8; 10]> {
    let mut out = [0u8; 10];
    for (n, chunk) in text.as_bytes().chunks(8).enumerate() {
        let mut bits = 0u64;
        for &c in chunk {
            let value = ALPHABET.iter().position(|&a| a == c)?;
            bits = (bits << 5) | u64::try_from(value).ok()?;
        }
        out[n * 5..n * 5 + 5].copy_from_slice(&bits.to_be_bytes()[3..]);
    }
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn minted_ids_carry_their_account() {
        for account in [
            "123456789012",
            "000000000000",
            "999999999999",
            "000000000001",
        ] {
            let id = temporary_access_key_id(account);
            assert_eq!(id.len(), 20);
            assert!(id.starts_with("ASIA"));
            assert!(id.bytes().all(|b| ALPHABET.contains(&b)));
            assert_eq!(account_of_key_id(&id).unwrap(), account);
        }
        assert_ne!(
            temporary_access_key_id("123456789012"),
            temporary_access_key_id("123456789012")
        );
    }

    #[test]
    fn decodes_like_aws() {
        // AWS's published example key ids decode to their accounts with this scheme.
        assert_eq!(
            account_of_key_id("ASIAY34FZKBOKMUTVV7A").unwrap(),
            "609629065308"
        );
        assert_eq!(account_of_key_id("AKIA1234"), None);
        assert_eq!(account_of_key_id("AKIA0000000000000000"), None);
    }

    #[test]
    fn base32_round_trips() {
        let bytes = [0, 1, 2, 3, 4, 250, 251, 252, 253, 255];
        assert_eq!(decode(&encode(&bytes)).unwrap(), bytes);
    }
}

//! Console passwords, no I/O: Argon2id hashing with a random salt (OWASP's cost: 19 MiB, two
//! passes, one lane) and constant-time verification, and the account password policy's rules
//! (AWS's default rules when the account has none).

use crate::account_records::{PasswordHash, PasswordPolicyRecord};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

/// Argon2id memory cost (KiB), passes and lanes of new hashes.
const M_COST: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;
/// Salt and hash lengths in bytes.
const SALT_LEN: usize = 16;
const HASH_LEN: usize = 32;

/// The symbols IAM's password policy counts (`RequireSymbols`).
const SYMBOLS: &str = "!@#$%^&*()_+-=[]{}|'";

/// Hashes `password` with a fresh salt.
pub fn hash(password: &str) -> Result<PasswordHash, String> {
    let salt = rampart_crypto::random::bytes(SALT_LEN);
    let out = derive(password, &salt, M_COST, T_COST, P_COST)?;
    Ok(PasswordHash {
        m_cost: M_COST,
        t_cost: T_COST,
        p_cost: P_COST,
        salt: STANDARD.encode(&salt),
        hash: STANDARD.encode(out.as_slice()),
    })
}

/// Whether `password` is the one `stored` was made from.
pub fn verify(password: &str, stored: &PasswordHash) -> Result<bool, String> {
    let salt = STANDARD.decode(&stored.salt).map_err(|e| e.to_string())?;
    let expected = STANDARD.decode(&stored.hash).map_err(|e| e.to_string())?;
    let out = derive(password, &salt, stored.m_cost, stored.t_cost, stored.p_cost)?;
    Ok(aws_lc_rs::constant_time::verify_slices_are_equal(out.as_slice(), &expected).is_ok())
}

fn derive(
    password: &str,
    salt: &[u8],
    m_cost: u32,
    t_cost: u32,
    p_cost: u32,
) -> Result<Zeroizing<Vec<u8>>, String> {
    let params = Params::new(m_cost, t_cost, p_cost, Some(HASH_LEN)).map_err(|e| e.to_string())?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = Zeroizing::new(vec![0u8; HASH_LEN]);
    argon
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// Whether `password` meets `policy`, or, without one, AWS's default rules: at least 8
/// characters and three of the four kinds (upper case, lower case, digits, symbols).
pub fn conforms(password: &str, policy: Option<&PasswordPolicyRecord>) -> bool {
    let kinds = Kinds::of(password);
    let length = password.chars().count();
    match policy {
        None => length >= 8 && kinds.count() >= 3,
        Some(p) => {
            length >= usize::try_from(p.minimum_length).unwrap_or(usize::MAX)
                && (!p.require_symbols || kinds.symbol)
                && (!p.require_numbers || kinds.digit)
                && (!p.require_uppercase || kinds.upper)
                && (!p.require_lowercase || kinds.lower)
        }
    }
}

/// Which kinds of characters a password has.
struct Kinds {
    upper: bool,
    lower: bool,
    digit: bool,
    symbol: bool,
}

impl Kinds {
    fn of(password: &str) -> Kinds {
        Kinds {
            upper: password.chars().any(|c| c.is_ascii_uppercase()),
            lower: password.chars().any(|c| c.is_ascii_lowercase()),
            digit: password.chars().any(|c| c.is_ascii_digit()),
            symbol: password.chars().any(|c| SYMBOLS.contains(c)),
        }
    }

    fn count(&self) -> usize {
        [self.upper, self.lower, self.digit, self.symbol]
            .iter()
            .filter(|k| **k)
            .count()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn policy() -> PasswordPolicyRecord {
        PasswordPolicyRecord {
            minimum_length: 10,
            require_symbols: true,
            require_numbers: true,
            require_uppercase: false,
            require_lowercase: true,
            allow_users_to_change: false,
            max_age_days: None,
            reuse_prevention: None,
            hard_expiry: false,
        }
    }

    #[test]
    fn hashes_verify_only_their_password_and_differ_by_salt() {
        let first = hash("Correct-Horse-1").unwrap();
        let second = hash("Correct-Horse-1").unwrap();
        assert_ne!(first.salt, second.salt);
        assert_ne!(first.hash, second.hash);
        assert!(verify("Correct-Horse-1", &first).unwrap());
        assert!(!verify("Correct-Horse-2", &first).unwrap());
        assert!(!format!("{first:?}").contains(&first.hash));
    }

    #[test]
    fn default_rules_need_eight_characters_of_three_kinds() {
        assert!(conforms("Abcdefg1", None));
        assert!(!conforms("abcdefg1", None));
        assert!(!conforms("Abcde1!", None));
        assert!(conforms("abcdef1!", None));
    }

    #[test]
    fn a_policy_replaces_the_default_rules() {
        let p = policy();
        assert!(conforms("abcdefgh1!", Some(&p)));
        assert!(!conforms("abcdefg1!", Some(&p)));
        assert!(!conforms("abcdefghi1", Some(&p)));
        assert!(!conforms("ABCDEFGH1!", Some(&p)));
        assert!(!conforms("abcdefghi!", Some(&p)));
    }
}

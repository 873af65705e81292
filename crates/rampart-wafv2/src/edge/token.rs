//! The `aws-waf-token` cookie: Rampart issues it when a client answers a challenge and reads
//! it on later requests. Its value is `<captcha_at>.<challenge_at>.<mac>` (epoch seconds, 0
//! when never solved; the mac an HMAC under the WAF domain key over both times and the
//! client's address), so a token cannot be forged, moved to another client or made younger.

use rampart_crypto::root::DomainKey;
use rampart_waf::TokenCheck;
use std::net::IpAddr;

/// The cookie's name, as AWS names it.
pub const COOKIE: &str = "aws-waf-token";

/// The MAC label.
const LABEL: &[u8] = b"rampart/waf/token/v1";

fn mac(key: &DomainKey, captcha_at: u64, challenge_at: u64, ip: IpAddr) -> String {
    hex::encode(key.mac(
        LABEL,
        format!("{captcha_at}.{challenge_at}.{ip}").as_bytes(),
    ))
}

/// A token for `ip` solved at these times.
pub fn issue(key: &DomainKey, captcha_at: u64, challenge_at: u64, ip: IpAddr) -> String {
    let tag = mac(key, captcha_at, challenge_at, ip);
    format!("{captcha_at}.{challenge_at}.{tag}")
}

/// What the request's `aws-waf-token` cookie (`cookie`, when present) proves.
pub fn check(key: &DomainKey, cookie: Option<&str>, ip: IpAddr) -> TokenCheck {
    let Some(value) = cookie else {
        return TokenCheck::Absent;
    };
    let mut parts = value.splitn(3, '.');
    let (Some(captcha), Some(challenge), Some(tag)) = (parts.next(), parts.next(), parts.next())
    else {
        return TokenCheck::Invalid;
    };
    let (Ok(captcha), Ok(challenge)) = (captcha.parse::<u64>(), challenge.parse::<u64>()) else {
        return TokenCheck::Invalid;
    };
    let expected = mac(key, captcha, challenge, ip);
    let same =
        aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), tag.as_bytes());
    if same.is_err() {
        return TokenCheck::Invalid;
    }
    TokenCheck::Valid {
        captcha_at: (captcha > 0).then_some(captcha),
        challenge_at: (challenge > 0).then_some(challenge),
    }
}

/// The value of the cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rampart_crypto::root::{Domain, RootKey};

    #[test]
    fn a_token_is_valid_for_its_client_only_and_cannot_be_altered() {
        let key = RootKey::generate().domain_key(Domain::Waf);
        let ip: IpAddr = "127.0.0.2".parse().unwrap();
        let token = issue(&key, 0, 1_000, ip);
        let valid = TokenCheck::Valid {
            captcha_at: None,
            challenge_at: Some(1_000),
        };
        assert_eq!(check(&key, Some(&token), ip), valid);
        let other: IpAddr = "127.0.0.3".parse().unwrap();
        assert_eq!(check(&key, Some(&token), other), TokenCheck::Invalid);
        let younger = token.replacen("1000", "2000", 1);
        assert_eq!(check(&key, Some(&younger), ip), TokenCheck::Invalid);
        assert_eq!(check(&key, Some("junk"), ip), TokenCheck::Invalid);
        assert_eq!(check(&key, None, ip), TokenCheck::Absent);
        let other_key = RootKey::generate().domain_key(Domain::Waf);
        assert_eq!(check(&other_key, Some(&token), ip), TokenCheck::Invalid);
    }
}

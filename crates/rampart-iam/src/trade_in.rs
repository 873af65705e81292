//! Trade-in tokens of temporary delegation: SendDelegationToken mints one for the request it
//! finalizes (`<request id>~<43 base64url characters of 32 random bytes>`), which the partner
//! exchanges with STS GetDelegatedAccessToken for credentials until the delegation period
//! ends. The token is kept on the request only sealed under the credentials domain key (AAD:
//! [`AAD_PREFIX`] and the request id): AWS delivers it on the partner's SNS topic, which
//! Rampart does not have, so an operator reads it with `rampart iam delegation-token` and
//! hands it over. A token is never logged nor shown in audit records.

use crate::delegation::DelegationRecord;
use aws_lc_rs::constant_time::verify_slices_are_equal;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rampart_crypto::root::DomainKey;
use zeroize::Zeroizing;

/// Associated data prefix of a sealed trade-in token; the request id follows.
const AAD_PREFIX: &[u8] = b"rampart/iam/trade-in/v1\0";
/// Separates the request id from the secret part.
const SEPARATOR: char = '~';

/// A new trade-in token for request `id` and its sealed form to store on the request.
pub fn mint(key: &DomainKey, id: &str) -> (Zeroizing<String>, String) {
    let secret = rampart_crypto::random::array::<32>();
    let token = Zeroizing::new(format!("{id}{SEPARATOR}{}", URL_SAFE_NO_PAD.encode(secret)));
    let sealed = STANDARD.encode(key.wrap(token.as_bytes(), &aad(id)));
    (token, sealed)
}

/// The request id a token names (its text before the separator); `None` when it has none.
pub fn request_id(token: &str) -> Option<&str> {
    let (id, secret) = token.split_once(SEPARATOR)?;
    (!id.is_empty() && !secret.is_empty()).then_some(id)
}

/// The token sealed on `record`, if one was minted and it opens.
pub fn open(key: &DomainKey, record: &DelegationRecord) -> Option<Zeroizing<String>> {
    let sealed = STANDARD.decode(record.trade_in_token.as_deref()?).ok()?;
    let plain = key.unwrap(&sealed, &aad(&record.id)).ok()?;
    let text = std::str::from_utf8(&plain).ok()?;
    Some(Zeroizing::new(text.to_owned()))
}

/// Whether `token` is the one minted for `record` (compared in constant time).
pub fn matches(key: &DomainKey, record: &DelegationRecord, token: &str) -> bool {
    open(key, record)
        .is_some_and(|minted| verify_slices_are_equal(minted.as_bytes(), token.as_bytes()).is_ok())
}

fn aad(id: &str) -> Vec<u8> {
    [AAD_PREFIX, id.as_bytes()].concat()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::delegation::State;
    use rampart_crypto::root::{Domain, RootKey};

    fn record(id: &str, sealed: Option<String>) -> DelegationRecord {
        DelegationRecord {
            id: id.into(),
            requestor_account: "111122223333".into(),
            requestor_workflow_id: "wf".into(),
            description: "d".into(),
            policy_template_arn: None,
            parameters: Vec::new(),
            request_message: None,
            redirect_url: None,
            notification_channel: "arn:aws:sns:us-east-1:111122223333:t".into(),
            session_duration: 3600,
            only_send_by_owner: false,
            owner_account: Some("444455556666".into()),
            owner_id: None,
            approver_id: None,
            state: State::Finalized,
            notes: None,
            rejection_reason: None,
            created_ms: 0,
            updated_ms: 0,
            expires_ms: Some(3_600_000),
            trade_in_token: sealed,
        }
    }

    #[test]
    fn a_minted_token_matches_its_request_only() {
        let key = RootKey::generate().domain_key(Domain::Credentials);
        let (token, sealed) = mint(&key, "dr-1");
        assert_eq!(request_id(&token), Some("dr-1"));
        let minted = record("dr-1", Some(sealed.clone()));
        assert!(matches(&key, &minted, &token));
        assert!(!matches(&key, &minted, &format!("{}x", token.as_str())));
        // Moved to another request, the sealed token no longer opens.
        assert!(!matches(&key, &record("dr-2", Some(sealed)), &token));
        assert!(!matches(&key, &record("dr-1", None), &token));
        let other = RootKey::generate().domain_key(Domain::Credentials);
        assert!(!matches(&other, &minted, &token));
        assert_eq!(request_id("no separator"), None);
        assert_eq!(request_id("~secret"), None);
    }
}

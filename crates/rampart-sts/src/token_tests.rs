//! Session token sealing: round trip, size, and every way a token is refused.

#![allow(clippy::unwrap_used)]

use super::*;
use rampart_crypto::root::{Domain, RootKey};

const NOW: i64 = 1_700_000_000_000;

fn claims(key_id: &str) -> SessionClaims {
    SessionClaims {
        access_key_id: key_id.to_owned(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned(),
        account: "111122223333".to_owned(),
        issuer: Issuer::Role {
            name: "deploy".to_owned(),
            id: "AROAEXAMPLEEXAMPLE123".to_owned(),
            arn: "arn:aws:iam::111122223333:role/deploy".to_owned(),
        },
        session_name: Some("ci-run".to_owned()),
        issued_ms: NOW,
        expires_ms: NOW + 3_600_000,
        policies: PackedPolicies {
            inline: Some(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}"#.to_owned()),
            managed_arns: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".to_owned()],
            tags: vec![("team".to_owned(), "blue".to_owned())],
        },
        transitive_tag_keys: vec!["team".to_owned()],
        mfa: false,
        source_identity: Some("alice".to_owned()),
    }
}

fn tokens() -> (RootKey, SessionTokens) {
    let root = RootKey::generate();
    let tokens = SessionTokens::new(root.domain_key(Domain::Credentials));
    (root, tokens)
}

#[test]
fn a_sealed_token_opens_to_its_claims() {
    let (_, tokens) = tokens();
    let original = claims("ASIAEXAMPLEEXAMPLE01");
    let token = tokens.seal(&original).unwrap();
    let opened = tokens.open(&token, "ASIAEXAMPLEEXAMPLE01", NOW).unwrap();
    assert_eq!(opened, original);
    assert_eq!(
        opened.policies.session_policies().managed_arns,
        original.policies.managed_arns
    );
}

#[test]
fn the_secret_is_not_readable_in_the_token_or_debug_output() {
    let (_, tokens) = tokens();
    let original = claims("ASIAEXAMPLEEXAMPLE01");
    let token = tokens.seal(&original).unwrap();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(&token)
        .unwrap();
    let secret = original.secret_access_key.as_bytes();
    assert!(!raw.windows(secret.len()).any(|w| w == secret));
    assert!(!token.contains(&original.secret_access_key));
    assert!(!format!("{original:?}").contains(&original.secret_access_key));
}

#[test]
fn tokens_stay_compact() {
    let (_, tokens) = tokens();
    let mut plain = claims("ASIAEXAMPLEEXAMPLE01");
    plain.policies = PackedPolicies::default();
    plain.transitive_tag_keys.clear();
    plain.source_identity = None;
    let token = tokens.seal(&plain).unwrap();
    assert!(token.len() < 500, "{} chars", token.len());
    let full = tokens.seal(&claims("ASIAEXAMPLEEXAMPLE01")).unwrap();
    assert!(full.len() < 1000, "{} chars", full.len());
}

#[test]
fn a_token_presented_with_another_key_id_is_invalid() {
    let (_, tokens) = tokens();
    let token = tokens.seal(&claims("ASIAEXAMPLEEXAMPLE01")).unwrap();
    assert_eq!(
        tokens.open(&token, "ASIAEXAMPLEEXAMPLE02", NOW),
        Err(TokenError::Invalid)
    );
}

#[test]
fn tampered_truncated_or_garbage_tokens_are_invalid() {
    let (_, tokens) = tokens();
    let token = tokens.seal(&claims("ASIAEXAMPLEEXAMPLE01")).unwrap();
    let mut bytes = base64::engine::general_purpose::STANDARD
        .decode(&token)
        .unwrap();
    for index in [1, 14, bytes.len() / 2, bytes.len() - 1] {
        let mut altered = bytes.clone();
        altered[index] ^= 0x01;
        let altered = base64::engine::general_purpose::STANDARD.encode(altered);
        assert_eq!(
            tokens.open(&altered, "ASIAEXAMPLEEXAMPLE01", NOW),
            Err(TokenError::Invalid),
            "byte {index}"
        );
    }
    bytes[0] = 2;
    let wrong_version = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let long = "A".repeat(MAX_TOKEN_CHARS + 4);
    for bad in [
        "",
        "not base64!",
        "AQ==",
        &token[..token.len() / 2],
        &wrong_version,
        &long,
    ] {
        assert_eq!(
            tokens.open(bad, "ASIAEXAMPLEEXAMPLE01", NOW),
            Err(TokenError::Invalid)
        );
    }
}

#[test]
fn a_token_sealed_under_another_key_is_invalid() {
    let (_, tokens) = tokens();
    let (_, foreign) = self::tokens();
    let token = foreign.seal(&claims("ASIAEXAMPLEEXAMPLE01")).unwrap();
    assert_eq!(
        tokens.open(&token, "ASIAEXAMPLEEXAMPLE01", NOW),
        Err(TokenError::Invalid)
    );
}

#[test]
fn a_token_past_its_expiry_is_expired() {
    let (_, tokens) = tokens();
    let original = claims("ASIAEXAMPLEEXAMPLE01");
    let token = tokens.seal(&original).unwrap();
    let key = "ASIAEXAMPLEEXAMPLE01";
    assert!(tokens.open(&token, key, original.expires_ms - 1).is_ok());
    assert_eq!(
        tokens.open(&token, key, original.expires_ms),
        Err(TokenError::Expired)
    );
    assert_eq!(
        tokens.open(&token, key, original.expires_ms + 86_400_000),
        Err(TokenError::Expired)
    );
    // Expiry is only reported for genuine tokens: a forged one stays invalid.
    assert_eq!(
        tokens.open(&token, "ASIAEXAMPLEEXAMPLE02", original.expires_ms + 1),
        Err(TokenError::Invalid)
    );
}

#[test]
fn claims_of_user_and_root_sessions_round_trip() {
    let (_, tokens) = tokens();
    let mut user = claims("ASIAEXAMPLEEXAMPLE03");
    user.issuer = Issuer::User {
        name: "alice".to_owned(),
        id: "AIDAEXAMPLEEXAMPLE123".to_owned(),
        arn: "arn:aws:iam::111122223333:user/alice".to_owned(),
    };
    user.session_name = None;
    user.policies = PackedPolicies::default();
    let token = tokens.seal(&user).unwrap();
    assert_eq!(
        tokens.open(&token, "ASIAEXAMPLEEXAMPLE03", NOW).unwrap(),
        user
    );
    let mut root = claims("ASIAEXAMPLEEXAMPLE04");
    root.issuer = Issuer::Root;
    let token = tokens.seal(&root).unwrap();
    assert_eq!(
        tokens
            .open(&token, "ASIAEXAMPLEEXAMPLE04", NOW)
            .unwrap()
            .issuer,
        Issuer::Root
    );
}

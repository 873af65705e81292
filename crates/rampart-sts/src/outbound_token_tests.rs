//! Tokens signed with generated keys verify against the keys' JWKS, with AWS's claims.

use super::*;
use crate::web_identity::jwks::Jwks;
use crate::web_identity::jwt::Jwt;

static NO_TAGS: BTreeMap<String, String> = BTreeMap::new();

fn claims<'a>(audience: &'a [String], tags: &'a [(String, String)]) -> TokenClaims<'a> {
    with_principal_tags(audience, tags, &NO_TAGS)
}

fn with_principal_tags<'a>(
    audience: &'a [String],
    tags: &'a [(String, String)],
    principal_tags: &'a BTreeMap<String, String>,
) -> TokenClaims<'a> {
    TokenClaims {
        issuer: "https://localhost:1/_rampart/sts/outbound/ab12",
        subject: "arn:aws:iam::123456789012:role/Worker",
        audience,
        issued_at: 1_700_000_000,
        expires_at: 1_700_000_300,
        token_id: "id-1",
        account: "123456789012",
        region: "eu-west-1",
        principal_tags,
        request_tags: tags,
    }
}

/// Signs a token with a new key for `alg` and checks it against the key's JWKS.
fn sign_and_verify(alg: Algorithm) {
    let key = SigningKey::generate(alg).expect("key");
    let kid = key.kid();
    let audience = vec!["https://api.example.com".to_owned()];
    let payload = claims(&audience, &[]).payload();
    let text = signed_jwt(&key, alg, &kid, &payload).expect("sign");
    let jwt = Jwt::parse(&text).expect("parse");
    assert_eq!(
        (jwt.alg.as_str(), jwt.kid.as_deref()),
        (alg.name(), Some(kid.as_str()))
    );
    let jwks = json!({"keys": [key.public_jwk(alg)]}).to_string();
    let jwks = Jwks::parse(jwks.as_bytes()).expect("jwks");
    assert_eq!(jwks.verify(&jwt), Ok(()));
    let other = SigningKey::generate(alg).expect("key");
    let forged = signed_jwt(&other, alg, &kid, &payload).expect("sign");
    let forged = Jwt::parse(&forged).expect("parse");
    assert!(jwks.verify(&forged).is_err());
}

#[test]
fn rs256_tokens_verify_against_the_jwks() {
    sign_and_verify(Algorithm::Rs256);
}

#[test]
fn es384_tokens_verify_against_the_jwks() {
    sign_and_verify(Algorithm::Es384);
}

#[test]
fn claims_follow_aws() {
    let one = vec!["a".to_owned()];
    let tags = vec![("team".to_owned(), "data".to_owned())];
    let payload = claims(&one, &tags).payload();
    assert_eq!(payload["aud"], json!("a"));
    assert_eq!(
        payload["sub"],
        json!("arn:aws:iam::123456789012:role/Worker")
    );
    assert_eq!(payload["exp"], json!(1_700_000_300));
    let aws = &payload[NAMESPACE];
    assert_eq!(aws["aws_account"], json!("123456789012"));
    assert_eq!(aws["source_region"], json!("eu-west-1"));
    assert_eq!(aws["request_tags"], json!({"team": "data"}));
    let two = vec!["a".to_owned(), "b".to_owned()];
    let payload = claims(&two, &[]).payload();
    assert_eq!(payload["aud"], json!(["a", "b"]));
    assert!(payload[NAMESPACE].get("request_tags").is_none());
    assert!(payload[NAMESPACE].get("principal_tags").is_none());
    let principal = BTreeMap::from([("env".to_owned(), "prod".to_owned())]);
    let payload = with_principal_tags(&one, &[], &principal).payload();
    assert_eq!(payload[NAMESPACE]["principal_tags"], json!({"env": "prod"}));
}

#[test]
fn key_ids_are_rfc7638_thumbprints() {
    let key = SigningKey::generate(Algorithm::Es384).expect("key");
    let jwk = key.public_jwk(Algorithm::Es384);
    let canonical = json!({"crv": jwk["crv"], "kty": "EC", "x": jwk["x"], "y": jwk["y"]});
    let digest =
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.to_string().as_bytes());
    assert_eq!(key.kid(), URL_SAFE_NO_PAD.encode(digest.as_ref()));
    assert_eq!(jwk["kid"], json!(key.kid()));
    assert_ne!(
        key.kid(),
        SigningKey::generate(Algorithm::Es384).expect("key").kid()
    );
}

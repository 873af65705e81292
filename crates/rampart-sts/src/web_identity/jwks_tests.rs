//! Key sets and signatures made with aws-lc-rs key pairs in the test.

use super::*;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, RsaKeyPair};
use serde_json::json;

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A token `alg`/`kid` over some claims, signed by `sign`.
fn token(alg: &str, kid: &str, sign: impl Fn(&[u8]) -> Vec<u8>) -> Jwt {
    let header = b64(json!({"alg": alg, "kid": kid}).to_string().as_bytes());
    let payload = b64(json!({"sub": "x"}).to_string().as_bytes());
    let input = format!("{header}.{payload}");
    let text = format!("{input}.{}", b64(&sign(input.as_bytes())));
    Jwt::parse(&text).expect("jwt")
}

fn rsa_pair() -> (RsaKeyPair, serde_json::Value) {
    let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("rsa");
    let parts = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public_key());
    let jwk = json!({"kty": "RSA", "n": b64(&parts.n), "e": b64(&parts.e)});
    (pair, jwk)
}

fn rsa_sign(pair: &RsaKeyPair, message: &[u8]) -> Vec<u8> {
    let mut out = vec![0; pair.public_modulus_len()];
    pair.sign(
        &sig::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        message,
        &mut out,
    )
    .expect("sign");
    out
}

fn set(keys: Vec<serde_json::Value>) -> Jwks {
    Jwks::parse(json!({ "keys": keys }).to_string().as_bytes()).expect("jwks")
}

#[test]
fn rs256_tokens_verify_with_their_key_only() {
    let (pair, mut jwk) = rsa_pair();
    let (other, mut other_jwk) = rsa_pair();
    jwk["kid"] = json!("k1");
    other_jwk["kid"] = json!("k2");
    let keys = set(vec![jwk, other_jwk]);
    let good = token("RS256", "k1", |m| rsa_sign(&pair, m));
    assert_eq!(keys.verify(&good), Ok(()));
    let forged = token("RS256", "k1", |m| rsa_sign(&other, m));
    assert_eq!(keys.verify(&forged), Err(Refusal::BadSignature));
    let unknown = token("RS256", "k9", |m| rsa_sign(&pair, m));
    assert_eq!(keys.verify(&unknown), Err(Refusal::NoKey));
    assert!(!keys.has_key(Some("k9")));
    let none = token("none", "k1", |_| Vec::new());
    assert_eq!(keys.verify(&none), Err(Refusal::BadSignature));
    let hmac = token("HS256", "k1", |m| rsa_sign(&pair, m));
    assert_eq!(keys.verify(&hmac), Err(Refusal::BadSignature));
}

#[test]
fn es256_tokens_verify() {
    let pair = EcdsaKeyPair::generate(&sig::ECDSA_P256_SHA256_FIXED_SIGNING).expect("ec");
    let point = pair.public_key().as_ref();
    let (x, y) = point[1..].split_at(32);
    let keys = set(vec![
        json!({"kty": "EC", "crv": "P-256", "kid": "e1", "x": b64(x), "y": b64(y), "use": "sig"}),
    ]);
    let sign = |m: &[u8]| {
        let rng = SystemRandom::new();
        pair.sign(&rng, m).expect("sign").as_ref().to_vec()
    };
    assert_eq!(keys.verify(&token("ES256", "e1", sign)), Ok(()));
    let mut tampered = token("ES256", "e1", sign);
    tampered.signing_input.push(b'x');
    assert_eq!(keys.verify(&tampered), Err(Refusal::BadSignature));
    assert_eq!(
        keys.verify(&token("ES384", "e1", sign)),
        Err(Refusal::BadSignature)
    );
}

#[test]
fn encryption_keys_and_other_algorithms_do_not_verify() {
    let (pair, mut jwk) = rsa_pair();
    jwk["kid"] = json!("k");
    jwk["use"] = json!("enc");
    let keys = set(vec![jwk.clone()]);
    assert_eq!(
        keys.verify(&token("RS256", "k", |m| rsa_sign(&pair, m))),
        Err(Refusal::NoKey)
    );
    jwk["use"] = json!("sig");
    jwk["alg"] = json!("RS512");
    let keys = set(vec![jwk]);
    assert_eq!(
        keys.verify(&token("RS256", "k", |m| rsa_sign(&pair, m))),
        Err(Refusal::NoKey)
    );
    assert!(Jwks::parse(b"{\"nokeys\": []}").is_none());
}

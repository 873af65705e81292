//! The claim checks of AssumeRoleWithWebIdentity.

use super::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

fn jwt(claims: serde_json::Value) -> Jwt {
    let enc = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let text = format!("{}.{}.c2ln", enc(json!({"alg": "RS256"})), enc(claims));
    Jwt::parse(&text).expect("jwt")
}

fn provider(client_ids: &[&str]) -> OidcProviderRecord {
    OidcProviderRecord {
        schema: 1,
        account: "111122223333".into(),
        issuer_url: "https://idp.example".into(),
        resource: "idp.example".into(),
        client_ids: client_ids.iter().map(|s| (*s).to_owned()).collect(),
        thumbprints: Vec::new(),
        created_ms: 0,
        tags: Vec::new(),
    }
}

#[test]
fn the_audience_must_be_a_client_id() {
    let p = provider(&["sts.amazonaws.com", "app"]);
    let one = jwt(json!({"aud": "app"}));
    assert_eq!(audience(&one, &p).expect("aud"), "app");
    let many = jwt(json!({"aud": ["other", "sts.amazonaws.com"]}));
    assert_eq!(audience(&many, &p).expect("aud"), "sts.amazonaws.com");
    let wrong = audience(&jwt(json!({"aud": "other"})), &p).expect_err("wrong");
    assert_eq!(
        (wrong.code.as_ref(), wrong.message.as_str()),
        ("InvalidIdentityToken", "Incorrect token audience")
    );
    let none = audience(&jwt(json!({})), &p).expect_err("none");
    assert_eq!(none.message, "Missing a required claim: aud");
}

#[test]
fn expiry_and_not_before_follow_the_clock() {
    let now = 1_700_000_000;
    assert!(check_times(&jwt(json!({"exp": now + 60, "iat": now, "nbf": now})), now).is_ok());
    let expired = check_times(&jwt(json!({"exp": now})), now).expect_err("expired");
    assert_eq!(expired.code, "ExpiredTokenException");
    assert_eq!(
        expired.message,
        format!(
            "Token expired: current date/time {now} must be before the expiration date/time{now}"
        )
    );
    let early = check_times(&jwt(json!({"exp": now + 9000, "nbf": now + 600})), now);
    assert_eq!(early.expect_err("early").code, "InvalidIdentityToken");
    let skewed = jwt(json!({"exp": now + 9000, "iat": now + 200}));
    assert!(check_times(&skewed, now).is_ok());
    let missing = check_times(&jwt(json!({})), now).expect_err("no exp");
    assert_eq!(missing.message, "Missing a required claim: exp");
}

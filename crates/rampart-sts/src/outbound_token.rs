//! The outbound identity federation token: AWS's claims (`iss`, `sub`, `aud`, `iat`, `exp`,
//! `jti`, and under the `https://sts.amazonaws.com/` namespace the account, the Region the
//! token was requested in, the principal's tags and the request tags) and the compact JWS that carries them
//! (header `alg`, `kid`, `typ: JWT`).

use crate::outbound_keys::{Algorithm, SigningKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The claim holding AWS's own claims.
pub const NAMESPACE: &str = "https://sts.amazonaws.com/";

/// What a token says.
#[derive(Debug)]
pub struct TokenClaims<'a> {
    /// The account's issuer URL.
    pub issuer: &'a str,
    /// The caller's ARN (a role session's role).
    pub subject: &'a str,
    /// One to ten audiences.
    pub audience: &'a [String],
    /// Seconds since the epoch.
    pub issued_at: i64,
    pub expires_at: i64,
    /// A unique token id.
    pub token_id: &'a str,
    pub account: &'a str,
    pub region: &'a str,
    /// The caller's principal tags (the user's or role's, with a session's tags).
    pub principal_tags: &'a BTreeMap<String, String>,
    /// The request's Tags, in the order given.
    pub request_tags: &'a [(String, String)],
}

impl TokenClaims<'_> {
    /// The JWT payload: `aud` is a string for one audience, an array for several.
    pub fn payload(&self) -> Value {
        let audience = match self.audience {
            [one] => json!(one),
            many => json!(many),
        };
        let mut aws = Map::new();
        aws.insert("aws_account".into(), json!(self.account));
        aws.insert("source_region".into(), json!(self.region));
        if !self.principal_tags.is_empty() {
            aws.insert("principal_tags".into(), json!(self.principal_tags));
        }
        if !self.request_tags.is_empty() {
            let tags: Map<String, Value> = self
                .request_tags
                .iter()
                .map(|(key, value)| (key.clone(), json!(value)))
                .collect();
            aws.insert("request_tags".into(), Value::Object(tags));
        }
        json!({
            "iss": self.issuer,
            "sub": self.subject,
            "aud": audience,
            "iat": self.issued_at,
            "exp": self.expires_at,
            "jti": self.token_id,
            NAMESPACE: aws,
        })
    }
}

/// The compact JWS of `payload` signed by `key` (`alg`, key id `kid`).
pub fn signed_jwt(
    key: &SigningKey,
    alg: Algorithm,
    kid: &str,
    payload: &Value,
) -> Result<String, String> {
    let header = json!({"alg": alg.name(), "kid": kid, "typ": "JWT"});
    let encode = |value: &Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let input = format!("{}.{}", encode(&header), encode(payload));
    let signature = key.sign(input.as_bytes())?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

#[cfg(test)]
#[path = "outbound_token_tests.rs"]
mod tests;

//! A compact-serialized JSON Web Token (RFC 7519) as AssumeRoleWithWebIdentity reads it: the
//! protected header (`alg`, `kid`), the claims, and the signing input and signature that
//! [`super::jwks`] verifies. Parsing checks the form only; nothing here is trusted before the
//! signature is.

use super::invalid_token;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rampart_codec::ServiceError;
use serde_json::{Map, Value};

/// AWS's answer to a token that is not a JWT.
const NOT_A_JWT: &str = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)";

/// A parsed (not yet verified) token.
#[derive(Debug)]
pub(crate) struct Jwt {
    /// `alg` of the protected header.
    pub alg: String,
    /// `kid` of the protected header, if any.
    pub kid: Option<String>,
    /// The claims set.
    pub claims: Map<String, Value>,
    /// `<header>.<payload>` as sent: what the signature covers.
    pub signing_input: Vec<u8>,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

impl Jwt {
    /// Parses `text` (`header.payload.signature`, base64url without padding).
    pub fn parse(text: &str) -> Result<Self, ServiceError> {
        let bad = || invalid_token(NOT_A_JWT);
        let mut parts = text.trim().split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let header = json_object(header).ok_or_else(bad)?;
        let claims = json_object(payload).ok_or_else(bad)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| bad())?;
        let alg = header.get("alg").and_then(Value::as_str).ok_or_else(bad)?;
        let kid = header.get("kid").and_then(Value::as_str).map(str::to_owned);
        let signed = text.trim().rsplit_once('.').map_or("", |(head, _)| head);
        let signing_input = signed.as_bytes().to_vec();
        Ok(Jwt {
            alg: alg.to_owned(),
            kid,
            claims,
            signing_input,
            signature,
        })
    }

    /// A string claim.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// A claim that is a string or an array of strings (`aud`, `amr`), as a list.
    pub fn texts(&self, name: &str) -> Vec<&str> {
        match self.claims.get(name) {
            Some(Value::String(one)) => vec![one.as_str()],
            Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// A NumericDate claim (seconds since the epoch; fractions dropped).
    pub fn seconds(&self, name: &str) -> Option<i64> {
        let value = self.claims.get(name)?;
        value
            .as_i64()
            .or_else(|| value.as_f64().map(|f| f.trunc() as i64))
    }
}

/// A base64url segment holding a JSON object.
fn json_object(segment: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(segment).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(value: &Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("json"))
    }

    #[test]
    fn parses_header_claims_and_signing_input() {
        let header = segment(&serde_json::json!({"alg": "RS256", "kid": "k1"}));
        let payload = segment(&serde_json::json!({"iss": "https://x", "aud": ["a", "b"],
            "exp": 1.7e9, "amr": "pwd"}));
        let text = format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(b"sig"));
        let jwt = Jwt::parse(&text).expect("jwt");
        assert_eq!(jwt.alg, "RS256");
        assert_eq!(jwt.kid.as_deref(), Some("k1"));
        assert_eq!(jwt.text("iss"), Some("https://x"));
        assert_eq!(jwt.texts("aud"), ["a", "b"]);
        assert_eq!(jwt.texts("amr"), ["pwd"]);
        assert_eq!(jwt.seconds("exp"), Some(1_700_000_000));
        assert_eq!(
            jwt.signing_input,
            format!("{header}.{payload}").into_bytes()
        );
        assert_eq!(jwt.signature, b"sig");
    }

    #[test]
    fn refuses_what_is_not_a_jwt() {
        let header = segment(&serde_json::json!({"alg": "RS256"}));
        let array = segment(&serde_json::json!([1]));
        for bad in [
            "",
            "a.b",
            "a.b.c.d",
            &format!("{header}.{array}.c2ln"),
            &format!("{header}.!!.c2ln"),
            &format!(
                "{}.{header}.c2ln",
                segment(&serde_json::json!({"kid": "x"}))
            ),
        ] {
            let err = Jwt::parse(bad).expect_err(bad);
            assert_eq!(err.code, "InvalidIdentityToken", "{bad}");
            assert_eq!(err.message, NOT_A_JWT);
        }
    }
}

//! JSON Web Signatures as RFC 8555 uses them (flattened JSON serialization, RFC 7515): the
//! protected header (`alg`, `nonce`, `url`, and `jwk` or `kid`), the payload, and the
//! signature verified with aws-lc-rs over the JWS signing input: ES256, ES384 (fixed-size
//! `r || s`) and RS256 (PKCS #1 v1.5, 2048 bits and up) for account keys, HS256 for the
//! external account binding. Also the RFC 7638 thumbprint of a JWK.

use super::problem::Problem;
use aws_lc_rs::{digest, hmac, signature};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::Value;

/// A JWS as posted.
#[derive(Debug, Deserialize)]
struct Flattened {
    protected: String,
    payload: String,
    signature: String,
}

/// The protected header members ACME uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Protected {
    pub alg: String,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub jwk: Option<Value>,
    #[serde(default)]
    pub kid: Option<String>,
}

/// A parsed (not yet verified) JWS.
#[derive(Debug, Clone)]
pub struct Jws {
    pub protected: Protected,
    /// The decoded payload (empty for POST-as-GET).
    pub payload: Vec<u8>,
    signing_input: String,
    signature: Vec<u8>,
}

/// Decodes base64url without padding, as JWS requires.
pub fn b64(text: &str) -> Result<Vec<u8>, Problem> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| Problem::malformed("A JWS member is not base64url."))
}

impl Jws {
    /// Reads the flattened JSON serialization of `body`.
    pub fn parse(body: &[u8]) -> Result<Jws, Problem> {
        let flat: Flattened = serde_json::from_slice(body)
            .map_err(|_| Problem::malformed("The request is not a flattened JWS."))?;
        let header = b64(&flat.protected)?;
        let protected: Protected = serde_json::from_slice(&header)
            .map_err(|_| Problem::malformed("The JWS protected header is not valid."))?;
        if protected.jwk.is_some() == protected.kid.is_some() {
            return Err(Problem::malformed(
                "The JWS header must have exactly one of jwk and kid.",
            ));
        }
        Ok(Jws {
            protected,
            payload: b64(&flat.payload)?,
            signing_input: format!("{}.{}", flat.protected, flat.payload),
            signature: b64(&flat.signature)?,
        })
    }

    /// The payload as JSON (`{}` for an empty POST-as-GET payload is not accepted here).
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Problem> {
        serde_json::from_slice(&self.payload)
            .map_err(|_| Problem::malformed("The JWS payload is not valid for this resource."))
    }

    /// Verifies the signature with the account key `jwk`.
    pub fn verify(&self, jwk: &Value) -> Result<(), Problem> {
        let bad = || Problem::bad_signature("The JWS signature does not verify.");
        let message = self.signing_input.as_bytes();
        match (self.protected.alg.as_str(), text(jwk, "kty")) {
            ("ES256", Some("EC")) => {
                let point = ec_point(jwk, "P-256", 32)?;
                let key =
                    signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point);
                key.verify(message, &self.signature).map_err(|_| bad())
            }
            ("ES384", Some("EC")) => {
                let point = ec_point(jwk, "P-384", 48)?;
                let key =
                    signature::UnparsedPublicKey::new(&signature::ECDSA_P384_SHA384_FIXED, point);
                key.verify(message, &self.signature).map_err(|_| bad())
            }
            ("RS256", Some("RSA")) => {
                let n = b64(text(jwk, "n").ok_or_else(bad_key)?)?;
                let e = b64(text(jwk, "e").ok_or_else(bad_key)?)?;
                let key = signature::RsaPublicKeyComponents { n, e };
                key.verify(
                    &signature::RSA_PKCS1_2048_8192_SHA256,
                    message,
                    &self.signature,
                )
                .map_err(|_| bad())
            }
            _ => Err(Problem::bad_signature_algorithm()),
        }
    }

    /// Verifies an HS256 signature (the external account binding) with `key`.
    pub fn verify_hs256(&self, key: &[u8]) -> Result<(), Problem> {
        if self.protected.alg != "HS256" {
            return Err(Problem::malformed(
                "The external account binding must be signed with HS256.",
            ));
        }
        let key = hmac::Key::new(hmac::HMAC_SHA256, key);
        hmac::verify(&key, self.signing_input.as_bytes(), &self.signature).map_err(|_| {
            Problem::unauthorized("The external account binding signature does not verify.")
        })
    }
}

/// A string member of a JSON object.
fn text<'a>(value: &'a Value, name: &str) -> Option<&'a str> {
    value.get(name).and_then(Value::as_str)
}

/// The problem for a JWK that is not one of the accepted keys.
fn bad_key() -> Problem {
    Problem::bad_public_key("The account key is not a supported JWK.")
}

/// The uncompressed point of an EC JWK on `curve` with coordinates of `size` bytes.
fn ec_point(jwk: &Value, curve: &str, size: usize) -> Result<Vec<u8>, Problem> {
    if text(jwk, "crv") != Some(curve) {
        return Err(bad_key());
    }
    let x = b64(text(jwk, "x").ok_or_else(bad_key)?)?;
    let y = b64(text(jwk, "y").ok_or_else(bad_key)?)?;
    if x.len() != size || y.len() != size {
        return Err(bad_key());
    }
    let mut point = vec![4u8];
    point.extend(x);
    point.extend(y);
    Ok(point)
}

/// The RFC 7638 thumbprint of `jwk` (SHA-256 of its required members in lexical order,
/// without whitespace), base64url.
pub fn thumbprint(jwk: &Value) -> Result<String, Problem> {
    let members: &[&str] = match text(jwk, "kty") {
        Some("EC") => &["crv", "kty", "x", "y"],
        Some("RSA") => &["e", "kty", "n"],
        _ => return Err(bad_key()),
    };
    let mut canonical = serde_json::Map::new();
    for name in members {
        let value = text(jwk, name).ok_or_else(bad_key)?;
        canonical.insert((*name).to_owned(), Value::String(value.to_owned()));
    }
    let json = Value::Object(canonical).to_string();
    let digest = digest::digest(&digest::SHA256, json.as_bytes());
    Ok(URL_SAFE_NO_PAD.encode(digest.as_ref()))
}

/// The account key with only its public members (what is stored and compared).
pub fn public_jwk(jwk: &Value) -> Result<Value, Problem> {
    let members: &[&str] = match text(jwk, "kty") {
        Some("EC") => &["crv", "kty", "x", "y"],
        Some("RSA") => &["e", "kty", "n"],
        _ => return Err(bad_key()),
    };
    let mut out = serde_json::Map::new();
    for name in members {
        let value = text(jwk, name).ok_or_else(bad_key)?;
        out.insert((*name).to_owned(), Value::String(value.to_owned()));
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    use serde_json::json;

    /// A JWS over `payload` by a fresh P-256 key, and that key's JWK.
    fn es256(payload: &str, url: &str) -> (Vec<u8>, Value) {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
        let point = pair.public_key().as_ref();
        let jwk = json!({"kty": "EC", "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..])});
        let header = json!({"alg": "ES256", "nonce": "n", "url": url, "jwk": jwk});
        let protected = URL_SAFE_NO_PAD.encode(header.to_string());
        let payload = URL_SAFE_NO_PAD.encode(payload);
        let input = format!("{protected}.{payload}");
        let sig = pair.sign(&rng, input.as_bytes()).unwrap();
        let body = json!({"protected": protected, "payload": payload,
            "signature": URL_SAFE_NO_PAD.encode(sig.as_ref())});
        (body.to_string().into_bytes(), jwk)
    }

    #[test]
    fn es256_signatures_verify_and_tampering_fails() {
        let (body, jwk) = es256("{\"a\":1}", "https://h/x");
        let jws = Jws::parse(&body).unwrap();
        assert_eq!(jws.protected.url.as_deref(), Some("https://h/x"));
        jws.verify(&jwk).unwrap();
        let (_, other) = es256("{}", "u");
        assert!(jws.verify(&other).is_err());
        let mut value: Value = serde_json::from_slice(&body).unwrap();
        value["payload"] = json!(URL_SAFE_NO_PAD.encode("{\"a\":2}"));
        let tampered = Jws::parse(value.to_string().as_bytes()).unwrap();
        assert_eq!(tampered.verify(&jwk).unwrap_err().kind, "malformed");
    }

    #[test]
    fn rs256_signatures_verify() {
        use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
        use aws_lc_rs::signature::RSA_PKCS1_SHA256;
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let components: signature::RsaPublicKeyComponents<Vec<u8>> = pair.public_key().into();
        let jwk = json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode(&components.n),
            "e": URL_SAFE_NO_PAD.encode(&components.e)});
        let header = json!({"alg": "RS256", "nonce": "n", "url": "u", "jwk": jwk});
        let protected = URL_SAFE_NO_PAD.encode(header.to_string());
        let payload = URL_SAFE_NO_PAD.encode("{}");
        let input = format!("{protected}.{payload}");
        let mut sig = vec![0u8; pair.public_modulus_len()];
        pair.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            input.as_bytes(),
            &mut sig,
        )
        .unwrap();
        let body = json!({"protected": protected, "payload": payload,
            "signature": URL_SAFE_NO_PAD.encode(&sig)});
        let jws = Jws::parse(body.to_string().as_bytes()).unwrap();
        jws.verify(&jwk).unwrap();
        sig[0] ^= 1;
        let body = json!({"protected": protected, "payload": payload,
            "signature": URL_SAFE_NO_PAD.encode(&sig)});
        assert!(
            Jws::parse(body.to_string().as_bytes())
                .unwrap()
                .verify(&jwk)
                .is_err()
        );
    }

    #[test]
    fn hs256_bindings_verify_with_their_key_only() {
        let key = [7u8; 32];
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","kid":"k","url":"u"}"#);
        let payload = URL_SAFE_NO_PAD.encode(r#"{"kty":"EC"}"#);
        let input = format!("{header}.{payload}");
        let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), input.as_bytes());
        let body = json!({"protected": header, "payload": payload,
            "signature": URL_SAFE_NO_PAD.encode(tag.as_ref())});
        let jws = Jws::parse(body.to_string().as_bytes()).unwrap();
        jws.verify_hs256(&key).unwrap();
        assert_eq!(
            jws.verify_hs256(&[8u8; 32]).unwrap_err().kind,
            "unauthorized"
        );
    }

    #[test]
    fn headers_need_exactly_one_of_jwk_and_kid_and_known_algorithms() {
        let both = URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256","kid":"k","jwk":{}}"#);
        let body = json!({"protected": both, "payload": "", "signature": ""});
        assert!(Jws::parse(body.to_string().as_bytes()).is_err());
        let none = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k"}"#);
        let body = json!({"protected": none, "payload": "", "signature": ""});
        let jws = Jws::parse(body.to_string().as_bytes()).unwrap();
        let jwk = json!({"kty": "EC", "crv": "P-256", "x": "", "y": ""});
        assert_eq!(jws.verify(&jwk).unwrap_err().kind, "badSignatureAlgorithm");
    }

    #[test]
    fn thumbprints_follow_rfc_7638() {
        // RFC 7638 section 3.1.
        let jwk = json!({"kty": "RSA", "e": "AQAB", "alg": "RS256", "kid": "2011-04-29",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"});
        assert_eq!(
            thumbprint(&jwk).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        assert_eq!(public_jwk(&jwk).unwrap().as_object().unwrap().len(), 3);
    }
}

//! A JSON Web Key Set (RFC 7517) of an OpenID Connect provider and signature verification of
//! a [`Jwt`] against it with aws-lc-rs: RS256/RS384/RS512 (PKCS #1 v1.5), PS256/PS384/PS512
//! (PSS) with RSA keys of 2,048 to 8,192 bits, and ES256/ES384 with P-256/P-384 keys. `none`,
//! HMAC and other algorithms are refused, as are keys marked for encryption (`use: enc`).

use super::jwt::Jwt;
use aws_lc_rs::signature::{self as sig, RsaParameters, RsaPublicKeyComponents, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

/// One key of a set (the members signature verification reads).
#[derive(Debug, Clone, Deserialize)]
struct Jwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default, rename = "use")]
    usage: Option<String>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
}

/// A key set.
#[derive(Debug, Clone, Deserialize)]
pub struct Jwks {
    keys: Vec<Jwk>,
}

/// Why a token's signature did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No key of the set fits the token's `kid` and `alg`.
    NoKey,
    /// A key fits, but the signature is not its signature of the token.
    BadSignature,
}

impl Jwks {
    /// Parses a JWKS document (`{"keys": [...]}`); `None` when it is not one.
    pub fn parse(document: &[u8]) -> Option<Self> {
        serde_json::from_slice(document).ok()
    }

    /// Whether the set has a key `kid` (any key when the token names none).
    pub(crate) fn has_key(&self, kid: Option<&str>) -> bool {
        self.keys
            .iter()
            .any(|k| kid.is_none() || k.kid.as_deref() == kid)
    }

    /// Verifies `jwt`'s signature with the set's key named by its `kid` (every fitting key
    /// when it names none).
    pub(crate) fn verify(&self, jwt: &Jwt) -> Result<(), Refusal> {
        let candidates: Vec<&Jwk> = (self.keys.iter())
            .filter(|k| jwt.kid.is_none() || k.kid == jwt.kid)
            .filter(|k| k.usage.as_deref().is_none_or(|u| u == "sig"))
            .filter(|k| k.alg.as_deref().is_none_or(|a| a == jwt.alg))
            .collect();
        if candidates.is_empty() {
            return Err(Refusal::NoKey);
        }
        let verified = candidates
            .iter()
            .any(|key| key.verifies(&jwt.alg, &jwt.signing_input, &jwt.signature) == Some(true));
        if verified {
            Ok(())
        } else {
            Err(Refusal::BadSignature)
        }
    }
}

impl Jwk {
    /// `Some(true)` when `signature` is this key's `alg` signature of `message`; `None` when
    /// the key cannot make `alg` signatures.
    fn verifies(&self, alg: &str, message: &[u8], signature: &[u8]) -> Option<bool> {
        match (self.kty.as_str(), alg) {
            ("RSA", _) => {
                let params = rsa_params(alg)?;
                let n = decode(self.n.as_deref()?)?;
                let e = decode(self.e.as_deref()?)?;
                let key = RsaPublicKeyComponents { n: &n, e: &e };
                Some(key.verify(params, message, signature).is_ok())
            }
            ("EC", "ES256") if self.crv.as_deref() == Some("P-256") => {
                Some(self.ec_verify(&sig::ECDSA_P256_SHA256_FIXED, message, signature)?)
            }
            ("EC", "ES384") if self.crv.as_deref() == Some("P-384") => {
                Some(self.ec_verify(&sig::ECDSA_P384_SHA384_FIXED, message, signature)?)
            }
            _ => None,
        }
    }

    /// ECDSA verification with the uncompressed point `04 || x || y`.
    fn ec_verify(
        &self,
        algorithm: &'static sig::EcdsaVerificationAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Option<bool> {
        let mut point = vec![0x04];
        point.extend(decode(self.x.as_deref()?)?);
        point.extend(decode(self.y.as_deref()?)?);
        let key = UnparsedPublicKey::new(algorithm, point);
        Some(key.verify(message, signature).is_ok())
    }
}

/// The RSA parameters of a JWS `alg`.
fn rsa_params(alg: &str) -> Option<&'static RsaParameters> {
    Some(match alg {
        "RS256" => &sig::RSA_PKCS1_2048_8192_SHA256,
        "RS384" => &sig::RSA_PKCS1_2048_8192_SHA384,
        "RS512" => &sig::RSA_PKCS1_2048_8192_SHA512,
        "PS256" => &sig::RSA_PSS_2048_8192_SHA256,
        "PS384" => &sig::RSA_PSS_2048_8192_SHA384,
        "PS512" => &sig::RSA_PSS_2048_8192_SHA512,
        _ => return None,
    })
}

fn decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

#[cfg(test)]
#[path = "jwks_tests.rs"]
mod tests;

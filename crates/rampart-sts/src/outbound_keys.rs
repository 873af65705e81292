//! The signing keys of outbound identity federation: one per account and algorithm (RSA
//! 2048 for RS256, P-384 for ES384), generated with aws-lc-rs on first use and kept in the
//! `sts_outbound_keys` table (row `<account>/<algorithm>`) as PKCS #8 sealed under the
//! credentials domain key, bound to the row and key id, so every node signs with the same
//! key and restarts keep it. The key id is the public key's RFC 7638 thumbprint; the JWKS
//! of an account lists its public keys ([`public_jwk`]).

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, KeyPair, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rampart_crypto::root::DomainKey;
use rampart_store::{Expect, Store, StoreError, Table};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use zeroize::Zeroizing;

/// The signing keys, row `<account>/<algorithm>`.
pub const OUTBOUND_KEYS: &str = "sts_outbound_keys";

/// The algorithms GetWebIdentityToken signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Rs256,
    Es384,
}

impl Algorithm {
    /// The algorithm a SigningAlgorithm value names.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "RS256" => Some(Algorithm::Rs256),
            "ES384" => Some(Algorithm::Es384),
            _ => None,
        }
    }

    /// Its JWS name.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Rs256 => "RS256",
            Algorithm::Es384 => "ES384",
        }
    }
}

/// A stored key: the sealed PKCS #8 document, its key id and public JWK.
#[derive(Clone, Serialize, Deserialize)]
pub struct StoredKey {
    pub kid: String,
    /// The public key's JWK (JSON text), served without opening the sealed key.
    pub public_jwk: String,
    /// Base64 of the PKCS #8 document sealed under the credentials domain key.
    pub sealed_pkcs8: String,
    pub created_ms: i64,
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// A key pair ready to sign.
pub enum SigningKey {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl SigningKey {
    /// A new key pair for `alg`.
    pub fn generate(alg: Algorithm) -> Result<Self, String> {
        match alg {
            Algorithm::Rs256 => RsaKeyPair::generate(KeySize::Rsa2048).map(SigningKey::Rsa),
            Algorithm::Es384 => {
                EcdsaKeyPair::generate(&sig::ECDSA_P384_SHA384_FIXED_SIGNING).map(SigningKey::Ec)
            }
        }
        .map_err(|_| "key generation failed".to_owned())
    }

    /// The key pair of a PKCS #8 document.
    fn from_pkcs8(alg: Algorithm, der: &[u8]) -> Result<Self, String> {
        match alg {
            Algorithm::Rs256 => RsaKeyPair::from_pkcs8(der).map(SigningKey::Rsa),
            Algorithm::Es384 => {
                EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P384_SHA384_FIXED_SIGNING, der)
                    .map(SigningKey::Ec)
            }
        }
        .map_err(|_| "a stored signing key does not parse".to_owned())
    }

    /// Its PKCS #8 document.
    fn pkcs8(&self) -> Result<Zeroizing<Vec<u8>>, String> {
        let der = match self {
            SigningKey::Rsa(pair) => pair.as_der().map(|d| d.as_ref().to_vec()),
            SigningKey::Ec(pair) => pair.to_pkcs8v1().map(|d| d.as_ref().to_vec()),
        };
        der.map(Zeroizing::new)
            .map_err(|_| "a signing key could not be encoded".to_owned())
    }

    /// The JWS signature of `message` (RSASSA-PKCS1-v1_5 SHA-256, or ECDSA P-384 SHA-384 as
    /// the fixed-length `r || s`).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let rng = SystemRandom::new();
        let failed = |_| "signing failed".to_owned();
        match self {
            SigningKey::Rsa(pair) => {
                let mut out = vec![0; pair.public_modulus_len()];
                pair.sign(&sig::RSA_PKCS1_SHA256, &rng, message, &mut out)
                    .map_err(failed)?;
                Ok(out)
            }
            SigningKey::Ec(pair) => Ok(pair.sign(&rng, message).map_err(failed)?.as_ref().to_vec()),
        }
    }

    /// The public key's required JWK members (RFC 7638 order, as the thumbprint hashes them).
    fn public_members(&self) -> Value {
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        match self {
            SigningKey::Rsa(pair) => {
                let parts = sig::RsaPublicKeyComponents::<Vec<u8>>::from(pair.public_key());
                json!({"e": b64(&parts.e), "kty": "RSA", "n": b64(&parts.n)})
            }
            SigningKey::Ec(pair) => {
                let point = pair.public_key().as_ref();
                let coordinates = point.get(1..).unwrap_or_default();
                let (x, y) = coordinates.split_at(coordinates.len() / 2);
                json!({"crv": "P-384", "kty": "EC", "x": b64(x), "y": b64(y)})
            }
        }
    }

    /// The RFC 7638 thumbprint of the public key: its key id.
    pub fn kid(&self) -> String {
        let canonical = self.public_members().to_string();
        URL_SAFE_NO_PAD.encode(digest(&SHA256, canonical.as_bytes()).as_ref())
    }

    /// The public key as a JWK of the issuer's JWKS (`kid`, `alg`, `use: sig`).
    pub fn public_jwk(&self, alg: Algorithm) -> Value {
        let mut jwk = self.public_members();
        jwk["kid"] = json!(self.kid());
        jwk["alg"] = json!(alg.name());
        jwk["use"] = json!("sig");
        jwk
    }
}

/// The keys of every account, in the store, sealed under `key`.
pub struct OutboundKeys<'a> {
    pub store: &'a Store,
    pub key: &'a DomainKey,
}

/// The row of `account`'s key for `alg`.
fn row(account: &str, alg: Algorithm) -> String {
    format!("{account}/{}", alg.name())
}

/// The associated data a key is sealed with.
fn aad(row: &str, kid: &str) -> Vec<u8> {
    format!("rampart/sts/outbound-key/v1\0{row}\0{kid}").into_bytes()
}

impl OutboundKeys<'_> {
    fn table(&self) -> Table<StoredKey> {
        Table::new(self.store.clone(), OUTBOUND_KEYS)
    }

    /// `account`'s key for `alg` and its key id, generated and stored on first use (a key another node
    /// stored first wins).
    pub async fn signing_key(
        &self,
        account: &str,
        alg: Algorithm,
        now_ms: i64,
    ) -> Result<(SigningKey, String), String> {
        let row = row(account, alg);
        for _ in 0..3 {
            if let Some(found) = self.table().get(&row).await.map_err(text)? {
                let pair = self.open(&row, alg, &found.value)?;
                return Ok((pair, found.value.kid));
            }
            let (pair, stored) = self.new_key(&row, alg, now_ms)?;
            let put = self
                .table()
                .put(&row, &stored, Expect::Absent)
                .map_err(text)?;
            match self.store.transact(vec![put]).await {
                Ok(()) => return Ok((pair, stored.kid)),
                Err(StoreError::Conflict { .. }) => continue,
                Err(err) => return Err(err.to_string()),
            }
        }
        Err("the signing key kept being written concurrently".into())
    }

    /// A new key pair for `row` and its stored form.
    fn new_key(
        &self,
        row: &str,
        alg: Algorithm,
        now_ms: i64,
    ) -> Result<(SigningKey, StoredKey), String> {
        let pair = SigningKey::generate(alg)?;
        let kid = pair.kid();
        let sealed = self
            .key
            .try_wrap(&pair.pkcs8()?, &aad(row, &kid))
            .map_err(text)?;
        let stored = StoredKey {
            public_jwk: pair.public_jwk(alg).to_string(),
            kid,
            sealed_pkcs8: STANDARD.encode(sealed),
            created_ms: now_ms,
        };
        Ok((pair, stored))
    }

    /// The key pair a stored key seals.
    fn open(&self, row: &str, alg: Algorithm, stored: &StoredKey) -> Result<SigningKey, String> {
        let sealed = STANDARD.decode(&stored.sealed_pkcs8).map_err(text)?;
        let der = self
            .key
            .unwrap(&sealed, &aad(row, &stored.kid))
            .map_err(text)?;
        SigningKey::from_pkcs8(alg, &der)
    }

    /// The public keys of `account` (its JWKS's `keys`).
    pub async fn public_jwks(&self, account: &str) -> Result<Vec<Value>, String> {
        let mut keys = Vec::new();
        for alg in [Algorithm::Rs256, Algorithm::Es384] {
            let row = row(account, alg);
            if let Some(found) = self.table().get(&row).await.map_err(text)? {
                keys.push(serde_json::from_str(&found.value.public_jwk).map_err(text)?);
            }
        }
        Ok(keys)
    }
}

/// An error as text.
fn text(err: impl std::fmt::Display) -> String {
    err.to_string()
}

#[cfg(test)]
#[path = "outbound_keys_tests.rs"]
mod tests;

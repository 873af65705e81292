//! SigV4 signing keys (`HMAC` chain over date, region, service) with a small bounded cache.
//!
//! The cache is keyed by a SHA-256 fingerprint of (access key id, secret, date, region,
//! service), so a rotated secret never hits a stale key and no secret is kept as a map key.

use aws_lc_rs::{digest, hmac};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};
use zeroize::Zeroizing;

/// At most this many derived keys are kept (one per key id, day, region and service).
pub(crate) const CACHE_CAPACITY: usize = 1024;

type Fingerprint = [u8; 32];

static CACHE: LazyLock<Mutex<HashMap<Fingerprint, hmac::Key>>> =
    LazyLock::new(|| Mutex::new(HashMap::with_capacity(64)));

/// The signing key for the scope, from the cache or freshly derived.
pub(crate) fn signing_key(
    access_key_id: &str,
    secret: &str,
    date: &str,
    region: &str,
    service: &str,
) -> hmac::Key {
    let fp = fingerprint(&[access_key_id, secret, date, region, service]);
    if let Some(key) = CACHE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&fp)
    {
        return key.clone();
    }
    let key = derive(secret, date, region, service);
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.len() >= CACHE_CAPACITY
        && let Some(victim) = cache.keys().next().copied()
    {
        cache.remove(&victim);
    }
    cache.insert(fp, key.clone());
    key
}

/// A collision-resistant, unambiguous digest of the cache key parts (each length-prefixed).
fn fingerprint(parts: &[&str]) -> Fingerprint {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(b"rampart-sigv4-signing-key-v1");
    for part in parts {
        ctx.update(&(part.len() as u64).to_le_bytes());
        ctx.update(part.as_bytes());
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
pub(crate) fn derive(secret: &str, date: &str, region: &str, service: &str) -> hmac::Key {
    let mut seed = Zeroizing::new(Vec::with_capacity(secret.len() + 4));
    seed.extend_from_slice(b"AWS4");
    seed.extend_from_slice(secret.as_bytes());
    let k_date = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &seed), date.as_bytes());
    let k_region = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, k_date.as_ref()),
        region.as_bytes(),
    );
    let k_service = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, k_region.as_ref()),
        service.as_bytes(),
    );
    let k_signing = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, k_service.as_ref()),
        b"aws4_request",
    );
    hmac::Key::new(hmac::HMAC_SHA256, k_signing.as_ref())
}

/// Number of cached keys (tests only).
#[cfg(test)]
pub(crate) fn cached_len() -> usize {
    CACHE.lock().unwrap_or_else(PoisonError::into_inner).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    #[test]
    fn cached_key_equals_fresh_derivation() {
        let msg = b"string to sign";
        let cached = signing_key("AKIDCACHE", SECRET, "20150830", "us-east-1", "iam");
        let again = signing_key("AKIDCACHE", SECRET, "20150830", "us-east-1", "iam");
        let fresh = derive(SECRET, "20150830", "us-east-1", "iam");
        let tag = hmac::sign(&fresh, msg);
        assert!(hmac::verify(&cached, msg, tag.as_ref()).is_ok());
        assert!(hmac::verify(&again, msg, tag.as_ref()).is_ok());
        let other_secret = signing_key("AKIDCACHE", "other", "20150830", "us-east-1", "iam");
        assert!(hmac::verify(&other_secret, msg, tag.as_ref()).is_err());
    }

    #[test]
    fn known_signing_key_from_aws_docs() {
        // AWS documentation example: the signature of the IAM ListUsers example request.
        let key = derive(SECRET, "20150830", "us-east-1", "iam");
        let sts = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n\
                   f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59";
        let sig = hmac::sign(&key, sts.as_bytes());
        assert_eq!(
            hex::encode(sig.as_ref()),
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
    }

    #[test]
    fn cache_is_bounded() {
        for i in 0..CACHE_CAPACITY + 50 {
            signing_key(
                &format!("AKIDBOUND{i}"),
                SECRET,
                "20150830",
                "us-east-1",
                "kms",
            );
        }
        assert!(cached_len() <= CACHE_CAPACITY);
    }

    #[test]
    fn fingerprint_is_unambiguous() {
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
    }
}

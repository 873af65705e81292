//! HMAC_224/256/384/512 key material (RFC 2104 with SHA-224/256/384/512). Generated keys are as
//! long as the hash output (28/32/48/64 bytes); imported keys may be as long as AWS allows for
//! the spec: HMAC_224 and HMAC_256 up to 64 bytes, HMAC_384 and HMAC_512 from 48 / 64 up to 128
//! bytes. Stored as the raw key bytes. Tags are checked in constant time.

use super::MaterialError;
use super::ops::{invalid, wrong};
use super::spec::{MacAlgorithm, Spec};
use aws_lc_rs::hmac;
use zeroize::Zeroizing;

/// A loaded HMAC key.
pub(crate) struct HmacKey {
    raw: Zeroizing<Vec<u8>>,
    algorithm: MacAlgorithm,
    key: hmac::Key,
}

/// The spec's MAC algorithm, aws-lc-rs algorithm and allowed key lengths (bytes).
fn params_of(spec: Spec) -> Result<(MacAlgorithm, hmac::Algorithm, usize, usize), MaterialError> {
    match spec {
        Spec::Hmac224 => Ok((MacAlgorithm::HmacSha224, hmac::HMAC_SHA224, 28, 64)),
        Spec::Hmac256 => Ok((MacAlgorithm::HmacSha256, hmac::HMAC_SHA256, 32, 64)),
        Spec::Hmac384 => Ok((MacAlgorithm::HmacSha384, hmac::HMAC_SHA384, 48, 128)),
        Spec::Hmac512 => Ok((MacAlgorithm::HmacSha512, hmac::HMAC_SHA512, 64, 128)),
        other => Err(invalid(format!(
            "{} is not an HMAC key spec",
            other.as_aws()
        ))),
    }
}

/// The allowed key lengths in bytes `(min, max)` for an HMAC spec (imported material).
pub fn hmac_key_len(spec: Spec) -> Option<(usize, usize)> {
    params_of(spec).ok().map(|(_, _, min, max)| (min, max))
}

impl HmacKey {
    /// A fresh key as long as the hash output.
    pub(crate) fn generate(spec: Spec) -> Result<HmacKey, MaterialError> {
        let (_, _, len, _) = params_of(spec)?;
        let raw = Zeroizing::new(crate::random::bytes(len));
        HmacKey::from_bytes(spec, &raw)
    }

    /// A key from its raw bytes; rejects lengths AWS does not allow for the spec.
    pub(crate) fn from_bytes(spec: Spec, bytes: &[u8]) -> Result<HmacKey, MaterialError> {
        let (algorithm, lc, min, max) = params_of(spec)?;
        if !(min..=max).contains(&bytes.len()) {
            return Err(invalid(format!(
                "{} key material must be {min} to {max} bytes",
                spec.as_aws()
            )));
        }
        Ok(HmacKey {
            raw: Zeroizing::new(bytes.to_vec()),
            algorithm,
            key: hmac::Key::new(lc, bytes),
        })
    }

    pub(crate) fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.raw.clone()
    }

    pub(crate) fn mac(
        &self,
        spec: Spec,
        algorithm: MacAlgorithm,
        message: &[u8],
    ) -> Result<Vec<u8>, MaterialError> {
        self.check(spec, algorithm)?;
        Ok(hmac::sign(&self.key, message).as_ref().to_vec())
    }

    pub(crate) fn verify_mac(
        &self,
        spec: Spec,
        algorithm: MacAlgorithm,
        message: &[u8],
        tag: &[u8],
    ) -> Result<bool, MaterialError> {
        self.check(spec, algorithm)?;
        Ok(hmac::verify(&self.key, message, tag).is_ok())
    }

    fn check(&self, spec: Spec, algorithm: MacAlgorithm) -> Result<(), MaterialError> {
        if algorithm == self.algorithm {
            Ok(())
        } else {
            Err(wrong(algorithm.as_aws(), spec))
        }
    }
}

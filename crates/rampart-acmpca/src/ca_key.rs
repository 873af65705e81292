//! A CA's opened signing key for rcgen: an rcgen `KeyPair` (RSA, ECDSA) or an aws-lc-rs ML-DSA
//! key (FIPS 204; rcgen writes the id-ml-dsa-44/65/87 algorithm identifiers without parameters,
//! RFC 9881, but cannot load such a key from PKCS#8 itself).

use aws_lc_rs::signature::{KeyPair as _, PqdsaKeyPair};
use rcgen::{KeyPair, PublicKeyData, SignatureAlgorithm, SigningKey};

/// An opened CA key.
pub enum CaKey {
    Classic(KeyPair),
    MlDsa {
        key: PqdsaKeyPair,
        alg: &'static SignatureAlgorithm,
    },
}

impl std::fmt::Debug for CaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaKey").finish_non_exhaustive()
    }
}

impl PublicKeyData for CaKey {
    fn der_bytes(&self) -> &[u8] {
        match self {
            CaKey::Classic(key) => key.der_bytes(),
            CaKey::MlDsa { key, .. } => key.public_key().as_ref(),
        }
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        match self {
            CaKey::Classic(key) => key.algorithm(),
            CaKey::MlDsa { alg, .. } => alg,
        }
    }
}

impl SigningKey for CaKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        match self {
            CaKey::Classic(key) => key.sign(msg),
            CaKey::MlDsa { key, .. } => {
                let mut signature = vec![0; key.algorithm().signature_len()];
                let len = key
                    .sign(msg, &mut signature)
                    .map_err(|_| rcgen::Error::RemoteKeyError)?;
                signature.truncate(len);
                Ok(signature)
            }
        }
    }
}

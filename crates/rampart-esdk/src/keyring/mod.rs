//! Keyrings: raw AES and raw RSA keys held by the caller, and the multi-keyring.

pub mod multi;
pub mod raw_aes;
pub mod raw_rsa;

use crate::error::Result;
use crate::materials::EncryptionMaterials;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

/// Sets a fresh random data key of the suite's length unless the materials have one; answers
/// the data key.
pub fn ensure_data_key(materials: &mut EncryptionMaterials) -> Result<Zeroizing<Vec<u8>>> {
    if let Some(key) = &materials.data_key {
        return Ok(key.clone());
    }
    let mut key = Zeroizing::new(vec![0u8; materials.suite.key_len()]);
    SystemRandom::new().fill(&mut key)?;
    materials.data_key = Some(key.clone());
    Ok(key)
}

//! A value sealed with AES-256-GCM under a fresh KMS data key, bound to its owner as associated
//! data (`aad`): Parameter Store's SecureStrings over 4 KB (aad = the parameter ARN) and Secrets
//! Manager's versions (aad = the secret ARN and version id).
//! Layout: `edk_len(u16 BE) || encrypted data key || nonce(12) || ciphertext || tag(16)`.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

/// Seals `plaintext` under `data_key`, storing `encrypted_key` (the KMS ciphertext of the
/// data key) in front; `None` if the key or randomness is unusable.
pub fn seal(data_key: &[u8], encrypted_key: &[u8], aad: &str, plaintext: &[u8]) -> Option<Vec<u8>> {
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, data_key).ok()?);
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new().fill(&mut nonce).ok()?;
    let mut out = Vec::with_capacity(2 + encrypted_key.len() + NONCE_LEN + plaintext.len() + 16);
    out.extend_from_slice(&u16::try_from(encrypted_key.len()).ok()?.to_be_bytes());
    out.extend_from_slice(encrypted_key);
    out.extend_from_slice(&nonce);
    let start = out.len();
    out.extend_from_slice(plaintext);
    let tag = key
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad.as_bytes()),
            &mut out[start..],
        )
        .ok()?;
    out.extend_from_slice(tag.as_ref());
    Some(out)
}

/// The encrypted data key of an envelope.
pub fn encrypted_key(envelope: &[u8]) -> Option<&[u8]> {
    let len = usize::from(u16::from_be_bytes([*envelope.first()?, *envelope.get(1)?]));
    envelope.get(2..2 + len)
}

/// Opens an envelope with its decrypted `data_key`.
pub fn open(data_key: &[u8], aad: &str, envelope: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let edk_len = encrypted_key(envelope)?.len();
    let rest = envelope.get(2 + edk_len..)?;
    let nonce = Nonce::try_assume_unique_for_key(rest.get(..NONCE_LEN)?).ok()?;
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, data_key).ok()?);
    let mut sealed = Zeroizing::new(rest.get(NONCE_LEN..)?.to_vec());
    let plain = key
        .open_in_place(nonce, Aad::from(aad.as_bytes()), sealed.as_mut_slice())
        .ok()?
        .len();
    sealed.truncate(plain);
    Some(sealed)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_round_trip_and_bind_the_arn() {
        let key = [7u8; 32];
        let sealed = seal(&key, b"edk-bytes", "arn:a", b"value").unwrap();
        assert_eq!(encrypted_key(&sealed).unwrap(), b"edk-bytes");
        assert_eq!(open(&key, "arn:a", &sealed).unwrap().as_slice(), b"value");
        assert!(open(&key, "arn:b", &sealed).is_none());
        assert!(open(&[8u8; 32], "arn:a", &sealed).is_none());
        assert!(open(&key, "arn:a", &sealed[..5]).is_none());
    }
}

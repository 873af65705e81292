//! ExportCertificate's private key: PKCS #8 `EncryptedPrivateKeyInfo` (RFC 5958) under PBES2
//! (RFC 8018): PBKDF2 with HMAC-SHA256 over the passphrase and a random salt, AES-256-CBC with
//! a random IV (aws-lc-rs), DER written with yasna, as `-----BEGIN ENCRYPTED PRIVATE KEY-----`
//! PEM, which OpenSSL and `cryptography` read with the passphrase.

use aws_lc_rs::cipher::{AES_256, EncryptionContext, PaddedBlockEncryptingKey, UnboundCipherKey};
use aws_lc_rs::pbkdf2;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::num::NonZeroU32;
use yasna::models::ObjectIdentifier;
use zeroize::Zeroizing;

/// PBKDF2 iterations.
pub const ITERATIONS: u32 = 2048;
/// id-PBES2.
const PBES2: &[u64] = &[1, 2, 840, 113549, 1, 5, 13];
/// id-PBKDF2.
const PBKDF2: &[u64] = &[1, 2, 840, 113549, 1, 5, 12];
/// hmacWithSHA256.
const HMAC_SHA256: &[u64] = &[1, 2, 840, 113549, 2, 9];
/// aes256-CBC.
const AES256_CBC: &[u64] = &[2, 16, 840, 1, 101, 3, 4, 1, 42];

/// The key could not be encrypted (never a client's fault).
#[derive(Debug)]
pub struct EncryptFault;

/// `pkcs8` encrypted under `passphrase`, as PEM.
pub fn encrypt_pem(pkcs8: &[u8], passphrase: &[u8]) -> Result<String, EncryptFault> {
    let salt: [u8; 16] = rampart_crypto::random::array();
    let iv: [u8; 16] = rampart_crypto::random::array();
    let der = encrypt_der(pkcs8, passphrase, &salt, &iv)?;
    let body = STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN ENCRYPTED PRIVATE KEY-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END ENCRYPTED PRIVATE KEY-----\n");
    Ok(pem)
}

/// The DER `EncryptedPrivateKeyInfo` of `pkcs8` under `passphrase`, `salt` and `iv`.
pub fn encrypt_der(
    pkcs8: &[u8],
    passphrase: &[u8],
    salt: &[u8; 16],
    iv: &[u8; 16],
) -> Result<Vec<u8>, EncryptFault> {
    let mut key = Zeroizing::new([0u8; 32]);
    let iterations = NonZeroU32::new(ITERATIONS).ok_or(EncryptFault)?;
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt,
        passphrase,
        key.as_mut(),
    );
    let unbound = UnboundCipherKey::new(&AES_256, key.as_ref()).map_err(|_| EncryptFault)?;
    let cipher = PaddedBlockEncryptingKey::cbc_pkcs7(unbound).map_err(|_| EncryptFault)?;
    let mut data = pkcs8.to_vec();
    let context = EncryptionContext::Iv128((*iv).into());
    cipher
        .less_safe_encrypt(&mut data, context)
        .map_err(|_| EncryptFault)?;
    Ok(info_der(&data, salt, iv))
}

/// `EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData }`.
fn info_der(encrypted: &[u8], salt: &[u8], iv: &[u8]) -> Vec<u8> {
    yasna::construct_der(|w| {
        w.write_sequence(|w| {
            w.next().write_sequence(|w| {
                w.next().write_oid(&ObjectIdentifier::from_slice(PBES2));
                w.next().write_sequence(|w| {
                    w.next().write_sequence(|w| {
                        w.next().write_oid(&ObjectIdentifier::from_slice(PBKDF2));
                        w.next().write_sequence(|w| {
                            w.next().write_bytes(salt);
                            w.next().write_u32(ITERATIONS);
                            w.next().write_sequence(|w| {
                                w.next()
                                    .write_oid(&ObjectIdentifier::from_slice(HMAC_SHA256));
                                w.next().write_null();
                            });
                        });
                    });
                    w.next().write_sequence(|w| {
                        w.next()
                            .write_oid(&ObjectIdentifier::from_slice(AES256_CBC));
                        w.next().write_bytes(iv);
                    });
                });
            });
            w.next().write_bytes(encrypted);
        });
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use aws_lc_rs::cipher::{DecryptionContext, PaddedBlockDecryptingKey};

    /// Reads the DER back (salt, iterations, IV, ciphertext) and decrypts with the passphrase.
    fn decrypt(der: &[u8], passphrase: &[u8]) -> Option<Vec<u8>> {
        let (salt, iterations, iv, mut data) = yasna::parse_der(der, |r| {
            r.read_sequence(|r| {
                let (salt, iterations, iv) = r.next().read_sequence(|r| {
                    assert_eq!(r.next().read_oid()?.components(), PBES2);
                    r.next().read_sequence(|r| {
                        let (salt, iterations) = r.next().read_sequence(|r| {
                            assert_eq!(r.next().read_oid()?.components(), PBKDF2);
                            r.next().read_sequence(|r| {
                                let salt = r.next().read_bytes()?;
                                let iterations = r.next().read_u32()?;
                                r.next().read_sequence(|r| {
                                    assert_eq!(r.next().read_oid()?.components(), HMAC_SHA256);
                                    r.next().read_null()
                                })?;
                                Ok((salt, iterations))
                            })
                        })?;
                        let iv = r.next().read_sequence(|r| {
                            assert_eq!(r.next().read_oid()?.components(), AES256_CBC);
                            r.next().read_bytes()
                        })?;
                        Ok((salt, iterations, iv))
                    })
                })?;
                Ok((salt, iterations, iv, r.next().read_bytes()?))
            })
        })
        .unwrap();
        let mut key = [0u8; 32];
        let n = NonZeroU32::new(iterations).unwrap();
        pbkdf2::derive(pbkdf2::PBKDF2_HMAC_SHA256, n, &salt, passphrase, &mut key);
        let unbound = UnboundCipherKey::new(&AES_256, &key).unwrap();
        let cipher = PaddedBlockDecryptingKey::cbc_pkcs7(unbound).unwrap();
        let iv: [u8; 16] = iv.try_into().unwrap();
        let context = DecryptionContext::Iv128(iv.into());
        cipher
            .decrypt(&mut data, context)
            .ok()
            .map(|plain| plain.to_vec())
    }

    #[test]
    fn only_the_passphrase_decrypts_the_key() {
        let pkcs8 = crate::keys::generate("EC_prime256v1").unwrap().pkcs8;
        let der = encrypt_der(&pkcs8, b"correct horse", &[7; 16], &[9; 16]).unwrap();
        assert_eq!(decrypt(&der, b"correct horse").unwrap(), pkcs8.as_slice());
        assert_ne!(decrypt(&der, b"wrong").as_deref(), Some(pkcs8.as_slice()));
        let pem = encrypt_pem(&pkcs8, b"pass").unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
    }
}

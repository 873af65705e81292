//! Certificate private keys: read from what ImportCertificate sends (PEM PKCS #8, PKCS #1 or
//! SEC1, unencrypted; aws-lc-rs parses and checks them), generated for RequestCertificate
//! (RSA 2048, EC P-256, EC P-384), and kept only as PKCS #8 sealed under the root key's ACM
//! domain key with the certificate ARN as associated data.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P384_SHA384_ASN1_SIGNING, ECDSA_P521_SHA512_ASN1_SIGNING,
    EcdsaKeyPair, EcdsaSigningAlgorithm, KeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rampart_crypto::root::DomainKey;
use zeroize::Zeroizing;

/// A key could not be read, generated, sealed or opened (details never shown).
#[derive(Debug)]
pub struct KeyFault;

/// A private key ACM holds: PKCS #8, its public key as the certificate carries it (the
/// RSAPublicKey DER, or the uncompressed EC point) and its algorithm name.
pub struct HeldKey {
    pub pkcs8: Zeroizing<Vec<u8>>,
    pub public: Vec<u8>,
    pub algorithm: &'static str,
}

impl std::fmt::Debug for HeldKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// The curves ACM holds keys on, with their names.
const CURVES: &[(&EcdsaSigningAlgorithm, &str)] = &[
    (&ECDSA_P256_SHA256_ASN1_SIGNING, "EC_prime256v1"),
    (&ECDSA_P384_SHA384_ASN1_SIGNING, "EC_secp384r1"),
    (&ECDSA_P521_SHA512_ASN1_SIGNING, "EC_secp521r1"),
];

/// Reads the one PEM private key of `bytes`; encrypted keys and other kinds are refused.
pub fn read_pem(bytes: &[u8]) -> Result<HeldKey, KeyFault> {
    let mut blocks = x509_parser::pem::Pem::iter_from_buffer(bytes);
    let block = blocks.next().ok_or(KeyFault)?.map_err(|_| KeyFault)?;
    if blocks.next().is_some() {
        return Err(KeyFault);
    }
    let der = Zeroizing::new(block.contents);
    match block.label.as_str() {
        "PRIVATE KEY" => from_pkcs8(&der),
        "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der)
            .map_err(|_| KeyFault)
            .and_then(rsa),
        "EC PRIVATE KEY" => CURVES
            .iter()
            .find_map(|(alg, name)| {
                let pair = EcdsaKeyPair::from_private_key_der(alg, &der).ok()?;
                ec(&pair, name).ok()
            })
            .ok_or(KeyFault),
        _ => Err(KeyFault),
    }
}

/// Reads a PKCS #8 key of any held kind.
pub fn from_pkcs8(der: &[u8]) -> Result<HeldKey, KeyFault> {
    if let Ok(pair) = RsaKeyPair::from_pkcs8(der) {
        return rsa(pair);
    }
    CURVES
        .iter()
        .find_map(|(alg, name)| {
            let pair = EcdsaKeyPair::from_pkcs8(alg, der).ok()?;
            ec(&pair, name).ok()
        })
        .ok_or(KeyFault)
}

/// An RSA key of a size ACM holds.
fn rsa(pair: RsaKeyPair) -> Result<HeldKey, KeyFault> {
    let algorithm = match pair.public_modulus_len() * 8 {
        2048 => "RSA_2048",
        3072 => "RSA_3072",
        4096 => "RSA_4096",
        _ => return Err(KeyFault),
    };
    let pkcs8 = pair.as_der().map_err(|_| KeyFault)?;
    Ok(HeldKey {
        pkcs8: Zeroizing::new(pkcs8.as_ref().to_vec()),
        public: pair.public_key().as_ref().to_vec(),
        algorithm,
    })
}

/// An EC key on curve `name`.
fn ec(pair: &EcdsaKeyPair, name: &'static str) -> Result<HeldKey, KeyFault> {
    let pkcs8 = pair.to_pkcs8v1().map_err(|_| KeyFault)?;
    Ok(HeldKey {
        pkcs8: Zeroizing::new(pkcs8.as_ref().to_vec()),
        public: pair.public_key().as_ref().to_vec(),
        algorithm: name,
    })
}

/// A fresh key for RequestCertificate's `algorithm` (`RSA_2048`, `EC_prime256v1`,
/// `EC_secp384r1`).
pub fn generate(algorithm: &str) -> Result<HeldKey, KeyFault> {
    if algorithm == "RSA_2048" {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyFault)?;
        return rsa(pair);
    }
    let (alg, name) = CURVES
        .iter()
        .find(|(_, name)| *name == algorithm)
        .ok_or(KeyFault)?;
    let pair = EcdsaKeyPair::generate(alg).map_err(|_| KeyFault)?;
    ec(&pair, name)
}

/// The rcgen key pair of `key` (to sign a CSR with).
pub fn signing_pair(key: &HeldKey) -> Result<rcgen::KeyPair, KeyFault> {
    let alg = match key.algorithm {
        "EC_prime256v1" => &rcgen::PKCS_ECDSA_P256_SHA256,
        "EC_secp384r1" => &rcgen::PKCS_ECDSA_P384_SHA384,
        "EC_secp521r1" => &rcgen::PKCS_ECDSA_P521_SHA512,
        _ => &rcgen::PKCS_RSA_SHA256,
    };
    let pem = Zeroizing::new(format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        Zeroizing::new(STANDARD.encode(key.pkcs8.as_slice())).as_str()
    ));
    rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&pem, alg).map_err(|_| KeyFault)
}

/// The associated data binding a sealed key to its certificate.
fn aad(arn: &str) -> Vec<u8> {
    format!("rampart/acm/certificate-key/v1|{arn}").into_bytes()
}

/// `pkcs8` sealed for certificate `arn`, base64.
pub fn seal(domain: &DomainKey, arn: &str, pkcs8: &[u8]) -> Result<String, KeyFault> {
    let blob = domain.try_wrap(pkcs8, &aad(arn)).map_err(|_| KeyFault)?;
    Ok(STANDARD.encode(blob))
}

/// The PKCS #8 key sealed for certificate `arn`.
pub fn open(domain: &DomainKey, arn: &str, sealed: &str) -> Result<Zeroizing<Vec<u8>>, KeyFault> {
    let blob = STANDARD.decode(sealed).map_err(|_| KeyFault)?;
    let pkcs8 = domain.unwrap(&blob, &aad(arn)).map_err(|_| KeyFault)?;
    Ok(Zeroizing::new(pkcs8.to_vec()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rampart_crypto::root::{Domain, RootKey};

    #[test]
    fn generated_keys_read_back_and_seal_for_one_certificate_only() {
        let domain = RootKey::generate().domain_key(Domain::Acm);
        for algorithm in ["RSA_2048", "EC_prime256v1", "EC_secp384r1"] {
            let key = generate(algorithm).unwrap();
            let again = from_pkcs8(&key.pkcs8).unwrap();
            assert_eq!(again.algorithm, algorithm);
            assert_eq!(again.public, key.public);
            let sealed = seal(&domain, "arn:a", &key.pkcs8).unwrap();
            assert_eq!(
                open(&domain, "arn:a", &sealed).unwrap().as_slice(),
                key.pkcs8.as_slice()
            );
            assert!(open(&domain, "arn:b", &sealed).is_err());
        }
        assert!(generate("RSA_1024").is_err());
    }

    #[test]
    fn pem_keys_of_other_kinds_are_refused() {
        assert!(read_pem(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").is_err());
        assert!(read_pem(b"not a key").is_err());
    }
}

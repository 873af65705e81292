//! CA private keys: generated (rcgen over aws-lc-rs; ML-DSA with aws-lc-rs) for the CA's key
//! algorithm, stored only
//! sealed under the root key's ACM domain key with the CA ARN as associated data, and opened
//! for one signing with the signing algorithm the request names. Never exported.

use crate::ca_key::CaKey;
use crate::generated::{KeyAlgorithm, SigningAlgorithm};
use aws_lc_rs::signature::{
    ML_DSA_44_SIGNING, ML_DSA_65_SIGNING, ML_DSA_87_SIGNING, PqdsaKeyPair, PqdsaSigningAlgorithm,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rampart_crypto::root::DomainKey;
use rcgen::{KeyPair, RsaKeySize, SignatureAlgorithm};
use zeroize::Zeroizing;

/// A CA key could not be generated, sealed or opened (details are logged, never shown).
#[derive(Debug)]
pub struct KeyFault(pub &'static str);

/// The key algorithms Rampart creates CAs with.
pub fn supported(key: &KeyAlgorithm) -> bool {
    matches!(
        key,
        KeyAlgorithm::Rsa2048
            | KeyAlgorithm::Rsa3072
            | KeyAlgorithm::Rsa4096
            | KeyAlgorithm::EcPrime256v1
            | KeyAlgorithm::EcSecp384r1
            | KeyAlgorithm::EcSecp521r1
            | KeyAlgorithm::MlDsa44
            | KeyAlgorithm::MlDsa65
            | KeyAlgorithm::MlDsa87
    )
}

/// The rcgen signature algorithm signing with a `key` CA key under `signing`, or `None` when
/// the two do not go together (RSA with an ECDSA algorithm, or a curve with a digest aws-lc-rs
/// does not sign with).
pub fn signature_algorithm(
    key: &KeyAlgorithm,
    signing: &SigningAlgorithm,
) -> Option<&'static SignatureAlgorithm> {
    use KeyAlgorithm as K;
    use SigningAlgorithm as S;
    match (key, signing) {
        (K::Rsa2048 | K::Rsa3072 | K::Rsa4096, S::Sha256withrsa) => Some(&rcgen::PKCS_RSA_SHA256),
        (K::Rsa2048 | K::Rsa3072 | K::Rsa4096, S::Sha384withrsa) => Some(&rcgen::PKCS_RSA_SHA384),
        (K::Rsa2048 | K::Rsa3072 | K::Rsa4096, S::Sha512withrsa) => Some(&rcgen::PKCS_RSA_SHA512),
        (K::EcPrime256v1, S::Sha256withecdsa) => Some(&rcgen::PKCS_ECDSA_P256_SHA256),
        (K::EcSecp384r1, S::Sha384withecdsa) => Some(&rcgen::PKCS_ECDSA_P384_SHA384),
        (K::EcSecp521r1, S::Sha256withecdsa) => Some(&rcgen::PKCS_ECDSA_P521_SHA256),
        (K::EcSecp521r1, S::Sha384withecdsa) => Some(&rcgen::PKCS_ECDSA_P521_SHA384),
        (K::EcSecp521r1, S::Sha512withecdsa) => Some(&rcgen::PKCS_ECDSA_P521_SHA512),
        (K::MlDsa44, S::MlDsa44) => Some(&rcgen::PKCS_ML_DSA_44),
        (K::MlDsa65, S::MlDsa65) => Some(&rcgen::PKCS_ML_DSA_65),
        (K::MlDsa87, S::MlDsa87) => Some(&rcgen::PKCS_ML_DSA_87),
        _ => None,
    }
}

/// The aws-lc-rs ML-DSA parameter set of an ML-DSA key algorithm.
fn ml_dsa(key: &KeyAlgorithm) -> Option<&'static PqdsaSigningAlgorithm> {
    match key {
        KeyAlgorithm::MlDsa44 => Some(&ML_DSA_44_SIGNING),
        KeyAlgorithm::MlDsa65 => Some(&ML_DSA_65_SIGNING),
        KeyAlgorithm::MlDsa87 => Some(&ML_DSA_87_SIGNING),
        _ => None,
    }
}

/// The ML-DSA parameter set rcgen signs with under `alg`, if it is ML-DSA.
fn ml_dsa_of(alg: &'static SignatureAlgorithm) -> Option<&'static PqdsaSigningAlgorithm> {
    let key = [
        (&rcgen::PKCS_ML_DSA_44, KeyAlgorithm::MlDsa44),
        (&rcgen::PKCS_ML_DSA_65, KeyAlgorithm::MlDsa65),
        (&rcgen::PKCS_ML_DSA_87, KeyAlgorithm::MlDsa87),
    ]
    .into_iter()
    .find(|(known, _)| *known == alg)?
    .1;
    ml_dsa(&key)
}

/// A fresh key pair for `key` (a supported algorithm), as PKCS#8.
pub fn generate(key: &KeyAlgorithm) -> Result<Zeroizing<Vec<u8>>, KeyFault> {
    if let Some(params) = ml_dsa(key) {
        let pair = PqdsaKeyPair::generate(params).map_err(|_| KeyFault("key generation failed"))?;
        let der = pair
            .to_pkcs8v1()
            .map_err(|_| KeyFault("key serialization failed"))?;
        return Ok(Zeroizing::new(der.as_ref().to_vec()));
    }
    let pair = match key {
        KeyAlgorithm::Rsa2048 => {
            KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_2048)
        }
        KeyAlgorithm::Rsa3072 => {
            KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_3072)
        }
        KeyAlgorithm::Rsa4096 => {
            KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_4096)
        }
        KeyAlgorithm::EcPrime256v1 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
        KeyAlgorithm::EcSecp384r1 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384),
        KeyAlgorithm::EcSecp521r1 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512),
        _ => return Err(KeyFault("unsupported key algorithm")),
    };
    let pair = pair.map_err(|_| KeyFault("key generation failed"))?;
    Ok(Zeroizing::new(pair.serialize_der()))
}

/// The key's own default signing algorithm (for its CSR).
pub fn default_signature_algorithm(key: &KeyAlgorithm) -> &'static SignatureAlgorithm {
    match key {
        KeyAlgorithm::EcPrime256v1 => &rcgen::PKCS_ECDSA_P256_SHA256,
        KeyAlgorithm::EcSecp384r1 => &rcgen::PKCS_ECDSA_P384_SHA384,
        KeyAlgorithm::EcSecp521r1 => &rcgen::PKCS_ECDSA_P521_SHA512,
        KeyAlgorithm::MlDsa44 => &rcgen::PKCS_ML_DSA_44,
        KeyAlgorithm::MlDsa65 => &rcgen::PKCS_ML_DSA_65,
        KeyAlgorithm::MlDsa87 => &rcgen::PKCS_ML_DSA_87,
        _ => &rcgen::PKCS_RSA_SHA256,
    }
}

/// The associated data binding a sealed key to its CA.
fn aad(ca_arn: &str) -> Vec<u8> {
    format!("rampart/acm-pca/ca-key/v1|{ca_arn}").into_bytes()
}

/// `pkcs8` sealed for the CA `ca_arn`, base64.
pub fn seal(domain: &DomainKey, ca_arn: &str, pkcs8: &[u8]) -> Result<String, KeyFault> {
    let blob = domain
        .try_wrap(pkcs8, &aad(ca_arn))
        .map_err(|_| KeyFault("sealing a CA key failed"))?;
    Ok(STANDARD.encode(blob))
}

/// The sealed key of `from_arn` sealed anew for `to_arn` (a replica sharing its primary's key).
pub fn reseal(
    domain: &DomainKey,
    from_arn: &str,
    to_arn: &str,
    sealed: &str,
) -> Result<String, KeyFault> {
    let blob = STANDARD
        .decode(sealed)
        .map_err(|_| KeyFault("a sealed CA key is not base64"))?;
    let pkcs8 = domain
        .unwrap(&blob, &aad(from_arn))
        .map_err(|_| KeyFault("a sealed CA key did not open"))?;
    seal(domain, to_arn, &pkcs8)
}

/// Opens the sealed key of `ca_arn` as a signing key for `alg`.
pub fn open(
    domain: &DomainKey,
    ca_arn: &str,
    sealed: &str,
    alg: &'static SignatureAlgorithm,
) -> Result<CaKey, KeyFault> {
    let blob = STANDARD
        .decode(sealed)
        .map_err(|_| KeyFault("a sealed CA key is not base64"))?;
    let pkcs8 = domain
        .unwrap(&blob, &aad(ca_arn))
        .map_err(|_| KeyFault("a sealed CA key did not open"))?;
    if let Some(params) = ml_dsa_of(alg) {
        let key = PqdsaKeyPair::from_pkcs8(params, &pkcs8)
            .map_err(|_| KeyFault("a CA key was refused"))?;
        return Ok(CaKey::MlDsa { key, alg });
    }
    let pem = Zeroizing::new(format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        Zeroizing::new(STANDARD.encode(pkcs8.as_slice())).as_str()
    ));
    KeyPair::from_pkcs8_pem_and_sign_algo(&pem, alg)
        .map(CaKey::Classic)
        .map_err(|_| KeyFault("a CA key was refused"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rampart_crypto::root::{Domain, RootKey};

    #[test]
    fn sealed_keys_open_only_for_their_ca() {
        let domain = RootKey::generate().domain_key(Domain::Acm);
        let pkcs8 = generate(&KeyAlgorithm::EcPrime256v1).unwrap();
        let sealed = seal(&domain, "arn:a", &pkcs8).unwrap();
        assert!(
            !STANDARD
                .decode(&sealed)
                .unwrap()
                .windows(16)
                .any(|w| pkcs8.windows(16).any(|p| p == w))
        );
        let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
        assert!(open(&domain, "arn:a", &sealed, alg).is_ok());
        assert!(open(&domain, "arn:b", &sealed, alg).is_err());
        let moved = reseal(&domain, "arn:a", "arn:b", &sealed).unwrap();
        assert!(open(&domain, "arn:b", &moved, alg).is_ok());
        assert!(open(&domain, "arn:a", &moved, alg).is_err());
        assert!(reseal(&domain, "arn:c", "arn:b", &sealed).is_err());
    }

    #[test]
    fn signing_algorithms_must_fit_the_key() {
        let rsa = KeyAlgorithm::Rsa2048;
        assert!(signature_algorithm(&rsa, &SigningAlgorithm::Sha384withrsa).is_some());
        assert!(signature_algorithm(&rsa, &SigningAlgorithm::Sha256withecdsa).is_none());
        let p256 = KeyAlgorithm::EcPrime256v1;
        assert!(signature_algorithm(&p256, &SigningAlgorithm::Sha256withrsa).is_none());
        assert!(signature_algorithm(&p256, &SigningAlgorithm::Sha256withecdsa).is_some());
    }
}

//! ML-DSA and ML-KEM.

use super::*;
use aws_lc_rs::kem::{self, EncapsulationKey};
use aws_lc_rs::signature::{self, UnparsedPublicKey};

#[test]
fn ml_dsa_every_parameter_set() {
    let sets = [
        (Spec::MlDsa44, &signature::ML_DSA_44, 2420),
        (Spec::MlDsa65, &signature::ML_DSA_65, 3309),
        (Spec::MlDsa87, &signature::ML_DSA_87, 4627),
    ];
    let alg = SigningAlgorithm::MlDsaShake256;
    for (spec, verification, sig_len) in sets {
        let material = key(spec);
        let again = reload(material);
        let sig = material.sign(alg, MessageType::Raw, b"hello").unwrap();
        assert_eq!(sig.len(), sig_len);
        assert!(again.verify(alg, MessageType::Raw, b"hello", &sig).unwrap());
        assert!(
            !material
                .verify(alg, MessageType::Raw, b"hellO", &sig)
                .unwrap()
        );
        let mut tampered = sig.clone();
        tampered[100] ^= 1;
        assert!(
            !material
                .verify(alg, MessageType::Raw, b"hello", &tampered)
                .unwrap()
        );
        let spki = material.public_key_der().unwrap();
        assert!(
            UnparsedPublicKey::new(verification, &spki)
                .verify(b"hello", &sig)
                .is_ok()
        );
    }
}

#[test]
fn ml_dsa_message_types_and_algorithms() {
    let material = key(Spec::MlDsa44);
    let alg = SigningAlgorithm::MlDsaShake256;
    assert!(matches!(
        material.sign(alg, MessageType::ExternalMu, &[0; 64]),
        Err(MaterialError::Unsupported(_))
    ));
    assert!(matches!(
        material.sign(alg, MessageType::ExternalMu, &[0; 63]),
        Err(MaterialError::InvalidMessage(_))
    ));
    assert!(matches!(
        material.verify(alg, MessageType::Digest, &[0; 32], &[0; 10]),
        Err(MaterialError::InvalidMessage(_))
    ));
    assert!(matches!(
        material.sign(SigningAlgorithm::EcdsaSha256, MessageType::Raw, b"m"),
        Err(MaterialError::WrongAlgorithm { .. })
    ));
}

#[test]
fn ml_dsa_rejects_other_parameter_sets() {
    let ml44 = key(Spec::MlDsa44).to_bytes();
    assert!(is_invalid_material(Material::from_bytes(
        Spec::MlDsa65,
        &ml44
    )));
    assert!(is_invalid_material(Material::from_bytes(
        Spec::MlDsa87,
        &ml44
    )));
    let ed = key(Spec::Ed25519).to_bytes();
    assert!(is_invalid_material(Material::from_bytes(
        Spec::MlDsa44,
        &ed
    )));
}

#[test]
fn ml_kem_every_parameter_set() {
    let sets = [
        (Spec::MlKem512, &kem::ML_KEM_512, 800, 768),
        (Spec::MlKem768, &kem::ML_KEM_768, 1184, 1088),
        (Spec::MlKem1024, &kem::ML_KEM_1024, 1568, 1568),
    ];
    for (spec, algorithm, ek_len, ct_len) in sets {
        let material = key(spec);
        let again = reload(material);
        let (ciphertext, secret) = material.encapsulate().unwrap();
        assert_eq!(ciphertext.len(), ct_len);
        assert_eq!(secret.len(), 32);
        assert_eq!(*again.decapsulate(&ciphertext).unwrap(), *secret);

        // An outside party encapsulates to the SubjectPublicKeyInfo's key.
        let spki = material.public_key_der().unwrap();
        assert_eq!(spki[0], 0x30);
        let ek = &spki[spki.len() - ek_len..];
        let outside = EncapsulationKey::new(algorithm, ek).unwrap();
        let (ct, ss) = outside.encapsulate().unwrap();
        assert_eq!(*material.decapsulate(ct.as_ref()).unwrap(), ss.as_ref());

        let mut tampered = ciphertext.clone();
        tampered[0] ^= 1;
        assert_ne!(*material.decapsulate(&tampered).unwrap(), *secret);
        assert_eq!(
            material.decapsulate(&ciphertext[1..]).unwrap_err(),
            MaterialError::InvalidCiphertext
        );
    }
}

#[test]
fn ml_kem_rejects_wrong_material() {
    let ml512 = key(Spec::MlKem512).to_bytes();
    assert!(is_invalid_material(Material::from_bytes(
        Spec::MlKem768,
        &ml512
    )));
    // Flip a byte of ek inside dk: H(ek) no longer matches.
    let mut broken = ml512.to_vec();
    let at = broken.len() - 96 - 100;
    broken[at] ^= 1;
    assert!(is_invalid_material(Material::from_bytes(
        Spec::MlKem512,
        &broken
    )));
    let ml_dsa = key(Spec::MlDsa44).to_bytes();
    assert!(is_invalid_material(Material::from_bytes(
        Spec::MlKem512,
        &ml_dsa
    )));
    assert!(is_invalid_material(Material::from_bytes(
        Spec::MlKem512,
        &ml512[..ml512.len() - 1]
    )));
    assert!(matches!(
        key(Spec::MlKem512).sign(SigningAlgorithm::MlDsaShake256, MessageType::Raw, b"m"),
        Err(MaterialError::WrongAlgorithm { .. })
    ));
}

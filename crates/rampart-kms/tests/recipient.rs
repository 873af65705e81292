//! `Recipient` verification against real certificates (made with rcgen, P-384) and COSE_Sign1
//! documents signed with aws-lc-rs: a good document passes; a forged signature, an untrusted or
//! broken chain, a non-CA intermediate and a missing public key are refused.

#![allow(clippy::unwrap_used)]

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeySize, PrivateDecryptingKey};
use aws_lc_rs::signature::{ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair};
use ciborium::Value;
use rampart_codec::Blob;
use rampart_kms::generated::shapes::RecipientInfo;
use rampart_kms::recipient::{Roots, verify};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, PKCS_ECDSA_P384_SHA384};

struct Chain {
    root_pem: String,
    root: Vec<u8>,
    inter: Vec<u8>,
    leaf: Vec<u8>,
    leaf_key: KeyPair,
}

fn params(ca: bool) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = if ca {
        IsCa::Ca(BasicConstraints::Unconstrained)
    } else {
        IsCa::NoCa
    };
    p
}

fn chain(inter_is_ca: bool) -> Chain {
    let root_key = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).unwrap();
    let root = params(true).self_signed(&root_key).unwrap();
    let root_issuer = Issuer::new(params(true), &root_key);
    let inter_key = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).unwrap();
    let inter = params(inter_is_ca)
        .signed_by(&inter_key, &root_issuer)
        .unwrap();
    let inter_issuer = Issuer::new(params(inter_is_ca), &inter_key);
    let leaf_key = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).unwrap();
    let leaf = params(false).signed_by(&leaf_key, &inter_issuer).unwrap();
    Chain {
        root_pem: root.pem(),
        root: root.der().to_vec(),
        inter: inter.der().to_vec(),
        leaf: leaf.der().to_vec(),
        leaf_key,
    }
}

fn cbor(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

fn document(chain: &Chain, signer: &KeyPair, public_key: Option<&[u8]>) -> Vec<u8> {
    let text = |s: &str| Value::Text(s.into());
    let payload = cbor(&Value::Map(vec![
        (text("module_id"), text("i-0123-enc0123")),
        (text("digest"), text("SHA384")),
        (text("timestamp"), Value::Integer(1.into())),
        (
            text("pcrs"),
            Value::Map(vec![(Value::Integer(0.into()), Value::Bytes(vec![7; 48]))]),
        ),
        (text("certificate"), Value::Bytes(chain.leaf.clone())),
        (
            text("cabundle"),
            Value::Array(vec![
                Value::Bytes(chain.root.clone()),
                Value::Bytes(chain.inter.clone()),
            ]),
        ),
        (
            text("public_key"),
            public_key.map_or(Value::Null, |k| Value::Bytes(k.to_vec())),
        ),
    ]));
    let protected = cbor(&Value::Map(vec![(
        Value::Integer(1.into()),
        Value::Integer((-35).into()),
    )]));
    let signed = cbor(&Value::Array(vec![
        text("Signature1"),
        Value::Bytes(protected.clone()),
        Value::Bytes(Vec::new()),
        Value::Bytes(payload.clone()),
    ]));
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, &signer.serialize_der())
        .unwrap();
    let signature = key.sign(&SystemRandom::new(), &signed).unwrap();
    cbor(&Value::Array(vec![
        Value::Bytes(protected),
        Value::Map(Vec::new()),
        Value::Bytes(payload),
        Value::Bytes(signature.as_ref().to_vec()),
    ]))
}

fn info(doc: Vec<u8>) -> RecipientInfo {
    RecipientInfo {
        attestation_document: Some(Blob(doc)),
        ..Default::default()
    }
}

fn rsa_public() -> Vec<u8> {
    let key = PrivateDecryptingKey::generate(KeySize::Rsa2048).unwrap();
    key.public_key().as_der().unwrap().as_ref().to_vec()
}

const NOW_MS: i64 = 1_800_000_000_000;

#[test]
fn a_document_from_a_trusted_chain_is_accepted() {
    let chain = chain(true);
    let roots = Roots::from_pem(chain.root_pem.as_bytes()).unwrap();
    let public = rsa_public();
    let doc = document(&chain, &chain.leaf_key, Some(&public));
    let attested = verify(&roots, Some(&info(doc)), NOW_MS).unwrap().unwrap();
    assert_eq!(attested.public_key, public);
    assert_eq!(attested.pcrs.get(&0), Some(&vec![7; 48]));
    assert!(attested.envelope(b"secret").unwrap().len() > 256);
    assert_eq!(verify(&roots, None, NOW_MS), Ok(None));
}

#[test]
fn forged_untrusted_and_broken_documents_are_refused() {
    let chain = chain(true);
    let roots = Roots::from_pem(chain.root_pem.as_bytes()).unwrap();
    let public = rsa_public();
    let code = |doc: Vec<u8>, roots: &Roots| {
        verify(roots, Some(&info(doc)), NOW_MS)
            .err()
            .map(|e| (e.code(), e.client_message()))
    };
    let other = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).unwrap();
    let forged = code(document(&chain, &other, Some(&public)), &roots).unwrap();
    assert_eq!(forged.0, "ValidationException");
    assert!(
        forged.1.ends_with("its COSE signature does not verify."),
        "{}",
        forged.1
    );
    let stranger = self::chain(true);
    let strange_roots = Roots::from_pem(stranger.root_pem.as_bytes()).unwrap();
    let untrusted = code(
        document(&chain, &chain.leaf_key, Some(&public)),
        &strange_roots,
    );
    assert!(
        untrusted
            .unwrap()
            .1
            .contains("does not start with a trusted root")
    );
    let no_key = code(document(&chain, &chain.leaf_key, None), &roots);
    assert!(no_key.unwrap().1.contains("it has no public_key"));
    let not_ca = self::chain(false);
    let not_ca_roots = Roots::from_pem(not_ca.root_pem.as_bytes()).unwrap();
    let refused = code(
        document(&not_ca, &not_ca.leaf_key, Some(&public)),
        &not_ca_roots,
    );
    assert!(refused.unwrap().1.contains("is not a CA"));
    let mut swapped = self::chain(true);
    swapped.inter = chain.inter.clone();
    let swapped_roots = Roots::from_pem(swapped.root_pem.as_bytes()).unwrap();
    let broken = code(
        document(&swapped, &swapped.leaf_key, Some(&public)),
        &swapped_roots,
    );
    assert!(broken.unwrap().1.contains("not signed by its issuer"));
    let none = Roots::default();
    let unconfigured = code(document(&chain, &chain.leaf_key, Some(&public)), &none);
    assert_eq!(unconfigured.unwrap().0, "UnsupportedOperationException");
}

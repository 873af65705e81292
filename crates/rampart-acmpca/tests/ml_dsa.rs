//! ML-DSA CA keys (FIPS 204) on each store backend: a root of each parameter set signs its
//! own certificate and a leaf for an ECDSA CSR under id-ml-dsa-44/65/87 (RFC 9881: parameters
//! absent), both verified with aws-lc-rs; other signing algorithms are refused; its CRL is
//! signed with ML-DSA too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use common::{Harness, leaf_csr, parse};
use rampart_core::JobContext;
use rampart_store::Table;
use serde_json::{Value, json};
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

/// The ML-DSA parameter sets: key and signing algorithm names, OID, aws-lc-rs verifier.
const SETS: [(&str, &str, &dyn VerificationAlgorithm); 3] = [
    (
        "ML_DSA_44",
        "2.16.840.1.101.3.4.3.17",
        &signature::ML_DSA_44,
    ),
    (
        "ML_DSA_65",
        "2.16.840.1.101.3.4.3.18",
        &signature::ML_DSA_65,
    ),
    (
        "ML_DSA_87",
        "2.16.840.1.101.3.4.3.19",
        &signature::ML_DSA_87,
    ),
];

/// `child` (DER) is signed by `parent` (DER) with `alg`, under the signature OID `oid`.
fn verify(child: &[u8], parent: &[u8], oid: &str, alg: &'static dyn VerificationAlgorithm) {
    let (child, parent) = (parse(child), parse(parent));
    assert_eq!(child.signature_algorithm.algorithm.to_id_string(), oid);
    assert!(child.signature_algorithm.parameters.is_none());
    let key = &parent.public_key().subject_public_key.data;
    UnparsedPublicKey::new(alg, key)
        .verify(child.tbs_certificate.as_ref(), &child.signature_value.data)
        .unwrap();
}

#[tokio::test]
async fn ml_dsa_roots_sign_themselves_and_leaves() {
    for h in Harness::all().await {
        for (name, oid, alg) in SETS {
            let (root, root_pem) = h.active_root(name, name).await;
            let root_der = common::der(&root_pem);
            verify(&root_der, &root_der, oid, alg);
            let spki = parse(&root_der)
                .public_key()
                .algorithm
                .algorithm
                .to_id_string();
            assert_eq!(spki, oid);

            let csr = leaf_csr(&["pq.example"]);
            let (leaf, chain) = h
                .issue(&root, &csr, name, "EndEntityCertificate", 30)
                .await
                .unwrap();
            assert_eq!(chain.as_deref(), Some(root_pem.as_str()));
            verify(&common::der(&leaf), &root_der, oid, alg);
            let refused = h.issue(&root, &csr, "SHA256WITHECDSA", "EndEntityCertificate", 30);
            assert_eq!(refused.await.unwrap_err().code, "InvalidArgsException");
        }
        // A signing algorithm of another family does not fit an ML-DSA key.
        let config = json!({"KeyAlgorithm": "ML_DSA_65", "SigningAlgorithm": "SHA256WITHRSA",
                            "Subject": {"CommonName": "Mismatch"}});
        let body = json!({"CertificateAuthorityType": "ROOT",
                          "CertificateAuthorityConfiguration": config});
        h.fails("CreateCertificateAuthority", body, "InvalidArgsException")
            .await;
        h.cleanup().await;
    }
}

#[tokio::test]
async fn an_ml_dsa_ca_signs_its_crl() {
    for h in Harness::all().await {
        let (root, root_pem) = h.active_root("ML_DSA_65", "ML_DSA_65").await;
        let revocation = json!({"CrlConfiguration": {"Enabled": true, "S3BucketName": "pq-crls"}});
        let update =
            json!({"CertificateAuthorityArn": root, "RevocationConfiguration": revocation});
        h.ok("UpdateCertificateAuthority", update).await;
        let now_ms = rampart_core::epoch_ms(h.clock.as_ref());
        assert!(
            h.pca
                .run_crl_updates(&JobContext::at(now_ms))
                .await
                .unwrap()
                >= 1
        );
        let id = root.rsplit('/').next().unwrap();
        let table: Table<Value> = Table::new(h.store.clone(), "acmpca_crls");
        let stored = table
            .get(&format!("pq-crls/crl/{id}.crl"))
            .await
            .unwrap()
            .unwrap();
        use base64::Engine;
        let der = base64::engine::general_purpose::STANDARD
            .decode(stored.value["der"].as_str().unwrap())
            .unwrap();
        let (_, crl) = CertificateRevocationList::from_der(&der).unwrap();
        let (_, oid, alg) = SETS[1];
        assert_eq!(crl.signature_algorithm.algorithm.to_id_string(), oid);
        let root_der = common::der(&root_pem);
        let root_cert = parse(&root_der);
        let key = &root_cert.public_key().subject_public_key.data;
        UnparsedPublicKey::new(alg, key)
            .verify(crl.tbs_cert_list.as_ref(), &crl.signature_value.data)
            .unwrap();
        h.cleanup().await;
    }
}

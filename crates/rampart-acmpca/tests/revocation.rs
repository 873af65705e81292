//! CRLs and OCSP over both store backends: AWS's checks of RevocationConfiguration, the CRL
//! Distribution Points and OCSP URLs of issued certificates, the CRL the job writes 30 minutes
//! after a revocation (signature, serials, reasons, number, nextUpdate) and its refresh, and
//! the OCSP responder's good / revoked / unknown answers with the nonce echoed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Harness, leaf_csr, parse};
use der::{Decode, Encode};
use rampart_core::{Clock, JobContext};
use rampart_store::Table;
use serde_json::{Value, json};
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

const P256: &str = "EC_prime256v1";
const ECDSA: &str = "SHA256WITHECDSA";

fn crl_config(extra: Value) -> Value {
    let mut crl = json!({"Enabled": true, "S3BucketName": "pki-crls", "ExpirationInDays": 7});
    if let (Some(c), Some(e)) = (crl.as_object_mut(), extra.as_object()) {
        c.extend(e.clone());
    }
    json!({"CrlConfiguration": crl, "OcspConfiguration": {"Enabled": true}})
}

async fn create_with(h: &Harness, revocation: Value) -> Result<Value, rampart_codec::ServiceError> {
    h.call(
        "CreateCertificateAuthority",
        json!({
            "CertificateAuthorityType": "ROOT",
            "CertificateAuthorityConfiguration": {
                "KeyAlgorithm": P256, "SigningAlgorithm": ECDSA,
                "Subject": {"CommonName": "Revoking Root"}
            },
            "RevocationConfiguration": revocation,
        }),
    )
    .await
}

#[tokio::test]
async fn revocation_configurations_are_checked_as_aws_does() {
    for h in Harness::all().await {
        let bad = [
            json!({"CrlConfiguration": {"Enabled": true}}),
            json!({"CrlConfiguration": {"Enabled": true, "S3BucketName": "Not_A_Bucket"}}),
            json!({"CrlConfiguration": {"Enabled": true, "S3BucketName": "192.168.5.4"}}),
            crl_config(json!({"CustomCname": "http://crl.example.com"})),
            crl_config(json!({"CustomCname": "crl.example.com",
                "CrlDistributionPointExtensionConfiguration": {"OmitExtension": true}})),
            json!({"CrlConfiguration": {"Enabled": false, "S3BucketName": "pki-crls"}}),
            json!({"OcspConfiguration": {"Enabled": true, "OcspCustomCname": "https://ocsp.example.com"}}),
            json!({"OcspConfiguration": {"Enabled": false, "OcspCustomCname": "ocsp.example.com"}}),
        ];
        for config in bad {
            let err = create_with(&h, config.clone())
                .await
                .expect_err(&config.to_string());
            assert_eq!(
                err.code, "InvalidArgsException",
                "{config}: {}",
                err.message
            );
        }
        let range = create_with(&h, crl_config(json!({"ExpirationInDays": 5001}))).await;
        assert_eq!(range.unwrap_err().code, "ValidationException");
        let created = create_with(&h, crl_config(json!({"CustomCname": "crl.example.com"})));
        let arn = created.await.unwrap()["CertificateAuthorityArn"].clone();
        let described = h
            .ok(
                "DescribeCertificateAuthority",
                json!({"CertificateAuthorityArn": arn}),
            )
            .await;
        let stored = &described["CertificateAuthority"]["RevocationConfiguration"];
        assert_eq!(stored["CrlConfiguration"]["CustomCname"], "crl.example.com");
        assert_eq!(stored["OcspConfiguration"]["Enabled"], true);
        h.cleanup().await;
    }
}

/// An ACTIVE P-256 root with `revocation` set by UpdateCertificateAuthority; its ARN and
/// certificate.
async fn revoking_root(h: &Harness, revocation: Value) -> (String, String) {
    let (root, cert) = h.active_root(P256, ECDSA).await;
    let update = json!({"CertificateAuthorityArn": root, "RevocationConfiguration": revocation});
    h.ok("UpdateCertificateAuthority", update).await;
    (root, cert)
}

/// The CRL stored as object `<bucket>/<key>`, DER.
async fn crl_object(h: &Harness, row: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let table: Table<Value> = Table::new(h.store.clone(), "acmpca_crls");
    let found = table.get(row).await.unwrap()?;
    let der = found.value["der"].as_str().unwrap();
    Some(
        base64::engine::general_purpose::STANDARD
            .decode(der)
            .unwrap(),
    )
}

/// Runs the CRL job `minutes` after the harness clock, moving the clock there.
async fn crl_job_after(h: &Harness, minutes: i64) -> usize {
    h.clock
        .set(h.clock.now() + time::Duration::minutes(minutes));
    let now_ms = rampart_core::epoch_ms(h.clock.as_ref());
    h.pca
        .run_crl_updates(&JobContext::at(now_ms))
        .await
        .unwrap()
}

async fn issue_leaf(h: &Harness, ca: &str, name: &str) -> String {
    let (pem, _) = h
        .issue(ca, &leaf_csr(&[name]), ECDSA, "EndEntityCertificate", 30)
        .await
        .unwrap();
    pem
}

fn serial_hex(pem: &str) -> String {
    let der = common::der(pem);
    hex::encode(parse(&der).raw_serial())
}

#[tokio::test]
async fn issued_certificates_name_the_crl_and_the_ocsp_responder() {
    for h in Harness::all().await {
        let (root, _) = revoking_root(&h, crl_config(json!({}))).await;
        let id = root.rsplit('/').next().unwrap().to_owned();
        let der = common::der(&issue_leaf(&h, &root, "leaf.example.com").await);
        let cert = parse(&der);
        use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
        let mut crl_urls = Vec::new();
        let mut ocsp_urls = Vec::new();
        for ext in cert.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::CRLDistributionPoints(points) => {
                    for point in points.iter() {
                        if let Some(DistributionPointName::FullName(names)) =
                            &point.distribution_point
                        {
                            for name in names {
                                if let GeneralName::URI(uri) = name {
                                    crl_urls.push(uri.to_string());
                                }
                            }
                        }
                    }
                }
                ParsedExtension::AuthorityInfoAccess(aia) => {
                    for desc in &aia.accessdescs {
                        if let GeneralName::URI(uri) = &desc.access_location {
                            ocsp_urls.push((desc.access_method.to_id_string(), uri.to_string()));
                        }
                    }
                }
                _ => {}
            }
        }
        assert_eq!(
            crl_urls,
            [format!(
                "http://pki-crls.s3.us-east-1.amazonaws.com/crl/{id}.crl"
            )]
        );
        assert_eq!(
            ocsp_urls,
            [(
                "1.3.6.1.5.5.7.48.1".to_owned(),
                "http://ocsp.acm-pca.us-east-1.amazonaws.com".to_owned()
            )]
        );
        // With a custom CNAME and path, the URL is theirs; OmitExtension drops it.
        let cname = crl_config(json!({"CustomCname": "pki.example.com", "CustomPath": "ca/one"}));
        h.ok(
            "UpdateCertificateAuthority",
            json!({"CertificateAuthorityArn": root, "RevocationConfiguration": cname}),
        )
        .await;
        let der = common::der(&issue_leaf(&h, &root, "two.example.com").await);
        let text = String::from_utf8_lossy(&der).to_string();
        assert!(text.contains(&format!("http://pki.example.com/ca/one/{id}.crl")));
        let omit = json!({"CrlConfiguration": {"Enabled": true, "S3BucketName": "pki-crls",
            "CrlDistributionPointExtensionConfiguration": {"OmitExtension": true}}});
        h.ok(
            "UpdateCertificateAuthority",
            json!({"CertificateAuthorityArn": root, "RevocationConfiguration": omit}),
        )
        .await;
        let der = common::der(&issue_leaf(&h, &root, "three.example.com").await);
        let cert = parse(&der);
        assert!(
            !cert
                .extensions()
                .iter()
                .any(|e| e.oid.to_id_string() == "2.5.29.31")
        );
        assert!(
            !cert
                .extensions()
                .iter()
                .any(|e| e.oid.to_id_string() == "1.3.6.1.5.5.7.1.1")
        );
        h.cleanup().await;
    }
}

#[tokio::test]
async fn the_crl_job_publishes_signed_crls_after_revocations_and_refreshes_them() {
    for h in Harness::all().await {
        let (root, root_pem) = revoking_root(&h, crl_config(json!({}))).await;
        let id = root.rsplit('/').next().unwrap().to_owned();
        let row = format!("pki-crls/crl/{id}.crl");
        // The configuration change publishes an empty CRL at once.
        assert!(crl_job_after(&h, 0).await >= 1);
        let first = crl_object(&h, &row).await.expect("first CRL");
        let (_, parsed) = CertificateRevocationList::from_der(&first).unwrap();
        assert_eq!(parsed.iter_revoked_certificates().count(), 0);
        assert_eq!(parsed.crl_number().unwrap().to_string(), "1");

        let kept = issue_leaf(&h, &root, "kept.example.com").await;
        let gone = issue_leaf(&h, &root, "gone.example.com").await;
        let gone_serial = serial_hex(&gone);
        let revoke = json!({"CertificateAuthorityArn": root, "CertificateSerial": gone_serial,
            "RevocationReason": "KEY_COMPROMISE"});
        h.ok("RevokeCertificate", revoke).await;
        // Not before 30 minutes.
        crl_job_after(&h, 29).await;
        let still = crl_object(&h, &row).await.unwrap();
        assert_eq!(
            CertificateRevocationList::from_der(&still)
                .unwrap()
                .1
                .iter_revoked_certificates()
                .count(),
            0
        );
        assert!(crl_job_after(&h, 2).await >= 1);
        let der = crl_object(&h, &row).await.unwrap();
        let (_, crl) = CertificateRevocationList::from_der(&der).unwrap();
        let root_der = common::der(&root_pem);
        let root_cert = parse(&root_der);
        crl.verify_signature(root_cert.public_key()).unwrap();
        assert_eq!(crl.issuer(), root_cert.subject());
        assert_eq!(crl.crl_number().unwrap().to_string(), "2");
        let listed: Vec<(String, u8)> = crl
            .iter_revoked_certificates()
            .map(|r| (hex::encode(r.raw_serial()), r.reason_code().unwrap().1.0))
            .collect();
        assert_eq!(
            listed,
            [(gone_serial.clone(), 1)],
            "reason code 1: keyCompromise"
        );
        assert!(!listed.iter().any(|(s, _)| *s == serial_hex(&kept)));
        let span = crl.next_update().unwrap().timestamp() - crl.last_update().timestamp();
        assert_eq!(span, 7 * 86_400);
        let aki = crl
            .extensions()
            .iter()
            .any(|e| e.oid.to_id_string() == "2.5.29.35");
        assert!(aki, "authority key identifier");

        // Halfway through its validity the CRL is written again with the next number.
        assert_eq!(crl_job_after(&h, 3 * 24 * 60).await, 0);
        assert!(crl_job_after(&h, 12 * 60 + 1).await >= 1);
        let refreshed = crl_object(&h, &row).await.unwrap();
        let (_, refreshed) = CertificateRevocationList::from_der(&refreshed).unwrap();
        assert_eq!(refreshed.crl_number().unwrap().to_string(), "3");
        assert!(refreshed.last_update() > crl.last_update());
        assert_eq!(refreshed.iter_revoked_certificates().count(), 1);
        h.cleanup().await;
    }
}

#[tokio::test]
async fn partitioned_crls_carry_a_critical_issuing_distribution_point() {
    for h in Harness::all().await {
        let config =
            crl_config(json!({"CrlType": "PARTITIONED", "CustomCname": "crl.example.com"}));
        let (root, _) = revoking_root(&h, config).await;
        let der = common::der(&issue_leaf(&h, &root, "p.example.com").await);
        let cert = parse(&der);
        let cdp = cert
            .extensions()
            .iter()
            .find(|e| e.oid.to_id_string() == "2.5.29.31")
            .expect("CDP");
        let text = String::from_utf8_lossy(cdp.value).to_string();
        let start = text.find("http://crl.example.com/crl/").expect("URL");
        let url = text[start..].to_owned();
        assert!(url.ends_with(".crl"));
        crl_job_after(&h, 0).await;
        let key = url.trim_start_matches("http://crl.example.com/");
        let der = crl_object(&h, &format!("pki-crls/{key}"))
            .await
            .expect("partition CRL");
        let (_, crl) = CertificateRevocationList::from_der(&der).unwrap();
        let idp = crl
            .extensions()
            .iter()
            .find(|e| e.oid.to_id_string() == "2.5.29.28")
            .expect("IDP");
        assert!(idp.critical);
        assert!(String::from_utf8_lossy(idp.value).contains(&url));
        h.cleanup().await;
    }
}

/// A DER OCSP request for `serial` (hex) of the issuer `issuer_pem`, with `nonce`.
fn ocsp_request(issuer_pem: &str, serial: &str, nonce: &[u8]) -> Vec<u8> {
    use der::asn1::{Null, ObjectIdentifier, OctetString};
    use x509_cert::ext::Extension;
    let issuer_der = common::der(issuer_pem);
    let issuer = parse(&issuer_der);
    let sha1 = |b: &[u8]| {
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, b)
            .as_ref()
            .to_vec()
    };
    let cert_id = x509_ocsp::CertId {
        hash_algorithm: spki::AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap("1.3.14.3.2.26"),
            parameters: Some(Null.into()),
        },
        issuer_name_hash: OctetString::new(sha1(issuer.subject().as_raw())).unwrap(),
        issuer_key_hash: OctetString::new(sha1(&issuer.public_key().subject_public_key.data))
            .unwrap(),
        serial_number: x509_cert::serial_number::SerialNumber::new(&hex::decode(serial).unwrap())
            .unwrap(),
    };
    let nonce_ext = Extension {
        extn_id: ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2"),
        critical: false,
        extn_value: OctetString::new(OctetString::new(nonce).unwrap().to_der().unwrap()).unwrap(),
    };
    let request = x509_ocsp::OcspRequest {
        tbs_request: x509_ocsp::TbsRequest {
            version: x509_ocsp::Version::V1,
            requestor_name: None,
            request_list: vec![x509_ocsp::Request {
                req_cert: cert_id,
                single_request_extensions: None,
            }],
            request_extensions: Some(vec![nonce_ext]),
        },
        optional_signature: None,
    };
    request.to_der().unwrap()
}

/// The response's status and, when successful, its basic response checked against the
/// issuer's key.
fn read_response(
    der: &[u8],
    issuer_pem: &str,
) -> (
    x509_ocsp::OcspResponseStatus,
    Option<x509_ocsp::BasicOcspResponse>,
) {
    let response = x509_ocsp::OcspResponse::from_der(der).unwrap();
    let Some(bytes) = response.response_bytes else {
        return (response.response_status, None);
    };
    let basic = x509_ocsp::BasicOcspResponse::from_der(bytes.response.as_bytes()).unwrap();
    let issuer_der = common::der(issuer_pem);
    let issuer = parse(&issuer_der);
    let tbs = basic.tbs_response_data.to_der().unwrap();
    let key = &issuer.public_key().subject_public_key.data;
    aws_lc_rs::signature::UnparsedPublicKey::new(
        &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1,
        key,
    )
    .verify(&tbs, basic.signature.raw_bytes())
    .expect("the CA's key signs the response");
    (response.response_status, Some(basic))
}

#[tokio::test]
async fn the_ocsp_responder_answers_good_revoked_and_unknown() {
    use x509_ocsp::{CertStatus, OcspResponseStatus};
    for h in Harness::all().await {
        let (root, root_pem) = revoking_root(&h, crl_config(json!({}))).await;
        let good = serial_hex(&issue_leaf(&h, &root, "good.example.com").await);
        let bad = serial_hex(&issue_leaf(&h, &root, "bad.example.com").await);
        let revoke = json!({"CertificateAuthorityArn": root, "CertificateSerial": bad,
            "RevocationReason": "SUPERSEDED"});
        h.ok("RevokeCertificate", revoke).await;
        let ask = |serial: &str, nonce: &[u8]| ocsp_request(&root_pem, serial, nonce);

        let answer = h
            .pca
            .answer_ocsp(&ask(&good, b"nonce-1"), Some("us-east-1"))
            .await;
        let (status, basic) = read_response(&answer, &root_pem);
        assert_eq!(status, OcspResponseStatus::Successful);
        let basic = basic.unwrap();
        let single = &basic.tbs_response_data.responses[0];
        assert!(matches!(single.cert_status, CertStatus::Good(_)));
        assert!(single.next_update.is_some());
        let nonce = basic.nonce().expect("nonce echoed");
        assert_eq!(nonce.0.as_bytes(), b"nonce-1");

        let answer = h.pca.answer_ocsp(&ask(&bad, b"nonce-2"), None).await;
        let basic = read_response(&answer, &root_pem).1.unwrap();
        match basic.tbs_response_data.responses[0].cert_status {
            CertStatus::Revoked(info) => {
                assert_eq!(
                    info.revocation_reason,
                    Some(x509_cert::ext::pkix::CrlReason::Superseded)
                );
            }
            other => panic!("{other:?}"),
        }

        let never = "4".repeat(32);
        let answer = h.pca.answer_ocsp(&ask(&never, b"n"), None).await;
        let basic = read_response(&answer, &root_pem).1.unwrap();
        assert!(matches!(
            basic.tbs_response_data.responses[0].cert_status,
            CertStatus::Unknown(_)
        ));

        // Another Region's responder, a CA without OCSP and garbage are refused.
        let elsewhere = h
            .pca
            .answer_ocsp(&ask(&good, b"n"), Some("eu-west-1"))
            .await;
        assert_eq!(
            read_response(&elsewhere, &root_pem).0,
            OcspResponseStatus::Unauthorized
        );
        let (plain, plain_pem) = h.active_root(P256, ECDSA).await;
        let serial = serial_hex(&issue_leaf(&h, &plain, "plain.example.com").await);
        let answer = h
            .pca
            .answer_ocsp(&ocsp_request(&plain_pem, &serial, b"n"), None)
            .await;
        assert_eq!(
            read_response(&answer, &plain_pem).0,
            OcspResponseStatus::Unauthorized
        );
        let garbage = h.pca.answer_ocsp(b"not an ocsp request", None).await;
        assert_eq!(
            read_response(&garbage, &root_pem).0,
            OcspResponseStatus::MalformedRequest
        );
        h.cleanup().await;
    }
}

#[tokio::test]
async fn crls_stop_while_a_ca_is_deleted_and_resume_when_it_is_restored() {
    for h in Harness::all().await {
        let (root, _) = revoking_root(&h, crl_config(json!({}))).await;
        let id = root.rsplit('/').next().unwrap().to_owned();
        let row = format!("pki-crls/crl/{id}.crl");
        crl_job_after(&h, 0).await;
        let number = |der: Vec<u8>| {
            let (_, crl) = CertificateRevocationList::from_der(&der).unwrap();
            crl.crl_number().unwrap().to_string()
        };
        assert_eq!(number(crl_object(&h, &row).await.unwrap()), "1");
        let arn = json!({"CertificateAuthorityArn": root});
        h.ok(
            "UpdateCertificateAuthority",
            json!({"CertificateAuthorityArn": root, "Status": "DISABLED"}),
        )
        .await;
        let delete = json!({"CertificateAuthorityArn": root, "PermanentDeletionTimeInDays": 7});
        h.ok("DeleteCertificateAuthority", delete).await;
        // The refresh due halfway through the CRL's validity finds the CA deleted.
        crl_job_after(&h, 4 * 24 * 60).await;
        assert_eq!(number(crl_object(&h, &row).await.unwrap()), "1");
        h.ok("RestoreCertificateAuthority", arn).await;
        assert!(crl_job_after(&h, 0).await >= 1);
        assert_eq!(number(crl_object(&h, &row).await.unwrap()), "2");
        h.cleanup().await;
    }
}

#[tokio::test]
async fn a_revoked_certificate_stays_listed_until_one_crl_after_it_expires() {
    for h in Harness::all().await {
        let (root, _) = revoking_root(&h, crl_config(json!({}))).await;
        let id = root.rsplit('/').next().unwrap().to_owned();
        let row = format!("pki-crls/crl/{id}.crl");
        let (pem, _) = h
            .issue(
                &root,
                &leaf_csr(&["brief.example.com"]),
                ECDSA,
                "EndEntityCertificate",
                1,
            )
            .await
            .unwrap();
        let serial = serial_hex(&pem);
        let revoke = json!({"CertificateAuthorityArn": root, "CertificateSerial": serial,
            "RevocationReason": "CESSATION_OF_OPERATION"});
        h.ok("RevokeCertificate", revoke).await;
        let listed = |der: Vec<u8>| {
            let (_, crl) = CertificateRevocationList::from_der(&der).unwrap();
            crl.iter_revoked_certificates().count()
        };
        crl_job_after(&h, 31).await;
        assert_eq!(listed(crl_object(&h, &row).await.unwrap()), 1);
        // The refresh after it expired (3.5 days on) still lists it, the next one does not.
        crl_job_after(&h, 84 * 60).await;
        assert_eq!(listed(crl_object(&h, &row).await.unwrap()), 1);
        crl_job_after(&h, 84 * 60).await;
        assert_eq!(listed(crl_object(&h, &row).await.unwrap()), 0);
        h.cleanup().await;
    }
}

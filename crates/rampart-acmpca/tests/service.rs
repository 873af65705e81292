//! ACM PCA over both store backends: root → subordinate → leaf for every key type (chains
//! verified with x509-parser; templates in `templates.rs`), validity and state errors, revocation,
//! tags, the restore window and the deletion job on a manual clock, and CA keys sealed at rest.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::*;
use rampart_core::{Clock, JobContext};
use serde_json::json;

const KEY_TYPES: &[(&str, &str)] = &[
    ("RSA_2048", "SHA256WITHRSA"),
    ("RSA_3072", "SHA384WITHRSA"),
    ("RSA_4096", "SHA512WITHRSA"),
    ("EC_prime256v1", "SHA256WITHECDSA"),
    ("EC_secp384r1", "SHA384WITHECDSA"),
    ("EC_secp521r1", "SHA512WITHECDSA"),
];

#[tokio::test]
async fn every_key_type_issues_a_chain_that_verifies() {
    for h in Harness::all().await {
        for (key, signing) in KEY_TYPES {
            let (root, root_pem) = h.active_root(key, signing).await;
            assert_eq!(h.status(&root).await, "ACTIVE");
            let (sub, sub_pem) = active_sub(&h, &root, &root_pem, key, signing).await;
            let csr = leaf_csr(&["www.example.com", "api.example.com"]);
            let (leaf_pem, chain) = h
                .issue(&sub, &csr, signing, "EndEntityCertificate", 30)
                .await
                .unwrap();
            assert_eq!(chain.unwrap(), format!("{sub_pem}\n{root_pem}"));
            let (root_der, sub_der, leaf_der) = (der(&root_pem), der(&sub_pem), der(&leaf_pem));
            let (root_c, sub_c, leaf_c) = (parse(&root_der), parse(&sub_der), parse(&leaf_der));
            verify(&root_c, &root_c);
            verify(&sub_c, &root_c);
            verify(&leaf_c, &sub_c);
            assert_eq!(leaf_c.issuer(), sub_c.subject(), "{key}");
            assert_eq!(sub_c.issuer(), root_c.subject(), "{key}");
            let got = h
                .ok(
                    "GetCertificateAuthorityCertificate",
                    json!({"CertificateAuthorityArn": sub}),
                )
                .await;
            assert_eq!(got["Certificate"], sub_pem);
            assert_eq!(got["CertificateChain"], root_pem);
        }
        h.cleanup().await;
    }
}

#[tokio::test]
async fn validity_algorithm_csr_and_state_errors_are_aws_shaped() {
    for h in Harness::all().await {
        let (root, root_pem) = h.active_root("EC_prime256v1", "SHA256WITHECDSA").await;
        let csr = leaf_csr(&["a.example.com"]);
        // Longer than the CA's own certificate (10 years).
        let err = h
            .issue(&root, &csr, "SHA256WITHECDSA", "EndEntityCertificate", 4000)
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidArgsException");
        let err = h
            .issue(&root, &csr, "SHA256WITHRSA", "EndEntityCertificate", 30)
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidArgsException");
        let err = h
            .issue(
                &root,
                "garbage",
                "SHA256WITHECDSA",
                "EndEntityCertificate",
                30,
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, "MalformedCSRException");
        let err = h
            .issue(&root, &csr, "SHA256WITHECDSA", "NoSuchTemplate", 30)
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidArgsException");
        // A subordinate without its certificate issues nothing.
        let sub = h
            .create_ca("SUBORDINATE", "EC_prime256v1", "SHA256WITHECDSA", "Sub")
            .await;
        let err = h
            .issue(&sub, &csr, "SHA256WITHECDSA", "EndEntityCertificate", 30)
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidStateException");
        assert_eq!(
            err.message,
            "The certificate authority is not in a valid state for issuing certificates."
        );
        // Its certificate must carry its own key and a chain that validates it.
        let err = h
            .import(&sub, &root_pem, Some(&root_pem))
            .await
            .unwrap_err();
        assert_eq!(err.code, "CertificateMismatchException");
        let sub_csr = h.csr_of(&sub).await;
        let (sub_pem, _) = h
            .issue(
                &root,
                &sub_csr,
                "SHA256WITHECDSA",
                "SubordinateCACertificate_PathLen0",
                100,
            )
            .await
            .unwrap();
        assert_eq!(
            h.import(&sub, &sub_pem, None).await.unwrap_err().code,
            "InvalidRequestException"
        );
        let (other_root, other_pem) = h.active_root("EC_prime256v1", "SHA256WITHECDSA").await;
        assert_ne!(other_root, root);
        let err = h
            .import(&sub, &sub_pem, Some(&other_pem))
            .await
            .unwrap_err();
        assert_eq!(err.code, "CertificateMismatchException");
        assert_eq!(h.status(&sub).await, "PENDING_CERTIFICATE");
        // A CA with path length 0 issues no subordinate CA; RootCACertificate only self-signs.
        h.import(&sub, &sub_pem, Some(&root_pem)).await.unwrap();
        let third = h
            .create_ca("SUBORDINATE", "EC_prime256v1", "SHA256WITHECDSA", "Third")
            .await;
        let third_csr = h.csr_of(&third).await;
        let template = "SubordinateCACertificate_PathLen0";
        let err = h
            .issue(&sub, &third_csr, "SHA256WITHECDSA", template, 10)
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidArgsException");
        let err = h
            .issue(
                &root,
                &third_csr,
                "SHA256WITHECDSA",
                "RootCACertificate",
                10,
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidArgsException");
        // A disabled CA does not issue.
        h.ok(
            "UpdateCertificateAuthority",
            json!({"CertificateAuthorityArn": root, "Status": "DISABLED"}),
        )
        .await;
        let err = h
            .issue(&root, &csr, "SHA256WITHECDSA", "EndEntityCertificate", 30)
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidStateException");
        // Unknown and malformed ARNs.
        let missing = format!(
            "arn:aws:acm-pca:us-east-1:{ACCOUNT}:certificate-authority/{}",
            uuid::Uuid::new_v4()
        );
        h.fails(
            "DescribeCertificateAuthority",
            json!({"CertificateAuthorityArn": missing}),
            "ResourceNotFoundException",
        )
        .await;
        let bad = format!("arn:aws:acm-pca:us-east-1:{ACCOUNT}:certificate-authority/nope");
        h.fails(
            "DescribeCertificateAuthority",
            json!({"CertificateAuthorityArn": bad}),
            "InvalidArnException",
        )
        .await;
        h.cleanup().await;
    }
}

#[tokio::test]
async fn short_lived_cas_issue_seven_days_at_most_but_not_to_their_own_root_certificate() {
    for h in Harness::all().await {
        let made = h
            .ok(
                "CreateCertificateAuthority",
                json!({
                    "CertificateAuthorityType": "ROOT",
                    "UsageMode": "SHORT_LIVED_CERTIFICATE",
                    "CertificateAuthorityConfiguration": {
                        "KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA",
                        "Subject": {"CommonName": "Short"}
                    }
                }),
            )
            .await;
        let ca = made["CertificateAuthorityArn"].as_str().unwrap();
        let csr = h.csr_of(ca).await;
        // AWS does not check the validity of root CA certificates: ten years here.
        let (cert, _) = h
            .issue(ca, &csr, "SHA256WITHECDSA", "RootCACertificate", 3650)
            .await
            .unwrap();
        h.import(ca, &cert, None).await.unwrap();
        let leaf = leaf_csr(&["s.example.com"]);
        assert!(
            h.issue(ca, &leaf, "SHA256WITHECDSA", "EndEntityCertificate", 7)
                .await
                .is_ok()
        );
        let err = h
            .issue(ca, &leaf, "SHA256WITHECDSA", "EndEntityCertificate", 8)
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidArgsException");
        let d = h
            .ok(
                "DescribeCertificateAuthority",
                json!({"CertificateAuthorityArn": ca}),
            )
            .await;
        assert_eq!(
            d["CertificateAuthority"]["UsageMode"],
            "SHORT_LIVED_CERTIFICATE"
        );
        h.cleanup().await;
    }
}

#[tokio::test]
async fn a_ca_whose_certificate_ended_is_expired() {
    for h in Harness::all().await {
        let (root, _) = h.active_root("EC_prime256v1", "SHA256WITHECDSA").await;
        h.clock.set(h.clock.now() + time::Duration::days(3651));
        assert_eq!(h.status(&root).await, "EXPIRED");
        let csr = leaf_csr(&["late.example.com"]);
        let err = h
            .issue(&root, &csr, "SHA256WITHECDSA", "EndEntityCertificate", 1)
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidStateException");
        h.cleanup().await;
    }
}

#[tokio::test]
async fn issue_tokens_hold_for_five_minutes() {
    for h in Harness::all().await {
        let (root, _) = h.active_root("EC_prime256v1", "SHA256WITHECDSA").await;
        let body = json!({
            "CertificateAuthorityArn": root,
            "Csr": STANDARD.encode(leaf_csr(&["t.example.com"])),
            "SigningAlgorithm": "SHA256WITHECDSA",
            "Validity": {"Type": "DAYS", "Value": 1},
            "IdempotencyToken": "once",
        });
        let first = h.ok("IssueCertificate", body.clone()).await;
        assert_eq!(h.ok("IssueCertificate", body.clone()).await, first);
        h.clock.set(h.clock.now() + time::Duration::minutes(6));
        assert_ne!(h.ok("IssueCertificate", body).await, first);
        assert_eq!(h.raw_rows("acmpca_certificates").await.len(), 3);
        h.cleanup().await;
    }
}

#[tokio::test]
async fn revocation_is_recorded_once() {
    for h in Harness::all().await {
        let (root, _) = h.active_root("RSA_2048", "SHA256WITHRSA").await;
        let (leaf, _) = h
            .issue(
                &root,
                &leaf_csr(&["r.example.com"]),
                "SHA256WITHRSA",
                "EndEntityCertificate",
                30,
            )
            .await
            .unwrap();
        let leaf_der = der(&leaf);
        let serial = parse(&leaf_der).raw_serial_as_string();
        let revoke = json!({"CertificateAuthorityArn": root, "CertificateSerial": serial, "RevocationReason": "KEY_COMPROMISE"});
        h.ok("RevokeCertificate", revoke.clone()).await;
        h.fails(
            "RevokeCertificate",
            revoke,
            "RequestAlreadyProcessedException",
        )
        .await;
        let unknown = json!({"CertificateAuthorityArn": root, "CertificateSerial": "7f:01", "RevocationReason": "SUPERSEDED"});
        h.fails("RevokeCertificate", unknown, "ResourceNotFoundException")
            .await;
        h.cleanup().await;
    }
}

#[tokio::test]
async fn tags_list_and_idempotent_creation() {
    for h in Harness::all().await {
        let body = json!({
            "CertificateAuthorityType": "ROOT",
            "IdempotencyToken": "token-1",
            "Tags": [{"Key": "team", "Value": "pki"}],
            "CertificateAuthorityConfiguration": {
                "KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA",
                "Subject": {"CommonName": "Tagged"}
            }
        });
        let a = h.ok("CreateCertificateAuthority", body.clone()).await;
        let b = h.ok("CreateCertificateAuthority", body).await;
        assert_eq!(a, b);
        let ca = a["CertificateAuthorityArn"].as_str().unwrap();
        h.ok(
            "TagCertificateAuthority",
            json!({"CertificateAuthorityArn": ca, "Tags": [{"Key": "env", "Value": "dev"}]}),
        )
        .await;
        h.ok(
            "UntagCertificateAuthority",
            json!({"CertificateAuthorityArn": ca, "Tags": [{"Key": "team"}]}),
        )
        .await;
        let tags = h
            .ok("ListTags", json!({"CertificateAuthorityArn": ca}))
            .await;
        assert_eq!(tags["Tags"], json!([{"Key": "env", "Value": "dev"}]));
        let many: Vec<_> = (0..50)
            .map(|i| json!({"Key": format!("k{i}"), "Value": "v"}))
            .collect();
        h.fails(
            "TagCertificateAuthority",
            json!({"CertificateAuthorityArn": ca, "Tags": many}),
            "TooManyTagsException",
        )
        .await;
        h.create_ca("ROOT", "EC_prime256v1", "SHA256WITHECDSA", "Second")
            .await;
        let page = h
            .ok("ListCertificateAuthorities", json!({"MaxResults": 1}))
            .await;
        assert_eq!(page["CertificateAuthorities"].as_array().unwrap().len(), 1);
        let token = page["NextToken"].as_str().unwrap();
        let rest = h
            .ok(
                "ListCertificateAuthorities",
                json!({"MaxResults": 5, "NextToken": token}),
            )
            .await;
        assert_eq!(rest["CertificateAuthorities"].as_array().unwrap().len(), 1);
        assert!(rest.get("NextToken").is_none());
        h.cleanup().await;
    }
}

#[tokio::test]
async fn delete_restore_window_and_deletion_job() {
    for h in Harness::all().await {
        // A CA without a certificate goes at once.
        let pending = h
            .create_ca("ROOT", "EC_prime256v1", "SHA256WITHECDSA", "Pending")
            .await;
        h.ok(
            "DeleteCertificateAuthority",
            json!({"CertificateAuthorityArn": pending}),
        )
        .await;
        h.fails(
            "DescribeCertificateAuthority",
            json!({"CertificateAuthorityArn": pending}),
            "ResourceNotFoundException",
        )
        .await;

        let (root, _) = h.active_root("EC_prime256v1", "SHA256WITHECDSA").await;
        let issued = json!({
            "CertificateAuthorityArn": root,
            "Csr": STANDARD.encode(leaf_csr(&["d.example.com"])),
            "SigningAlgorithm": "SHA256WITHECDSA",
            "Validity": {"Type": "DAYS", "Value": 30},
        });
        let cert_arn = h.ok("IssueCertificate", issued).await["CertificateArn"].clone();
        let get = json!({"CertificateAuthorityArn": root, "CertificateArn": cert_arn});
        let delete = json!({"CertificateAuthorityArn": root, "PermanentDeletionTimeInDays": 7});
        h.fails(
            "DeleteCertificateAuthority",
            delete.clone(),
            "InvalidStateException",
        )
        .await;
        h.ok(
            "UpdateCertificateAuthority",
            json!({"CertificateAuthorityArn": root, "Status": "DISABLED"}),
        )
        .await;
        let too_short = json!({"CertificateAuthorityArn": root, "PermanentDeletionTimeInDays": 6});
        h.fails(
            "DeleteCertificateAuthority",
            too_short,
            "ValidationException",
        )
        .await;
        h.ok("DeleteCertificateAuthority", delete.clone()).await;
        let d = h
            .ok(
                "DescribeCertificateAuthority",
                json!({"CertificateAuthorityArn": root}),
            )
            .await;
        assert_eq!(d["CertificateAuthority"]["Status"], "DELETED");
        let err = h
            .fails("GetCertificate", get.clone(), "InvalidStateException")
            .await;
        assert!(
            err.message
                .contains("is not in the correct state to have issued certificates")
        );
        let until = d["CertificateAuthority"]["RestorableUntil"]
            .as_f64()
            .unwrap() as i64;
        assert_eq!(until, h.clock.now().unix_timestamp() + 7 * 86_400);
        h.ok(
            "RestoreCertificateAuthority",
            json!({"CertificateAuthorityArn": root}),
        )
        .await;
        assert_eq!(h.status(&root).await, "DISABLED");
        // A restored CA's certificates are readable again.
        assert!(h.ok("GetCertificate", get).await["Certificate"].is_string());
        h.fails(
            "RestoreCertificateAuthority",
            json!({"CertificateAuthorityArn": root}),
            "InvalidStateException",
        )
        .await;

        h.ok("DeleteCertificateAuthority", delete).await;
        let job_at =
            |days: i64| JobContext::at((h.clock.now().unix_timestamp() + days * 86_400) * 1000);
        assert_eq!(h.pca.run_due_deletions(&job_at(6)).await.unwrap(), 0);
        assert_eq!(h.status(&root).await, "DELETED");
        h.clock.set(h.clock.now() + time::Duration::days(8));
        h.fails(
            "RestoreCertificateAuthority",
            json!({"CertificateAuthorityArn": root}),
            "InvalidStateException",
        )
        .await;
        assert_eq!(h.pca.run_due_deletions(&job_at(0)).await.unwrap(), 1);
        h.fails(
            "DescribeCertificateAuthority",
            json!({"CertificateAuthorityArn": root}),
            "ResourceNotFoundException",
        )
        .await;
        assert!(h.raw_rows("acmpca_certificates").await.is_empty());
        h.cleanup().await;
    }
}

#[tokio::test]
async fn ca_private_keys_are_stored_only_sealed() {
    for h in Harness::all().await {
        let ca = h
            .create_ca("ROOT", "EC_prime256v1", "SHA256WITHECDSA", "Sealed")
            .await;
        let rows = h.raw_rows("acmpca_authorities").await;
        assert_eq!(rows.len(), 1);
        let record: serde_json::Value = serde_json::from_slice(&rows[0][1..]).unwrap();
        let sealed = STANDARD
            .decode(record["sealed_key"].as_str().unwrap())
            .unwrap();
        let aad = format!("rampart/acm-pca/ca-key/v1|{ca}");
        let pkcs8 = h.domain.unwrap(&sealed, aad.as_bytes()).unwrap();
        // The opened key is the CA's PKCS#8 key; neither it nor its base64 is in any row.
        assert_eq!(pkcs8[0], 0x30);
        let b64 = STANDARD.encode(pkcs8.as_slice());
        for table in rampart_acmpca::TABLES {
            for row in h.raw_rows(table).await {
                assert!(
                    !row.windows(pkcs8.len()).any(|w| w == pkcs8.as_slice()),
                    "{table}"
                );
                assert!(!String::from_utf8_lossy(&row).contains(&b64), "{table}");
            }
        }
        assert!(h.domain.unwrap(&sealed, b"another CA").is_err());
        h.cleanup().await;
    }
}

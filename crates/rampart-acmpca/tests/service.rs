//! ACM PCA over both store backends: root → subordinate → leaf for every key type (chains
//! verified with x509-parser), the templates' extensions, validity and state errors, revocation,
//! tags, the restore window and the deletion job on a manual clock, and CA keys sealed at rest.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::*;
use rampart_core::{Clock, JobContext};
use serde_json::json;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;

const KEY_TYPES: &[(&str, &str)] = &[
    ("RSA_2048", "SHA256WITHRSA"),
    ("RSA_3072", "SHA384WITHRSA"),
    ("RSA_4096", "SHA512WITHRSA"),
    ("EC_prime256v1", "SHA256WITHECDSA"),
    ("EC_secp384r1", "SHA384WITHECDSA"),
    ("EC_secp521r1", "SHA512WITHECDSA"),
];

fn parse(der: &[u8]) -> X509Certificate<'_> {
    X509Certificate::from_der(der).unwrap().1
}

/// `child` is signed by `parent` (x509-parser; aws-lc-rs for P-521, which it lacks).
fn verify(child: &X509Certificate<'_>, parent: &X509Certificate<'_>) {
    use aws_lc_rs::signature::{ECDSA_P521_SHA512_ASN1, UnparsedPublicKey};
    match child.verify_signature(Some(parent.public_key())) {
        Err(x509_parser::error::X509Error::SignatureUnsupportedAlgorithm) => {
            let key = &parent.public_key().subject_public_key.data;
            UnparsedPublicKey::new(&ECDSA_P521_SHA512_ASN1, key)
                .verify(child.tbs_certificate.as_ref(), &child.signature_value.data)
                .unwrap();
        }
        other => other.unwrap(),
    }
}

/// A subordinate CA under `root`, ACTIVE with its chain; its ARN and certificate.
async fn active_sub(
    h: &Harness,
    root: &str,
    root_pem: &str,
    key: &str,
    signing: &str,
) -> (String, String) {
    let sub = h.create_ca("SUBORDINATE", key, signing, "Issuing CA").await;
    let csr = h.csr_of(&sub).await;
    let (sub_pem, chain) = h
        .issue(
            root,
            &csr,
            signing,
            "SubordinateCACertificate_PathLen0",
            1000,
        )
        .await
        .unwrap();
    assert_eq!(chain.as_deref(), Some(root_pem));
    h.import(&sub, &sub_pem, Some(root_pem)).await.unwrap();
    assert_eq!(h.status(&sub).await, "ACTIVE");
    (sub, sub_pem)
}

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
async fn templates_set_the_extensions_aws_documents() {
    for h in Harness::all().await {
        let (root, root_pem) = h.active_root("EC_prime256v1", "SHA256WITHECDSA").await;
        let root_der = der(&root_pem);
        let root_c = parse(&root_der);
        let bc = root_c.basic_constraints().unwrap().unwrap();
        assert!(bc.critical && bc.value.ca && bc.value.path_len_constraint.is_none());
        let ku = root_c.key_usage().unwrap().unwrap();
        assert!(ku.critical && ku.value.key_cert_sign() && ku.value.crl_sign());
        assert!(ku.value.digital_signature());

        let (sub, sub_pem) =
            active_sub(&h, &root, &root_pem, "EC_prime256v1", "SHA256WITHECDSA").await;
        let sub_der = der(&sub_pem);
        let sub_c = parse(&sub_der);
        let bc = sub_c.basic_constraints().unwrap().unwrap().value;
        assert!(bc.ca && bc.path_len_constraint == Some(0));
        assert!(sub_c.extended_key_usage().unwrap().is_none());

        let csr = leaf_csr(&["svc.example.com", "10.0.0.1"]);
        let (leaf_pem, _) = h
            .issue(&sub, &csr, "SHA256WITHECDSA", "EndEntityCertificate", 30)
            .await
            .unwrap();
        let leaf_der = der(&leaf_pem);
        let leaf = parse(&leaf_der);
        assert_eq!(leaf.subject().to_string(), "CN=svc.example.com");
        assert!(!leaf.basic_constraints().unwrap().unwrap().value.ca);
        let ku = leaf.key_usage().unwrap().unwrap();
        assert!(ku.critical && ku.value.digital_signature() && ku.value.key_encipherment());
        assert!(!ku.value.key_cert_sign());
        let eku = leaf.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.server_auth && eku.client_auth && !eku.code_signing);
        let san = leaf.subject_alternative_name().unwrap().unwrap().value;
        assert_eq!(san.general_names.len(), 2);
        let aki = leaf
            .extensions()
            .iter()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::AuthorityKeyIdentifier(aki) => aki.key_identifier.clone(),
                _ => None,
            });
        let ski = sub_c
            .extensions()
            .iter()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(id) => Some(id.clone()),
                _ => None,
            });
        assert_eq!(aki.unwrap().0, ski.unwrap().0);
        // NotBefore is backdated an hour, as AWS does.
        let now = h.clock.now().unix_timestamp();
        assert_eq!(leaf.validity().not_before.timestamp(), now - 3600);
        assert_eq!(leaf.validity().not_after.timestamp(), now + 30 * 86_400);

        // A CSR's other extensions pass through only with a CSRPassthrough template.
        let custom = custom_extension_csr();
        let (plain, _) = h
            .issue(&sub, &custom, "SHA256WITHECDSA", "EndEntityCertificate", 30)
            .await
            .unwrap();
        let (passed, _) = h
            .issue(
                &sub,
                &custom,
                "SHA256WITHECDSA",
                "EndEntityCertificate_CSRPassthrough",
                30,
            )
            .await
            .unwrap();
        let has_custom = |pem: &str| {
            let d = der(pem);
            let c = parse(&d);
            c.extensions()
                .iter()
                .any(|e| e.oid.to_id_string() == "1.3.6.1.4.1.55555.1")
        };
        assert!(!has_custom(&plain));
        assert!(has_custom(&passed));
        h.cleanup().await;
    }
}

/// A CSR requesting the emailProtection extended key usage.
fn eku_csr() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["mail.example.com".to_owned()]).unwrap();
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::EmailProtection];
    params.serialize_request(&key).unwrap().pem().unwrap()
}

/// A CSR requesting a private extension.
fn custom_extension_csr() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["x.example.com".to_owned()]).unwrap();
    let ext = rcgen::CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 55555, 1], vec![5, 0]);
    params.custom_extensions.push(ext);
    params.serialize_request(&key).unwrap().pem().unwrap()
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
async fn short_lived_cas_issue_seven_days_at_most() {
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
        let (cert, _) = h
            .issue(ca, &csr, "SHA256WITHECDSA", "RootCACertificate", 7)
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
async fn api_passthrough_values_apply_to_api_templates_only() {
    for h in Harness::all().await {
        let (root, _) = h.active_root("EC_prime256v1", "SHA256WITHECDSA").await;
        let api = json!({
            "Subject": {"CommonName": "from-api", "Organization": "Api"},
            "Extensions": {
                "SubjectAlternativeNames": [{"DnsName": "api.example.com"}, {"IpAddress": "192.0.2.7"}],
                "CustomExtensions": [{"ObjectIdentifier": "1.3.6.1.4.1.55555.2", "Value": "BQA=", "Critical": false}],
                // Template-defined: the template's key usage wins.
                "KeyUsage": {"KeyCertSign": true}
            }
        });
        let issue = |template: &str| {
            json!({
                "CertificateAuthorityArn": root,
                "Csr": STANDARD.encode(leaf_csr(&["from-csr.example.com"])),
                "SigningAlgorithm": "SHA256WITHECDSA",
                "TemplateArn": format!("arn:aws:acm-pca:::template/{template}/V1"),
                "Validity": {"Type": "DAYS", "Value": 1},
                "ApiPassthrough": api,
            })
        };
        let pem_of = async |body| {
            let arn = h.ok("IssueCertificate", body).await["CertificateArn"].clone();
            let got = h
                .ok(
                    "GetCertificate",
                    json!({"CertificateAuthorityArn": root, "CertificateArn": arn}),
                )
                .await;
            got["Certificate"].as_str().unwrap().to_owned()
        };
        let with_api = pem_of(issue("EndEntityCertificate_APIPassthrough")).await;
        let d = der(&with_api);
        let c = parse(&d);
        assert_eq!(c.subject().to_string(), "O=Api, CN=from-api");
        let san = c.subject_alternative_name().unwrap().unwrap().value;
        assert_eq!(san.general_names.len(), 2);
        assert!(
            c.extensions()
                .iter()
                .any(|e| e.oid.to_id_string() == "1.3.6.1.4.1.55555.2")
        );
        assert!(!c.key_usage().unwrap().unwrap().value.key_cert_sign());
        let plain = pem_of(issue("EndEntityCertificate")).await;
        let d = der(&plain);
        assert_eq!(parse(&d).subject().to_string(), "CN=from-csr.example.com");
        let mut policies = issue("EndEntityCertificate_APIPassthrough");
        policies["ApiPassthrough"]["Extensions"]["CertificatePolicies"] =
            json!([{"CertPolicyId": "2.5.29.32.0"}]);
        h.fails("IssueCertificate", policies, "InvalidArgsException")
            .await;
        // A blank template takes key usage from the API, extended key usage from the CSR.
        let mut blank = issue("BlankEndEntityCertificate_APICSRPassthrough");
        blank["Csr"] = json!(STANDARD.encode(eku_csr()));
        blank["ApiPassthrough"] =
            json!({"Extensions": {"KeyUsage": {"DigitalSignature": true, "NonRepudiation": true}}});
        let blank_pem = pem_of(blank).await;
        let d = der(&blank_pem);
        let c = parse(&d);
        let ku = c.key_usage().unwrap().unwrap().value;
        assert!(ku.digital_signature() && ku.non_repudiation() && !ku.key_encipherment());
        assert!(
            c.extended_key_usage()
                .unwrap()
                .unwrap()
                .value
                .email_protection
        );
        assert!(!c.basic_constraints().unwrap().unwrap().value.ca);
        // A CA template defines no extended key usage: the API's applies.
        let sub = h
            .create_ca("SUBORDINATE", "EC_prime256v1", "SHA256WITHECDSA", "Api Sub")
            .await;
        let mut body = issue("SubordinateCACertificate_PathLen0_APIPassthrough");
        body["Csr"] = json!(STANDARD.encode(h.csr_of(&sub).await));
        body["ApiPassthrough"] =
            json!({"Extensions": {"ExtendedKeyUsage": [{"ExtendedKeyUsageType": "SERVER_AUTH"}]}});
        let sub_pem = pem_of(body).await;
        let d = der(&sub_pem);
        let c = parse(&d);
        let eku = c.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.server_auth && !eku.client_auth);
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
        let leaf = h
            .issue(
                &root,
                &leaf_csr(&["d.example.com"]),
                "SHA256WITHECDSA",
                "EndEntityCertificate",
                30,
            )
            .await;
        assert!(leaf.is_ok());
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

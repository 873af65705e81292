//! ACM PCA's certificate templates over both store backends: the extensions AWS documents
//! for the base templates, CSR passthrough, and ApiPassthrough values for the APIPassthrough
//! (and blank) variants in AWS's order of priority.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::*;
use rampart_core::Clock;
use serde_json::json;
use x509_parser::extensions::ParsedExtension;

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

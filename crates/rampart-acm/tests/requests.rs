//! RequestCertificate over both store backends: private certificates issued by an ACM PCA CA
//! (chain verified, export decrypted, renewal), PCA refusals as FAILED, public requests
//! pending validation with their CNAMEs, idempotency tokens, name checks, account
//! configuration and certificate options.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Harness, import_body, self_signed};
use serde_json::{Value, json};
use x509_parser::prelude::FromDer;

/// The DER of the first PEM certificate of `pem`.
fn der_of(pem: &str) -> Vec<u8> {
    let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap();
    block.contents
}

async fn request(h: &Harness, body: Value) -> String {
    h.ok("RequestCertificate", body).await["CertificateArn"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_private_certificate_is_issued_by_the_ca_and_verifies() {
    for h in Harness::all().await {
        let ca = h.active_ca("RSA_2048", "SHA256WITHRSA").await;
        let arn = request(
            &h,
            json!({
                "DomainName": "app.internal", "SubjectAlternativeNames": ["api.internal"],
                "CertificateAuthorityArn": ca,
            }),
        )
        .await;
        let detail = h
            .ok("DescribeCertificate", json!({"CertificateArn": arn}))
            .await["Certificate"]
            .clone();
        assert_eq!(detail["Type"], "PRIVATE");
        assert_eq!(detail["Status"], "ISSUED");
        assert_eq!(detail["CertificateAuthorityArn"], ca);
        assert_eq!(
            detail["SubjectAlternativeNames"],
            json!(["app.internal", "api.internal"])
        );
        assert_eq!(detail["Issuer"], "Rampart");
        assert_eq!(detail["RenewalEligibility"], "INELIGIBLE");
        let got = h.ok("GetCertificate", json!({"CertificateArn": arn})).await;
        let leaf_der = der_of(got["Certificate"].as_str().unwrap());
        let root_der = der_of(got["CertificateChain"].as_str().unwrap());
        let (_, leaf) = x509_parser::certificate::X509Certificate::from_der(&leaf_der).unwrap();
        let (_, root) = x509_parser::certificate::X509Certificate::from_der(&root_der).unwrap();
        leaf.verify_signature(Some(root.public_key())).unwrap();
        let days = (leaf.validity().not_after.timestamp() - leaf.validity().not_before.timestamp())
            / 86_400;
        assert!((394..=396).contains(&days), "{days}");
        h.cleanup().await;
    }
}

#[tokio::test]
async fn export_encrypts_the_key_and_makes_the_certificate_renewable() {
    for h in Harness::all().await {
        let ca = h.active_ca("EC_prime256v1", "SHA256WITHECDSA").await;
        let arn = request(
            &h,
            json!({
                "DomainName": "export.internal", "KeyAlgorithm": "EC_prime256v1",
                "CertificateAuthorityArn": ca,
            }),
        )
        .await;
        let pass = base64_of(b"s3cret pass");
        let out = h
            .ok(
                "ExportCertificate",
                json!({"CertificateArn": arn, "Passphrase": pass}),
            )
            .await;
        let key = out["PrivateKey"].as_str().unwrap();
        assert!(key.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        assert!(!key.contains("BEGIN PRIVATE KEY"));
        let before = h
            .ok("DescribeCertificate", json!({"CertificateArn": arn}))
            .await["Certificate"]
            .clone();
        assert_eq!(before["RenewalEligibility"], "ELIGIBLE");
        h.ok("RenewCertificate", json!({"CertificateArn": arn}))
            .await;
        let after = h
            .ok("DescribeCertificate", json!({"CertificateArn": arn}))
            .await["Certificate"]
            .clone();
        assert_ne!(after["Serial"], before["Serial"]);
        assert_eq!(after["RenewalSummary"]["RenewalStatus"], "SUCCESS");
        // The renewed certificate keeps the key.
        let old = der_of(out["Certificate"].as_str().unwrap());
        let got = h.ok("GetCertificate", json!({"CertificateArn": arn})).await;
        let new = der_of(got["Certificate"].as_str().unwrap());
        let spki = |der: &[u8]| {
            let (_, c) = x509_parser::certificate::X509Certificate::from_der(der).unwrap();
            c.public_key().raw.to_vec()
        };
        assert_eq!(spki(&old), spki(&new));
        let bad = json!({"CertificateArn": arn, "Passphrase": base64_of(b"has$dollar")});
        h.fails("ExportCertificate", bad, "ValidationException")
            .await;
        h.cleanup().await;
    }
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn imported_and_unexported_certificates_are_neither_exported_nor_renewed() {
    for h in Harness::all().await {
        let cert = self_signed("imported.example", &rcgen::PKCS_RSA_SHA256);
        let arn = h
            .ok(
                "ImportCertificate",
                import_body(&cert.cert_pem, &cert.key_pem, None),
            )
            .await["CertificateArn"]
            .clone();
        let err = h
            .fails(
                "ExportCertificate",
                json!({"CertificateArn": arn, "Passphrase": base64_of(b"pass")}),
                "ValidationException",
            )
            .await;
        assert_eq!(
            err.message,
            format!(
                "Certificate ARN: {} is not a private certificate",
                arn.as_str().unwrap()
            )
        );
        h.fails(
            "RenewCertificate",
            json!({"CertificateArn": arn}),
            "ValidationException",
        )
        .await;
        h.cleanup().await;
    }
}

#[tokio::test]
async fn a_ca_that_cannot_issue_leaves_the_certificate_failed() {
    for h in Harness::all().await {
        let ca = h.active_ca("RSA_2048", "SHA256WITHRSA").await;
        h.pca_call(
            "UpdateCertificateAuthority",
            json!({"CertificateAuthorityArn": ca, "Status": "DISABLED"}),
        )
        .await;
        let arn = request(
            &h,
            json!({"DomainName": "off.internal", "CertificateAuthorityArn": ca}),
        )
        .await;
        let detail = h
            .ok("DescribeCertificate", json!({"CertificateArn": arn}))
            .await["Certificate"]
            .clone();
        assert_eq!(detail["Status"], "FAILED");
        assert_eq!(detail["FailureReason"], "PCA_INVALID_STATE");
        let missing = ca.replace(&ca[ca.len() - 4..], "0000");
        let arn = request(
            &h,
            json!({"DomainName": "none.internal", "CertificateAuthorityArn": missing}),
        )
        .await;
        let detail = h
            .ok("DescribeCertificate", json!({"CertificateArn": arn}))
            .await["Certificate"]
            .clone();
        assert_eq!(detail["FailureReason"], "PCA_RESOURCE_NOT_FOUND");
        h.fails(
            "GetCertificate",
            json!({"CertificateArn": arn}),
            "RequestInProgressException",
        )
        .await;
        h.cleanup().await;
    }
}

#[tokio::test]
async fn public_requests_wait_for_validation_with_their_records() {
    for h in Harness::all().await {
        let arn = request(
            &h,
            json!({
                "DomainName": "*.example.com", "SubjectAlternativeNames": ["example.com"],
                "ValidationMethod": "DNS", "IdempotencyToken": "once",
            }),
        )
        .await;
        let detail = h
            .ok("DescribeCertificate", json!({"CertificateArn": arn}))
            .await["Certificate"]
            .clone();
        assert_eq!(detail["Type"], "AMAZON_ISSUED");
        assert_eq!(detail["Status"], "PENDING_VALIDATION");
        let options = detail["DomainValidationOptions"].as_array().unwrap();
        assert_eq!(options.len(), 2);
        let record = &options[0]["ResourceRecord"];
        assert_eq!(record["Type"], "CNAME");
        assert!(record["Name"].as_str().unwrap().ends_with(".example.com."));
        assert!(
            record["Value"]
                .as_str()
                .unwrap()
                .ends_with(".acm-validations.aws.")
        );
        // The wildcard and its base domain validate with one record.
        assert_eq!(options[1]["ResourceRecord"], *record);
        h.fails(
            "GetCertificate",
            json!({"CertificateArn": arn}),
            "RequestInProgressException",
        )
        .await;
        let again = request(
            &h,
            json!({"DomainName": "other.example.com", "IdempotencyToken": "once"}),
        )
        .await;
        assert_eq!(again, arn);
        let mail = request(&h, json!({"DomainName": "mail.example.org"})).await;
        let detail = h
            .ok("DescribeCertificate", json!({"CertificateArn": mail}))
            .await["Certificate"]
            .clone();
        assert_eq!(
            detail["DomainValidationOptions"][0]["ValidationMethod"],
            "EMAIL"
        );
        assert_eq!(
            detail["DomainValidationOptions"][0]["ValidationEmails"][0],
            "admin@mail.example.org"
        );
        h.ok(
            "UpdateCertificateOptions",
            json!({"CertificateArn": mail, "Options": {"ValidationMethod": "DNS"}}),
        )
        .await;
        let detail = h
            .ok("DescribeCertificate", json!({"CertificateArn": mail}))
            .await["Certificate"]
            .clone();
        assert_eq!(
            detail["DomainValidationOptions"][0]["ValidationMethod"],
            "DNS"
        );
        let change_export = json!({"CertificateArn": mail, "Options": {"Export": "ENABLED"}});
        h.fails(
            "UpdateCertificateOptions",
            change_export,
            "ValidationException",
        )
        .await;
        h.cleanup().await;
    }
}

#[tokio::test]
async fn requests_are_checked_as_acm_checks_them() {
    for h in Harness::all().await {
        let long = format!("{}.example.com", "a".repeat(60));
        h.fails(
            "RequestCertificate",
            json!({"DomainName": long}),
            "InvalidParameterException",
        )
        .await;
        let names: Vec<String> = (0..10).map(|i| format!("n{i}.example.com")).collect();
        h.fails(
            "RequestCertificate",
            json!({"DomainName": "x.example.com", "SubjectAlternativeNames": names}),
            "LimitExceededException",
        )
        .await;
        h.fails(
            "RequestCertificate",
            json!({"DomainName": "x.example.com", "KeyAlgorithm": "RSA_4096"}),
            "InvalidParameterException",
        )
        .await;
        let wrong = json!({"DomainName": "x.example.com", "DomainValidationOptions": [{"DomainName": "y.example.com", "ValidationDomain": "example.com"}]});
        h.fails(
            "RequestCertificate",
            wrong,
            "InvalidDomainValidationOptionsException",
        )
        .await;
        h.fails(
            "RequestCertificate",
            json!({"DomainName": "-bad-.example.com"}),
            "ValidationException",
        )
        .await;
        assert!(h.raw_rows("acm_certificates").await.is_empty());
        h.cleanup().await;
    }
}

#[tokio::test]
async fn account_configuration_keeps_days_before_expiry_and_tokens() {
    for h in Harness::all().await {
        let got = h.ok("GetAccountConfiguration", json!({})).await;
        assert_eq!(got["ExpiryEvents"]["DaysBeforeExpiry"], 45);
        h.ok(
            "PutAccountConfiguration",
            json!({"IdempotencyToken": "t1", "ExpiryEvents": {"DaysBeforeExpiry": 30}}),
        )
        .await;
        // The same token within the hour changes nothing.
        h.ok(
            "PutAccountConfiguration",
            json!({"IdempotencyToken": "t1", "ExpiryEvents": {"DaysBeforeExpiry": 10}}),
        )
        .await;
        assert_eq!(
            h.ok("GetAccountConfiguration", json!({})).await["ExpiryEvents"]["DaysBeforeExpiry"],
            30
        );
        h.ok(
            "PutAccountConfiguration",
            json!({"IdempotencyToken": "t2", "ExpiryEvents": {"DaysBeforeExpiry": 10}}),
        )
        .await;
        assert_eq!(
            h.ok("GetAccountConfiguration", json!({})).await["ExpiryEvents"]["DaysBeforeExpiry"],
            10
        );
        h.cleanup().await;
    }
}

#[tokio::test]
async fn domain_validations_are_listed_per_domain_in_pages() {
    for h in Harness::all().await {
        let arn = request(&h, json!({
            "DomainName": "a.example.net", "SubjectAlternativeNames": ["b.example.net", "c.example.net"],
            "ValidationMethod": "DNS",
        }))
        .await;
        let first = h
            .ok(
                "ListCertificateDomainValidations",
                json!({"CertificateArn": arn, "MaxItems": 2}),
            )
            .await;
        let list = first["DomainValidationSummaryList"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        let active = &list[0]["ActiveValidationConfiguration"];
        assert_eq!(active["ValidationMethod"], "DNS");
        assert_eq!(active["ValidationStatus"], "PENDING_VALIDATION");
        let record = &active["ValidationChallenge"]["DnsValidationChallenge"]["ResourceRecord"];
        assert!(
            record["Name"]
                .as_str()
                .unwrap()
                .ends_with(".a.example.net.")
        );
        let token = first["NextToken"].clone();
        let rest = h
            .ok(
                "ListCertificateDomainValidations",
                json!({"CertificateArn": arn, "NextToken": token}),
            )
            .await;
        assert_eq!(
            rest["DomainValidationSummaryList"][0]["DomainName"],
            "c.example.net"
        );
        assert!(rest.get("NextToken").is_none());
        let bad = arn.replace(&arn[arn.len() - 36..], "not-a-uuid");
        h.fails(
            "ListCertificateDomainValidations",
            json!({"CertificateArn": bad}),
            "InvalidArgsException",
        )
        .await;
        h.cleanup().await;
    }
}

//! The ACM lifecycle job over both store backends, with a DNS responder in the test: DNS
//! validation issuing from Rampart's public hierarchy (chain verified, ACM's public profile),
//! the 72-hour validation timeout, managed renewal (success and action required), expiry
//! events and EXPIRED, and each change's event committed with it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Harness, dns};
use serde_json::{Value, json};
use time::Duration;
use x509_parser::prelude::{FromDer, X509Certificate};

/// The DER certificates of a PEM bundle.
fn ders(pem: &str) -> Vec<Vec<u8>> {
    x509_parser::pem::Pem::iter_from_buffer(pem.as_bytes())
        .map(|b| b.unwrap().contents)
        .collect()
}

async fn request(h: &Harness, body: Value) -> String {
    let got = h.ok("RequestCertificate", body).await;
    got["CertificateArn"].as_str().unwrap().to_owned()
}

async fn describe(h: &Harness, arn: &str) -> Value {
    let got = h
        .ok("DescribeCertificate", json!({"CertificateArn": arn}))
        .await;
    got["Certificate"].clone()
}

/// Publishes every validation CNAME `arn` asks for on `records`.
async fn answer_validation(h: &Harness, arn: &str, records: &dns::Records) {
    for option in describe(h, arn).await["DomainValidationOptions"]
        .as_array()
        .unwrap()
    {
        let record = &option["ResourceRecord"];
        records.set(
            record["Name"].as_str().unwrap(),
            record["Value"].as_str().unwrap(),
        );
    }
}

fn detail_types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["detail_type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn validated_requests_are_issued_by_the_public_hierarchy() {
    let (server, records) = dns::start().await;
    for h in Harness::all().await {
        let h = h.with_dns(server);
        records.clear();
        let arn = request(
            &h,
            json!({
                "DomainName": "www.valid.example", "ValidationMethod": "DNS",
                "SubjectAlternativeNames": ["*.valid.example", "valid.example"],
            }),
        )
        .await;
        let ec = request(
            &h,
            json!({
                "DomainName": "ec.valid.example", "ValidationMethod": "DNS",
                "KeyAlgorithm": "EC_prime256v1",
            }),
        )
        .await;
        assert_eq!(h.lifecycle().await, 0, "nothing answers yet");
        assert_eq!(describe(&h, &arn).await["Status"], "PENDING_VALIDATION");
        answer_validation(&h, &arn, &records).await;
        answer_validation(&h, &ec, &records).await;
        assert_eq!(h.lifecycle().await, 2);
        let detail = describe(&h, &arn).await;
        assert_eq!(detail["Status"], "ISSUED");
        for option in detail["DomainValidationOptions"].as_array().unwrap() {
            assert_eq!(option["ValidationStatus"], "SUCCESS");
        }
        assert_eq!(detail["Issuer"], "Rampart");
        assert_eq!(detail["RenewalEligibility"], "ELIGIBLE");
        assert_eq!(
            detail["ExtendedKeyUsages"],
            json!([{"Name": "TLS_WEB_SERVER_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.1"}])
        );
        let got = h.ok("GetCertificate", json!({"CertificateArn": arn})).await;
        check_chain(
            got["Certificate"].as_str().unwrap(),
            got["CertificateChain"].as_str().unwrap(),
            "Rampart RSA 2048 M01",
        );
        let got = h.ok("GetCertificate", json!({"CertificateArn": ec})).await;
        check_chain(
            got["Certificate"].as_str().unwrap(),
            got["CertificateChain"].as_str().unwrap(),
            "Rampart ECDSA 256 M01",
        );
        let events = h.events().await;
        assert_eq!(detail_types(&events), ["ACM Certificate Available"; 2]);
        let ours = events
            .iter()
            .find(|e| e["resources"][0] == arn.as_str())
            .unwrap();
        assert_eq!(ours["source"], "aws.acm");
        assert_eq!(ours["detail"]["Action"], "ISSUANCE");
        assert_eq!(ours["detail"]["CommonName"], "www.valid.example");
        assert_eq!(ours["detail"]["DomainValidationMethod"], "DNS");
        assert_eq!(ours["detail"]["DaysToExpiry"], 197);
        assert_eq!(
            h.lifecycle().await,
            0,
            "issued certificates rest until renewal"
        );
        h.cleanup().await;
    }
}

/// The leaf is signed by the intermediate named `intermediate`, which the self-signed root
/// signed; the leaf has ACM's public profile.
fn check_chain(leaf: &str, chain: &str, intermediate: &str) {
    let leaf_der = &ders(leaf)[0];
    let chain = ders(chain);
    assert_eq!(chain.len(), 2);
    let (_, leaf) = X509Certificate::from_der(leaf_der).unwrap();
    let (_, middle) = X509Certificate::from_der(&chain[0]).unwrap();
    let (_, root) = X509Certificate::from_der(&chain[1]).unwrap();
    leaf.verify_signature(Some(middle.public_key())).unwrap();
    middle.verify_signature(Some(root.public_key())).unwrap();
    root.verify_signature(None).unwrap();
    assert!(middle.subject().to_string().contains(intermediate));
    assert!(
        root.subject()
            .to_string()
            .contains("Rampart Public Root CA")
    );
    assert!(middle.is_ca() && root.is_ca() && !leaf.is_ca());
    let days = (leaf.validity().not_after - leaf.validity().not_before)
        .unwrap()
        .whole_days();
    assert_eq!(days, 198);
    let eku = leaf.extended_key_usage().unwrap().unwrap().value;
    assert!(eku.server_auth && !eku.client_auth);
    let sans = leaf.subject_alternative_name().unwrap().unwrap();
    assert!(!sans.value.general_names.is_empty());
}

#[tokio::test]
async fn unvalidated_requests_time_out_after_72_hours() {
    let (server, records) = dns::start().await;
    for h in Harness::all().await {
        let h = h.with_dns(server);
        records.clear();
        let arn = request(
            &h,
            json!({"DomainName": "silent.example", "ValidationMethod": "DNS"}),
        )
        .await;
        let mail = request(
            &h,
            json!({"DomainName": "mail.example", "ValidationMethod": "EMAIL"}),
        )
        .await;
        h.advance(Duration::hours(71));
        h.lifecycle().await;
        assert_eq!(describe(&h, &arn).await["Status"], "PENDING_VALIDATION");
        h.advance(Duration::hours(2));
        assert_eq!(h.lifecycle().await, 2);
        for cert in [&arn, &mail] {
            let detail = describe(&h, cert).await;
            assert_eq!(detail["Status"], "VALIDATION_TIMED_OUT");
            assert_eq!(
                detail["DomainValidationOptions"][0]["ValidationStatus"],
                "FAILED"
            );
        }
        // Only the EMAIL request's approval link went out; timing out publishes nothing.
        assert_eq!(
            detail_types(&h.events().await),
            ["ACM Certificate Validation Approval Requested"]
        );
        h.cleanup().await;
    }
}

#[tokio::test]
async fn managed_renewal_then_expiry_events_then_expired() {
    let (server, records) = dns::start().await;
    for h in Harness::all().await {
        let h = h.with_dns(server);
        records.clear();
        let arn = request(
            &h,
            json!({"DomainName": "renew.example", "ValidationMethod": "DNS"}),
        )
        .await;
        answer_validation(&h, &arn, &records).await;
        h.lifecycle().await;
        let first = describe(&h, &arn).await;
        assert_eq!(first["Status"], "ISSUED");
        h.events().await;
        // 60 days before NotAfter the record still answers: renewed under the same ARN.
        let chain = |got: Value| got["CertificateChain"].as_str().unwrap().to_owned();
        let first_chain = chain(h.ok("GetCertificate", json!({"CertificateArn": arn})).await);
        h.advance(Duration::days(198 - 59));
        assert_eq!(h.lifecycle().await, 1);
        let renewed_chain = chain(h.ok("GetCertificate", json!({"CertificateArn": arn})).await);
        assert_eq!(renewed_chain, first_chain, "one hierarchy per installation");
        let renewed = describe(&h, &arn).await;
        assert_eq!(renewed["RenewalSummary"]["RenewalStatus"], "SUCCESS");
        assert_ne!(renewed["Serial"], first["Serial"]);
        assert_eq!(renewed["CertificateArn"], first["CertificateArn"]);
        let domains = &renewed["RenewalSummary"]["DomainValidationOptions"];
        assert_eq!(domains[0]["ValidationStatus"], "SUCCESS");
        let events = h.events().await;
        assert_eq!(events[0]["detail"]["Action"], "RENEWAL");
        // Without the record the next renewal needs action, once.
        records.clear();
        h.advance(Duration::days(198 - 59));
        assert_eq!(h.lifecycle().await, 1);
        assert_eq!(
            describe(&h, &arn).await["RenewalSummary"]["RenewalStatus"],
            "PENDING_VALIDATION"
        );
        assert_eq!(
            detail_types(&h.events().await),
            ["ACM Certificate Renewal Action Required"]
        );
        assert_eq!(h.lifecycle().await, 0);
        // 45 days before NotAfter: one approaching-expiration event a day.
        h.advance(Duration::days(15));
        h.lifecycle().await;
        h.lifecycle().await;
        let events = h.events().await;
        assert_eq!(
            detail_types(&events),
            ["ACM Certificate Approaching Expiration"]
        );
        assert_eq!(events[0]["detail"]["DaysToExpiry"], 43);
        assert_eq!(events[0]["detail"]["CommonName"], "renew.example");
        h.advance(Duration::days(1));
        h.lifecycle().await;
        assert_eq!(h.events().await[0]["detail"]["DaysToExpiry"], 42);
        h.advance(Duration::days(50));
        h.lifecycle().await;
        assert_eq!(describe(&h, &arn).await["Status"], "EXPIRED");
        let events = h.events().await;
        assert_eq!(detail_types(&events), ["ACM Certificate Expired"]);
        assert_eq!(h.lifecycle().await, 0);
        h.cleanup().await;
    }
}

#[tokio::test]
async fn exported_private_certificates_are_renewed_by_their_ca() {
    let (server, _records) = dns::start().await;
    for h in Harness::all().await {
        let h = h.with_dns(server);
        let ca = h.active_ca("EC_prime256v1", "SHA256WITHECDSA").await;
        let body = json!({"DomainName": "svc.internal", "KeyAlgorithm": "EC_prime256v1", "CertificateAuthorityArn": ca});
        let kept = request(&h, body.clone()).await;
        let exported = request(&h, body).await;
        let pass =
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b"pass phrase");
        h.ok(
            "ExportCertificate",
            json!({"CertificateArn": exported, "Passphrase": pass}),
        )
        .await;
        let first = describe(&h, &exported).await;
        let issued = h.events().await;
        assert_eq!(detail_types(&issued), ["ACM Certificate Available"; 2]);
        assert_eq!(issued[1]["detail"]["Action"], "ISSUANCE");
        assert_eq!(issued[1]["detail"]["CertificateType"], "PRIVATE");
        h.advance(Duration::days(395 - 59));
        h.lifecycle().await;
        let renewed = describe(&h, &exported).await;
        assert_eq!(renewed["RenewalSummary"]["RenewalStatus"], "SUCCESS");
        assert_ne!(renewed["Serial"], first["Serial"]);
        assert!(
            describe(&h, &kept).await.get("RenewalSummary").is_none(),
            "not exported: not renewed"
        );
        let events = h.events().await;
        let available: Vec<&Value> = events
            .iter()
            .filter(|e| e["detail_type"] == "ACM Certificate Available")
            .collect();
        assert_eq!(available.len(), 1);
        assert_eq!(available[0]["resources"][0], exported.as_str());
        assert_eq!(available[0]["detail"]["Action"], "RENEWAL");
        // RenewCertificate publishes its success the same way.
        h.ok("RenewCertificate", json!({"CertificateArn": exported}))
            .await;
        let events = h.events().await;
        assert_eq!(detail_types(&events), ["ACM Certificate Available"]);
        assert_eq!(events[0]["detail"]["Action"], "RENEWAL");
        h.cleanup().await;
    }
}

#[tokio::test]
async fn caa_records_naming_other_issuers_fail_the_request() {
    let (server, records) = dns::start().await;
    for h in Harness::all().await {
        let h = h.with_dns(server);
        records.clear();
        let refused = request(
            &h,
            json!({"DomainName": "www.caa-other.example", "ValidationMethod": "DNS"}),
        )
        .await;
        let allowed = request(
            &h,
            json!({"DomainName": "caa-amazon.example", "ValidationMethod": "DNS"}),
        )
        .await;
        records.caa("caa-other.example", "letsencrypt.org");
        records.caa("caa-amazon.example", "amazon.com");
        answer_validation(&h, &refused, &records).await;
        answer_validation(&h, &allowed, &records).await;
        assert_eq!(h.lifecycle().await, 2);
        let detail = describe(&h, &refused).await;
        assert_eq!(detail["Status"], "FAILED");
        assert_eq!(detail["FailureReason"], "CAA_ERROR");
        assert_eq!(describe(&h, &allowed).await["Status"], "ISSUED");
        h.cleanup().await;
    }
}

//! EMAIL validation over both store backends: RequestCertificate publishes one approval link
//! per domain (the token only hashed in the store), the link's GET names the domain without
//! approving, its POST approves and, with every domain approved, issues the certificate with
//! "ACM Certificate Available"; ResendValidationEmail replaces the link (the old one stops
//! working) and restarts the 72-hour window.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Harness, dns};
use serde_json::{Value, json};
use time::Duration;

async fn describe(h: &Harness, arn: &str) -> Value {
    let got = h
        .ok("DescribeCertificate", json!({"CertificateArn": arn}))
        .await;
    got["Certificate"].clone()
}

/// The approval tokens of the approval events waiting, by domain.
async fn approval_tokens(h: &Harness) -> Vec<(String, String)> {
    h.events()
        .await
        .iter()
        .filter(|e| e["detail_type"] == "ACM Certificate Validation Approval Requested")
        .map(|e| {
            let detail = &e["detail"];
            let path = detail["ApprovalPath"].as_str().unwrap();
            let token = path.strip_prefix("/_rampart/acm/approve/").unwrap();
            (
                detail["DomainName"].as_str().unwrap().to_owned(),
                token.to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn approved_links_validate_and_issue() {
    let (server, _records) = dns::start().await;
    for h in Harness::all().await {
        let h = h.with_dns(server);
        let arn = h
            .ok(
                "RequestCertificate",
                json!({"DomainName": "mail.example", "ValidationMethod": "EMAIL",
                       "SubjectAlternativeNames": ["www.mail.example"]}),
            )
            .await["CertificateArn"]
            .as_str()
            .unwrap()
            .to_owned();
        let tokens = approval_tokens(&h).await;
        assert_eq!(tokens.len(), 2);
        let detail = describe(&h, &arn).await;
        let emails = &detail["DomainValidationOptions"][0]["ValidationEmails"];
        assert_eq!(emails[0], "admin@mail.example");
        // A GET shows the domain and approves nothing.
        let shown = h.acm.approval(&tokens[0].1, false).await.unwrap();
        assert_eq!(shown.unwrap().0, tokens[0].0);
        assert_eq!(describe(&h, &arn).await["Status"], "PENDING_VALIDATION");
        assert!(
            h.acm
                .approval(&"0".repeat(64), true)
                .await
                .unwrap()
                .is_none()
        );

        // Only the tokens' hashes are stored.
        let stored = h.raw_rows("acm_email_approvals").await;
        assert_eq!(stored.len(), 2);
        for row in h.raw_rows("acm_certificates").await.iter().chain(&stored) {
            let text = String::from_utf8_lossy(row);
            assert!(!tokens.iter().any(|(_, t)| text.contains(t.as_str())));
        }
        let first = h.acm.approval(&tokens[0].1, true).await.unwrap().unwrap();
        assert_eq!(first.1, "PENDING_VALIDATION");
        assert_eq!(h.raw_rows("acm_email_approvals").await.len(), 1);
        assert!(h.acm.approval(&tokens[0].1, true).await.unwrap().is_none());
        // ResendValidationEmail replaces the second link.
        h.ok(
            "ResendValidationEmail",
            json!({"CertificateArn": arn, "Domain": "www.mail.example",
                   "ValidationDomain": "www.mail.example"}),
        )
        .await;
        let resent = approval_tokens(&h).await;
        assert_eq!(resent.len(), 1);
        assert!(h.acm.approval(&tokens[1].1, true).await.unwrap().is_none());
        let last = h.acm.approval(&resent[0].1, true).await.unwrap().unwrap();
        assert_eq!(last.1, "ISSUED");
        let detail = describe(&h, &arn).await;
        assert_eq!(detail["Status"], "ISSUED");
        assert!(h.raw_rows("acm_email_approvals").await.is_empty());
        let types: Vec<Value> = h
            .events()
            .await
            .iter()
            .map(|e| e["detail_type"].clone())
            .collect();
        assert_eq!(types, [json!("ACM Certificate Available")]);
        h.cleanup().await;
    }
}

#[tokio::test]
async fn resending_restarts_the_72_hour_window() {
    for h in Harness::all().await {
        let arn = h
            .ok(
                "RequestCertificate",
                json!({"DomainName": "late.example", "ValidationMethod": "EMAIL"}),
            )
            .await["CertificateArn"]
            .as_str()
            .unwrap()
            .to_owned();
        h.advance(Duration::hours(70));
        h.ok(
            "ResendValidationEmail",
            json!({"CertificateArn": arn, "Domain": "late.example",
                   "ValidationDomain": "late.example"}),
        )
        .await;
        h.advance(Duration::hours(10));
        h.lifecycle().await;
        assert_eq!(describe(&h, &arn).await["Status"], "PENDING_VALIDATION");
        h.advance(Duration::hours(63));
        h.lifecycle().await;
        assert_eq!(describe(&h, &arn).await["Status"], "VALIDATION_TIMED_OUT");
        let tokens = approval_tokens(&h).await;
        assert!(h.acm.approval(&tokens[1].1, true).await.unwrap().is_none());
        let refused = h
            .call(
                "ResendValidationEmail",
                json!({"CertificateArn": arn, "Domain": "late.example",
                       "ValidationDomain": "late.example"}),
            )
            .await
            .unwrap_err();
        assert_eq!(refused.code, "InvalidStateException");
        h.ok("DeleteCertificate", json!({"CertificateArn": arn}))
            .await;
        assert!(h.raw_rows("acm_email_approvals").await.is_empty());
        h.cleanup().await;
    }
}

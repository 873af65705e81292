//! Certificates used by other services' resources, over both store backends: InUse in
//! ListCertificates and SearchCertificates, and the ordering between recording a use
//! (`CertificateAccess::use_writes`, committed by the using module) and DeleteCertificate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Harness, import_body, self_signed};
use rampart_acm::{AcmService, CertificateAccess, is_certificate_conflict};
use rampart_crypto::root::{Domain, RootKey};
use serde_json::json;
use std::sync::Arc;

const DOMAIN_ARN: &str = "arn:aws:apigateway:us-east-1::/domainnames/api.example.com";

/// Another module's access to the harness's certificates.
fn access_of(h: &Harness) -> CertificateAccess {
    let service = AcmService::new(
        h.store.clone(),
        RootKey::generate().domain_key(Domain::Acm),
        h.clock.clone(),
        h.pca.clone(),
    );
    CertificateAccess::new(Arc::new(service))
}

async fn import(h: &Harness) -> String {
    let cert = self_signed("api.example.com", &rcgen::PKCS_RSA_SHA256);
    let body = import_body(&cert.cert_pem, &cert.key_pem, None);
    let out = h.ok("ImportCertificate", body).await;
    out["CertificateArn"].as_str().unwrap().to_owned()
}

/// `arn`'s InUse in ListCertificates and in SearchCertificates.
async fn in_use(h: &Harness, arn: &str) -> (bool, bool) {
    let listed = h.ok("ListCertificates", json!({})).await;
    let summary = listed["CertificateSummaryList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["CertificateArn"] == arn)
        .cloned()
        .unwrap();
    let found = h.ok("SearchCertificates", json!({})).await;
    let result = found["Results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["CertificateArn"] == arn)
        .cloned()
        .unwrap();
    let meta = &result["CertificateMetadata"]["AcmCertificateMetadata"];
    (
        summary["InUse"].as_bool().unwrap(),
        meta["InUse"].as_bool().unwrap(),
    )
}

/// The ARNs SearchCertificates finds with the InUse filter `wanted`.
async fn search_in_use(h: &Harness, wanted: bool) -> Vec<String> {
    let filter = json!({"Filter": {"AcmCertificateMetadataFilter": {"InUse": wanted}}});
    let found = h
        .ok("SearchCertificates", json!({"FilterStatement": filter}))
        .await;
    let results = found["Results"].as_array().unwrap();
    results
        .iter()
        .map(|r| r["CertificateArn"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn lists_and_searches_show_certificates_in_use() {
    for h in Harness::all().await {
        let used = import(&h).await;
        let idle = import(&h).await;
        let access = access_of(&h);
        assert_eq!(in_use(&h, &used).await, (false, false));
        let info = access.describe(&used).await.unwrap().unwrap();
        let writes = access.use_writes(&info, DOMAIN_ARN).await.unwrap();
        h.store.transact(writes).await.unwrap();
        assert_eq!(in_use(&h, &used).await, (true, true));
        assert_eq!(in_use(&h, &idle).await, (false, false));
        assert_eq!(search_in_use(&h, true).await, vec![used.clone()]);
        assert_eq!(search_in_use(&h, false).await, vec![idle.clone()]);
        let release = access.release_write(&used, DOMAIN_ARN).unwrap();
        h.store.transact(vec![release]).await.unwrap();
        assert_eq!(in_use(&h, &used).await, (false, false));
        h.cleanup().await;
    }
}

#[tokio::test]
async fn a_use_checked_before_a_delete_does_not_commit_after_it() {
    for h in Harness::all().await {
        let arn = import(&h).await;
        let access = access_of(&h);
        let info = access.describe(&arn).await.unwrap().unwrap();
        h.ok("DeleteCertificate", json!({"CertificateArn": arn}))
            .await;
        let err = access.use_writes(&info, DOMAIN_ARN).await.unwrap_err();
        assert!(is_certificate_conflict(&err), "{err}");
        assert!(h.raw_rows("acm_certificate_usage").await.is_empty());
        h.cleanup().await;
    }
}

#[tokio::test]
async fn a_use_prepared_before_a_delete_fails_when_the_delete_commits_first() {
    for h in Harness::all().await {
        let arn = import(&h).await;
        let access = access_of(&h);
        let info = access.describe(&arn).await.unwrap().unwrap();
        let writes = access.use_writes(&info, DOMAIN_ARN).await.unwrap();
        h.ok("DeleteCertificate", json!({"CertificateArn": arn}))
            .await;
        let err = h.store.transact(writes).await.unwrap_err();
        assert!(is_certificate_conflict(&err), "{err}");
        assert!(h.raw_rows("acm_certificate_usage").await.is_empty());
        h.cleanup().await;
    }
}

#[tokio::test]
async fn a_delete_that_read_the_certificate_before_a_use_cannot_remove_it() {
    for h in Harness::all().await {
        let arn = import(&h).await;
        let access = access_of(&h);
        let info = access.describe(&arn).await.unwrap().unwrap();
        // DeleteCertificate's order: the row first (version `info.version`), then the uses
        // (none yet); a use commits in between; the delete at the version read conflicts.
        let writes = access.use_writes(&info, DOMAIN_ARN).await.unwrap();
        h.store.transact(writes).await.unwrap();
        let row = arn.split(':').nth(4).unwrap().to_owned()
            + "/us-east-1/"
            + arn.rsplit('/').next().unwrap();
        let stale = rampart_store::Write::Delete {
            table: "acm_certificates",
            key: row,
            expect: rampart_store::Expect::Version(info.version),
        };
        let err = h.store.transact(vec![stale]).await.unwrap_err();
        assert!(is_certificate_conflict(&err), "{err}");
        h.fails(
            "DeleteCertificate",
            json!({"CertificateArn": arn}),
            "ResourceInUseException",
        )
        .await;
        h.cleanup().await;
    }
}

#[tokio::test]
async fn racing_uses_and_deletes_never_leave_a_use_of_a_deleted_certificate() {
    for h in Harness::all().await {
        let h = Arc::new(h);
        for _ in 0..8 {
            let arn = import(&h).await;
            let access = access_of(&h);
            let user = {
                let (h, arn) = (h.clone(), arn.clone());
                tokio::spawn(async move {
                    let Some(info) = access.describe(&arn).await.unwrap() else {
                        return;
                    };
                    if let Ok(writes) = access.use_writes(&info, DOMAIN_ARN).await {
                        let _ = h.store.transact(writes).await;
                    }
                })
            };
            let deleter = {
                let (h, arn) = (h.clone(), arn.clone());
                tokio::spawn(async move {
                    let _ = h
                        .call("DeleteCertificate", json!({"CertificateArn": arn}))
                        .await;
                })
            };
            user.await.unwrap();
            deleter.await.unwrap();
            let exists = h
                .call("DescribeCertificate", json!({"CertificateArn": arn}))
                .await
                .is_ok();
            let uses = h.raw_rows("acm_certificate_usage").await.len();
            assert!(exists || uses == 0, "a use outlived its certificate");
            if exists && uses == 1 {
                let release = access_of(&h).release_write(&arn, DOMAIN_ARN).unwrap();
                h.store.transact(vec![release]).await.unwrap();
            }
        }
        Arc::into_inner(h).unwrap().cleanup().await;
    }
}

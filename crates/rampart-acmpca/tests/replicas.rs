//! Multi-Region CAs (IAM_WORKLOAD_IDENTITY primaries and their replicas) and associations, on
//! each store backend: replicas share the primary's key and certificate, a replica issues a
//! workload certificate that verifies under the primary's certificate, and the refusals AWS
//! documents.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ACCOUNT, Harness, leaf_csr, parse, root_of, verify};
use rampart_acmpca::workload::WorkloadRequest;
use rampart_codec::ServiceError;
use rampart_core::Region;
use serde_json::{Value, json};

const PROVIDER: &str = "arn:aws:iam::111122223333:workload-identity-provider/example";

/// `op` called by the account's root user in `region`.
async fn call_in(h: &Harness, region: &str, op: &str, body: Value) -> Result<Value, ServiceError> {
    let mut ctx = root_of(ACCOUNT);
    ctx.region = Region::new(region);
    let bytes = serde_json::to_vec(&body).unwrap();
    let invocation = rampart_acmpca::generated::dispatch(&h.pca, &ctx, op, &bytes).await;
    invocation
        .result
        .map(|out| serde_json::from_slice(&out).unwrap_or(Value::Null))
}

/// An ACTIVE IAM_WORKLOAD_IDENTITY root CA in us-east-1; its ARN and certificate.
async fn workload_root(h: &Harness) -> (String, String) {
    let made = h
        .ok(
            "CreateCertificateAuthority",
            json!({
                "CertificateAuthorityType": "ROOT",
                "UsageMode": "SERVICE_AFFILIATED",
                "ServiceAffiliation": {"ServiceAffiliationCode": "IAM_WORKLOAD_IDENTITY"},
                "CertificateAuthorityConfiguration": {
                    "KeyAlgorithm": "EC_prime256v1",
                    "SigningAlgorithm": "SHA256WITHECDSA",
                    "Subject": {"CommonName": "Workload Root"}
                }
            }),
        )
        .await;
    let root = made["CertificateAuthorityArn"].as_str().unwrap().to_owned();
    let csr = h.csr_of(&root).await;
    let (cert, _) = h
        .issue(&root, &csr, "SHA256WITHECDSA", "RootCACertificate", 3650)
        .await
        .unwrap();
    h.import(&root, &cert, None).await.unwrap();
    (root, cert)
}

#[tokio::test]
async fn a_replica_shares_the_primary_and_issues_under_its_certificate() {
    for h in Harness::all().await {
        let (root, root_pem) = workload_root(&h).await;
        let body = json!({"CertificateAuthorityArn": root});
        let described = h.ok("DescribeCertificateAuthority", body.clone()).await;
        let ca = &described["CertificateAuthority"];
        assert_eq!(ca["MultiRegionConfiguration"]["MultiRegionType"], "PRIMARY");
        assert_eq!(
            ca["ServiceAffiliation"]["ServiceAffiliationCode"],
            "IAM_WORKLOAD_IDENTITY"
        );

        let made = h
            .ok(
                "CreateCertificateAuthorityReplica",
                json!({"CertificateAuthorityArn": root, "ReplicaRegion": "eu-west-1",
                       "IdempotencyToken": "t1", "Tags": [{"Key": "team", "Value": "a"}]}),
            )
            .await;
        let replica = made["Replica"]["Arn"].as_str().unwrap().to_owned();
        assert_eq!(replica, root.replace(":us-east-1:", ":eu-west-1:"));
        assert_eq!(made["Replica"]["Status"], "CREATING");
        let body = json!({"CertificateAuthorityArn": replica});
        let got = call_in(
            &h,
            "eu-west-1",
            "GetCertificateAuthorityCertificate",
            body.clone(),
        );
        assert_eq!(got.await.unwrap()["Certificate"], root_pem.as_str());
        let described = call_in(
            &h,
            "eu-west-1",
            "DescribeCertificateAuthority",
            body.clone(),
        );
        let described = described.await.unwrap();
        let ca = &described["CertificateAuthority"];
        assert_eq!(ca["Status"], "ACTIVE");
        assert_eq!(ca["MultiRegionConfiguration"]["MultiRegionType"], "REPLICA");
        let tags = call_in(&h, "eu-west-1", "ListTags", body.clone())
            .await
            .unwrap();
        assert_eq!(tags["Tags"], json!([{"Key": "team", "Value": "a"}]));

        // Workload certificates: only for an associated resource, then under the shared key.
        let csr = leaf_csr(&["workload.example"]);
        let request = WorkloadRequest {
            ca_arn: &replica,
            resource_arn: PROVIDER,
            csr: csr.as_bytes(),
            lifetime: time::Duration::hours(12),
        };
        let refused = h
            .pca
            .issue_workload_certificate(&request)
            .await
            .unwrap_err();
        assert_eq!(refused.code, "InvalidArgsException");
        let associate = json!({"CertificateAuthorityArn": root, "AssociatedResourceArn": PROVIDER});
        h.ok("CreateCertificateAuthorityAssociation", associate)
            .await;
        let issued = h.pca.issue_workload_certificate(&request).await.unwrap();
        assert_eq!(issued.chain_pem, root_pem);
        let (leaf_der, root_der) = (common::der(&issued.certificate_pem), common::der(&root_pem));
        let (leaf, root_cert) = (parse(&leaf_der), parse(&root_der));
        verify(&leaf, &root_cert);
        assert_eq!(leaf.issuer(), root_cert.subject());
        let lifetime =
            leaf.validity().not_after.timestamp() - leaf.validity().not_before.timestamp();
        assert_eq!(lifetime, 12 * 3600);
        let too_long = WorkloadRequest {
            lifetime: time::Duration::hours(25),
            ..request
        };
        let refused = h
            .pca
            .issue_workload_certificate(&too_long)
            .await
            .unwrap_err();
        assert_eq!(refused.code, "InvalidArgsException");

        // IssueCertificate does not issue end-entity certificates from these CAs.
        let leaf = leaf_csr(&["api.example"]);
        for ca in [&root, &replica] {
            let err = h
                .issue(ca, &leaf, "SHA256WITHECDSA", "EndEntityCertificate", 1)
                .await;
            assert_eq!(err.unwrap_err().code, "InvalidArgsException");
        }
        h.cleanup().await;
    }
}

#[tokio::test]
async fn replicas_conflict_paginate_and_delete_in_order() {
    for h in Harness::all().await {
        let (root, _) = workload_root(&h).await;
        let create = |region: &str, token: &str| json!({"CertificateAuthorityArn": root, "ReplicaRegion": region, "IdempotencyToken": token});
        h.ok(
            "CreateCertificateAuthorityReplica",
            create("eu-west-1", "a"),
        )
        .await;
        // The same token answers the same replica; another one is a conflict.
        let again = h
            .ok(
                "CreateCertificateAuthorityReplica",
                create("eu-west-1", "a"),
            )
            .await;
        assert_eq!(again["Replica"]["Region"], "eu-west-1");
        h.fails(
            "CreateCertificateAuthorityReplica",
            create("eu-west-1", "b"),
            "ConflictException",
        )
        .await;
        h.fails(
            "CreateCertificateAuthorityReplica",
            create("us-east-1", "c"),
            "InvalidArgsException",
        )
        .await;

        let batch = json!({"CertificateAuthorityArn": root, "Replicas": [
            {"ReplicaRegion": "eu-west-1", "IdempotencyToken": "x"},
            {"ReplicaRegion": "ap-southeast-2", "IdempotencyToken": "y"},
            {"ReplicaRegion": "us-west-2", "IdempotencyToken": "z"},
        ]});
        let out = h.ok("BatchCreateCertificateAuthorityReplica", batch).await;
        assert_eq!(out["Successful"].as_array().unwrap().len(), 2);
        assert_eq!(out["Failed"][0]["Region"], "eu-west-1");
        assert_eq!(out["Failed"][0]["FailureReason"], "CONFLICT");

        let mut regions = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut body = json!({"CertificateAuthorityArn": root, "MaxResults": 2});
            if let Some(t) = &token {
                body["NextToken"] = json!(t);
            }
            let page = h.ok("ListCertificateAuthorityReplicas", body).await;
            for r in page["Replicas"].as_array().unwrap() {
                assert_eq!(r["Status"], "ACTIVE");
                regions.push(r["Region"].as_str().unwrap().to_owned());
            }
            match page["NextToken"].as_str() {
                Some(t) => token = Some(t.to_owned()),
                None => break,
            }
        }
        // Listed by creation time, then Region (the manual clock stood still).
        assert_eq!(regions, ["ap-southeast-2", "eu-west-1", "us-west-2"]);

        // The primary goes last; an ACTIVE replica is disabled first; a replica is gone at once.
        let primary = json!({"CertificateAuthorityArn": root});
        h.ok(
            "UpdateCertificateAuthority",
            json!({"CertificateAuthorityArn": root, "Status": "DISABLED"}),
        )
        .await;
        h.fails(
            "DeleteCertificateAuthority",
            primary.clone(),
            "InvalidStateException",
        )
        .await;
        let replica =
            json!({"CertificateAuthorityArn": root.replace(":us-east-1:", ":us-west-2:")});
        let delete = call_in(
            &h,
            "us-west-2",
            "DeleteCertificateAuthority",
            replica.clone(),
        );
        assert_eq!(delete.await.unwrap_err().code, "InvalidStateException");
        let disable = json!({"CertificateAuthorityArn": replica["CertificateAuthorityArn"], "Status": "DISABLED"});
        call_in(&h, "us-west-2", "UpdateCertificateAuthority", disable)
            .await
            .unwrap();
        call_in(
            &h,
            "us-west-2",
            "DeleteCertificateAuthority",
            replica.clone(),
        )
        .await
        .unwrap();
        let gone = call_in(&h, "us-west-2", "DescribeCertificateAuthority", replica).await;
        assert_eq!(gone.unwrap_err().code, "ResourceNotFoundException");
        let listed = h
            .ok("ListCertificateAuthorityReplicas", primary.clone())
            .await;
        assert_eq!(listed["Replicas"].as_array().unwrap().len(), 2);
        // A disabled primary is not replicated.
        h.fails(
            "CreateCertificateAuthorityReplica",
            create("ca-central-1", "d"),
            "InvalidStateException",
        )
        .await;
        h.cleanup().await;
    }
}

#[tokio::test]
async fn associations_list_page_by_page_and_block_deletion() {
    for h in Harness::all().await {
        let (root, _) = workload_root(&h).await;
        for i in 0..5 {
            let arn = format!("{PROVIDER}-{i}");
            let body = json!({"CertificateAuthorityArn": root, "AssociatedResourceArn": arn});
            h.ok("CreateCertificateAuthorityAssociation", body.clone())
                .await;
            // Idempotent.
            h.ok("CreateCertificateAuthorityAssociation", body).await;
        }
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut body = json!({"CertificateAuthorityArn": root, "MaxResults": 2});
            if let Some(t) = &token {
                body["NextToken"] = json!(t);
            }
            let page = h.ok("ListCertificateAuthorityAssociations", body).await;
            assert_eq!(
                page["ServiceAffiliation"]["ServiceAffiliationCode"],
                "IAM_WORKLOAD_IDENTITY"
            );
            for a in page["Associations"].as_array().unwrap() {
                assert_eq!(a["CertificateAuthorityArn"], root.as_str());
                seen.push(a["AssociatedResourceArn"].as_str().unwrap().to_owned());
            }
            match page["NextToken"].as_str() {
                Some(t) => token = Some(t.to_owned()),
                None => break,
            }
        }
        seen.sort();
        assert_eq!(
            seen,
            (0..5)
                .map(|i| format!("{PROVIDER}-{i}"))
                .collect::<Vec<_>>()
        );

        let primary = json!({"CertificateAuthorityArn": root});
        h.ok(
            "UpdateCertificateAuthority",
            json!({"CertificateAuthorityArn": root, "Status": "DISABLED"}),
        )
        .await;
        h.fails(
            "DeleteCertificateAuthority",
            primary.clone(),
            "InvalidStateException",
        )
        .await;
        for i in 0..5 {
            let arn = format!("{PROVIDER}-{i}");
            let body = json!({"CertificateAuthorityArn": root, "AssociatedResourceArn": arn});
            h.ok("DeleteCertificateAuthorityAssociation", body.clone())
                .await;
            h.ok("DeleteCertificateAuthorityAssociation", body).await;
        }
        h.ok("DeleteCertificateAuthority", primary).await;

        // A general-purpose CA takes no association.
        let general = h
            .create_ca("ROOT", "EC_prime256v1", "SHA256WITHECDSA", "General")
            .await;
        let body = json!({"CertificateAuthorityArn": general, "AssociatedResourceArn": PROVIDER});
        h.fails(
            "CreateCertificateAuthorityAssociation",
            body,
            "InvalidArgsException",
        )
        .await;
        let replicate = json!({"CertificateAuthorityArn": general, "ReplicaRegion": "eu-west-1"});
        h.fails(
            "CreateCertificateAuthorityReplica",
            replicate,
            "InvalidArgsException",
        )
        .await;
        h.cleanup().await;
    }
}

//! ACM PCA permissions, resource policies and audit reports over both store backends:
//! CreatePermission/DeletePermission/ListPermissions rules, errors and paging with ACM's
//! `acm_permitted` question; PutPolicy/GetPolicy/DeletePolicy validation and their enforcement
//! for another account's root (IssueCertificate under a TemplateArn condition, the actions the
//! policy does not share denied); audit reports in JSON and CSV with issued and revoked
//! certificates, the 30-minute pace and their errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::*;
use rampart_codec::ServiceError;
use rampart_core::Clock;
use serde_json::{Value, json};

const OTHER: &str = "444455556666";
const ACM: &str = "acm.amazonaws.com";
const END_ENTITY: &str = "arn:aws:acm-pca:::template/EndEntityCertificate/V1";

/// `op` called by the root user of `account`.
async fn call_as(h: &Harness, account: &str, op: &str, body: Value) -> Result<Value, ServiceError> {
    let ctx = root_of(account);
    let bytes = serde_json::to_vec(&body).unwrap();
    let invocation = rampart_acmpca::generated::dispatch(&h.pca, &ctx, op, &bytes).await;
    invocation
        .result
        .map(|out| serde_json::from_slice(&out).unwrap_or(Value::Null))
}

/// A DELETED CA (ACTIVE, disabled, then deleted with its restore window).
async fn deleted_ca(h: &Harness) -> String {
    let (ca, _) = h.active_root("EC_prime256v1", "SHA256WITHECDSA").await;
    let body = json!({"CertificateAuthorityArn": ca, "Status": "DISABLED"});
    h.ok("UpdateCertificateAuthority", body).await;
    h.ok(
        "DeleteCertificateAuthority",
        json!({"CertificateAuthorityArn": ca}),
    )
    .await;
    assert_eq!(h.status(&ca).await, "DELETED");
    ca
}

fn permission(ca: &str, source: Option<&str>, actions: &[&str]) -> Value {
    let mut body = json!({"CertificateAuthorityArn": ca, "Principal": ACM, "Actions": actions});
    if let Some(source) = source {
        body["SourceAccount"] = json!(source);
    }
    body
}

#[tokio::test]
async fn permissions_are_created_listed_and_deleted_as_aws_does() {
    for h in Harness::all().await {
        let (ca, _) = h.active_root("EC_prime256v1", "SHA256WITHECDSA").await;
        assert!(!h.pca.acm_permitted(&ca, ACCOUNT).await);
        let all = ["IssueCertificate", "GetCertificate", "ListPermissions"];
        h.ok("CreatePermission", permission(&ca, None, &all)).await;
        assert!(h.pca.acm_permitted(&ca, ACCOUNT).await);
        assert!(h.pca.acm_permitted_to(&ca, ACCOUNT, "GetCertificate").await);
        // Another account's certificates are never ACM's to issue through a permission.
        assert!(!h.pca.acm_permitted(&ca, OTHER).await);
        let again = h
            .fails(
                "CreatePermission",
                permission(&ca, Some(ACCOUNT), &["GetCertificate"]),
                "PermissionAlreadyExistsException",
            )
            .await;
        assert_eq!(
            again.message,
            "The designated permission has already been given to the user."
        );
        let listed = h
            .ok("ListPermissions", json!({"CertificateAuthorityArn": ca}))
            .await;
        let p = &listed["Permissions"][0];
        assert_eq!(p["Principal"], ACM);
        assert_eq!(p["SourceAccount"], ACCOUNT);
        assert_eq!(p["CertificateAuthorityArn"], ca.as_str());
        assert_eq!(p["Actions"], json!(all));
        assert!(p["CreatedAt"].is_number());
        let policy: Value = serde_json::from_str(p["Policy"].as_str().unwrap()).unwrap();
        let statement = &policy["Statement"][0];
        assert_eq!(statement["Principal"]["Service"], ACM);
        assert_eq!(statement["Resource"], ca.as_str());
        assert_eq!(statement["Action"][0], "acm-pca:IssueCertificate");
        assert_eq!(
            statement["Condition"]["StringEquals"]["aws:SourceAccount"],
            ACCOUNT
        );
        let body = json!({"CertificateAuthorityArn": ca, "Principal": ACM});
        h.ok("DeletePermission", body.clone()).await;
        assert!(!h.pca.acm_permitted(&ca, ACCOUNT).await);
        h.fails("DeletePermission", body, "ResourceNotFoundException")
            .await;
        h.cleanup().await;
    }
}

#[tokio::test]
async fn permission_errors_and_paging() {
    for h in Harness::all().await {
        let (ca, _) = h.active_root("EC_prime256v1", "SHA256WITHECDSA").await;
        let wrong = json!({"CertificateAuthorityArn": ca, "Principal": "s3.amazonaws.com",
            "Actions": ["IssueCertificate"]});
        h.fails("CreatePermission", wrong, "ValidationException")
            .await;
        let bad_action = permission(&ca, None, &["RevokeCertificate"]);
        h.fails("CreatePermission", bad_action, "ValidationException")
            .await;
        let missing = format!(
            "arn:aws:acm-pca:us-east-1:{ACCOUNT}:certificate-authority/00000000-0000-4000-8000-000000000000"
        );
        h.fails(
            "CreatePermission",
            permission(&missing, None, &["GetCertificate"]),
            "ResourceNotFoundException",
        )
        .await;
        for source in ["000000000001", "000000000002", "000000000003"] {
            h.ok(
                "CreatePermission",
                permission(&ca, Some(source), &["GetCertificate"]),
            )
            .await;
        }
        let page = json!({"CertificateAuthorityArn": ca, "MaxResults": 2});
        let first = h.ok("ListPermissions", page.clone()).await;
        assert_eq!(first["Permissions"].as_array().unwrap().len(), 2);
        let mut next = page.clone();
        next["NextToken"] = first["NextToken"].clone();
        let second = h.ok("ListPermissions", next).await;
        assert_eq!(second["Permissions"][0]["SourceAccount"], "000000000003");
        assert!(second.get("NextToken").is_none());
        let mut bad = page;
        bad["NextToken"] = json!("bm90LWEtdG9rZW4");
        h.fails("ListPermissions", bad, "InvalidNextTokenException")
            .await;
        let gone = deleted_ca(&h).await;
        let grant = permission(&gone, None, &["IssueCertificate"]);
        h.fails("CreatePermission", grant, "InvalidStateException")
            .await;
        let list = json!({"CertificateAuthorityArn": gone});
        h.fails("ListPermissions", list, "InvalidStateException")
            .await;
        h.cleanup().await;
    }
}

/// A policy sharing `ca` with account `OTHER`: reads, and IssueCertificate for end-entity
/// certificates only.
fn sharing_policy(ca: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "read", "Effect": "Allow", "Principal": {"AWS": OTHER},
         "Action": ["acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate",
                    "acm-pca:GetCertificateAuthorityCertificate"],
         "Resource": ca},
        {"Sid": "issue", "Effect": "Allow", "Principal": {"AWS": OTHER},
         "Action": "acm-pca:IssueCertificate", "Resource": ca,
         "Condition": {"StringEquals": {"acm-pca:TemplateArn": END_ENTITY}}}
    ]})
    .to_string()
}

#[tokio::test]
async fn policies_are_validated_stored_and_removed() {
    for h in Harness::all().await {
        let (ca, _) = h.active_root("EC_prime256v1", "SHA256WITHECDSA").await;
        let get = json!({"ResourceArn": ca});
        let none = h
            .fails("GetPolicy", get.clone(), "ResourceNotFoundException")
            .await;
        assert!(none.message.contains(&ca), "{}", none.message);
        // Deleting an absent policy succeeds, as AWS documents.
        h.ok("DeletePolicy", get.clone()).await;
        let policy = sharing_policy(&ca);
        h.ok("PutPolicy", json!({"ResourceArn": ca, "Policy": policy}))
            .await;
        assert_eq!(h.ok("GetPolicy", get.clone()).await["Policy"], policy);
        let not_json = json!({"ResourceArn": ca, "Policy": "{nope"});
        h.fails("PutPolicy", not_json, "InvalidPolicyException")
            .await;
        let delete_ca = policy.replace(
            "acm-pca:DescribeCertificateAuthority",
            "acm-pca:DeleteCertificateAuthority",
        );
        let err = h
            .fails(
                "PutPolicy",
                json!({"ResourceArn": ca, "Policy": delete_ca}),
                "InvalidPolicyException",
            )
            .await;
        assert!(err.message.contains("RAM managed permissions"));
        // A refused policy leaves the stored one as it was.
        assert_eq!(h.ok("GetPolicy", get.clone()).await["Policy"], policy);
        h.ok("DeletePolicy", get.clone()).await;
        h.fails("GetPolicy", get, "ResourceNotFoundException").await;
        let gone = deleted_ca(&h).await;
        let put = json!({"ResourceArn": gone, "Policy": sharing_policy(&gone)});
        h.fails("PutPolicy", put, "InvalidStateException").await;
        h.cleanup().await;
    }
}

#[tokio::test]
async fn another_account_uses_a_ca_only_as_its_policy_allows() {
    for h in Harness::all().await {
        let (ca, ca_pem) = h.active_root("EC_prime256v1", "SHA256WITHECDSA").await;
        let csr = STANDARD.encode(leaf_csr(&["shared.example.com"]));
        let issue = |template: &str| {
            json!({"CertificateAuthorityArn": ca, "Csr": csr, "SigningAlgorithm": "SHA256WITHECDSA",
                "TemplateArn": template, "Validity": {"Type": "DAYS", "Value": 10}})
        };
        let describe = json!({"CertificateAuthorityArn": ca});
        for (op, body) in [
            ("IssueCertificate", issue(END_ENTITY)),
            ("DescribeCertificateAuthority", describe.clone()),
        ] {
            let err = call_as(&h, OTHER, op, body).await.unwrap_err();
            assert_eq!(err.code, "AccessDeniedException", "{op}");
            assert!(
                err.message.contains(&format!("acm-pca:{op}")),
                "{}",
                err.message
            );
        }
        let put = json!({"ResourceArn": ca, "Policy": sharing_policy(&ca)});
        h.ok("PutPolicy", put).await;
        let issued = call_as(&h, OTHER, "IssueCertificate", issue(END_ENTITY))
            .await
            .unwrap();
        let cert_arn = issued["CertificateArn"].as_str().unwrap();
        let get = json!({"CertificateAuthorityArn": ca, "CertificateArn": cert_arn});
        let got = call_as(&h, OTHER, "GetCertificate", get).await.unwrap();
        assert_eq!(got["CertificateChain"], ca_pem);
        let described = call_as(&h, OTHER, "DescribeCertificateAuthority", describe)
            .await
            .unwrap();
        assert_eq!(described["CertificateAuthority"]["OwnerAccount"], ACCOUNT);
        // The CA is listed to OTHER as another account's; not to a third account.
        let (listed, _) = shared_with(&h, OTHER, json!({})).await;
        assert_eq!(listed, vec![ca.clone()]);
        assert!(
            shared_with(&h, "777788889999", json!({}))
                .await
                .0
                .is_empty()
        );
        let (own, _) = shared_with(&h, ACCOUNT, json!({})).await;
        assert!(own.is_empty(), "the owner's CAs are SELF");
        // The condition limits the templates; unshared actions stay denied.
        let client_auth = "arn:aws:acm-pca:::template/EndEntityClientAuthCertificate/V1";
        let denied = [
            ("IssueCertificate", issue(client_auth)),
            ("ListTags", json!({"CertificateAuthorityArn": ca})),
            ("GetPolicy", json!({"ResourceArn": ca})),
            (
                "PutPolicy",
                json!({"ResourceArn": ca, "Policy": sharing_policy(&ca)}),
            ),
            (
                "CreatePermission",
                permission(&ca, None, &["IssueCertificate"]),
            ),
        ];
        for (op, body) in denied {
            let err = call_as(&h, OTHER, op, body).await.unwrap_err();
            assert_eq!(err.code, "AccessDeniedException", "{op}");
        }
        // A third account is named nowhere.
        let err = call_as(&h, "777788889999", "IssueCertificate", issue(END_ENTITY))
            .await
            .unwrap_err();
        assert_eq!(err.code, "AccessDeniedException");
        h.ok("DeletePolicy", json!({"ResourceArn": ca})).await;
        assert!(shared_with(&h, OTHER, json!({})).await.0.is_empty());
        let err = call_as(&h, OTHER, "IssueCertificate", issue(END_ENTITY))
            .await
            .unwrap_err();
        assert_eq!(err.code, "AccessDeniedException");
        h.cleanup().await;
    }
}

/// The ARNs ListCertificateAuthorities(OTHER_ACCOUNTS) answers `account`, and its NextToken.
async fn shared_with(h: &Harness, account: &str, extra: Value) -> (Vec<String>, Value) {
    let mut body = json!({"ResourceOwner": "OTHER_ACCOUNTS"});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let listed = call_as(h, account, "ListCertificateAuthorities", body)
        .await
        .unwrap();
    let arns = listed["CertificateAuthorities"].as_array().unwrap();
    let arns = arns.iter().map(|c| c["Arn"].as_str().unwrap().to_owned());
    let token = listed.get("NextToken").cloned().unwrap_or(Value::Null);
    (arns.collect(), token)
}

#[tokio::test]
async fn shared_cas_page_for_other_accounts() {
    for h in Harness::all().await {
        let mut shared = Vec::new();
        for _ in 0..3 {
            let (ca, _) = h.active_root("EC_prime256v1", "SHA256WITHECDSA").await;
            let put = json!({"ResourceArn": ca, "Policy": sharing_policy(&ca)});
            h.ok("PutPolicy", put).await;
            shared.push(ca);
        }
        shared.sort_by_key(|arn| arn.rsplit('/').next().unwrap().to_owned());
        let (first, token) = shared_with(&h, OTHER, json!({"MaxResults": 2})).await;
        assert_eq!(first, shared[..2]);
        let (rest, end) =
            shared_with(&h, OTHER, json!({"MaxResults": 2, "NextToken": token})).await;
        assert_eq!(rest, shared[2..]);
        assert!(end.is_null());
        let body = json!({"ResourceOwner": "OTHER_ACCOUNTS", "NextToken": "%%%"});
        let err = call_as(&h, OTHER, "ListCertificateAuthorities", body)
            .await
            .unwrap_err();
        assert_eq!(err.code, "InvalidNextTokenException");
        h.cleanup().await;
    }
}

/// The stored report of a Describe answer, parsed (JSON) or as text (CSV).
async fn report_text(h: &Harness, described: &Value) -> String {
    let bucket = described["S3BucketName"].as_str().unwrap();
    let key = described["S3Key"].as_str().unwrap();
    let object = rampart_acmpca::audit_report::read_object(&h.store, bucket, key)
        .await
        .unwrap()
        .expect("report object");
    object.body
}

#[tokio::test]
async fn audit_reports_list_issued_and_revoked_certificates() {
    for h in Harness::all().await {
        let (ca, _) = h.active_root("EC_prime256v1", "SHA256WITHECDSA").await;
        let csr = leaf_csr(&["audit.example.com"]);
        let (leaf, _) = h
            .issue(&ca, &csr, "SHA256WITHECDSA", "EndEntityCertificate", 30)
            .await
            .unwrap();
        let serial = hex::encode(parse(&der(&leaf)).raw_serial());
        let revoke = json!({"CertificateAuthorityArn": ca, "CertificateSerial": serial,
            "RevocationReason": "KEY_COMPROMISE"});
        h.ok("RevokeCertificate", revoke).await;
        let create = |format: &str| {
            json!({"CertificateAuthorityArn": ca, "S3BucketName": "audit-bucket",
                "AuditReportResponseFormat": format})
        };
        let made = h
            .ok("CreateCertificateAuthorityAuditReport", create("JSON"))
            .await;
        let id = made["AuditReportId"].as_str().unwrap();
        let ca_id = ca.rsplit('/').next().unwrap();
        assert_eq!(made["S3Key"], format!("audit-report/{ca_id}/{id}.json"));
        let describe = json!({"CertificateAuthorityArn": ca, "AuditReportId": id});
        let described = h
            .ok("DescribeCertificateAuthorityAuditReport", describe)
            .await;
        assert_eq!(described["AuditReportStatus"], "SUCCESS");
        assert_eq!(described["S3BucketName"], "audit-bucket");
        assert!(described["CreatedAt"].is_number());
        let report: Value = serde_json::from_str(&report_text(&h, &described).await).unwrap();
        let rows = report.as_array().unwrap();
        // The root's own certificate and the leaf.
        assert_eq!(rows.len(), 2);
        let revoked = rows.iter().find(|r| r.get("revokedAt").is_some()).unwrap();
        let colons: Vec<String> = serial
            .trim_start_matches("00")
            .as_bytes()
            .chunks(2)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect();
        assert_eq!(revoked["serial"], colons.join(":"));
        assert_eq!(revoked["revocationReason"], "KEY_COMPROMISE");
        assert_eq!(revoked["subject"], "CN=audit.example.com");
        assert_eq!(revoked["awsAccountId"], ACCOUNT);
        assert_eq!(revoked["templateArn"], END_ENTITY);
        assert!(revoked["certificateArn"].as_str().unwrap().starts_with(&ca));
        let stamp = revoked["notAfter"].as_str().unwrap();
        assert!(stamp.ends_with("+0000") && stamp.len() == 24, "{stamp}");
        let root_row = rows.iter().find(|r| r.get("revokedAt").is_none()).unwrap();
        assert_eq!(root_row["subject"], "CN=Root CA,O=Rampart,C=US");
        // One report per 30 minutes.
        let soon = h
            .fails(
                "CreateCertificateAuthorityAuditReport",
                create("CSV"),
                "RequestInProgressException",
            )
            .await;
        assert!(soon.message.contains("30 minutes"));
        h.clock.set(h.clock.now() + time::Duration::minutes(31));
        let made = h
            .ok("CreateCertificateAuthorityAuditReport", create("CSV"))
            .await;
        let id = made["AuditReportId"].as_str().unwrap();
        let describe = json!({"CertificateAuthorityArn": ca, "AuditReportId": id});
        let described = h
            .ok("DescribeCertificateAuthorityAuditReport", describe)
            .await;
        let csv = report_text(&h, &described).await;
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].starts_with("awsAccountId,requestedByServicePrincipal,certificateArn,"));
        assert_eq!(lines.len(), 3);
        assert!(csv.contains(",KEY_COMPROMISE,"));
        assert!(csv.contains("\"CN=Root CA,O=Rampart,C=US\""));
        h.cleanup().await;
    }
}

#[tokio::test]
async fn audit_report_errors() {
    for h in Harness::all().await {
        let (ca, _) = h.active_root("EC_prime256v1", "SHA256WITHECDSA").await;
        let bad_bucket = json!({"CertificateAuthorityArn": ca, "S3BucketName": "Not_A_Bucket",
            "AuditReportResponseFormat": "JSON"});
        h.fails(
            "CreateCertificateAuthorityAuditReport",
            bad_bucket,
            "InvalidArgsException",
        )
        .await;
        let unknown = json!({"CertificateAuthorityArn": ca,
            "AuditReportId": "11111111-2222-3333-4444-555555555555"});
        h.fails(
            "DescribeCertificateAuthorityAuditReport",
            unknown,
            "ResourceNotFoundException",
        )
        .await;
        let gone = deleted_ca(&h).await;
        let create = json!({"CertificateAuthorityArn": gone, "S3BucketName": "audit-bucket",
            "AuditReportResponseFormat": "CSV"});
        h.fails(
            "CreateCertificateAuthorityAuditReport",
            create,
            "InvalidStateException",
        )
        .await;
        // Nothing was stored for the refused reports.
        assert!(h.raw_rows("acmpca_audit_objects").await.is_empty());
        h.cleanup().await;
    }
}

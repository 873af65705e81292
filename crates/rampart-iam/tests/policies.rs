//! Customer and AWS managed policies through the IAM wire layer: create, read, list, delete,
//! versions and default switching, the five-version quota, tags, and AWS's errors.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;

const DOC: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;

fn doc_allowing(action: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#
    )
}

#[test]
fn create_get_list_and_delete_a_customer_policy() {
    run(async {
        let b = Bench::new().await;
        let xml = b
            .ok(
                "CreatePolicy",
                &format!(
                    "PolicyName=ReadObjects&Path=%2Fteam%2F\
                 &Description=reads+objects&PolicyDocument={}\
                 &Tags.member.1.Key=env&Tags.member.1.Value=dev",
                    enc(DOC)
                ),
            )
            .await;
        let arn = format!("arn:aws:iam::{ACCOUNT}:policy/team/ReadObjects");
        assert_eq!(value(&xml, "Arn").unwrap(), arn);
        assert_eq!(value(&xml, "Path").unwrap(), "/team/");
        assert_eq!(value(&xml, "DefaultVersionId").unwrap(), "v1");
        assert_eq!(value(&xml, "AttachmentCount").unwrap(), "0");
        assert_eq!(value(&xml, "PermissionsBoundaryUsageCount").unwrap(), "0");
        assert_eq!(value(&xml, "IsAttachable").unwrap(), "true");
        let id = value(&xml, "PolicyId").unwrap();
        assert!(id.starts_with("ANPA") && id.len() == 21, "{id}");
        assert_eq!(value(&xml, "Key").unwrap(), "env");

        let got = b.ok("GetPolicy", &format!("PolicyArn={}", enc(&arn))).await;
        assert_eq!(value(&got, "PolicyId").unwrap(), id);
        assert_eq!(value(&got, "Description").unwrap(), "reads objects");
        assert_eq!(
            value(&got, "CreateDate").unwrap(),
            value(&xml, "CreateDate").unwrap()
        );
        assert_eq!(
            value(&got, "UpdateDate").unwrap(),
            value(&xml, "CreateDate").unwrap()
        );

        let version = b
            .ok(
                "GetPolicyVersion",
                &format!("PolicyArn={}&VersionId=v1", enc(&arn)),
            )
            .await;
        let encoded = value(&version, "Document").unwrap();
        assert!(
            encoded.starts_with("%7B%22Version%22%3A%20%222012-10-17%22"),
            "{encoded}"
        );
        assert_eq!(unquote(&encoded), DOC);
        assert_eq!(value(&version, "IsDefaultVersion").unwrap(), "true");

        let local = b.ok("ListPolicies", "Scope=Local").await;
        assert_eq!(values(&local, "PolicyName"), ["ReadObjects"]);
        assert!(
            values(&local, "Description").is_empty(),
            "ListPolicies omits Description"
        );
        assert!(values(&local, "Tags").is_empty());
        let other_path = b
            .ok("ListPolicies", "Scope=Local&PathPrefix=%2Fother%2F")
            .await;
        assert!(values(&other_path, "PolicyName").is_empty());

        b.ok("DeletePolicy", &format!("PolicyArn={}", enc(&arn)))
            .await;
        let gone = b
            .err("GetPolicy", &format!("PolicyArn={}", enc(&arn)))
            .await;
        assert_eq!(gone.code, "NoSuchEntity");
        assert_eq!(gone.status, 404);
        assert_eq!(gone.message, format!("Policy {arn} was not found."));
        let again = b
            .err("DeletePolicy", &format!("PolicyArn={}", enc(&arn)))
            .await;
        assert_eq!(again.code, "NoSuchEntity");
    });
}

#[test]
fn names_are_unique_whatever_the_case_and_path() {
    run(async {
        let b = Bench::new().await;
        b.create_policy("Shared", DOC).await;
        let dup = b
            .err(
                "CreatePolicy",
                &format!("PolicyName=SHARED&Path=%2Fx%2F&PolicyDocument={}", enc(DOC)),
            )
            .await;
        assert_eq!(dup.code, "EntityAlreadyExists");
        assert_eq!(dup.status, 409);
        assert_eq!(
            dup.message,
            "A policy called SHARED already exists. Duplicate names are not allowed."
        );
        // The ARN must match exactly, path and case included.
        let wrong = b
            .err(
                "GetPolicy",
                &format!(
                    "PolicyArn={}",
                    enc(&format!("arn:aws:iam::{ACCOUNT}:policy/x/Shared"))
                ),
            )
            .await;
        assert_eq!(wrong.code, "NoSuchEntity");
    });
}

#[test]
fn bad_documents_and_arns_are_rejected() {
    run(async {
        let b = Bench::new().await;
        let bad = b
            .err("CreatePolicy", &format!("PolicyName=Bad&PolicyDocument={}",
                enc(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}"#)
            ))
            .await;
        assert_eq!(bad.code, "MalformedPolicyDocument");
        let not_json = b
            .err("CreatePolicy", "PolicyName=Bad&PolicyDocument=nope")
            .await;
        assert_eq!(not_json.code, "MalformedPolicyDocument");
        let with_principal = b
            .err("CreatePolicy", &format!("PolicyName=Bad&PolicyDocument={}",
                enc(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#)
            ))
            .await;
        assert_eq!(with_principal.code, "MalformedPolicyDocument");
        let arn = "arn:aws:iam::123456789012:user/NotAPolicy";
        let invalid = b.err("GetPolicy", &format!("PolicyArn={}", enc(arn))).await;
        assert_eq!(invalid.code, "InvalidInput");
        assert_eq!(invalid.message, format!("ARN {arn} is not valid."));
        let foreign = b
            .err(
                "GetPolicy",
                &format!(
                    "PolicyArn={}",
                    enc("arn:aws:iam::210987654321:policy/Shared")
                ),
            )
            .await;
        assert_eq!(foreign.code, "NoSuchEntity");
    });
}

#[test]
fn versions_switch_the_default_and_stop_at_five() {
    run(async {
        let b = Bench::new().await;
        let arn = b
            .create_policy("Versioned", &doc_allowing("s3:GetObject"))
            .await;
        let arn_q = enc(&arn);
        let v2 = b
            .ok(
                "CreatePolicyVersion",
                &format!(
                    "PolicyArn={arn_q}&PolicyDocument={}",
                    enc(&doc_allowing("s3:PutObject"))
                ),
            )
            .await;
        assert_eq!(value(&v2, "VersionId").unwrap(), "v2");
        assert_eq!(value(&v2, "IsDefaultVersion").unwrap(), "false");
        assert!(
            values(&v2, "Document").is_empty(),
            "CreatePolicyVersion returns no document"
        );
        let v3 = b
            .ok(
                "CreatePolicyVersion",
                &format!(
                    "PolicyArn={arn_q}&SetAsDefault=true&PolicyDocument={}",
                    enc(&doc_allowing("s3:DeleteObject"))
                ),
            )
            .await;
        assert_eq!(value(&v3, "IsDefaultVersion").unwrap(), "true");
        let policy = b.ok("GetPolicy", &format!("PolicyArn={arn_q}")).await;
        assert_eq!(value(&policy, "DefaultVersionId").unwrap(), "v3");
        assert_eq!(
            value(&policy, "UpdateDate").unwrap(),
            value(&v3, "CreateDate").unwrap()
        );

        let listed = b
            .ok("ListPolicyVersions", &format!("PolicyArn={arn_q}"))
            .await;
        assert_eq!(values(&listed, "VersionId"), ["v3", "v2", "v1"]);
        assert_eq!(
            values(&listed, "IsDefaultVersion"),
            ["true", "false", "false"]
        );
        assert!(values(&listed, "Document").is_empty());
        let first = b
            .ok(
                "ListPolicyVersions",
                &format!("PolicyArn={arn_q}&MaxItems=2"),
            )
            .await;
        assert_eq!(values(&first, "VersionId"), ["v3", "v2"]);
        assert_eq!(value(&first, "IsTruncated").unwrap(), "true");
        let marker = enc(&value(&first, "Marker").unwrap());
        let rest = b
            .ok(
                "ListPolicyVersions",
                &format!("PolicyArn={arn_q}&MaxItems=2&Marker={marker}"),
            )
            .await;
        assert_eq!(values(&rest, "VersionId"), ["v1"]);
        assert_eq!(value(&rest, "IsTruncated").unwrap(), "false");

        let old = b
            .ok(
                "GetPolicyVersion",
                &format!("PolicyArn={arn_q}&VersionId=v2"),
            )
            .await;
        assert_eq!(
            unquote(&value(&old, "Document").unwrap()),
            doc_allowing("s3:PutObject")
        );
        assert_eq!(value(&old, "IsDefaultVersion").unwrap(), "false");

        for _ in 0..2 {
            b.ok(
                "CreatePolicyVersion",
                &format!("PolicyArn={arn_q}&PolicyDocument={}", enc(DOC)),
            )
            .await;
        }
        let full = b
            .err(
                "CreatePolicyVersion",
                &format!("PolicyArn={arn_q}&PolicyDocument={}", enc(DOC)),
            )
            .await;
        assert_eq!(full.code, "LimitExceeded");
        assert_eq!(full.status, 409);
        assert_eq!(
            full.message,
            "A managed policy can have up to 5 versions. Before you create a new version, you \
             must delete an existing version."
        );
        let malformed = b
            .err(
                "CreatePolicyVersion",
                &format!("PolicyArn={arn_q}&PolicyDocument=%7B%7D"),
            )
            .await;
        assert_eq!(malformed.code, "MalformedPolicyDocument");
    });
}

#[test]
fn version_deletion_rules_and_policy_deletion() {
    run(async {
        let b = Bench::new().await;
        let arn = b.create_policy("Pruned", DOC).await;
        let arn_q = enc(&arn);
        for _ in 0..2 {
            b.ok(
                "CreatePolicyVersion",
                &format!(
                    "PolicyArn={arn_q}&SetAsDefault=true&PolicyDocument={}",
                    enc(DOC)
                ),
            )
            .await;
        }
        let default = b
            .err(
                "DeletePolicyVersion",
                &format!("PolicyArn={arn_q}&VersionId=v3"),
            )
            .await;
        assert_eq!(default.code, "DeleteConflict");
        assert_eq!(
            default.message,
            "Cannot delete the default version of a policy."
        );
        let missing = b
            .err(
                "DeletePolicyVersion",
                &format!("PolicyArn={arn_q}&VersionId=v9"),
            )
            .await;
        assert_eq!(missing.code, "NoSuchEntity");
        assert_eq!(
            missing.message,
            format!("Policy {arn} version v9 does not exist or is not attachable.")
        );
        let no_default = b
            .err(
                "SetDefaultPolicyVersion",
                &format!("PolicyArn={arn_q}&VersionId=v7"),
            )
            .await;
        assert_eq!(no_default.code, "NoSuchEntity");
        let no_get = b
            .err(
                "GetPolicyVersion",
                &format!("PolicyArn={arn_q}&VersionId=v7"),
            )
            .await;
        assert_eq!(no_get.code, "NoSuchEntity");

        let versions = b.err("DeletePolicy", &format!("PolicyArn={arn_q}")).await;
        assert_eq!(versions.code, "DeleteConflict");
        assert_eq!(
            versions.message,
            "This policy has more than one version. Before you delete a policy, you must delete \
             the policy's versions. The default version is deleted with the policy."
        );

        b.ok(
            "SetDefaultPolicyVersion",
            &format!("PolicyArn={arn_q}&VersionId=v1"),
        )
        .await;
        for v in ["v2", "v3"] {
            b.ok(
                "DeletePolicyVersion",
                &format!("PolicyArn={arn_q}&VersionId={v}"),
            )
            .await;
        }
        let next = b
            .ok(
                "CreatePolicyVersion",
                &format!("PolicyArn={arn_q}&PolicyDocument={}", enc(DOC)),
            )
            .await;
        assert_eq!(
            value(&next, "VersionId").unwrap(),
            "v4",
            "version ids are never reused"
        );
        b.ok(
            "DeletePolicyVersion",
            &format!("PolicyArn={arn_q}&VersionId=v4"),
        )
        .await;
        b.ok("DeletePolicy", &format!("PolicyArn={arn_q}")).await;
        let listed = b.ok("ListPolicies", "Scope=Local").await;
        assert!(values(&listed, "PolicyName").is_empty());
    });
}

#[test]
fn policy_tags_are_added_listed_and_removed() {
    run(async {
        let b = Bench::new().await;
        let arn = b.create_policy("Tagged", DOC).await;
        let arn_q = enc(&arn);
        b.ok(
            "TagPolicy",
            &format!(
                "PolicyArn={arn_q}&Tags.member.1.Key=a&Tags.member.1.Value=1\
             &Tags.member.2.Key=b&Tags.member.2.Value=2"
            ),
        )
        .await;
        b.ok(
            "TagPolicy",
            &format!("PolicyArn={arn_q}&Tags.member.1.Key=A&Tags.member.1.Value=3"),
        )
        .await;
        let tags = b.ok("ListPolicyTags", &format!("PolicyArn={arn_q}")).await;
        assert_eq!(values(&tags, "Key"), ["b", "A"]);
        assert_eq!(values(&tags, "Value"), ["2", "3"]);
        let one = b
            .ok("ListPolicyTags", &format!("PolicyArn={arn_q}&MaxItems=1"))
            .await;
        assert_eq!(values(&one, "Key"), ["b"]);
        assert_eq!(value(&one, "IsTruncated").unwrap(), "true");
        b.ok(
            "UntagPolicy",
            &format!("PolicyArn={arn_q}&TagKeys.member.1=a"),
        )
        .await;
        let left = b.ok("ListPolicyTags", &format!("PolicyArn={arn_q}")).await;
        assert_eq!(values(&left, "Key"), ["b"]);
        let many: String = (1..=50)
            .map(|i| format!("&Tags.member.{i}.Key=k{i}&Tags.member.{i}.Value=v"))
            .collect();
        let over = b
            .err("TagPolicy", &format!("PolicyArn={arn_q}{many}"))
            .await;
        assert_eq!(over.code, "LimitExceeded");
        let gone = b
            .err(
                "TagPolicy",
                &format!(
                    "PolicyArn={}&Tags.member.1.Key=a&Tags.member.1.Value=1",
                    enc(&format!("arn:aws:iam::{ACCOUNT}:policy/Nope"))
                ),
            )
            .await;
        assert_eq!(gone.code, "NoSuchEntity");
    });
}

#[test]
fn aws_managed_policies_are_readable_and_listed_but_never_writable() {
    run(async {
        let b = Bench::new().await;
        let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
        let got = b
            .ok("GetPolicy", &format!("PolicyArn={}", enc(admin)))
            .await;
        assert_eq!(value(&got, "PolicyId").unwrap(), "ANPAIWMBCKSKIEE64ZLYK");
        assert_eq!(value(&got, "DefaultVersionId").unwrap(), "v1");
        assert_eq!(value(&got, "CreateDate").unwrap(), "2015-02-06T18:39:46Z");
        assert_eq!(
            value(&got, "Description").unwrap(),
            "Provides full access to AWS services and resources."
        );
        let version = b
            .ok(
                "GetPolicyVersion",
                &format!("PolicyArn={}&VersionId=v1", enc(admin)),
            )
            .await;
        let document: serde_json::Value =
            serde_json::from_str(&unquote(&value(&version, "Document").unwrap())).unwrap();
        assert_eq!(document["Statement"][0]["Action"], "*");
        let versions = b
            .ok("ListPolicyVersions", &format!("PolicyArn={}", enc(admin)))
            .await;
        assert_eq!(values(&versions, "VersionId"), ["v1"]);

        let aws = b.ok("ListPolicies", "Scope=AWS").await;
        assert_eq!(
            values(&aws, "PolicyName"),
            [
                "AWSKeyManagementServicePowerUser",
                "AdministratorAccess",
                "IAMFullAccess",
                "IAMReadOnlyAccess",
                "PowerUserAccess"
            ]
        );
        b.create_policy("Mine", DOC).await;
        let all = b.ok("ListPolicies", "").await;
        assert_eq!(values(&all, "PolicyName").len(), 6);
        let page = b.ok("ListPolicies", "MaxItems=4").await;
        assert_eq!(value(&page, "IsTruncated").unwrap(), "true");
        let marker = enc(&value(&page, "Marker").unwrap());
        let rest = b
            .ok("ListPolicies", &format!("MaxItems=4&Marker={marker}"))
            .await;
        assert_eq!(values(&rest, "PolicyName"), ["Mine", "PowerUserAccess"]);

        for (action, params) in [
            (
                "CreatePolicyVersion",
                format!("PolicyArn={}&PolicyDocument={}", enc(admin), enc(DOC)),
            ),
            ("DeletePolicy", format!("PolicyArn={}", enc(admin))),
            (
                "SetDefaultPolicyVersion",
                format!("PolicyArn={}&VersionId=v1", enc(admin)),
            ),
            (
                "TagPolicy",
                format!(
                    "PolicyArn={}&Tags.member.1.Key=a&Tags.member.1.Value=b",
                    enc(admin)
                ),
            ),
        ] {
            let denied = b.err(action, &params).await;
            assert_eq!(denied.code, "AccessDenied", "{action} {params}");
            assert_eq!(denied.status, 403);
            assert!(
                denied.message.contains(&format!("on resource: {admin}")),
                "{}",
                denied.message
            );
        }
        let unknown = b
            .err(
                "GetPolicy",
                &format!("PolicyArn={}", enc("arn:aws:iam::aws:policy/NotKnownHere")),
            )
            .await;
        assert_eq!(unknown.code, "NoSuchEntity");
    });
}

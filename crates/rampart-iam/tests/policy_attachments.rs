//! Attaching managed policies to users, groups and roles: attachment counts kept with the
//! entity change, the ten-per-entity quota, AWS's errors, ListAttached*Policies,
//! ListEntitiesForPolicy, and that an attached policy's default version is what
//! authorization enforces.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;

const DOC: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;

async fn attachment_count(b: &Bench, arn: &str) -> String {
    let xml = b.ok("GetPolicy", &format!("PolicyArn={}", enc(arn))).await;
    value(&xml, "AttachmentCount").unwrap()
}

#[test]
fn attach_and_detach_keep_the_attachment_count() {
    run(async {
        let b = Bench::new().await;
        b.seed_user("alice").await;
        b.seed_group("devs", "/eng/").await;
        b.seed_role("app", None).await;
        let arn = b.create_policy("S3", DOC).await;
        let arn_q = enc(&arn);
        b.ok(
            "AttachUserPolicy",
            &format!("UserName=alice&PolicyArn={arn_q}"),
        )
        .await;
        b.ok(
            "AttachUserPolicy",
            &format!("UserName=ALICE&PolicyArn={arn_q}"),
        )
        .await;
        b.ok(
            "AttachGroupPolicy",
            &format!("GroupName=devs&PolicyArn={arn_q}"),
        )
        .await;
        b.ok(
            "AttachRolePolicy",
            &format!("RoleName=app&PolicyArn={arn_q}"),
        )
        .await;
        assert_eq!(
            attachment_count(&b, &arn).await,
            "3",
            "re-attaching is a no-op"
        );

        let user = b.ok("ListAttachedUserPolicies", "UserName=alice").await;
        assert_eq!(values(&user, "PolicyName"), ["S3"]);
        assert_eq!(values(&user, "PolicyArn"), std::slice::from_ref(&arn));
        assert_eq!(value(&user, "IsTruncated").unwrap(), "false");
        let group = b
            .ok(
                "ListAttachedGroupPolicies",
                "GroupName=devs&PathPrefix=%2Fnone%2F",
            )
            .await;
        assert!(values(&group, "PolicyName").is_empty());
        let role = b.ok("ListAttachedRolePolicies", "RoleName=app").await;
        assert_eq!(values(&role, "PolicyName"), ["S3"]);

        let attached = b.err("DeletePolicy", &format!("PolicyArn={arn_q}")).await;
        assert_eq!(attached.code, "DeleteConflict");
        assert_eq!(
            attached.message,
            "Cannot delete a policy attached to entities."
        );

        b.ok(
            "DetachUserPolicy",
            &format!("UserName=alice&PolicyArn={arn_q}"),
        )
        .await;
        let twice = b
            .err(
                "DetachUserPolicy",
                &format!("UserName=alice&PolicyArn={arn_q}"),
            )
            .await;
        assert_eq!(twice.code, "NoSuchEntity");
        assert_eq!(twice.message, format!("Policy {arn} was not found."));
        b.ok(
            "DetachGroupPolicy",
            &format!("GroupName=devs&PolicyArn={arn_q}"),
        )
        .await;
        b.ok(
            "DetachRolePolicy",
            &format!("RoleName=app&PolicyArn={arn_q}"),
        )
        .await;
        assert_eq!(attachment_count(&b, &arn).await, "0");
        b.ok("DeletePolicy", &format!("PolicyArn={arn_q}")).await;
    });
}

#[test]
fn attachment_errors_and_the_ten_policy_quota() {
    run(async {
        let b = Bench::new().await;
        b.seed_user("bob").await;
        b.seed_group("ops", "/").await;
        b.seed_role("svc", None).await;
        let missing = format!("arn:aws:iam::{ACCOUNT}:policy/Missing");
        let err = b
            .err(
                "AttachUserPolicy",
                &format!("UserName=bob&PolicyArn={}", enc(&missing)),
            )
            .await;
        assert_eq!(err.code, "NoSuchEntity");
        assert_eq!(err.status, 404);
        assert_eq!(
            err.message,
            format!("Policy {missing} does not exist or is not attachable.")
        );
        let arn = b.create_policy("P0", DOC).await;
        let nobody = b
            .err(
                "AttachUserPolicy",
                &format!("UserName=nobody&PolicyArn={}", enc(&arn)),
            )
            .await;
        assert_eq!(nobody.code, "NoSuchEntity");
        assert_eq!(nobody.message, "The user with name nobody cannot be found.");
        let no_role = b.err("ListAttachedRolePolicies", "RoleName=nope").await;
        assert_eq!(no_role.message, "The role with name nope cannot be found.");

        let mut arns = vec![arn];
        for i in 1..11 {
            arns.push(b.create_policy(&format!("P{i}"), DOC).await);
        }
        for (action, key, entity) in [
            ("AttachUserPolicy", "UserName", "bob"),
            ("AttachGroupPolicy", "GroupName", "ops"),
            ("AttachRolePolicy", "RoleName", "svc"),
        ] {
            for arn in &arns[..10] {
                b.ok(action, &format!("{key}={entity}&PolicyArn={}", enc(arn)))
                    .await;
            }
            let over = b
                .err(
                    action,
                    &format!("{key}={entity}&PolicyArn={}", enc(&arns[10])),
                )
                .await;
            assert_eq!(over.code, "LimitExceeded");
            assert_eq!(over.status, 409);
            let quota = match entity {
                "bob" => "PoliciesPerUser",
                "ops" => "PoliciesPerGroup",
                _ => "PoliciesPerRole",
            };
            assert_eq!(over.message, format!("Cannot exceed quota for {quota}: 10"));
        }
        assert_eq!(attachment_count(&b, &arns[0]).await, "3");
        assert_eq!(attachment_count(&b, &arns[10]).await, "0");
        let page = b
            .ok("ListAttachedUserPolicies", "UserName=bob&MaxItems=4")
            .await;
        assert_eq!(values(&page, "PolicyName"), ["P0", "P1", "P2", "P3"]);
        let marker = enc(&value(&page, "Marker").unwrap());
        let next = b
            .ok(
                "ListAttachedUserPolicies",
                &format!("UserName=bob&MaxItems=4&Marker={marker}"),
            )
            .await;
        assert_eq!(values(&next, "PolicyName"), ["P4", "P5", "P6", "P7"]);
    });
}

#[test]
fn aws_managed_policies_attach_and_count_per_account() {
    run(async {
        let b = Bench::new().await;
        b.seed_user("carol").await;
        b.seed_role("bounded", Some("arn:aws:iam::aws:policy/PowerUserAccess"))
            .await;
        let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
        b.ok(
            "AttachUserPolicy",
            &format!("UserName=carol&PolicyArn={}", enc(admin)),
        )
        .await;
        b.ok(
            "AttachRolePolicy",
            &format!("RoleName=bounded&PolicyArn={}", enc(admin)),
        )
        .await;
        assert_eq!(attachment_count(&b, admin).await, "2");
        let power = b
            .ok(
                "GetPolicy",
                &format!(
                    "PolicyArn={}",
                    enc("arn:aws:iam::aws:policy/PowerUserAccess")
                ),
            )
            .await;
        assert_eq!(value(&power, "AttachmentCount").unwrap(), "0");
        assert_eq!(value(&power, "PermissionsBoundaryUsageCount").unwrap(), "1");

        let attached = b.ok("ListPolicies", "OnlyAttached=true").await;
        assert_eq!(values(&attached, "PolicyName"), ["AdministratorAccess"]);
        let boundaries = b
            .ok("ListPolicies", "PolicyUsageFilter=PermissionsBoundary")
            .await;
        assert_eq!(values(&boundaries, "PolicyName"), ["PowerUserAccess"]);

        let entities = b
            .ok(
                "ListEntitiesForPolicy",
                &format!("PolicyArn={}", enc(admin)),
            )
            .await;
        assert_eq!(values(&entities, "UserName"), ["carol"]);
        assert_eq!(values(&entities, "RoleName"), ["bounded"]);
        assert!(values(&entities, "GroupName").is_empty());
        assert!(
            entities.contains("<PolicyGroups/>")
                || entities.contains("<PolicyGroups></PolicyGroups>")
        );
    });
}

#[test]
fn list_entities_for_policy_filters_by_type_usage_and_path() {
    run(async {
        let b = Bench::new().await;
        let arn = b.create_policy("Shared", DOC).await;
        let arn_q = enc(&arn);
        b.seed_user("u1").await;
        b.seed_user("u2").await;
        b.seed_group("g1", "/eng/").await;
        b.seed_group("g2", "/ops/").await;
        b.seed_role("r1", Some(&arn)).await;
        for (action, entity) in [
            ("AttachUserPolicy", "UserName=u2"),
            ("AttachUserPolicy", "UserName=u1"),
            ("AttachGroupPolicy", "GroupName=g1"),
            ("AttachGroupPolicy", "GroupName=g2"),
        ] {
            b.ok(action, &format!("{entity}&PolicyArn={arn_q}")).await;
        }
        let all = b
            .ok("ListEntitiesForPolicy", &format!("PolicyArn={arn_q}"))
            .await;
        assert_eq!(values(&all, "UserName"), ["u1", "u2"]);
        assert!(value(&all, "UserId").unwrap().starts_with("AIDA"));
        assert_eq!(values(&all, "GroupName"), ["g1", "g2"]);
        assert!(value(&all, "GroupId").unwrap().starts_with("AGPA"));
        assert_eq!(
            values(&all, "RoleName"),
            ["r1"],
            "the boundary use is listed too"
        );

        let users = b
            .ok(
                "ListEntitiesForPolicy",
                &format!("PolicyArn={arn_q}&EntityFilter=User"),
            )
            .await;
        assert_eq!(values(&users, "UserName"), ["u1", "u2"]);
        assert!(values(&users, "GroupName").is_empty());
        let policy_use = b
            .ok(
                "ListEntitiesForPolicy",
                &format!("PolicyArn={arn_q}&PolicyUsageFilter=PermissionsPolicy"),
            )
            .await;
        assert!(values(&policy_use, "RoleName").is_empty());
        let boundary_use = b
            .ok(
                "ListEntitiesForPolicy",
                &format!("PolicyArn={arn_q}&PolicyUsageFilter=PermissionsBoundary"),
            )
            .await;
        assert_eq!(values(&boundary_use, "RoleName"), ["r1"]);
        assert!(values(&boundary_use, "UserName").is_empty());
        let eng = b
            .ok(
                "ListEntitiesForPolicy",
                &format!("PolicyArn={arn_q}&PathPrefix=%2Feng%2F"),
            )
            .await;
        assert_eq!(values(&eng, "GroupName"), ["g1"]);
        assert!(values(&eng, "UserName").is_empty());

        let first = b
            .ok(
                "ListEntitiesForPolicy",
                &format!("PolicyArn={arn_q}&MaxItems=3"),
            )
            .await;
        assert_eq!(values(&first, "GroupName"), ["g1", "g2"]);
        assert_eq!(values(&first, "RoleName"), ["r1"]);
        assert_eq!(value(&first, "IsTruncated").unwrap(), "true");
        let marker = enc(&value(&first, "Marker").unwrap());
        let second = b
            .ok(
                "ListEntitiesForPolicy",
                &format!("PolicyArn={arn_q}&MaxItems=3&Marker={marker}"),
            )
            .await;
        assert_eq!(values(&second, "UserName"), ["u1", "u2"]);
        assert!(values(&second, "GroupName").is_empty());

        let missing = b
            .err(
                "ListEntitiesForPolicy",
                &format!(
                    "PolicyArn={}",
                    enc(&format!("arn:aws:iam::{ACCOUNT}:policy/Nope"))
                ),
            )
            .await;
        assert_eq!(missing.code, "NoSuchEntity");
        assert!(
            missing
                .message
                .ends_with("does not exist or is not attachable.")
        );
    });
}

#[test]
fn an_attached_policy_is_enforced_through_its_default_version() {
    run(async {
        let b = Bench::new().await;
        b.seed_user("dana").await;
        let before = b.as_user("dana").await;
        let denied = b.call_as(&before, "ListPolicies", "").await.unwrap_err();
        assert_eq!(denied.code, "AccessDenied");

        let arn = b.create_policy("IamAll", ALLOW_IAM).await;
        let arn_q = enc(&arn);
        b.ok(
            "AttachUserPolicy",
            &format!("UserName=dana&PolicyArn={arn_q}"),
        )
        .await;
        let principal = b.user_principal("dana").await;
        let caller = b.dir.caller_policies(&principal, None).await.unwrap();
        assert_eq!(
            caller.identity.len(),
            1,
            "the attached policy is bound to the user"
        );
        let ctx = b.as_user("dana").await;
        let listed = b
            .call_as(&ctx, "ListPolicies", "Scope=Local")
            .await
            .unwrap();
        assert_eq!(values(&listed, "PolicyName"), ["IamAll"]);
        b.call_as(&ctx, "GetPolicy", &format!("PolicyArn={arn_q}"))
            .await
            .unwrap();

        // A new default version that only allows GetPolicy takes ListPolicies away.
        let narrow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetPolicy","Resource":"*"}]}"#;
        b.ok(
            "CreatePolicyVersion",
            &format!(
                "PolicyArn={arn_q}&SetAsDefault=true&PolicyDocument={}",
                enc(narrow)
            ),
        )
        .await;
        let ctx = b.as_user("dana").await;
        let denied = b.call_as(&ctx, "ListPolicies", "").await.unwrap_err();
        assert_eq!(denied.code, "AccessDenied");
        assert!(
            denied
                .message
                .contains("is not authorized to perform: iam:ListPolicies"),
            "{}",
            denied.message
        );
        b.call_as(&ctx, "GetPolicy", &format!("PolicyArn={arn_q}"))
            .await
            .unwrap();

        // Back to v1: allowed again; detached: denied.
        b.ok(
            "SetDefaultPolicyVersion",
            &format!("PolicyArn={arn_q}&VersionId=v1"),
        )
        .await;
        let ctx = b.as_user("dana").await;
        b.call_as(&ctx, "ListPolicies", "").await.unwrap();
        b.ok(
            "DetachUserPolicy",
            &format!("UserName=dana&PolicyArn={arn_q}"),
        )
        .await;
        let ctx = b.as_user("dana").await;
        assert!(b.call_as(&ctx, "ListPolicies", "").await.is_err());
    });
}

#[test]
fn aws_managed_policies_are_enforced_when_attached() {
    run(async {
        let b = Bench::new().await;
        b.seed_user("erin").await;
        b.ok(
            "AttachUserPolicy",
            &format!(
                "UserName=erin&PolicyArn={}",
                enc("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
            ),
        )
        .await;
        let ctx = b.as_user("erin").await;
        b.call_as(&ctx, "ListPolicies", "Scope=AWS").await.unwrap();
        let denied = b
            .call_as(
                &ctx,
                "CreatePolicy",
                &format!("PolicyName=X&PolicyDocument={}", enc(DOC)),
            )
            .await
            .unwrap_err();
        assert_eq!(denied.code, "AccessDenied");
    });
}

#[test]
fn condition_keys_reach_the_policy_engine() {
    run(async {
        let b = Bench::new().await;
        b.seed_user("frank").await;
        b.seed_user("gina").await;
        let rules = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"iam:AttachUserPolicy","Resource":"*",
             "Condition":{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/IAMReadOnlyAccess"}}},
            {"Effect":"Allow","Action":"iam:GetPolicy","Resource":"*",
             "Condition":{"StringEquals":{"aws:ResourceTag/team":"a"}}},
            {"Effect":"Allow","Action":["iam:CreatePolicy","iam:TagPolicy"],"Resource":"*",
             "Condition":{"StringEquals":{"aws:RequestTag/team":"a"}}}]}"#;
        let arn = b.create_policy("Rules", rules).await;
        b.ok(
            "AttachUserPolicy",
            &format!("UserName=frank&PolicyArn={}", enc(&arn)),
        )
        .await;
        let ctx = b.as_user("frank").await;
        let attach = |policy: &str| format!("UserName=gina&PolicyArn={}", enc(policy));
        b.call_as(
            &ctx,
            "AttachUserPolicy",
            &attach("arn:aws:iam::aws:policy/IAMReadOnlyAccess"),
        )
        .await
        .unwrap();
        let denied = b
            .call_as(
                &ctx,
                "AttachUserPolicy",
                &attach("arn:aws:iam::aws:policy/AdministratorAccess"),
            )
            .await
            .unwrap_err();
        assert_eq!(denied.code, "AccessDenied");

        let tagged = b
            .call_as(
                &ctx,
                "CreatePolicy",
                &format!(
                    "PolicyName=Tagged&PolicyDocument={}\
                     &Tags.member.1.Key=team&Tags.member.1.Value=a",
                    enc(DOC)
                ),
            )
            .await
            .unwrap();
        let untagged = b
            .call_as(
                &ctx,
                "CreatePolicy",
                &format!("PolicyName=Plain&PolicyDocument={}", enc(DOC)),
            )
            .await
            .unwrap_err();
        assert_eq!(untagged.code, "AccessDenied");
        let tagged_arn = value(&tagged, "Arn").unwrap();
        b.call_as(
            &ctx,
            "GetPolicy",
            &format!("PolicyArn={}", enc(&tagged_arn)),
        )
        .await
        .unwrap();
        let other = b
            .call_as(&ctx, "GetPolicy", &format!("PolicyArn={}", enc(&arn)))
            .await
            .unwrap_err();
        assert_eq!(other.code, "AccessDenied");
    });
}

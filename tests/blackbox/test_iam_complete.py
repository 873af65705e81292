"""The IAM operations added to complete the service, through boto3 on a secure server (TLS +
SigV4; SQLite and PostgreSQL): service-linked roles (AWS's names, paths, trust policy and
attached policy; suffix rules; protected from ordinary changes; deletion tasks) and
service-specific credentials (secret shown once, quota, status, reset, delete, DeleteUser's
conflict, the password kept out of the audit trail)."""

from __future__ import annotations

import json

import pytest

from harness import expect_error, policy_doc, allow, unique

PROTECTED = r"^Cannot perform the operation on the protected role '{}' - this role is only modifiable by AWS$"


@pytest.fixture(scope="module")
def iam(secure_server):
    return secure_server.client("iam")


@pytest.fixture(scope="module")
def account(secure_server):
    return secure_server.client("sts").get_caller_identity()["Account"]


def test_service_linked_role_life_cycle(iam, account):
    made = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com",
                                          Description="for ECS")["Role"]
    assert made["RoleName"] == "AWSServiceRoleForECS"
    assert made["Path"] == "/aws-service-role/ecs.amazonaws.com/"
    assert made["Arn"] == (f"arn:aws:iam::{account}:role/aws-service-role/ecs.amazonaws.com/"
                           "AWSServiceRoleForECS")
    assert made["Description"] == "for ECS"
    trust = made["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"]["Service"] == ["ecs.amazonaws.com"]
    assert trust["Statement"][0]["Action"] == ["sts:AssumeRole"]
    attached = iam.list_attached_role_policies(RoleName="AWSServiceRoleForECS")["AttachedPolicies"]
    assert attached == [{
        "PolicyName": "AmazonECSServiceRolePolicy",
        "PolicyArn": "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy",
    }]
    expect_error(iam.create_service_linked_role, "InvalidInput",
                 r"^Service role name AWSServiceRoleForECS has been taken in this account, "
                 r"please try a different suffix\.$", AWSServiceName="ecs.amazonaws.com")
    expect_error(iam.create_service_linked_role, "InvalidInput",
                 r"^Custom suffix is not allowed for ecs\.amazonaws\.com$",
                 AWSServiceName="ecs.amazonaws.com", CustomSuffix="two")

    protected = PROTECTED.format("AWSServiceRoleForECS")
    expect_error(iam.delete_role, "UnmodifiableEntity", protected, RoleName="AWSServiceRoleForECS")
    expect_error(iam.update_assume_role_policy, "UnmodifiableEntity", protected,
                 RoleName="AWSServiceRoleForECS", PolicyDocument=json.dumps(trust))
    expect_error(iam.put_role_policy, "UnmodifiableEntity", protected,
                 RoleName="AWSServiceRoleForECS", PolicyName="extra",
                 PolicyDocument=policy_doc(allow("s3:GetObject")))
    expect_error(iam.detach_role_policy, "UnmodifiableEntity", protected,
                 RoleName="AWSServiceRoleForECS", PolicyArn=attached[0]["PolicyArn"])
    iam.update_role_description(RoleName="AWSServiceRoleForECS", Description="changed")

    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    assert task.startswith("task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/")
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    assert status["Status"] == "SUCCEEDED"
    expect_error(iam.get_role, "NoSuchEntity", None, 404, RoleName="AWSServiceRoleForECS")
    expect_error(iam.get_service_linked_role_deletion_status, "NoSuchEntity", None, 404,
                 DeletionTaskId=task[:-4] + "0000")
    expect_error(iam.get_service_linked_role_deletion_status, "InvalidInput", None,
                 DeletionTaskId="not-a-task")


def test_service_linked_role_suffixes_and_refusals(iam):
    made = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com",
                                          CustomSuffix="blue")["Role"]
    assert made["RoleName"] == "AWSServiceRoleForAutoScaling_blue"
    iam.delete_service_linked_role(RoleName="AWSServiceRoleForAutoScaling_blue")
    expect_error(iam.create_service_linked_role, "InvalidInput", None,
                 AWSServiceName="nothing.example.com")
    expect_error(iam.create_role, "InvalidInput",
                 r"^Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles$",
                 RoleName=unique("fake"), Path="/aws-service-role/ecs.amazonaws.com/",
                 AssumeRolePolicyDocument=policy_doc({
                     "Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"},
                     "Action": "sts:AssumeRole"}))
    plain = unique("plain")
    iam.create_role(RoleName=plain, AssumeRolePolicyDocument=policy_doc({
        "Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"},
        "Action": "sts:AssumeRole"}))
    expect_error(iam.delete_service_linked_role, "InvalidInput", None, RoleName=plain)
    expect_error(iam.delete_service_linked_role, "NoSuchEntity", None, 404,
                 RoleName=unique("absent"))
    iam.delete_role(RoleName=plain)


def test_service_specific_credentials(secure_server, iam):
    name = unique("ssc")
    iam.create_user(UserName=name)
    made = iam.create_service_specific_credential(
        UserName=name, ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]
    account = secure_server.client("sts").get_caller_identity()["Account"]
    assert made["ServiceUserName"] == f"{name}-at-{account}"
    assert len(made["ServicePassword"]) == 44
    assert made["Status"] == "Active" and made["ServiceSpecificCredentialId"].startswith("ACCA")
    second = iam.create_service_specific_credential(
        UserName=name, ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]
    assert second["ServicePassword"] != made["ServicePassword"]
    expect_error(iam.create_service_specific_credential, "LimitExceeded", None, 409,
                 UserName=name, ServiceName="codecommit.amazonaws.com")
    expect_error(iam.create_service_specific_credential, "NotSupportedService", None, 404,
                 UserName=name, ServiceName="s3.amazonaws.com")
    key = iam.create_service_specific_credential(
        UserName=name, ServiceName="bedrock.amazonaws.com",
        CredentialAgeDays=30)["ServiceSpecificCredential"]
    assert key["ServiceCredentialSecret"].startswith("ABSK") and "ServicePassword" not in key
    assert "ExpirationDate" in key

    listed = iam.list_service_specific_credentials(UserName=name)["ServiceSpecificCredentials"]
    assert [c["ServiceSpecificCredentialId"] for c in listed] == [
        made["ServiceSpecificCredentialId"], second["ServiceSpecificCredentialId"],
        key["ServiceSpecificCredentialId"]]
    assert all("ServicePassword" not in c for c in listed)
    only = iam.list_service_specific_credentials(UserName=name, ServiceName="bedrock.amazonaws.com")
    assert len(only["ServiceSpecificCredentials"]) == 1
    everyone = iam.list_service_specific_credentials(AllUsers=True)["ServiceSpecificCredentials"]
    assert {c["UserName"] for c in everyone} >= {name}

    cid = made["ServiceSpecificCredentialId"]
    iam.update_service_specific_credential(UserName=name, ServiceSpecificCredentialId=cid,
                                           Status="Inactive")
    reset = iam.reset_service_specific_credential(
        UserName=name, ServiceSpecificCredentialId=cid)["ServiceSpecificCredential"]
    assert reset["ServicePassword"] != made["ServicePassword"]
    assert reset["Status"] == "Inactive"
    expect_error(iam.delete_user, "DeleteConflict", None, 409, UserName=name)
    for c in listed:
        iam.delete_service_specific_credential(
            UserName=name, ServiceSpecificCredentialId=c["ServiceSpecificCredentialId"])
    expect_error(iam.delete_service_specific_credential, "NoSuchEntity", None, 404,
                 UserName=name, ServiceSpecificCredentialId=cid)
    iam.delete_user(UserName=name)
    trail = json.dumps(secure_server.audit_tail(200))
    assert made["ServicePassword"] not in trail and reset["ServicePassword"] not in trail
    assert key["ServiceCredentialSecret"] not in trail


def test_account_authorization_details(iam, account):
    user, group, role, policy = (unique("gaad-u"), unique("gaad-g"), unique("gaad-r"),
                                 unique("gaad-p"))
    document = policy_doc(allow("s3:GetObject", "arn:aws:s3:::b/*"))
    arn = iam.create_policy(PolicyName=policy, PolicyDocument=document)["Policy"]["Arn"]
    iam.create_user(UserName=user, Tags=[{"Key": "team", "Value": "a"}])
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="inline", PolicyDocument=document)
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    iam.attach_group_policy(GroupName=group,
                            PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=policy_doc({
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole"}))
    profile = unique("gaad-ip")
    iam.create_instance_profile(InstanceProfileName=profile)
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)

    details = iam.get_account_authorization_details()
    users = {u["UserName"]: u for u in details["UserDetailList"]}
    assert users[user]["GroupList"] == [group]
    assert users[user]["UserPolicyList"][0]["PolicyName"] == "inline"
    assert users[user]["UserPolicyList"][0]["PolicyDocument"] == json.loads(document)
    assert users[user]["AttachedManagedPolicies"] == [{"PolicyName": policy, "PolicyArn": arn}]
    assert users[user]["Tags"] == [{"Key": "team", "Value": "a"}]
    roles = {r["RoleName"]: r for r in details["RoleDetailList"]}
    assert roles[role]["InstanceProfileList"][0]["InstanceProfileName"] == profile
    assert roles[role]["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"
    policies = {p["Arn"]: p for p in details["Policies"]}
    assert policies[arn]["AttachmentCount"] == 1
    assert policies[arn]["PolicyVersionList"][0]["Document"] == json.loads(document)
    assert "arn:aws:iam::aws:policy/IAMReadOnlyAccess" in policies

    only = iam.get_account_authorization_details(Filter=["Group"])
    assert only["UserDetailList"] == [] and only["RoleDetailList"] == []
    assert group in {g["GroupName"] for g in only["GroupDetailList"]}
    aws_only = iam.get_account_authorization_details(Filter=["AWSManagedPolicy"])["Policies"]
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in aws_only)

    paged = iam.get_paginator("get_account_authorization_details").paginate(
        PaginationConfig={"PageSize": 1})
    seen = [u["UserName"] for page in paged for u in page["UserDetailList"]]
    assert seen == [u["UserName"] for u in details["UserDetailList"]]

    iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=role)
    iam.delete_instance_profile(InstanceProfileName=profile)
    iam.delete_role(RoleName=role)
    iam.detach_group_policy(GroupName=group, PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    iam.remove_user_from_group(GroupName=group, UserName=user)
    iam.delete_group(GroupName=group)
    iam.detach_user_policy(UserName=user, PolicyArn=arn)
    iam.delete_user_policy(UserName=user, PolicyName="inline")
    iam.delete_user(UserName=user)
    iam.delete_policy(PolicyArn=arn)


def test_credential_report(secure_server, iam, account):
    other = secure_server.create_account()
    fresh = secure_server.client_for("iam", other)
    expect_error(fresh.get_credential_report, "ReportNotPresent", None, 410)
    name = unique("report")
    iam.create_user(UserName=name)
    iam.create_access_key(UserName=name)
    iam.create_login_profile(UserName=name, Password="Report-pass-1!")
    first = iam.generate_credential_report()
    assert first["State"] in ("STARTED", "COMPLETE")
    if first["State"] == "STARTED":
        assert iam.generate_credential_report()["State"] == "COMPLETE"
    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv"
    lines = report["Content"].decode().splitlines()
    assert lines[0].split(",")[:4] == ["user", "arn", "user_creation_time", "password_enabled"]
    assert len(lines[0].split(",")) == 22
    assert lines[1].startswith(f"<root_account>,arn:aws:iam::{account}:root,")
    if first["State"] == "STARTED":
        row = next(line.split(",") for line in lines if line.startswith(name + ","))
        assert row[3] == "true" and row[4] == "no_information"
        assert row[7] == "false" and row[8] == "true" and row[10] == "N/A"


def test_account_summary_counts_profiles_and_providers(iam):
    before = iam.get_account_summary()["SummaryMap"]
    profile = unique("sum-ip")
    iam.create_instance_profile(InstanceProfileName=profile)
    url = f"https://{unique('idp')}.example.com"
    provider = iam.create_open_id_connect_provider(
        Url=url, ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    after = iam.get_account_summary()["SummaryMap"]
    assert after["InstanceProfiles"] == before["InstanceProfiles"] + 1
    assert after["Providers"] == before["Providers"] + 1
    iam.update_open_id_connect_provider(OpenIDConnectProviderArn=provider)
    expect_error(iam.update_open_id_connect_provider, "NoSuchEntity", None, 404,
                 OpenIDConnectProviderArn=provider + "x")
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=provider)
    iam.delete_instance_profile(InstanceProfileName=profile)


def test_organizations_operations_outside_an_organization(iam):
    message = r"^The request was rejected because no organization is associated with your account\.$"
    for call in (iam.list_organizations_features,
                 iam.enable_organizations_root_credentials_management,
                 iam.disable_organizations_root_credentials_management,
                 iam.enable_organizations_root_sessions,
                 iam.disable_organizations_root_sessions,
                 iam.enable_organization_level_resources,
                 iam.disable_organization_level_resources):
        expect_error(call, "OrganizationNotFoundException", message)


def test_simulate_custom_policy(iam):
    allow_get = policy_doc(allow("s3:GetObject", "arn:aws:s3:::bucket/*"))
    deny_secret = policy_doc({"Effect": "Deny", "Action": "s3:GetObject",
                              "Resource": "arn:aws:s3:::bucket/secret"})
    results = iam.simulate_custom_policy(
        PolicyInputList=[allow_get, deny_secret],
        ActionNames=["s3:GetObject", "s3:PutObject"],
        ResourceArns=["arn:aws:s3:::bucket/a", "arn:aws:s3:::bucket/secret"])["EvaluationResults"]
    got = {(r["EvalActionName"], r["EvalResourceName"]): r for r in results}
    assert got[("s3:GetObject", "arn:aws:s3:::bucket/a")]["EvalDecision"] == "allowed"
    assert got[("s3:GetObject", "arn:aws:s3:::bucket/a")]["MatchedStatements"][0][
        "SourcePolicyId"] == "PolicyInputList.1"
    assert got[("s3:GetObject", "arn:aws:s3:::bucket/secret")]["EvalDecision"] == "explicitDeny"
    assert got[("s3:GetObject", "arn:aws:s3:::bucket/secret")]["MatchedStatements"][0][
        "SourcePolicyId"] == "PolicyInputList.2"
    assert got[("s3:PutObject", "arn:aws:s3:::bucket/a")]["EvalDecision"] == "implicitDeny"
    assert got[("s3:PutObject", "arn:aws:s3:::bucket/a")]["MatchedStatements"] == []

    conditional = policy_doc(allow("s3:GetObject", "*",
                                   {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    inside = iam.simulate_custom_policy(
        PolicyInputList=[conditional], ActionNames=["s3:GetObject"],
        ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyType": "ip",
                         "ContextKeyValues": ["10.1.2.3"]}])["EvaluationResults"][0]
    assert inside["EvalDecision"] == "allowed"
    outside = iam.simulate_custom_policy(
        PolicyInputList=[conditional], ActionNames=["s3:GetObject"],
        ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyType": "ip",
                         "ContextKeyValues": ["192.0.2.1"]}])["EvaluationResults"][0]
    assert outside["EvalDecision"] == "implicitDeny"

    bounded = iam.simulate_custom_policy(
        PolicyInputList=[policy_doc(allow("*"))], ActionNames=["s3:GetObject", "iam:ListUsers"],
        PermissionsBoundaryPolicyInputList=[policy_doc(allow("s3:*"))])["EvaluationResults"]
    assert [r["EvalDecision"] for r in bounded] == ["allowed", "implicitDeny"]
    assert [r["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"]
            for r in bounded] == [True, False]
    expect_error(iam.simulate_custom_policy, "InvalidInput", None,
                 PolicyInputList=['{"Version": "2012-10-17"}'], ActionNames=["s3:GetObject"])
    first = iam.simulate_custom_policy(PolicyInputList=[allow_get], MaxItems=1,
                                       ActionNames=["s3:GetObject", "s3:PutObject"])
    assert first["IsTruncated"] is True and len(first["EvaluationResults"]) == 1
    rest = iam.simulate_custom_policy(PolicyInputList=[allow_get], Marker=first["Marker"],
                                      ActionNames=["s3:GetObject", "s3:PutObject"])
    assert [r["EvalActionName"] for r in rest["EvaluationResults"]] == ["s3:PutObject"]


def test_simulate_principal_policy(iam):
    user, group = unique("sim-u"), unique("sim-g")
    arn = iam.create_user(UserName=user)["User"]["Arn"]
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.put_group_policy(GroupName=group, PolicyName="reads",
                         PolicyDocument=policy_doc(allow("s3:GetObject")))
    iam.attach_user_policy(UserName=user, PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    results = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["s3:GetObject", "iam:ListUsers", "iam:CreateUser"]
    )["EvaluationResults"]
    got = {r["EvalActionName"]: r for r in results}
    assert got["s3:GetObject"]["EvalDecision"] == "allowed"
    assert got["s3:GetObject"]["MatchedStatements"][0]["SourcePolicyId"] == "reads"
    assert got["s3:GetObject"]["MatchedStatements"][0]["SourcePolicyType"] == "group"
    assert got["iam:ListUsers"]["MatchedStatements"][0]["SourcePolicyType"] == "aws-managed"
    assert got["iam:CreateUser"]["EvalDecision"] == "implicitDeny"
    excluded = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["iam:ListUsers"],
        PolicyExclusionList=[{"PolicyArn": "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}])
    assert excluded["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    expect_error(iam.simulate_principal_policy, "NoSuchEntity", None, 404,
                 PolicySourceArn=arn + "-gone", ActionNames=["s3:GetObject"])
    iam.detach_user_policy(UserName=user, PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    iam.remove_user_from_group(GroupName=group, UserName=user)
    iam.delete_group_policy(GroupName=group, PolicyName="reads")
    iam.delete_group(GroupName=group)
    iam.delete_user(UserName=user)


def test_context_keys(iam):
    doc = policy_doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*",
                           {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[doc])["ContextKeyNames"]
    assert keys == ["aws:username", "aws:SourceIp"]
    user = unique("ctx")
    arn = iam.create_user(UserName=user)["User"]["Arn"]
    iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=policy_doc(
        allow("s3:*", "*", {"Bool": {"aws:MultiFactorAuthPresent": "true"}})))
    keys = iam.get_context_keys_for_principal_policy(PolicySourceArn=arn, PolicyInputList=[doc])
    assert keys["ContextKeyNames"] == ["aws:MultiFactorAuthPresent", "aws:username",
                                       "aws:SourceIp"]
    expect_error(iam.get_context_keys_for_custom_policy, "InvalidInput", None,
                 PolicyInputList=["not json"])
    iam.delete_user_policy(UserName=user, PolicyName="p")
    iam.delete_user(UserName=user)


def test_security_token_service_preferences(iam):
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] in (1, 2)
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 2
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v1Token")
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 1

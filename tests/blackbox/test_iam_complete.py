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

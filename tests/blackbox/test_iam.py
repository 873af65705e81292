"""IAM through boto3 on a secure server (TLS + SigV4, the admin key is the account root):
users, groups, access keys, roles, managed policies and their versions, permissions
boundaries and tags, round trips and AWS's errors; a new user's access key signs requests
(GetCallerIdentity names the user), an inactive or deleted key is refused, and policies
decide what a user may do."""

from __future__ import annotations

import json
import re

import pytest

from harness import (
    allow,
    create_user_with_key,
    deny,
    eventually,
    expect_error,
    policy_doc,
    trust_policy,
    unique,
)

INVALID_TOKEN = r"^The security token included in the request is invalid\.?$"
KMS_ALL = policy_doc(allow("kms:*"))


@pytest.fixture(scope="module")
def iam(secure_server):
    return secure_server.client("iam")


@pytest.fixture(scope="module")
def account(secure_server):
    return secure_server.client("sts").get_caller_identity()["Account"]


# ----------------------------------------------------------------------------- users


def test_user_round_trip(iam, account):
    name = unique("alice")
    created = iam.create_user(UserName=name, Path="/ops/",
                              Tags=[{"Key": "team", "Value": "blue"}])["User"]
    assert created["UserName"] == name
    assert created["Path"] == "/ops/"
    assert created["Arn"] == f"arn:aws:iam::{account}:user/ops/{name}"
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", created["UserId"]), created["UserId"]
    got = iam.get_user(UserName=name)["User"]
    assert got["UserId"] == created["UserId"]
    assert got["Arn"] == created["Arn"]
    assert got["Tags"] == [{"Key": "team", "Value": "blue"}]
    listed = iam.list_users(PathPrefix="/ops/")["Users"]
    assert name in [u["UserName"] for u in listed]
    assert name not in [u["UserName"] for u in iam.list_users(PathPrefix="/nope/")["Users"]]
    renamed = unique("alice2")
    iam.update_user(UserName=name, NewUserName=renamed, NewPath="/dev/")
    moved = iam.get_user(UserName=renamed)["User"]
    assert moved["Arn"] == f"arn:aws:iam::{account}:user/dev/{renamed}"
    assert moved["UserId"] == created["UserId"], "the unique id survives a rename"
    expect_error(iam.get_user, "NoSuchEntity",
                 rf"^The user with name {name} cannot be found\.$", 404, UserName=name)
    iam.delete_user(UserName=renamed)
    expect_error(iam.get_user, "NoSuchEntity", None, 404, UserName=renamed)


def test_user_errors(iam):
    name = unique("dup")
    iam.create_user(UserName=name)
    expect_error(iam.create_user, "EntityAlreadyExists",
                 rf"^User with name {name} already exists\.$", 409, UserName=name)
    # User names are unique case-insensitively.
    expect_error(iam.create_user, "EntityAlreadyExists", None, 409, UserName=name.upper())
    expect_error(iam.delete_user, "NoSuchEntity", None, 404, UserName=unique("ghost"))
    expect_error(iam.update_user, "NoSuchEntity", None, 404,
                 UserName=unique("ghost"), NewPath="/x/")
    iam.delete_user(UserName=name)


def test_user_tags(iam):
    name = unique("tagged")
    iam.create_user(UserName=name)
    iam.tag_user(UserName=name, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    tags = iam.list_user_tags(UserName=name)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("a", "1"), ("b", "2")]
    iam.tag_user(UserName=name, Tags=[{"Key": "a", "Value": "changed"}])
    iam.untag_user(UserName=name, TagKeys=["b"])
    assert iam.list_user_tags(UserName=name)["Tags"] == [{"Key": "a", "Value": "changed"}]
    iam.tag_user(UserName=name, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(49)])
    assert len(iam.list_user_tags(UserName=name)["Tags"]) == 50
    expect_error(iam.tag_user, "LimitExceeded", None, 409, UserName=name,
                 Tags=[{"Key": "one-too-many", "Value": "v"}])
    iam.untag_user(UserName=name, TagKeys=["a"])
    iam.delete_user(UserName=name)


# ----------------------------------------------------------------------------- groups


def test_groups_and_membership(iam, account):
    group, user = unique("admins"), unique("member")
    created = iam.create_group(GroupName=group, Path="/teams/")["Group"]
    assert created["Arn"] == f"arn:aws:iam::{account}:group/teams/{group}"
    assert re.fullmatch(r"AGPA[A-Z2-7]{17}", created["GroupId"]), created["GroupId"]
    expect_error(iam.create_group, "EntityAlreadyExists",
                 rf"^Group with name {group} already exists\.$", 409, GroupName=group)
    iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName=group, UserName=user)
    got = iam.get_group(GroupName=group)
    assert [u["UserName"] for u in got["Users"]] == [user]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=user)["Groups"]] == [group]
    expect_error(iam.delete_group, "DeleteConflict",
                 r"^Cannot delete entity, must remove users from group first\.$", 409,
                 GroupName=group)
    expect_error(iam.add_user_to_group, "NoSuchEntity", None, 404,
                 GroupName=group, UserName=unique("ghost"))
    iam.put_group_policy(GroupName=group, PolicyName="p", PolicyDocument=KMS_ALL)
    assert iam.list_group_policies(GroupName=group)["PolicyNames"] == ["p"]
    iam.delete_group_policy(GroupName=group, PolicyName="p")
    iam.remove_user_from_group(GroupName=group, UserName=user)
    assert iam.get_group(GroupName=group)["Users"] == []
    iam.delete_group(GroupName=group)
    expect_error(iam.get_group, "NoSuchEntity",
                 rf"^The group with name {group} cannot be found\.$", 404, GroupName=group)
    iam.delete_user(UserName=user)


def test_group_policies_apply_to_members(secure_server, iam):
    group = unique("kms-users")
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="kms", PolicyDocument=KMS_ALL)
    member = create_user_with_key(iam, unique("grouped"))
    kms = secure_server.client_for("kms", member)
    expect_error(kms.list_keys, "AccessDeniedException", None, 400)
    iam.add_user_to_group(GroupName=group, UserName=member["User"]["UserName"])
    eventually(kms.list_keys)


# ----------------------------------------------------------------------------- access keys


def test_new_users_key_signs_requests(secure_server, iam, account):
    made = create_user_with_key(iam, unique("signer"), path="/apps/")
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", made["AccessKeyId"]), made["AccessKeyId"]
    assert len(made["SecretAccessKey"]) == 40
    who = secure_server.client_for("sts", made).get_caller_identity()
    assert who["Account"] == account
    assert who["Arn"] == made["User"]["Arn"]
    assert who["UserId"] == made["User"]["UserId"]
    used = iam.get_access_key_last_used(AccessKeyId=made["AccessKeyId"])
    assert used["UserName"] == made["User"]["UserName"]


def test_access_key_lifecycle(secure_server, iam):
    name = unique("keys")
    made = create_user_with_key(iam, name)
    second = iam.create_access_key(UserName=name)["AccessKey"]
    listed = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
    assert sorted(k["AccessKeyId"] for k in listed) == sorted(
        [made["AccessKeyId"], second["AccessKeyId"]])
    assert all(k["Status"] == "Active" and "SecretAccessKey" not in k for k in listed)
    expect_error(iam.create_access_key, "LimitExceeded",
                 r"^Cannot exceed quota for AccessKeysPerUser: 2$", 409, UserName=name)
    sts = secure_server.client_for("sts", made)
    sts.get_caller_identity()
    iam.update_access_key(UserName=name, AccessKeyId=made["AccessKeyId"], Status="Inactive")
    assert {k["AccessKeyId"]: k["Status"] for k in
            iam.list_access_keys(UserName=name)["AccessKeyMetadata"]}[made["AccessKeyId"]] \
        == "Inactive"

    def refused():
        expect_error(sts.get_caller_identity, "InvalidClientTokenId", INVALID_TOKEN, 403)

    eventually(refused)
    kms = secure_server.client_for("kms", made)
    expect_error(kms.list_keys, "UnrecognizedClientException", INVALID_TOKEN, 400)
    iam.update_access_key(UserName=name, AccessKeyId=made["AccessKeyId"], Status="Active")
    eventually(sts.get_caller_identity)
    expect_error(iam.delete_user, "DeleteConflict",
                 r"^Cannot delete entity, must delete access keys first\.$", 409, UserName=name)
    for key in (made["AccessKeyId"], second["AccessKeyId"]):
        iam.delete_access_key(UserName=name, AccessKeyId=key)
    eventually(refused)
    expect_error(iam.delete_access_key, "NoSuchEntity", None, 404,
                 UserName=name, AccessKeyId=second["AccessKeyId"])
    iam.delete_user(UserName=name)


# ----------------------------------------------------------------------------- roles


def test_role_round_trip(iam, account):
    name = unique("deployer")
    trust = json.loads(trust_policy({"AWS": f"arn:aws:iam::{account}:root"}))
    created = iam.create_role(RoleName=name, Path="/ci/", AssumeRolePolicyDocument=json.dumps(trust),
                              Description="deploys", MaxSessionDuration=7200,
                              Tags=[{"Key": "env", "Value": "prod"}])["Role"]
    assert created["Arn"] == f"arn:aws:iam::{account}:role/ci/{name}"
    assert re.fullmatch(r"AROA[A-Z2-7]{17}", created["RoleId"]), created["RoleId"]
    role = iam.get_role(RoleName=name)["Role"]
    assert role["AssumeRolePolicyDocument"] == trust  # botocore decodes the URL-encoded JSON
    assert role["MaxSessionDuration"] == 7200
    assert role["Description"] == "deploys"
    assert role["Tags"] == [{"Key": "env", "Value": "prod"}]
    assert name in [r["RoleName"] for r in iam.list_roles(PathPrefix="/ci/")["Roles"]]
    iam.update_role(RoleName=name, MaxSessionDuration=3600, Description="still deploys")
    assert iam.get_role(RoleName=name)["Role"]["MaxSessionDuration"] == 3600
    expect_error(iam.update_role, "ValidationError", None, 400,
                 RoleName=name, MaxSessionDuration=43201)
    narrower = json.loads(trust_policy({"AWS": f"arn:aws:iam::{account}:root"},
                                       {"StringEquals": {"sts:ExternalId": "x"}}))
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(narrower))
    assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == narrower
    iam.tag_role(RoleName=name, Tags=[{"Key": "owner", "Value": "ci"}])
    iam.untag_role(RoleName=name, TagKeys=["env"])
    assert iam.list_role_tags(RoleName=name)["Tags"] == [{"Key": "owner", "Value": "ci"}]
    iam.put_role_policy(RoleName=name, PolicyName="kms", PolicyDocument=KMS_ALL)
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["kms"]
    got = iam.get_role_policy(RoleName=name, PolicyName="kms")
    assert got["PolicyDocument"] == json.loads(KMS_ALL)
    expect_error(iam.get_role_policy, "NoSuchEntity", None, 404, RoleName=name,
                 PolicyName="nope")
    iam.delete_role_policy(RoleName=name, PolicyName="kms")
    iam.delete_role(RoleName=name)
    expect_error(iam.get_role, "NoSuchEntity",
                 rf"^The role with name {name} cannot be found\.$", 404, RoleName=name)


def test_role_errors(iam, account):
    name = unique("role")
    trust = trust_policy({"AWS": f"arn:aws:iam::{account}:root"})
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    expect_error(iam.create_role, "EntityAlreadyExists",
                 rf"^Role with name {name} already exists\.$", 409,
                 RoleName=name, AssumeRolePolicyDocument=trust)
    expect_error(iam.create_role, "MalformedPolicyDocument", None, 400,
                 RoleName=unique("bad"), AssumeRolePolicyDocument="{not json")
    # A trust policy must name a principal.
    expect_error(iam.create_role, "MalformedPolicyDocument", None, 400,
                 RoleName=unique("bad"), AssumeRolePolicyDocument=policy_doc(
                     allow("sts:AssumeRole", resource=None)))
    expect_error(iam.put_role_policy, "MalformedPolicyDocument", None, 400, RoleName=name,
                 PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17"}))
    arn = iam.create_policy(PolicyName=unique("p"), PolicyDocument=KMS_ALL)["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    expect_error(iam.delete_role, "DeleteConflict",
                 r"^Cannot delete entity, must detach all policies first\.$", 409, RoleName=name)
    iam.detach_role_policy(RoleName=name, PolicyArn=arn)
    iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=KMS_ALL)
    expect_error(iam.delete_role, "DeleteConflict",
                 r"^Cannot delete entity, must delete policies first\.$", 409, RoleName=name)
    iam.delete_role_policy(RoleName=name, PolicyName="inline")
    iam.delete_role(RoleName=name)
    iam.delete_policy(PolicyArn=arn)


# ----------------------------------------------------------------------------- managed policies


def test_managed_policy_versions(iam, account):
    name = unique("kms-read")
    v1_doc = policy_doc(allow(["kms:ListKeys", "kms:DescribeKey"]))
    policy = iam.create_policy(PolicyName=name, Path="/app/", PolicyDocument=v1_doc,
                               Description="read keys")["Policy"]
    arn = f"arn:aws:iam::{account}:policy/app/{name}"
    assert policy["Arn"] == arn
    assert re.fullmatch(r"ANPA[A-Z2-7]{17}", policy["PolicyId"]), policy["PolicyId"]
    assert policy["DefaultVersionId"] == "v1"
    assert policy["AttachmentCount"] == 0
    expect_error(iam.create_policy, "EntityAlreadyExists", None, 409,
                 PolicyName=name, PolicyDocument=v1_doc)
    v2_doc = policy_doc(allow("kms:*"))
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=v2_doc,
                                   SetAsDefault=True)["PolicyVersion"]
    assert v2["VersionId"] == "v2" and v2["IsDefaultVersion"] is True
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    got = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert got["Document"] == json.loads(v1_doc) and got["IsDefaultVersion"] is False
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert sorted(v["VersionId"] for v in versions) == ["v1", "v2"]
    expect_error(iam.delete_policy_version, "DeleteConflict",
                 r"^Cannot delete the default version of a policy\.$", 409,
                 PolicyArn=arn, VersionId="v2")
    for _ in range(3):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=v2_doc)
    expect_error(iam.create_policy_version, "LimitExceeded",
                 r"^A managed policy can have up to 5 versions\.", 409,
                 PolicyArn=arn, PolicyDocument=v2_doc)
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    expect_error(iam.get_policy_version, "NoSuchEntity", None, 404, PolicyArn=arn,
                 VersionId="v2")
    expect_error(iam.create_policy_version, "MalformedPolicyDocument", None, 400,
                 PolicyArn=arn, PolicyDocument="[]")
    expect_error(iam.delete_policy, "DeleteConflict",
                 r"^This policy has more than one version\. Before you delete a policy, you must "
                 r"delete the policy's versions\. The default version is deleted with the "
                 r"policy\.$", 409, PolicyArn=arn)
    for version in ("v3", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    iam.delete_policy(PolicyArn=arn)
    expect_error(iam.get_policy, "NoSuchEntity", rf"^Policy {re.escape(arn)} was not found\.$",
                 404, PolicyArn=arn)


def test_attached_policies_and_their_effect(secure_server, iam):
    user = create_user_with_key(iam, unique("attached"))
    name = user["User"]["UserName"]
    arn = iam.create_policy(PolicyName=unique("kms-all"), PolicyDocument=KMS_ALL)["Policy"]["Arn"]
    kms = secure_server.client_for("kms", user)
    expect_error(kms.list_keys, "AccessDeniedException",
                 rf"^User: {re.escape(user['User']['Arn'])} is not authorized to perform: "
                 r"kms:ListKeys on resource: \* because no identity-based policy allows the "
                 r"kms:ListKeys action$", 400)
    iam.attach_user_policy(UserName=name, PolicyArn=arn)
    attached = iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [arn]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    eventually(kms.list_keys)
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == [name]
    expect_error(iam.delete_policy, "DeleteConflict",
                 r"^Cannot delete a policy attached to entities\.$", 409, PolicyArn=arn)
    expect_error(iam.delete_user, "DeleteConflict", None, 409, UserName=name)
    iam.detach_user_policy(UserName=name, PolicyArn=arn)

    def denied_again():
        expect_error(kms.list_keys, "AccessDeniedException", None, 400)

    eventually(denied_again)
    iam.delete_policy(PolicyArn=arn)


def test_aws_managed_policy_can_be_attached(secure_server, iam):
    """AWSKeyManagementServicePowerUser manages keys but grants no cryptographic use."""
    user = create_user_with_key(iam, unique("kms-power"))
    arn = "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Arn"] == arn
    iam.attach_user_policy(UserName=user["User"]["UserName"], PolicyArn=arn)
    kms = secure_server.client_for("kms", user)
    key = eventually(lambda: kms.create_key(Description="power user"))["KeyMetadata"]["KeyId"]
    kms.describe_key(KeyId=key)
    expect_error(kms.encrypt, "AccessDeniedException", None, 400, KeyId=key, Plaintext=b"x")


def test_malformed_policy_documents(iam):
    name = unique("malformed")
    iam.create_user(UserName=name)
    bad = [
        "not json",
        json.dumps({"Statement": []}),
        json.dumps({"Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "kms:*"}]}),
        json.dumps({"Version": "2012-10-17",
                    "Statement": [{"Effect": "Maybe", "Action": "kms:*", "Resource": "*"}]}),
        json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "kms:*", "Resource": "*",
             "Principal": {"AWS": "*"}}]}),
    ]
    for document in bad:
        expect_error(iam.put_user_policy, "MalformedPolicyDocument", None, 400,
                     UserName=name, PolicyName="p", PolicyDocument=document)
        expect_error(iam.create_policy, "MalformedPolicyDocument", None, 400,
                     PolicyName=unique("bad"), PolicyDocument=document)
    iam.delete_user(UserName=name)


def test_delete_conflicts_of_users(iam):
    name, group = unique("busy"), unique("grp")
    iam.create_user(UserName=name)
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=name)
    expect_error(iam.delete_user, "DeleteConflict", None, 409, UserName=name)
    iam.remove_user_from_group(GroupName=group, UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=KMS_ALL)
    expect_error(iam.delete_user, "DeleteConflict",
                 r"^Cannot delete entity, must delete policies first\.$", 409, UserName=name)
    iam.delete_user_policy(UserName=name, PolicyName="p")
    iam.delete_user(UserName=name)
    iam.delete_group(GroupName=group)


# ----------------------------------------------------------------------------- boundaries


def test_permissions_boundary_caps_a_user(secure_server, iam):
    boundary = iam.create_policy(PolicyName=unique("boundary"),
                                 PolicyDocument=policy_doc(allow("kms:ListKeys")))["Policy"]
    user = create_user_with_key(iam, unique("bounded"), policy=KMS_ALL)
    name = user["User"]["UserName"]
    iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=boundary["Arn"])
    got = iam.get_user(UserName=name)["User"]["PermissionsBoundary"]
    assert got == {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                   "PermissionsBoundaryArn": boundary["Arn"]}
    kms = secure_server.client_for("kms", user)

    def capped():
        kms.list_keys()
        expect_error(kms.create_key, "AccessDeniedException",
                     r"because no permissions boundary allows the kms:CreateKey action", 400)

    eventually(capped)
    expect_error(iam.delete_policy, "DeleteConflict", None, 409, PolicyArn=boundary["Arn"])
    iam.delete_user_permissions_boundary(UserName=name)
    assert "PermissionsBoundary" not in iam.get_user(UserName=name)["User"]
    eventually(lambda: kms.create_key(Description="unbounded"))


def test_permissions_boundary_of_a_role(iam, account):
    boundary = iam.create_policy(PolicyName=unique("role-boundary"),
                                 PolicyDocument=policy_doc(allow("kms:Encrypt")))["Policy"]
    name = unique("bounded-role")
    role = iam.create_role(RoleName=name, PermissionsBoundary=boundary["Arn"],
                           AssumeRolePolicyDocument=trust_policy(
                               {"AWS": f"arn:aws:iam::{account}:root"}))["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary["Arn"]
    iam.delete_role_permissions_boundary(RoleName=name)
    assert "PermissionsBoundary" not in iam.get_role(RoleName=name)["Role"]
    iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=boundary["Arn"])
    assert iam.get_role(RoleName=name)["Role"]["PermissionsBoundary"][
        "PermissionsBoundaryArn"] == boundary["Arn"]
    expect_error(iam.put_role_permissions_boundary, "NoSuchEntity", None, 404, RoleName=name,
                 PermissionsBoundary=f"arn:aws:iam::{account}:policy/{unique('missing')}")


# ----------------------------------------------------------------------------- IAM's own authz


def test_iam_actions_need_iam_permissions(secure_server, iam):
    user = create_user_with_key(iam, unique("no-iam"))
    mine = secure_server.client_for("iam", user)
    expect_error(mine.list_users, "AccessDenied",
                 rf"^User: {re.escape(user['User']['Arn'])} is not authorized to perform: "
                 r"iam:ListUsers on resource: ", 403)
    expect_error(mine.create_user, "AccessDenied", None, 403, UserName=unique("x"))
    iam.put_user_policy(UserName=user["User"]["UserName"], PolicyName="iam-read",
                        PolicyDocument=policy_doc(allow(["iam:Get*", "iam:List*"]),
                                                  deny("iam:ListRoles")))
    eventually(mine.list_users)
    expect_error(mine.list_roles, "AccessDenied", r"with an explicit deny", 403)
    expect_error(mine.create_user, "AccessDenied", None, 403, UserName=unique("x"))

"""The IAM life cycle of an infrastructure-as-code tool (Terraform's AWS provider), through
boto3 on a secure server (TLS + SigV4; SQLite and PostgreSQL), in an account of its own:
create a role with an instance profile, an OIDC provider, a user with an access key, login
profile, virtual MFA device (pyotp codes) and signing certificate, a group, managed and
inline policies and the account password policy; read everything back the way a refresh
does (Get*/List* of every attachment); then tear it all down in dependency order, each
delete preceded by the listings the provider makes, and check that nothing is left. No
call may be refused (a NoSuchEntity answer to a read of something deleted is what the
provider expects, and is checked as such)."""

from __future__ import annotations

import datetime
import json
import time

import pyotp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from harness import allow, expect_error, policy_doc

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})


@pytest.fixture(scope="module")
def iam(secure_server):
    """IAM as the root of a fresh account, so the account-wide listings see only this test."""
    root = secure_server.create_account()
    return secure_server.client_for("iam", root)


def signing_certificate() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "terraform signing")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def create_all(iam) -> dict:
    """`terraform apply`: every resource, in dependency order. Returns their identifiers."""
    r = {"role": "tf-app", "profile": "tf-app-profile", "user": "tf-deployer",
         "group": "tf-deployers", "device": "tf-deployer-mfa"}
    iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True,
                                       RequireNumbers=True, AllowUsersToChangePassword=True,
                                       MaxPasswordAge=90, PasswordReusePrevention=5)
    r["policy_arn"] = iam.create_policy(
        PolicyName="tf-read", Path="/tf/", Description="managed by terraform",
        PolicyDocument=policy_doc(allow(["kms:Describe*", "kms:List*"])),
        Tags=[{"Key": "ManagedBy", "Value": "terraform"}])["Policy"]["Arn"]
    iam.create_role(RoleName=r["role"], AssumeRolePolicyDocument=TRUST, MaxSessionDuration=7200,
                    Tags=[{"Key": "ManagedBy", "Value": "terraform"}])
    iam.put_role_policy(RoleName=r["role"], PolicyName="inline-ssm",
                        PolicyDocument=policy_doc(allow("ssm:GetParameter")))
    iam.attach_role_policy(RoleName=r["role"], PolicyArn=r["policy_arn"])
    iam.create_instance_profile(InstanceProfileName=r["profile"])
    iam.add_role_to_instance_profile(InstanceProfileName=r["profile"], RoleName=r["role"])
    r["oidc_arn"] = iam.create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"],
        Tags=[{"Key": "ManagedBy", "Value": "terraform"}])["OpenIDConnectProviderArn"]
    iam.create_user(UserName=r["user"], Path="/tf/")
    iam.create_group(GroupName=r["group"])
    iam.add_user_to_group(GroupName=r["group"], UserName=r["user"])
    iam.put_user_policy(UserName=r["user"], PolicyName="inline-sts",
                        PolicyDocument=policy_doc(allow("sts:GetCallerIdentity")))
    iam.attach_user_policy(UserName=r["user"], PolicyArn=r["policy_arn"])
    r["key_id"] = iam.create_access_key(UserName=r["user"])["AccessKey"]["AccessKeyId"]
    iam.create_login_profile(UserName=r["user"], Password="Terraform-Pa55word!",
                             PasswordResetRequired=True)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=r["device"])["VirtualMFADevice"]
    r["serial"] = device["SerialNumber"]
    otp = pyotp.TOTP(device["Base32StringSeed"].decode())
    now = time.time()
    iam.enable_mfa_device(UserName=r["user"], SerialNumber=r["serial"],
                          AuthenticationCode1=otp.at(now - 30), AuthenticationCode2=otp.at(now))
    r["cert_id"] = iam.upload_signing_certificate(
        UserName=r["user"], CertificateBody=signing_certificate())["Certificate"]["CertificateId"]
    return r


def refresh(iam, r: dict) -> None:
    """`terraform plan`: each resource read back as the provider reads it."""
    policy = iam.get_policy(PolicyArn=r["policy_arn"])["Policy"]
    assert policy["AttachmentCount"] == 2 and policy["Path"] == "/tf/"
    version = iam.get_policy_version(PolicyArn=r["policy_arn"],
                                     VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    assert "kms:Describe*" in json.dumps(version["Document"])
    assert iam.list_policy_tags(PolicyArn=r["policy_arn"])["Tags"][0]["Key"] == "ManagedBy"
    assert len(iam.list_policy_versions(PolicyArn=r["policy_arn"])["Versions"]) == 1

    role = iam.get_role(RoleName=r["role"])["Role"]
    assert role["MaxSessionDuration"] == 7200
    assert iam.list_role_tags(RoleName=r["role"])["Tags"] == [
        {"Key": "ManagedBy", "Value": "terraform"}]
    assert iam.list_role_policies(RoleName=r["role"])["PolicyNames"] == ["inline-ssm"]
    assert "ssm:GetParameter" in json.dumps(
        iam.get_role_policy(RoleName=r["role"], PolicyName="inline-ssm")["PolicyDocument"])
    attached = iam.list_attached_role_policies(RoleName=r["role"])["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [r["policy_arn"]]
    profiles = iam.list_instance_profiles_for_role(RoleName=r["role"])["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in profiles] == [r["profile"]]
    profile = iam.get_instance_profile(InstanceProfileName=r["profile"])["InstanceProfile"]
    assert [x["RoleName"] for x in profile["Roles"]] == [r["role"]]

    oidc = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=r["oidc_arn"])
    assert oidc["ClientIDList"] == ["sts.amazonaws.com"]
    assert oidc["Url"] == "token.actions.githubusercontent.com"
    tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=r["oidc_arn"])
    assert tags["Tags"] == [{"Key": "ManagedBy", "Value": "terraform"}]

    refresh_user(iam, r)
    entities = iam.list_entities_for_policy(PolicyArn=r["policy_arn"])
    assert [u["UserName"] for u in entities["PolicyUsers"]] == [r["user"]]
    assert [x["RoleName"] for x in entities["PolicyRoles"]] == [r["role"]]
    password_policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert password_policy["MinimumPasswordLength"] == 14
    assert password_policy["MaxPasswordAge"] == 90


def refresh_user(iam, r: dict) -> None:
    user = r["user"]
    assert iam.get_user(UserName=user)["User"]["Path"] == "/tf/"
    assert iam.list_user_tags(UserName=user)["Tags"] == []
    keys = iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["Status"]) for k in keys] == [(r["key_id"], "Active")]
    last_used = iam.get_access_key_last_used(AccessKeyId=r["key_id"])
    assert last_used["UserName"] == user
    assert iam.get_login_profile(UserName=user)["LoginProfile"]["PasswordResetRequired"]
    devices = iam.list_mfa_devices(UserName=user)["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [r["serial"]]
    virtual = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert [d["User"]["UserName"] for d in virtual] == [user]
    assert iam.list_mfa_device_tags(SerialNumber=r["serial"])["Tags"] == []
    certs = iam.list_signing_certificates(UserName=user)["Certificates"]
    assert [(c["CertificateId"], c["Status"]) for c in certs] == [(r["cert_id"], "Active")]
    assert iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"] == []
    assert iam.list_service_specific_credentials(UserName=user)["ServiceSpecificCredentials"] == []
    groups = iam.list_groups_for_user(UserName=user)["Groups"]
    assert [g["GroupName"] for g in groups] == [r["group"]]
    group = iam.get_group(GroupName=r["group"])
    assert [u["UserName"] for u in group["Users"]] == [user]
    assert iam.list_group_policies(GroupName=r["group"])["PolicyNames"] == []
    assert iam.list_attached_group_policies(GroupName=r["group"])["AttachedPolicies"] == []
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == ["inline-sts"]
    assert iam.get_user_policy(UserName=user, PolicyName="inline-sts")["PolicyName"] == "inline-sts"
    attached = iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["tf-read"]


def destroy_role(iam, r: dict) -> None:
    role = r["role"]
    iam.get_instance_profile(InstanceProfileName=r["profile"])
    iam.remove_role_from_instance_profile(InstanceProfileName=r["profile"], RoleName=role)
    iam.delete_instance_profile(InstanceProfileName=r["profile"])
    for policy in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=role, PolicyArn=policy["PolicyArn"])
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        iam.delete_role_policy(RoleName=role, PolicyName=name)
    # aws_iam_role's delete: the listings, then DeleteRole.
    assert iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"] == []
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == []
    iam.delete_role(RoleName=role)
    expect_error(iam.get_role, "NoSuchEntity", None, 404, RoleName=role)


def destroy_user(iam, r: dict) -> None:
    user = r["user"]
    iam.delete_signing_certificate(UserName=user, CertificateId=r["cert_id"])
    iam.deactivate_mfa_device(UserName=user, SerialNumber=r["serial"])
    iam.delete_virtual_mfa_device(SerialNumber=r["serial"])
    iam.delete_login_profile(UserName=user)
    iam.delete_access_key(UserName=user, AccessKeyId=r["key_id"])
    iam.detach_user_policy(UserName=user, PolicyArn=r["policy_arn"])
    iam.delete_user_policy(UserName=user, PolicyName="inline-sts")
    iam.remove_user_from_group(GroupName=r["group"], UserName=user)
    iam.get_group(GroupName=r["group"])
    iam.delete_group(GroupName=r["group"])
    # aws_iam_user's delete: every listing, then DeleteUser.
    assert iam.list_access_keys(UserName=user)["AccessKeyMetadata"] == []
    assert iam.list_signing_certificates(UserName=user)["Certificates"] == []
    assert iam.list_mfa_devices(UserName=user)["MFADevices"] == []
    assert iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"] == []
    assert iam.list_service_specific_credentials(UserName=user)["ServiceSpecificCredentials"] == []
    expect_error(iam.get_login_profile, "NoSuchEntity", None, 404, UserName=user)
    assert iam.list_groups_for_user(UserName=user)["Groups"] == []
    assert iam.list_attached_user_policies(UserName=user)["AttachedPolicies"] == []
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == []
    iam.delete_user(UserName=user)
    expect_error(iam.get_user, "NoSuchEntity", None, 404, UserName=user)


def destroy_rest(iam, r: dict) -> None:
    arn = r["policy_arn"]
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    for version in versions:
        if not version["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert entities["PolicyUsers"] == entities["PolicyRoles"] == entities["PolicyGroups"] == []
    iam.delete_policy(PolicyArn=arn)
    iam.get_open_id_connect_provider(OpenIDConnectProviderArn=r["oidc_arn"])
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=r["oidc_arn"])
    iam.delete_account_password_policy()


def assert_empty(iam) -> None:
    assert iam.list_users()["Users"] == []
    assert iam.list_groups()["Groups"] == []
    assert iam.list_roles()["Roles"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert iam.list_instance_profiles()["InstanceProfiles"] == []
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    expect_error(iam.get_account_password_policy, "NoSuchEntity", None, 404)
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["Users"] == summary["Roles"] == summary["Policies"] == 0
    assert summary["MFADevices"] == summary["InstanceProfiles"] == 0


def test_terraform_style_life_cycle(iam):
    assert_empty(iam)
    resources = create_all(iam)
    refresh(iam, resources)
    refresh(iam, resources)  # a second plan reads the same, nothing drifted
    destroy_role(iam, resources)
    destroy_user(iam, resources)
    destroy_rest(iam, resources)
    assert_empty(iam)

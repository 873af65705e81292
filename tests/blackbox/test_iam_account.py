"""IAM account settings and user sign-in credentials through boto3 on a secure server (TLS +
SigV4; SQLite and PostgreSQL): the account password policy enforced on login profiles and
on ChangePassword by the user itself, account aliases (unique across accounts) and the
account summary, virtual MFA devices enabled with TOTP codes computed here from the returned
seed (RFC 6238 with hmac/hashlib, independent of the server's code), and no password or seed
in the audit trail. One AWS CLI call reads the password policy."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
import time

import pytest

from harness import allow, create_user_with_key, expect_error, policy_doc, unique

VIOLATION = r"^Password does not conform to the account password policy\.$"


@pytest.fixture(scope="module")
def iam(secure_server):
    return secure_server.client("iam")


@pytest.fixture(scope="module")
def account(secure_server):
    return secure_server.client("sts").get_caller_identity()["Account"]


def totp(seed_base32: str, step: int) -> str:
    """RFC 6238 TOTP (HMAC-SHA1, six digits) of a Base32 seed at time step `step`."""
    key = base64.b32decode(seed_base32 + "=" * (-len(seed_base32) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def test_password_policy_login_profile_and_change_password(secure_server, iam, account):
    expect_error(iam.get_account_password_policy, "NoSuchEntity",
                 rf"^The Password Policy with domain name {account} cannot be found\.$", 404)
    iam.update_account_password_policy(MinimumPasswordLength=10, RequireSymbols=True,
                                       AllowUsersToChangePassword=True,
                                       PasswordReusePrevention=2)
    try:
        policy = iam.get_account_password_policy()["PasswordPolicy"]
        assert policy["MinimumPasswordLength"] == 10
        assert policy["RequireSymbols"] is True
        assert policy["PasswordReusePrevention"] == 2
        assert policy["ExpirePasswords"] is False
        cli = json.loads(secure_server.aws("iam", "get-account-password-policy").stdout)
        assert cli["PasswordPolicy"]["MinimumPasswordLength"] == 10

        name = unique("pw")
        user = create_user_with_key(iam, name)
        expect_error(iam.create_login_profile, "PasswordPolicyViolation", VIOLATION, 400,
                     UserName=name, Password="Abcdefgh12")
        made = iam.create_login_profile(UserName=name, Password="Abcdefgh1!",
                                        PasswordResetRequired=True)["LoginProfile"]
        assert made["UserName"] == name and made["PasswordResetRequired"] is True
        expect_error(iam.create_login_profile, "EntityAlreadyExists",
                     rf"^Login Profile for user {name} already exists\.$", 409,
                     UserName=name, Password="Abcdefgh1!")
        assert iam.get_login_profile(UserName=name)["LoginProfile"]["UserName"] == name

        own = secure_server.client_for("iam", user)
        expect_error(own.change_password, "InvalidUserType", None, 400,
                     OldPassword="wrong-one-1!", NewPassword="Second-pass-2!")
        expect_error(own.change_password, "PasswordPolicyViolation", VIOLATION, 400,
                     OldPassword="Abcdefgh1!", NewPassword="Abcdefgh1!")
        own.change_password(OldPassword="Abcdefgh1!", NewPassword="Second-pass-2!")
        assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is False

        iam.delete_access_key(UserName=name, AccessKeyId=user["AccessKeyId"])
        expect_error(iam.delete_user, "DeleteConflict",
                     r"^Cannot delete entity, must delete login profile first\.$", 409,
                     UserName=name)
        iam.delete_login_profile(UserName=name)
        expect_error(iam.get_login_profile, "NoSuchEntity",
                     rf"^Login Profile for User {name} cannot be found\.$", 404, UserName=name)
        iam.delete_user(UserName=name)
    finally:
        iam.delete_account_password_policy()
    expect_error(iam.delete_account_password_policy, "NoSuchEntity", None, 404)


def test_account_alias_is_unique_and_summary_counts(secure_server, iam):
    alias = unique("team")
    iam.create_account_alias(AccountAlias=alias)
    try:
        assert iam.list_account_aliases()["AccountAliases"] == [alias]
        expect_error(iam.create_account_alias, "ValidationError", r"regular expression", 400,
                     AccountAlias="Bad--alias")
        other = secure_server.create_account()
        other_iam = secure_server.client_for("iam", other)
        expect_error(other_iam.create_account_alias, "EntityAlreadyExists",
                     rf"^The account alias {alias} already exists\.$", 409, AccountAlias=alias)
        assert other_iam.list_account_aliases()["AccountAliases"] == []
    finally:
        iam.delete_account_alias(AccountAlias=alias)
    assert iam.list_account_aliases()["AccountAliases"] == []

    iam.create_user(UserName=unique("counted"))
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["Users"] >= 1
    assert summary["UsersQuota"] == 5000
    assert summary["AccessKeysPerUserQuota"] == 2
    assert summary["VersionsPerPolicyQuota"] == 5
    assert {"Groups", "Roles", "Policies", "MFADevices", "MFADevicesInUse"} <= set(summary)


def test_virtual_mfa_device_with_totp(secure_server, iam, account):
    name = unique("mfa-user")
    iam.create_user(UserName=name)
    device_name = unique("phone")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=device_name)["VirtualMFADevice"]
    serial = device["SerialNumber"]
    assert serial == f"arn:aws:iam::{account}:mfa/{device_name}"
    seed = device["Base32StringSeed"].decode()
    assert len(seed) == 64
    png = device["QRCodePNG"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert width == height and width > 100

    listed = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert serial in [d["SerialNumber"] for d in listed]
    assert all("Base32StringSeed" not in d for d in listed)

    step = int(time.time()) // 30
    expect_error(iam.enable_mfa_device, "InvalidAuthenticationCode",
                 r"^Authentication code for device is not valid\.$", 403,
                 UserName=name, SerialNumber=serial,
                 AuthenticationCode1=totp(seed, step), AuthenticationCode2=totp(seed, step - 1))
    iam.enable_mfa_device(UserName=name, SerialNumber=serial,
                          AuthenticationCode1=totp(seed, step - 1),
                          AuthenticationCode2=totp(seed, step))
    devices = iam.list_mfa_devices(UserName=name)["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [serial]
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    mine = [d for d in assigned if d["SerialNumber"] == serial]
    assert mine and mine[0]["User"]["UserName"] == name
    assert iam.get_account_summary()["SummaryMap"]["MFADevicesInUse"] >= 1

    expect_error(iam.delete_virtual_mfa_device, "DeleteConflict", None, 409,
                 SerialNumber=serial)
    expect_error(iam.delete_user, "DeleteConflict", None, 409, UserName=name)
    iam.deactivate_mfa_device(UserName=name, SerialNumber=serial)
    assert iam.list_mfa_devices(UserName=name)["MFADevices"] == []
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    expect_error(iam.delete_virtual_mfa_device, "NoSuchEntity",
                 rf"^VirtualMFADevice with serial number {serial} doesn't exist\.$", 404,
                 SerialNumber=serial)
    iam.delete_user(UserName=name)

    # Neither the password nor the seed reaches the audit trail.
    records = json.dumps(secure_server.audit_tail(300))
    assert seed not in records
    assert "Abcdefgh1!" not in records and "Second-pass-2!" not in records
    assert "CreateVirtualMFADevice" in records and "CreateLoginProfile" in records


DATA = __import__("pathlib").Path(__file__).resolve().parents[2] / "crates/rampart-iam/tests/data"


def test_ssh_public_keys_and_signing_certificates(iam):
    name = unique("keys")
    iam.create_user(UserName=name)
    rsa = (DATA / "rsa.pub").read_text()
    blob = base64.b64decode(rsa.split()[1])
    md5 = hashlib.md5(blob).hexdigest()
    fingerprint = ":".join(md5[i:i + 2] for i in range(0, 32, 2))
    key = iam.upload_ssh_public_key(UserName=name, SSHPublicKeyBody=rsa)["SSHPublicKey"]
    assert key["Fingerprint"] == fingerprint
    expect_error(iam.upload_ssh_public_key, "DuplicateSSHPublicKey", None, 400,
                 UserName=name, SSHPublicKeyBody=(DATA / "rsa-spki.pem").read_text())
    pem = iam.get_ssh_public_key(UserName=name, SSHPublicKeyId=key["SSHPublicKeyId"],
                                 Encoding="PEM")["SSHPublicKey"]["SSHPublicKeyBody"]
    assert pem.strip() == (DATA / "rsa-spki.pem").read_text().strip()
    listed = iam.list_ssh_public_keys(UserName=name)["SSHPublicKeys"]
    assert [k["SSHPublicKeyId"] for k in listed] == [key["SSHPublicKeyId"]]

    cert = iam.upload_signing_certificate(
        UserName=name, CertificateBody=(DATA / "signing-1.pem").read_text())["Certificate"]
    assert cert["Status"] == "Active" and len(cert["CertificateId"]) == 28
    expect_error(iam.upload_signing_certificate, "MalformedCertificate", None, 400,
                 UserName=name, CertificateBody="not a certificate")
    iam.update_signing_certificate(UserName=name, CertificateId=cert["CertificateId"],
                                   Status="Inactive")
    certs = iam.list_signing_certificates(UserName=name)["Certificates"]
    assert [c["Status"] for c in certs] == ["Inactive"]

    expect_error(iam.delete_user, "DeleteConflict", None, 409, UserName=name)
    iam.delete_signing_certificate(UserName=name, CertificateId=cert["CertificateId"])
    iam.delete_ssh_public_key(UserName=name, SSHPublicKeyId=key["SSHPublicKeyId"])
    iam.delete_user(UserName=name)


def test_server_certificate_with_chain(secure_server, iam, account):
    name = unique("www")
    body = (DATA / "server.pem").read_text()
    key = (DATA / "server.key").read_text()
    expect_error(iam.upload_server_certificate, "KeyPairMismatch", None, 400,
                 ServerCertificateName=name, CertificateBody=body,
                 PrivateKey=(DATA / "other.key").read_text())
    expect_error(iam.upload_server_certificate, "MalformedCertificate",
                 r"The index within the chain of the invalid certificate is: 0$", 400,
                 ServerCertificateName=name, CertificateBody=body, PrivateKey=key,
                 CertificateChain=(DATA / "other-cert.pem").read_text())
    made = iam.upload_server_certificate(
        ServerCertificateName=name, Path="/web/", CertificateBody=body, PrivateKey=key,
        CertificateChain=(DATA / "server-ca.pem").read_text(),
        Tags=[{"Key": "env", "Value": "test"}])
    meta = made["ServerCertificateMetadata"]
    assert meta["Arn"] == f"arn:aws:iam::{account}:server-certificate/web/{name}"
    assert meta["ServerCertificateId"].startswith("ASCA")
    got = iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]
    assert got["CertificateBody"].strip() == body.strip()
    assert got["Tags"] == [{"Key": "env", "Value": "test"}]
    listed = iam.list_server_certificates(PathPrefix="/web/")["ServerCertificateMetadataList"]
    assert name in [c["ServerCertificateName"] for c in listed]
    assert "PRIVATE KEY" not in json.dumps(got, default=str)
    iam.delete_server_certificate(ServerCertificateName=name)
    expect_error(iam.get_server_certificate, "NoSuchEntity", None, 404,
                 ServerCertificateName=name)
    records = json.dumps(secure_server.audit_tail(300))
    assert "UploadServerCertificate" in records
    assert key.splitlines()[1] not in records, "the private key is not audited"


def test_get_session_token_checks_the_mfa_code(secure_server, iam):
    """A user's TOTP code makes an MFA session: IAM then honours aws:MultiFactorAuthPresent."""
    name = unique("mfa-session")
    mfa_only = policy_doc(allow("iam:GetUser", condition={
        "Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    user = create_user_with_key(iam, name, policy=mfa_only)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("dev"))
    serial = device["VirtualMFADevice"]["SerialNumber"]
    seed = device["VirtualMFADevice"]["Base32StringSeed"].decode()
    step = int(time.time()) // 30
    iam.enable_mfa_device(UserName=name, SerialNumber=serial,
                          AuthenticationCode1=totp(seed, step - 1),
                          AuthenticationCode2=totp(seed, step))
    sts = secure_server.client_for("sts", user)
    wrong = f"{(int(totp(seed, step + 1)) + 1) % 1_000_000:06d}"
    expect_error(sts.get_session_token, "AccessDenied", r"^MultiFactorAuthentication failed",
                 403, SerialNumber=serial, TokenCode=wrong)
    # The codes of steps up to `step` were used to enable it: the next one is accepted.
    creds = sts.get_session_token(SerialNumber=serial, TokenCode=totp(seed, step + 1))
    session_iam = secure_server.client_for("iam", creds["Credentials"])
    assert session_iam.get_user(UserName=name)["User"]["UserName"] == name
    expect_error(sts.get_session_token, "AccessDenied", None, 403,
                 SerialNumber=serial, TokenCode=totp(seed, step + 1))
    iam.deactivate_mfa_device(UserName=name, SerialNumber=serial)
    iam.delete_virtual_mfa_device(SerialNumber=serial)

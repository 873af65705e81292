"""Secrets Manager through boto3: create/get/put with ClientRequestToken idempotency, staging
labels, describe and version listing, delete within a recovery window and restore, list
filters, random passwords, batch reads, resource policies (BlockPublicPolicy, validation),
kms:Decrypt required to read a value under a customer key, operations not served, and no
secret value in plaintext at rest."""

from __future__ import annotations

import base64
import json
import string
import subprocess
import uuid

import pytest

from harness import allow, create_user_with_key, eventually, expect_error, policy_doc, unique


@pytest.fixture(scope="module")
def sm(server):
    return server.client("secretsmanager")


def name() -> str:
    return f"t{uuid.uuid4().hex[:8]}/secret"


def stages(sm, secret_id, **kwargs) -> dict[str, list[str]]:
    versions = sm.list_secret_version_ids(SecretId=secret_id, **kwargs)["Versions"]
    return {v["VersionId"]: v["VersionStages"] for v in versions}


def test_versions_labels_and_idempotency(sm):
    n = name()
    made = sm.create_secret(Name=n, SecretString="v1", Description="db",
                            Tags=[{"Key": "team", "Value": "blue"}])
    arn, v1 = made["ARN"], made["VersionId"]
    assert arn.split(":secret:")[1][:-7] == n and arn[-7] == "-"
    got = sm.get_secret_value(SecretId=arn)
    assert (got["SecretString"], got["VersionId"], got["VersionStages"]) == ("v1", v1, ["AWSCURRENT"])
    assert sm.get_secret_value(SecretId=arn[:-7])["SecretString"] == "v1"  # partial ARN
    expect_error(sm.create_secret, "ResourceExistsException",
                 rf"^The operation failed because the secret {n} already exists\.$",
                 Name=n, SecretString="x")
    token = str(uuid.uuid4())
    v2 = sm.put_secret_value(SecretId=n, SecretString="v2", ClientRequestToken=token)
    assert sm.put_secret_value(SecretId=n, SecretString="v2",
                               ClientRequestToken=token)["VersionId"] == v2["VersionId"] == token
    expect_error(sm.put_secret_value, "ResourceExistsException", SecretId=n,
                 SecretString="other", ClientRequestToken=token)
    assert stages(sm, n) == {v1: ["AWSPREVIOUS"], token: ["AWSCURRENT"]}
    pending = sm.put_secret_value(SecretId=n, SecretBinary=b"\x00\x01",
                                  VersionStages=["AWSPENDING"])["VersionId"]
    expect_error(sm.update_secret_version_stage, "InvalidParameterException",
                 r"RemoveFromVersionId can't be empty", SecretId=n,
                 VersionStage="AWSCURRENT", MoveToVersionId=pending)
    sm.update_secret_version_stage(SecretId=n, VersionStage="AWSCURRENT",
                                   MoveToVersionId=pending, RemoveFromVersionId=token)
    assert sm.get_secret_value(SecretId=n)["SecretBinary"] == b"\x00\x01"
    assert sm.get_secret_value(SecretId=n, VersionStage="AWSPREVIOUS")["SecretString"] == "v2"
    assert v1 not in stages(sm, n) and stages(sm, n, IncludeDeprecated=True)[v1] == []
    up = sm.update_secret(SecretId=n, SecretString="v4", Description="changed")
    desc = sm.describe_secret(SecretId=n)
    assert desc["VersionIdsToStages"][up["VersionId"]] == ["AWSCURRENT"]
    assert desc["VersionIdsToStages"][pending] == ["AWSPENDING", "AWSPREVIOUS"]
    assert (desc["Description"], desc["Tags"]) == ("changed", [{"Key": "team", "Value": "blue"}])
    assert "KmsKeyId" not in desc
    assert desc["LastAccessedDate"].hour == 0 and desc["LastAccessedDate"].minute == 0
    sm.tag_resource(SecretId=n, Tags=[{"Key": "env", "Value": "prod"}])
    sm.untag_resource(SecretId=n, TagKeys=["team"])
    assert sm.describe_secret(SecretId=n)["Tags"] == [{"Key": "env", "Value": "prod"}]
    expect_error(sm.get_secret_value, "ResourceNotFoundException",
                 r"^Secrets Manager can't find the specified secret\.$", SecretId=f"{n}-nope")


def test_delete_restore_and_force(sm):
    n = name()
    sm.create_secret(Name=n, SecretString="v")
    expect_error(sm.delete_secret, "InvalidParameterException", r"between 7 and 30 days",
                 SecretId=n, RecoveryWindowInDays=31)
    deleted = sm.delete_secret(SecretId=n, RecoveryWindowInDays=7)
    assert "DeletionDate" in deleted
    expect_error(sm.get_secret_value, "InvalidRequestException", r"marked for deletion",
                 SecretId=n)
    assert "DeletedDate" in sm.describe_secret(SecretId=n)
    listed = [s["Name"] for s in sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]]
    assert n in listed and n not in [s["Name"] for s in sm.list_secrets()["SecretList"]]
    sm.restore_secret(SecretId=n)
    assert sm.get_secret_value(SecretId=n)["SecretString"] == "v"
    sm.delete_secret(SecretId=n, ForceDeleteWithoutRecovery=True)
    expect_error(sm.describe_secret, "ResourceNotFoundException", SecretId=n)
    sm.create_secret(Name=n, SecretString="again")  # the name is free at once


def test_list_filters_paging_and_batch(sm):
    top = f"t{uuid.uuid4().hex[:8]}"
    for i, team in enumerate(["red", "blue", "blue"]):
        sm.create_secret(Name=f"{top}/s{i}", SecretString=f"value-{i}",
                         Description=f"Service {team}", Tags=[{"Key": "team", "Value": team}])
    def names(filters, **kwargs):
        return sorted(s["Name"] for s in sm.list_secrets(Filters=filters, **kwargs)["SecretList"])
    mine = {"Key": "name", "Values": [top]}
    assert names([mine]) == [f"{top}/s0", f"{top}/s1", f"{top}/s2"]
    assert names([mine, {"Key": "tag-value", "Values": ["blue"]}]) == [f"{top}/s1", f"{top}/s2"]
    assert names([mine, {"Key": "tag-value", "Values": ["!blue"]}]) == [f"{top}/s0"]
    assert names([mine, {"Key": "description", "Values": ["service RED"]}]) == [f"{top}/s0"]
    page = sm.list_secrets(Filters=[mine], MaxResults=2, SortOrder="desc")
    assert [s["Name"] for s in page["SecretList"]] == [f"{top}/s2", f"{top}/s1"]
    rest = sm.list_secrets(Filters=[mine], MaxResults=2, SortOrder="desc",
                           NextToken=page["NextToken"])
    assert [s["Name"] for s in rest["SecretList"]] == [f"{top}/s0"] and "NextToken" not in rest
    got = sm.batch_get_secret_value(SecretIdList=[f"{top}/s0", f"{top}/s1", f"{top}/missing"])
    assert sorted(v["SecretString"] for v in got["SecretValues"]) == ["value-0", "value-1"]
    assert [(e["SecretId"], e["ErrorCode"]) for e in got["Errors"]] == [
        (f"{top}/missing", "ResourceNotFoundException")]
    got = sm.batch_get_secret_value(Filters=[mine, {"Key": "tag-value", "Values": ["red"]}])
    assert [v["SecretString"] for v in got["SecretValues"]] == ["value-0"]


def test_random_password(sm):
    assert len(sm.get_random_password()["RandomPassword"]) == 32
    for _ in range(20):
        pw = sm.get_random_password(PasswordLength=4)["RandomPassword"]
        assert any(c in string.ascii_lowercase for c in pw)
        assert any(c in string.ascii_uppercase for c in pw)
        assert any(c in string.digits for c in pw)
        assert any(c in string.punctuation for c in pw)
    pw = sm.get_random_password(PasswordLength=50, ExcludePunctuation=True,
                                ExcludeCharacters="abcdef")["RandomPassword"]
    assert pw.isalnum() and not set(pw) & set("abcdef")
    assert sm.get_random_password(PasswordLength=3, ExcludeLowercase=True, ExcludeUppercase=True,
                                  ExcludeNumbers=True, ExcludePunctuation=True,
                                  IncludeSpace=True)["RandomPassword"] == "   "
    expect_error(sm.get_random_password, "InvalidParameterException", PasswordLength=3)
    expect_error(sm.rotate_secret, "ResourceNotFoundException", SecretId="x")


def test_resource_policies(sm):
    n = name()
    arn = sm.create_secret(Name=n, SecretString="v")["ARN"]
    shared = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
    public = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue",
        "Resource": "*"}]})
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId=n)
    put = sm.put_resource_policy(SecretId=n, ResourcePolicy=shared, BlockPublicPolicy=True)
    assert (put["ARN"], put["Name"]) == (arn, n)
    assert sm.get_resource_policy(SecretId=arn)["ResourcePolicy"] == shared
    listed = sm.list_resource_policies(SecretId=n)["ResourcePolicies"]
    assert listed == [{"PolicyName": "default"}]
    expect_error(sm.put_resource_policy, "PublicPolicyException", SecretId=n,
                 ResourcePolicy=public, BlockPublicPolicy=True)
    assert sm.get_resource_policy(SecretId=n)["ResourcePolicy"] == shared
    expect_error(sm.put_resource_policy, "MalformedPolicyDocumentException", SecretId=n,
                 ResourcePolicy='{"Statement": []}')
    checked = sm.validate_resource_policy(SecretId=n, ResourcePolicy=public)
    assert checked["PolicyValidationPassed"] is False
    assert checked["ValidationErrors"][0]["CheckName"] == "BLOCK_PUBLIC_POLICY"
    ok = sm.validate_resource_policy(ResourcePolicy=shared)
    assert (ok["PolicyValidationPassed"], ok["ValidationErrors"]) == (True, [])
    assert sm.delete_resource_policy(SecretId=n)["ARN"] == arn
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId=n)
    assert sm.list_resource_policies(SecretId=n)["ResourcePolicies"] == []


def test_reading_needs_kms_decrypt(secure_server):
    admin = secure_server.client("secretsmanager")
    key = secure_server.client("kms").create_key()["KeyMetadata"]
    n = name()
    arn = admin.create_secret(Name=n, SecretString="hunter2", KmsKeyId=key["KeyId"])["ARN"]
    assert admin.describe_secret(SecretId=n)["KmsKeyId"] == key["KeyId"]
    reader = create_user_with_key(secure_server.client("iam"), unique("reader"), policy_doc(
        allow(["secretsmanager:GetSecretValue"], "*")))
    sm = secure_server.client_for("secretsmanager", reader)
    # The default key's policy lets the account's principals use it through Secrets Manager.
    admin.create_secret(Name=f"{n}-default", SecretString="open")
    got = eventually(lambda: sm.get_secret_value(SecretId=f"{n}-default"))
    assert got["SecretString"] == "open"
    expect_error(sm.get_secret_value, "AccessDeniedException", r"^Access to KMS is not allowed$",
                 SecretId=arn)
    expect_error(sm.put_secret_value, "AccessDeniedException",
                 r"is not authorized to perform: secretsmanager:PutSecretValue",
                 SecretId=arn, SecretString="x")
    # A key change re-seals the labelled versions and keeps their earlier sealing, so the
    # reader (no kms:Decrypt on the customer key) still reads the value; a new version is
    # sealed under the new key only.
    admin.update_secret(SecretId=f"{n}-default", KmsKeyId=key["Arn"])
    versions = admin.list_secret_version_ids(SecretId=f"{n}-default")["Versions"]
    assert versions[0]["KmsKeyIds"][0] == key["Arn"] and len(versions[0]["KmsKeyIds"]) == 2
    assert sm.get_secret_value(SecretId=f"{n}-default")["SecretString"] == "open"
    admin.put_secret_value(SecretId=f"{n}-default", SecretString="closed")
    expect_error(sm.get_secret_value, "AccessDeniedException", SecretId=f"{n}-default")
    assert admin.get_secret_value(SecretId=f"{n}-default")["SecretString"] == "closed"


def test_no_plaintext_at_rest(server, sm):
    secret = f"canary-{uuid.uuid4()}"
    n = name()
    sm.create_secret(Name=n, SecretString=secret)
    sm.put_secret_value(SecretId=n, SecretBinary=secret.encode() + b"-bin")
    assert sm.get_secret_value(SecretId=n)["SecretBinary"] == secret.encode() + b"-bin"
    if server.postgres:
        dump = subprocess.run(["pg_dump", "--data-only", server.database_url], check=True,
                              capture_output=True, timeout=120).stdout
        places = {"pg_dump": dump}
    else:
        places = {f.name: f.read_bytes() for f in server.data_dir.glob("rampart.db*")}
    assert places
    for place, data in places.items():
        for needle in (secret.encode(), base64.b64encode(secret.encode())):
            assert needle not in data, f"secret value plaintext found in {place}"

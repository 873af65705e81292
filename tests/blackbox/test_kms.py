"""KMS happy paths and AWS-shaped errors through boto3, on every matrix entry."""

from __future__ import annotations

import datetime
import json
import re
import uuid

import pytest

from harness import expect_error

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
KEY_ARN = re.compile(rf"^arn:aws:kms:us-east-1:(\d{{12}}):key/({UUID})$")


def new_key(kms, **kwargs) -> dict:
    return kms.create_key(**kwargs)["KeyMetadata"]


def account_of(meta: dict) -> str:
    match = KEY_ARN.match(meta["Arn"])
    assert match, meta["Arn"]
    return match.group(1)


def alias_name() -> str:
    return "alias/bb-" + uuid.uuid4().hex[:12]


# ----------------------------------------------------------------------------- keys


def test_create_key_with_description_and_tags(kms):
    meta = new_key(
        kms,
        Description="black-box key",
        Tags=[{"TagKey": "team", "TagValue": "blue"}, {"TagKey": "env", "TagValue": "test"}],
    )
    match = KEY_ARN.match(meta["Arn"])
    assert match and match.group(2) == meta["KeyId"]
    assert meta["AWSAccountId"] == match.group(1)
    assert meta["Description"] == "black-box key"
    assert meta["Enabled"] is True
    assert meta["KeyState"] == "Enabled"
    assert meta["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert meta["KeySpec"] == "SYMMETRIC_DEFAULT"
    assert meta["Origin"] == "AWS_KMS"
    assert meta["KeyManager"] == "CUSTOMER"
    assert meta["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]
    assert isinstance(meta["CreationDate"], datetime.datetime)
    age = datetime.datetime.now(datetime.timezone.utc) - meta["CreationDate"]
    assert abs(age.total_seconds()) < 300
    tags = kms.list_resource_tags(KeyId=meta["KeyId"])["Tags"]
    assert sorted((t["TagKey"], t["TagValue"]) for t in tags) == [("env", "test"), ("team", "blue")]


def test_describe_key_by_id_and_arn(kms):
    meta = new_key(kms, Description="describe me")
    by_id = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    by_arn = kms.describe_key(KeyId=meta["Arn"])["KeyMetadata"]
    assert by_id == by_arn
    assert by_id["KeyId"] == meta["KeyId"] and by_id["Description"] == "describe me"


def test_describe_key_via_alias(kms):
    meta = new_key(kms)
    name = alias_name()
    kms.create_alias(AliasName=name, TargetKeyId=meta["KeyId"])
    assert kms.describe_key(KeyId=name)["KeyMetadata"]["KeyId"] == meta["KeyId"]
    alias_arn = f"arn:aws:kms:us-east-1:{account_of(meta)}:{name}"
    assert kms.describe_key(KeyId=alias_arn)["KeyMetadata"]["KeyId"] == meta["KeyId"]


def test_list_keys_pages_with_limit_and_marker(kms):
    mine = {new_key(kms)["KeyId"] for _ in range(5)}
    seen: list[str] = []
    kwargs = {"Limit": 2}
    for _ in range(1000):
        page = kms.list_keys(**kwargs)
        assert len(page["Keys"]) <= 2
        for entry in page["Keys"]:
            assert KEY_ARN.match(entry["KeyArn"]), entry
            assert entry["KeyArn"].endswith(entry["KeyId"])
            seen.append(entry["KeyId"])
        if not page.get("Truncated"):
            assert "NextMarker" not in page
            break
        kwargs["Marker"] = page["NextMarker"]
    else:
        pytest.fail("ListKeys never stopped paging")
    assert len(seen) == len(set(seen)), "a key was listed twice across pages"
    assert mine <= set(seen)
    everything = {k["KeyId"] for k in kms.list_keys(Limit=1000)["Keys"]}
    assert set(seen) == everything


def test_list_keys_rejects_a_forged_marker(kms):
    new_key(kms)
    expect_error(kms.list_keys, "InvalidMarkerException", Marker="bm90LWEtbWFya2Vy")


def test_update_key_description(kms):
    meta = new_key(kms, Description="before")
    kms.update_key_description(KeyId=meta["KeyId"], Description="after")
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["Description"] == "after"


# ----------------------------------------------------------------------------- encrypt / decrypt


def test_encrypt_decrypt_through_every_kind_of_key_id(kms):
    meta = new_key(kms)
    name = alias_name()
    kms.create_alias(AliasName=name, TargetKeyId=meta["KeyId"])
    alias_arn = f"arn:aws:kms:us-east-1:{account_of(meta)}:{name}"
    for key_id in (meta["KeyId"], meta["Arn"], name, alias_arn):
        plaintext = f"hello via {key_id}".encode()
        enc = kms.encrypt(KeyId=key_id, Plaintext=plaintext)
        assert enc["KeyId"] == meta["Arn"]
        assert enc["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
        assert plaintext not in enc["CiphertextBlob"]
        dec = kms.decrypt(CiphertextBlob=enc["CiphertextBlob"])
        assert dec["Plaintext"] == plaintext
        assert dec["KeyId"] == meta["Arn"]
        assert dec["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
        dec = kms.decrypt(CiphertextBlob=enc["CiphertextBlob"], KeyId=key_id)
        assert dec["Plaintext"] == plaintext


def test_encrypting_twice_gives_different_ciphertexts(kms):
    key = new_key(kms)["KeyId"]
    a = kms.encrypt(KeyId=key, Plaintext=b"same")["CiphertextBlob"]
    b = kms.encrypt(KeyId=key, Plaintext=b"same")["CiphertextBlob"]
    assert a != b


def test_binary_and_maximum_size_plaintext(kms):
    key = new_key(kms)["KeyId"]
    for plaintext in (bytes(range(256)), b"\x00", b"x" * 4096):
        blob = kms.encrypt(KeyId=key, Plaintext=plaintext)["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == plaintext


def test_encryption_context_must_match_exactly(kms):
    key = new_key(kms)["KeyId"]
    context = {"Purpose": "Test", "Tenant": "a"}
    blob = kms.encrypt(KeyId=key, Plaintext=b"ctx", EncryptionContext=context)["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=dict(context))["Plaintext"] == b"ctx"
    wrong_contexts = [
        {"purpose": "Test", "Tenant": "a"},  # key case differs
        {"Purpose": "test", "Tenant": "a"},  # value case differs
        {"Purpose": "Test"},  # missing pair
        {"Purpose": "Test", "Tenant": "a", "Extra": "x"},  # extra pair
    ]
    for wrong in wrong_contexts:
        expect_error(kms.decrypt, "InvalidCiphertextException", CiphertextBlob=blob,
                     EncryptionContext=wrong)
    expect_error(kms.decrypt, "InvalidCiphertextException", CiphertextBlob=blob)
    plain = kms.encrypt(KeyId=key, Plaintext=b"no ctx")["CiphertextBlob"]
    expect_error(kms.decrypt, "InvalidCiphertextException", CiphertextBlob=plain,
                 EncryptionContext={"Purpose": "Test"})


def test_reencrypt_moves_ciphertext_to_another_key(kms):
    source = new_key(kms)
    dest = new_key(kms)
    blob = kms.encrypt(KeyId=source["KeyId"], Plaintext=b"move me",
                       EncryptionContext={"a": "1"})["CiphertextBlob"]
    out = kms.re_encrypt(
        CiphertextBlob=blob,
        SourceEncryptionContext={"a": "1"},
        DestinationKeyId=dest["KeyId"],
        DestinationEncryptionContext={"b": "2"},
    )
    assert out["SourceKeyId"] == source["Arn"]
    assert out["KeyId"] == dest["Arn"]
    dec = kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext={"b": "2"})
    assert dec["Plaintext"] == b"move me" and dec["KeyId"] == dest["Arn"]
    expect_error(kms.re_encrypt, "InvalidCiphertextException", CiphertextBlob=blob,
                 DestinationKeyId=dest["KeyId"])


def test_generate_data_key(kms):
    key = new_key(kms)
    out = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256",
                                EncryptionContext={"use": "dek"})
    assert len(out["Plaintext"]) == 32 and out["KeyId"] == key["Arn"]
    dec = kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext={"use": "dek"})
    assert dec["Plaintext"] == out["Plaintext"]
    assert len(kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_128")["Plaintext"]) == 16
    for size in (1, 64, 1024):
        out = kms.generate_data_key(KeyId=key["KeyId"], NumberOfBytes=size)
        assert len(out["Plaintext"]) == size
        assert kms.decrypt(CiphertextBlob=out["CiphertextBlob"])["Plaintext"] == out["Plaintext"]
    a = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")["Plaintext"]
    b = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")["Plaintext"]
    assert a != b


def test_generate_data_key_size_errors(kms):
    key = new_key(kms)["KeyId"]
    expect_error(kms.generate_data_key, "ValidationException", KeyId=key,
                 KeySpec="AES_256", NumberOfBytes=32)
    expect_error(kms.generate_data_key, "ValidationException", KeyId=key)
    expect_error(kms.generate_data_key, "ValidationException",
                 r"1 validation error detected: Value '1025' at 'numberOfBytes'",
                 KeyId=key, NumberOfBytes=1025)


def test_generate_data_key_without_plaintext_then_decrypt(kms):
    key = new_key(kms)
    out = kms.generate_data_key_without_plaintext(KeyId=key["KeyId"], KeySpec="AES_256")
    assert "Plaintext" not in out
    assert out["KeyId"] == key["Arn"]
    assert len(kms.decrypt(CiphertextBlob=out["CiphertextBlob"])["Plaintext"]) == 32


def test_generate_random(kms):
    a = kms.generate_random(NumberOfBytes=32)["Plaintext"]
    b = kms.generate_random(NumberOfBytes=32)["Plaintext"]
    assert len(a) == 32 and len(b) == 32 and a != b
    assert len(kms.generate_random(NumberOfBytes=1024)["Plaintext"]) == 1024
    expect_error(kms.generate_random, "ValidationException", r"numberOfBytes", NumberOfBytes=1025)


# ----------------------------------------------------------------------------- key state


def test_disable_and_enable(kms):
    meta = new_key(kms)
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"state")["CiphertextBlob"]
    kms.disable_key(KeyId=meta["KeyId"])
    described = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert described["KeyState"] == "Disabled" and described["Enabled"] is False
    disabled = rf"^{re.escape(meta['Arn'])} is disabled\.$"
    expect_error(kms.encrypt, "DisabledException", disabled, KeyId=meta["KeyId"], Plaintext=b"x")
    expect_error(kms.decrypt, "DisabledException", disabled, CiphertextBlob=blob)
    expect_error(kms.generate_data_key, "DisabledException", disabled, KeyId=meta["KeyId"],
                 KeySpec="AES_256")
    kms.enable_key(KeyId=meta["KeyId"])
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"state"


def test_schedule_deletion_window_bounds(kms):
    key = new_key(kms)["KeyId"]
    for days in (6, 31):
        expect_error(kms.schedule_key_deletion, "ValidationException",
                     r"(?i)pendingWindowInDays", KeyId=key, PendingWindowInDays=days)
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"


def test_schedule_and_cancel_key_deletion(kms):
    meta = new_key(kms)
    key = meta["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"doomed")["CiphertextBlob"]
    out = kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    assert out["KeyId"] == meta["Arn"]
    assert out["KeyState"] == "PendingDeletion"
    assert out["PendingWindowInDays"] == 7
    delta = out["DeletionDate"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(days=6, hours=23) < delta <= datetime.timedelta(days=7, minutes=5)
    described = kms.describe_key(KeyId=key)["KeyMetadata"]
    assert described["KeyState"] == "PendingDeletion" and described["Enabled"] is False
    assert "DeletionDate" in described
    pending = rf"^{re.escape(meta['Arn'])} is pending deletion\.$"
    expect_error(kms.encrypt, "KMSInvalidStateException", pending, KeyId=key, Plaintext=b"x")
    expect_error(kms.decrypt, "KMSInvalidStateException", pending, CiphertextBlob=blob)
    expect_error(kms.enable_key, "KMSInvalidStateException", pending, KeyId=key)
    expect_error(kms.schedule_key_deletion, "KMSInvalidStateException", pending, KeyId=key,
                 PendingWindowInDays=7)
    assert kms.cancel_key_deletion(KeyId=key)["KeyId"] == meta["Arn"]
    described = kms.describe_key(KeyId=key)["KeyMetadata"]
    assert described["KeyState"] == "Disabled"
    assert "DeletionDate" not in described
    expect_error(kms.encrypt, "DisabledException", KeyId=key, Plaintext=b"x")
    kms.enable_key(KeyId=key)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"doomed"


def test_cancel_deletion_of_a_key_not_pending_deletion(kms):
    meta = new_key(kms)
    expect_error(kms.cancel_key_deletion, "KMSInvalidStateException",
                 re.escape(meta["Arn"]), KeyId=meta["KeyId"])


# ----------------------------------------------------------------------------- aliases


def test_alias_lifecycle(kms):
    first = new_key(kms)
    second = new_key(kms)
    account = account_of(first)
    name = alias_name()
    kms.create_alias(AliasName=name, TargetKeyId=first["KeyId"])
    aliases = {a["AliasName"]: a for a in _all_aliases(kms)}
    assert aliases[name]["AliasArn"] == f"arn:aws:kms:us-east-1:{account}:{name}"
    assert aliases[name]["TargetKeyId"] == first["KeyId"]
    by_key = kms.list_aliases(KeyId=first["KeyId"])["Aliases"]
    assert [a["AliasName"] for a in by_key] == [name]
    assert kms.encrypt(KeyId=name, Plaintext=b"a")["KeyId"] == first["Arn"]

    kms.update_alias(AliasName=name, TargetKeyId=second["KeyId"])
    assert kms.encrypt(KeyId=name, Plaintext=b"a")["KeyId"] == second["Arn"]
    assert kms.list_aliases(KeyId=first["KeyId"])["Aliases"] == []

    kms.delete_alias(AliasName=name)
    assert name not in {a["AliasName"] for a in _all_aliases(kms)}
    expect_error(kms.encrypt, "NotFoundException", re.escape(name), KeyId=name, Plaintext=b"a")
    expect_error(kms.delete_alias, "NotFoundException", AliasName=name)


def _all_aliases(kms) -> list[dict]:
    out, kwargs = [], {"Limit": 100}
    while True:
        page = kms.list_aliases(**kwargs)
        out += page["Aliases"]
        if not page.get("Truncated"):
            return out
        kwargs["Marker"] = page["NextMarker"]


def test_alias_errors(kms):
    key = new_key(kms)
    other = new_key(kms)
    name = alias_name()
    kms.create_alias(AliasName=name, TargetKeyId=key["KeyId"])
    expect_error(kms.create_alias, "AlreadyExistsException",
                 rf"An alias with the name arn:aws:kms:us-east-1:{account_of(key)}:{name} "
                 r"already exists",
                 AliasName=name, TargetKeyId=other["KeyId"])
    expect_error(kms.create_alias, "ValidationException", r"alias/",
                 AliasName="no-prefix-" + uuid.uuid4().hex[:8], TargetKeyId=key["KeyId"])
    expect_error(kms.create_alias, "NotAuthorizedException",
                 AliasName="alias/aws/" + uuid.uuid4().hex[:8], TargetKeyId=key["KeyId"])
    expect_error(kms.create_alias, "NotFoundException",
                 AliasName=alias_name(), TargetKeyId=str(uuid.uuid4()))
    expect_error(kms.update_alias, "NotFoundException",
                 AliasName=alias_name(), TargetKeyId=key["KeyId"])


# ----------------------------------------------------------------------------- tags and policy


def test_tag_untag_list(kms):
    key = new_key(kms)["KeyId"]
    kms.tag_resource(KeyId=key, Tags=[{"TagKey": "a", "TagValue": "1"},
                                      {"TagKey": "b", "TagValue": "2"}])
    kms.tag_resource(KeyId=key, Tags=[{"TagKey": "a", "TagValue": "3"}])  # overwrite
    tags = kms.list_resource_tags(KeyId=key)["Tags"]
    assert sorted((t["TagKey"], t["TagValue"]) for t in tags) == [("a", "3"), ("b", "2")]
    kms.untag_resource(KeyId=key, TagKeys=["a"])
    assert kms.list_resource_tags(KeyId=key)["Tags"] == [{"TagKey": "b", "TagValue": "2"}]
    expect_error(kms.tag_resource, "TagException", KeyId=key,
                 Tags=[{"TagKey": "aws:reserved", "TagValue": "x"}])
    expect_error(kms.tag_resource, "NotFoundException", KeyId=str(uuid.uuid4()),
                 Tags=[{"TagKey": "a", "TagValue": "1"}])


def test_key_policy_get_put_list(kms):
    meta = new_key(kms)
    key = meta["KeyId"]
    assert kms.list_key_policies(KeyId=key)["PolicyNames"] == ["default"]
    default = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    assert default["Version"] == "2012-10-17"
    assert default["Statement"], default
    assert f"arn:aws:iam::{account_of(meta)}:root" in json.dumps(default)
    policy = {
        "Version": "2012-10-17",
        "Id": "bb-policy",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account_of(meta)}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }],
    }
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(policy))
    got = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    assert got == policy
    expect_error(kms.put_key_policy, "MalformedPolicyDocumentException", KeyId=key,
                 PolicyName="default", Policy="{not json")


# ----------------------------------------------------------------------------- error shapes


def test_tampered_ciphertext_is_rejected(kms):
    key = new_key(kms)["KeyId"]
    blob = bytearray(kms.encrypt(KeyId=key, Plaintext=b"integrity")["CiphertextBlob"])
    for index in (len(blob) // 2, len(blob) - 1):
        tampered = bytearray(blob)
        tampered[index] ^= 0x01
        expect_error(kms.decrypt, "InvalidCiphertextException", CiphertextBlob=bytes(tampered))
    expect_error(kms.decrypt, "InvalidCiphertextException", CiphertextBlob=bytes(blob[:-1]))
    expect_error(kms.decrypt, "InvalidCiphertextException", CiphertextBlob=b"\x01" * 64)


def test_decrypt_with_the_wrong_key_id(kms):
    right = new_key(kms)["KeyId"]
    wrong = new_key(kms)["KeyId"]
    blob = kms.encrypt(KeyId=right, Plaintext=b"mine")["CiphertextBlob"]
    expect_error(kms.decrypt, "IncorrectKeyException", r"(?i)key", CiphertextBlob=blob,
                 KeyId=wrong)


def test_plaintext_over_4096_bytes(kms):
    key = new_key(kms)["KeyId"]
    expect_error(
        kms.encrypt,
        "ValidationException",
        r"^1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        r"Member must have length less than or equal to 4096$",
        KeyId=key,
        Plaintext=b"x" * 4097,
    )


def test_unknown_key_and_alias(kms):
    account = account_of(new_key(kms))
    missing = str(uuid.uuid4())
    arn = f"arn:aws:kms:us-east-1:{account}:key/{missing}"
    not_found = rf"^Key '{re.escape(arn)}' does not exist$"
    expect_error(kms.describe_key, "NotFoundException", not_found, KeyId=missing)
    expect_error(kms.describe_key, "NotFoundException", not_found, KeyId=arn)
    expect_error(kms.encrypt, "NotFoundException", not_found, KeyId=missing, Plaintext=b"x")
    expect_error(kms.enable_key, "NotFoundException", not_found, KeyId=missing)
    alias = alias_name()
    expect_error(kms.describe_key, "NotFoundException", re.escape(alias), KeyId=alias)
    expect_error(kms.describe_key, "NotFoundException", KeyId="not-a-key-id")


def test_unimplemented_operations_answer_honestly(kms):
    key = new_key(kms)["KeyId"]
    expect_error(kms.create_key, "UnsupportedOperationException", r"SM2",
                 KeySpec="SM2", KeyUsage="SIGN_VERIFY")
    expect_error(kms.describe_custom_key_stores, "UnsupportedOperationException",
                 r"DescribeCustomKeyStores")
    expect_error(kms.encrypt, "InvalidKeyUsageException", r"RSAES_OAEP_SHA_256", KeyId=key,
                 Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_256")


def test_dry_run(kms):
    key = new_key(kms)["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"dry")["CiphertextBlob"]
    dry = r"^The request would have succeeded, but the DryRun option is set\.$"
    expect_error(kms.encrypt, "DryRunOperationException", dry, KeyId=key, Plaintext=b"x", DryRun=True)
    expect_error(kms.decrypt, "DryRunOperationException", dry, CiphertextBlob=blob, DryRun=True)
    expect_error(kms.generate_data_key, "DryRunOperationException", dry, KeyId=key,
                 KeySpec="AES_256", DryRun=True)

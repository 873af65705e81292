"""KMS answers compared with AWS's recorded responses, on every matrix entry: the exact JSON of
message-less errors, KeyMaterialId members, tag limits, ReplicateKey's members and the predefined
AWS managed aliases. Raw requests are used where the absence of a member is what is checked."""

from __future__ import annotations

import base64
import json

from harness import expect_error


def new_key(kms, **kwargs) -> dict:
    return kms.create_key(**kwargs)["KeyMetadata"]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def raw(server, operation: str, body: dict):
    return server.kms_raw(f"TrentService.{operation}", json.dumps(body))


# ----------------------------------------------------------------------------- message-less errors


def assert_bare_error(resp, code: str) -> None:
    """AWS sends these errors as `{"__type": code}`: no `message` member at all."""
    assert resp.status == 400
    assert resp.json() == {"__type": code}, resp.body


def test_invalid_ciphertext_has_no_message(kms, server):
    key = new_key(kms)["KeyId"]
    blob = bytearray(kms.encrypt(KeyId=key, Plaintext=b"secret")["CiphertextBlob"])
    blob[-1] ^= 1
    resp = raw(server, "Decrypt", {"CiphertextBlob": b64(bytes(blob))})
    assert_bare_error(resp, "InvalidCiphertextException")
    _, message = expect_error(kms.decrypt, "InvalidCiphertextException", CiphertextBlob=bytes(blob))
    assert message == ""


def test_invalid_signature_has_no_message(kms, server):
    key = new_key(kms, KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyId"]
    sig = kms.sign(KeyId=key, Message=b"hello", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    body = {"KeyId": key, "Message": b64(b"other"), "Signature": b64(sig),
            "SigningAlgorithm": "ECDSA_SHA_256"}
    assert_bare_error(raw(server, "Verify", body), "KMSInvalidSignatureException")


def test_invalid_mac_has_no_message(kms, server):
    key = new_key(kms, KeyUsage="GENERATE_VERIFY_MAC", KeySpec="HMAC_256")["KeyId"]
    mac = kms.generate_mac(KeyId=key, Message=b"hello", MacAlgorithm="HMAC_SHA_256")["Mac"]
    body = {"KeyId": key, "Message": b64(b"other"), "Mac": b64(mac),
            "MacAlgorithm": "HMAC_SHA_256"}
    assert_bare_error(raw(server, "VerifyMac", body), "KMSInvalidMacException")


def test_errors_with_a_message_keep_it(server):
    resp = raw(server, "DescribeKey", {"KeyId": "alias/bb-exact-missing"})
    assert resp.status == 400
    assert set(resp.json()) == {"__type", "message"}
    assert resp.json()["message"]


# ----------------------------------------------------------------------------- KeyMaterialId

HEX64 = r"^[0-9a-f]{64}$"


def test_current_key_material_id_follows_rotation(kms):
    import re

    meta = new_key(kms)
    first = meta["CurrentKeyMaterialId"]
    assert re.match(HEX64, first)
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] == first
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"one")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["KeyMaterialId"] == first
    kms.rotate_key_on_demand(KeyId=meta["KeyId"])
    second = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"]
    assert re.match(HEX64, second) and second != first
    rotations = kms.list_key_rotations(KeyId=meta["KeyId"])["Rotations"]
    assert [r["KeyMaterialId"] for r in rotations][-1] == second
    # An old ciphertext names the material that decrypted it; new ones the current material.
    assert kms.decrypt(CiphertextBlob=blob)["KeyMaterialId"] == first
    out = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=meta["KeyId"])
    assert out["SourceKeyMaterialId"] == first
    assert out["DestinationKeyMaterialId"] == second
    assert kms.generate_data_key(KeyId=meta["KeyId"], KeySpec="AES_256")["KeyMaterialId"] == second
    plain = kms.generate_data_key_without_plaintext(KeyId=meta["KeyId"], NumberOfBytes=16)
    assert plain["KeyMaterialId"] == second
    pair = kms.generate_data_key_pair(KeyId=meta["KeyId"], KeyPairSpec="ECC_NIST_P256")
    assert pair["KeyMaterialId"] == second
    pair = kms.generate_data_key_pair_without_plaintext(KeyId=meta["KeyId"],
                                                        KeyPairSpec="ECC_NIST_P256")
    assert pair["KeyMaterialId"] == second


def test_no_material_id_for_asymmetric_keys(kms):
    meta = new_key(kms, KeyUsage="ENCRYPT_DECRYPT", KeySpec="RSA_2048")
    assert "CurrentKeyMaterialId" not in meta
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"x",
                       EncryptionAlgorithm="RSAES_OAEP_SHA_256")["CiphertextBlob"]
    out = kms.decrypt(KeyId=meta["KeyId"], CiphertextBlob=blob,
                      EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert "KeyMaterialId" not in out
    external = new_key(kms, Origin="EXTERNAL")
    assert external["KeyState"] == "PendingImport"
    assert "CurrentKeyMaterialId" not in external


# ----------------------------------------------------------------------------- tags


def test_create_key_with_too_many_tags(kms):
    tags = [{"TagKey": f"k{i}", "TagValue": "v"} for i in range(51)]
    expect_error(kms.create_key, "TagException", r"^Too many tags$", Tags=tags)
    key = new_key(kms, Tags=tags[:50])["KeyId"]
    assert len(kms.list_resource_tags(KeyId=key, Limit=50)["Tags"]) == 50


def test_duplicate_tag_keys_are_refused(kms):
    dup = [{"TagKey": "team", "TagValue": "a"}, {"TagKey": "team", "TagValue": "b"}]
    expect_error(kms.create_key, "TagException", r"^Duplicate tag keys$", Tags=dup)
    key = new_key(kms, Tags=[{"TagKey": "team", "TagValue": "z"}])["KeyId"]
    expect_error(kms.tag_resource, "TagException", r"^Duplicate tag keys$", KeyId=key, Tags=dup)
    tags = kms.list_resource_tags(KeyId=key)["Tags"]
    assert tags == [{"TagKey": "team", "TagValue": "z"}], "nothing changed"


# ----------------------------------------------------------------------------- ReplicateKey


def test_replicate_key_omits_empty_replica_tags(server):
    east = server.client(region="us-east-1")
    key = new_key(east, MultiRegion=True)["KeyId"]
    resp = raw(server, "ReplicateKey", {"KeyId": key, "ReplicaRegion": "us-west-2"})
    assert resp.status == 200, resp.body
    assert "ReplicaTags" not in resp.json()
    assert resp.json()["ReplicaKeyMetadata"]["CurrentKeyMaterialId"] == \
        east.describe_key(KeyId=key)["KeyMetadata"]["CurrentKeyMaterialId"]
    tagged = new_key(east, MultiRegion=True)["KeyId"]
    out = east.replicate_key(KeyId=tagged, ReplicaRegion="us-west-2",
                             Tags=[{"TagKey": "t", "TagValue": "v"}])
    assert out["ReplicaTags"] == [{"TagKey": "t", "TagValue": "v"}]


# ----------------------------------------------------------------------------- predefined aliases

PREDEFINED = ["acm", "dynamodb", "ebs", "elasticfilesystem", "es", "glue", "kinesisvideo",
              "lambda", "rds", "redshift", "s3", "secretsmanager", "ssm", "xray"]


def test_predefined_aws_aliases_are_listed_without_target(server):
    # A fresh account in its own Region: nothing but the predefined aliases.
    kms = server.client(region="eu-north-1")
    names, aliases, marker = [], [], {}
    while True:
        page = kms.list_aliases(Limit=5, **marker)
        aliases += page["Aliases"]
        if not page["Truncated"]:
            break
        marker = {"Marker": page["NextMarker"]}
    names = [a["AliasName"] for a in aliases]
    predefined = [f"alias/aws/{s}" for s in PREDEFINED]
    assert [n for n in names if n.startswith("alias/aws/")] == predefined
    s3 = next(a for a in aliases if a["AliasName"] == "alias/aws/s3")
    assert set(s3) == {"AliasName", "AliasArn"}
    assert s3["AliasArn"].startswith("arn:aws:kms:eu-north-1:")
    assert s3["AliasArn"].endswith(":alias/aws/s3")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/bb-exact-zz", TargetKeyId=key)
    assert [a["AliasName"] for a in kms.list_aliases(KeyId=key)["Aliases"]] == ["alias/bb-exact-zz"]
    names = [a["AliasName"] for a in kms.list_aliases(Limit=100)["Aliases"]]
    assert names == sorted(names) and "alias/bb-exact-zz" in names

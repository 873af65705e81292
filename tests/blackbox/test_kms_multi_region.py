"""Multi-Region KMS keys through two boto3 clients (us-east-1 and eu-west-1), on every matrix
entry: replication, cross-Region decryption without any cross-Region call, independent aliases
and state, UpdatePrimaryRegion, ReplicateKey errors, and deletion of a primary with replicas."""

from __future__ import annotations

import json
import uuid

import pytest

from harness import expect_error

EAST = "us-east-1"
WEST = "eu-west-1"


@pytest.fixture
def east(server):
    return server.client(region=EAST)


@pytest.fixture
def west(server):
    return server.client(region=WEST)


def arn_in(meta: dict, region: str) -> str:
    account = meta["AWSAccountId"]
    return f"arn:aws:kms:{region}:{account}:key/{meta['KeyId']}"


def new_primary(east, **kwargs) -> dict:
    meta = east.create_key(MultiRegion=True, Description="primary", **kwargs)["KeyMetadata"]
    assert meta["KeyId"].startswith("mrk-")
    assert meta["MultiRegion"] is True
    config = meta["MultiRegionConfiguration"]
    assert config["MultiRegionKeyType"] == "PRIMARY"
    assert config["PrimaryKey"] == {"Arn": meta["Arn"], "Region": EAST}
    assert config["ReplicaKeys"] == []
    return meta


def test_replicate_and_describe_in_both_regions(east, west):
    primary = new_primary(east)
    key_id = primary["KeyId"]
    out = east.replicate_key(
        KeyId=primary["Arn"],
        ReplicaRegion=WEST,
        Description="replica",
        Tags=[{"TagKey": "site", "TagValue": "west"}],
    )
    replica = out["ReplicaKeyMetadata"]
    assert replica["KeyId"] == key_id
    assert replica["Arn"] == arn_in(primary, WEST)
    assert replica["KeyState"] == "Enabled"
    assert replica["Description"] == "replica"
    assert out["ReplicaTags"] == [{"TagKey": "site", "TagValue": "west"}]
    policy = json.loads(out["ReplicaPolicy"])
    assert policy["Statement"][0]["Action"] == "kms:*"

    for client, region, kind in [(east, EAST, "PRIMARY"), (west, WEST, "REPLICA")]:
        meta = client.describe_key(KeyId=key_id)["KeyMetadata"]
        assert meta["Arn"] == arn_in(primary, region)
        config = meta["MultiRegionConfiguration"]
        assert config["MultiRegionKeyType"] == kind
        assert config["PrimaryKey"] == {"Arn": primary["Arn"], "Region": EAST}
        assert config["ReplicaKeys"] == [{"Arn": arn_in(primary, WEST), "Region": WEST}]
        assert meta["KeySpec"] == "SYMMETRIC_DEFAULT"
        assert meta["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert east.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "primary"
    assert east.list_resource_tags(KeyId=key_id)["Tags"] == []
    assert west.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "site", "TagValue": "west"}]
    west_keys = [k["KeyId"] for k in west.list_keys(Limit=1000)["Keys"]]
    assert key_id in west_keys


def test_encrypt_in_one_region_decrypt_in_the_other(east, west):
    primary = new_primary(east)
    key_id = primary["KeyId"]
    east.replicate_key(KeyId=key_id, ReplicaRegion=WEST)
    context = {"purpose": "multi-region"}
    for source, target, target_region in [(east, west, WEST), (west, east, EAST)]:
        blob = source.encrypt(KeyId=key_id, Plaintext=b"across regions", EncryptionContext=context)[
            "CiphertextBlob"
        ]
        for kwargs in [{}, {"KeyId": key_id}, {"KeyId": arn_in(primary, target_region)}]:
            out = target.decrypt(CiphertextBlob=blob, EncryptionContext=context, **kwargs)
            assert out["Plaintext"] == b"across regions"
            assert out["KeyId"] == arn_in(primary, target_region)
        data_key = source.generate_data_key(KeyId=key_id, KeySpec="AES_256")
        again = target.decrypt(CiphertextBlob=data_key["CiphertextBlob"])
        assert again["Plaintext"] == data_key["Plaintext"]


def test_aliases_and_state_are_independent(east, west):
    primary = new_primary(east)
    key_id = primary["KeyId"]
    east.replicate_key(KeyId=key_id, ReplicaRegion=WEST)
    alias = "alias/mr-" + uuid.uuid4().hex[:10]
    east.create_alias(AliasName=alias, TargetKeyId=key_id)
    expect_error(west.describe_key, "NotFoundException", KeyId=alias)
    west.create_alias(AliasName=alias, TargetKeyId=key_id)

    west.disable_key(KeyId=key_id)
    assert east.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    east.encrypt(KeyId=alias, Plaintext=b"still works")
    expect_error(
        west.encrypt,
        "DisabledException",
        f"^{arn_in(primary, WEST)} is disabled.$",
        KeyId=alias,
        Plaintext=b"x",
    )
    west.enable_key(KeyId=key_id)
    west.encrypt(KeyId=alias, Plaintext=b"enabled again")
    east.update_key_description(KeyId=key_id, Description="changed in east")
    assert west.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == ""


def test_update_primary_region(east, west):
    primary = new_primary(east)
    key_id = primary["KeyId"]
    east.replicate_key(KeyId=key_id, ReplicaRegion=WEST)
    east.update_primary_region(KeyId=key_id, PrimaryRegion=WEST)
    for client in (east, west):
        config = client.describe_key(KeyId=key_id)["KeyMetadata"]["MultiRegionConfiguration"]
        assert config["PrimaryKey"] == {"Arn": arn_in(primary, WEST), "Region": WEST}
        assert config["ReplicaKeys"] == [{"Arn": primary["Arn"], "Region": EAST}]
    assert east.describe_key(KeyId=key_id)["KeyMetadata"]["MultiRegionConfiguration"][
        "MultiRegionKeyType"
    ] == "REPLICA"
    expect_error(
        east.replicate_key,
        "UnsupportedOperationException",
        "is not a multi-Region primary key",
        KeyId=key_id,
        ReplicaRegion="ap-southeast-2",
    )
    expect_error(
        west.update_primary_region,
        "NotFoundException",
        KeyId=key_id,
        PrimaryRegion="ap-southeast-2",
    )
    blob = east.encrypt(KeyId=key_id, Plaintext=b"after the move")["CiphertextBlob"]
    assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"after the move"


def test_replicate_key_errors(east, west):
    single = east.create_key()["KeyMetadata"]
    expect_error(
        east.replicate_key,
        "UnsupportedOperationException",
        f"^{single['Arn']} is not a multi-Region primary key.$",
        KeyId=single["KeyId"],
        ReplicaRegion=WEST,
    )
    primary = new_primary(east)
    key_id = primary["KeyId"]
    east.replicate_key(KeyId=key_id, ReplicaRegion=WEST)
    expect_error(east.replicate_key, "AlreadyExistsException", KeyId=key_id, ReplicaRegion=WEST)
    expect_error(east.replicate_key, "AlreadyExistsException", KeyId=key_id, ReplicaRegion=EAST)
    expect_error(
        west.replicate_key,
        "UnsupportedOperationException",
        "is not a multi-Region primary key",
        KeyId=key_id,
        ReplicaRegion="ap-southeast-2",
    )
    expect_error(
        east.replicate_key,
        "ValidationException",
        "replicaRegion",
        KeyId=key_id,
        ReplicaRegion="not-a-region",
    )
    expect_error(
        east.replicate_key,
        "NotFoundException",
        KeyId="mrk-" + "0" * 32,
        ReplicaRegion=WEST,
    )


def test_primary_with_replica_waits_for_replica_deletion(east, west):
    primary = new_primary(east)
    key_id = primary["KeyId"]
    east.replicate_key(KeyId=key_id, ReplicaRegion=WEST)
    out = east.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert out["KeyState"] == "PendingReplicaDeletion"
    assert out["PendingWindowInDays"] == 7
    assert "DeletionDate" not in out
    meta = east.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "PendingReplicaDeletion"
    assert meta["Enabled"] is False
    expect_error(
        east.encrypt,
        "KMSInvalidStateException",
        f"^{primary['Arn']} is pending replica deletion.$",
        KeyId=key_id,
        Plaintext=b"x",
    )
    west.encrypt(KeyId=key_id, Plaintext=b"the replica still works")
    replica = west.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert replica["KeyState"] == "PendingDeletion"
    assert "DeletionDate" in replica
    east.cancel_key_deletion(KeyId=key_id)
    assert east.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Disabled"

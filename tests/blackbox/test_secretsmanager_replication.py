"""Secrets Manager replication through boto3 (and the AWS CLI) with clients in two Regions:
a replica reaches InSync through the server's sync job and is readable in its Region, follows
its primary, refuses writes there, is sealed under a customer key of its own Region (Failed
while that key is disabled, InSync once it is enabled again), and is removed or promoted to a
standalone secret; the primary's own Region and deleting a primary with replicas are refused.
Cross-account (secure modes, a second account): a replica created in the other account under
its own key, associated by the primary account, InSync and readable there, then detached and
stopped."""

from __future__ import annotations

import json

import pytest

from harness import eventually, expect_error, unique

HOME = "us-east-1"
AWAY = "eu-west-1"
REFUSAL = (
    r"^Operation not permitted on a replica secret\. Call must be made in primary secret's "
    r"region\.$"
)


@pytest.fixture(scope="module")
def east(server):
    return server.client("secretsmanager", region=HOME)


@pytest.fixture(scope="module")
def west(server):
    return server.client("secretsmanager", region=AWAY)


def status_of(sm, secret_id: str, region: str = AWAY) -> dict:
    statuses = sm.describe_secret(SecretId=secret_id).get("ReplicationStatus", [])
    return next((s for s in statuses if s["Region"] == region), {})


def in_sync(sm, secret_id: str) -> dict:
    def check():
        status = status_of(sm, secret_id)
        assert status.get("Status") == "InSync", status
        return status

    return eventually(check, timeout=15.0, interval=0.2)


def test_a_replica_follows_its_primary_and_refuses_writes(east, west, server):
    name = unique("repl/db")
    made = east.create_secret(Name=name, SecretString="first", Description="db")
    out = east.replicate_secret_to_regions(SecretId=name, AddReplicaRegions=[{"Region": AWAY}])
    assert out["ARN"] == made["ARN"]
    assert out["ReplicationStatus"] == [
        {"Region": AWAY, "KmsKeyId": "alias/aws/secretsmanager", "Status": "InProgress"}
    ]
    assert in_sync(east, name)["StatusMessage"] == "Replication succeeded"
    replica_arn = made["ARN"].replace(f":{HOME}:", f":{AWAY}:")
    got = west.get_secret_value(SecretId=name)
    assert (got["ARN"], got["SecretString"]) == (replica_arn, "first")
    described = west.describe_secret(SecretId=replica_arn)
    assert described["PrimaryRegion"] == HOME and "ReplicationStatus" not in described
    assert described["Description"] == "db"
    listed = west.list_secrets(Filters=[{"Key": "primary-region", "Values": [HOME]}])
    assert replica_arn in [s["ARN"] for s in listed["SecretList"]]
    # A change of the primary reaches the replica.
    east.put_secret_value(SecretId=name, SecretString="second")
    east.tag_resource(SecretId=name, Tags=[{"Key": "team", "Value": "blue"}])

    def followed():
        assert west.get_secret_value(SecretId=name)["SecretString"] == "second"
        assert west.describe_secret(SecretId=name).get("Tags") == [
            {"Key": "team", "Value": "blue"}
        ]

    eventually(followed, timeout=15.0, interval=0.2)
    previous = west.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")
    assert previous["SecretString"] == "first"
    # Writes in the replica's Region are refused and change nothing.
    expect_error(west.put_secret_value, "InvalidParameterException", REFUSAL,
                 SecretId=name, SecretString="x")
    expect_error(west.tag_resource, "InvalidParameterException", REFUSAL,
                 SecretId=name, Tags=[{"Key": "k", "Value": "v"}])
    expect_error(west.delete_secret, "InvalidParameterException", REFUSAL, SecretId=name)
    expect_error(west.put_resource_policy, "InvalidParameterException", REFUSAL,
                 SecretId=name, ResourcePolicy=json.dumps({"Version": "2012-10-17",
                                                           "Statement": []}))
    assert west.get_secret_value(SecretId=name)["SecretString"] == "second"
    # The AWS CLI reads the replica in its Region too.
    proc = server.aws("secretsmanager", "get-secret-value", "--secret-id", name,
                      "--region", AWAY)
    assert json.loads(proc.stdout)["SecretString"] == "second"
    # A primary with replicas cannot be deleted; after removal it can.
    expect_error(east.delete_secret, "InvalidParameterException",
                 rf"^You can't delete secret {made['ARN']} that still has replica regions "
                 rf"\[{AWAY}\]\.$", SecretId=name, ForceDeleteWithoutRecovery=True)
    removed = east.remove_regions_from_replication(SecretId=name, RemoveReplicaRegions=[AWAY])
    assert removed["ReplicationStatus"] == []
    expect_error(west.describe_secret, "ResourceNotFoundException", SecretId=name)
    east.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


def test_a_customer_key_of_the_replica_region_fails_then_recovers(server, east, west):
    kms_west = server.client("kms", region=AWAY)
    key = kms_west.create_key(Description="replica key")["KeyMetadata"]["Arn"]
    assert f":{AWAY}:" in key
    kms_west.disable_key(KeyId=key)
    name = unique("repl/keyed")
    made = east.create_secret(Name=name, SecretString="keyed",
                              AddReplicaRegions=[{"Region": AWAY, "KmsKeyId": key}])
    assert made["ReplicationStatus"][0]["Status"] == "InProgress"

    def failed():
        status = status_of(east, name)
        assert status.get("Status") == "Failed", status
        return status

    status = eventually(failed, timeout=15.0, interval=0.2)
    assert status["KmsKeyId"] == key
    assert status["StatusMessage"].startswith("Replication failed: ")
    expect_error(west.get_secret_value, "ResourceNotFoundException", SecretId=name)
    kms_west.enable_key(KeyId=key)
    # The failed sync is tried again after a backoff and succeeds.
    eventually(lambda: in_sync(east, name), timeout=30.0, interval=0.5)
    assert west.get_secret_value(SecretId=name)["SecretString"] == "keyed"
    versions = west.list_secret_version_ids(SecretId=name)["Versions"]
    assert versions[0]["KmsKeyIds"] == [key]
    assert west.describe_secret(SecretId=name)["KmsKeyId"] == key


def test_stopping_replication_makes_a_standalone_secret(east, west):
    name = unique("repl/stop")
    made = east.create_secret(Name=name, SecretString="v")
    expect_error(east.replicate_secret_to_regions, "InvalidParameterException",
                 r"^Invalid replica region\.$", SecretId=name,
                 AddReplicaRegions=[{"Region": HOME}])
    east.replicate_secret_to_regions(SecretId=name, AddReplicaRegions=[{"Region": AWAY}])
    in_sync(east, name)
    expect_error(east.stop_replication_to_replica, "InvalidRequestException", SecretId=name)
    # Removing a Region that holds no replica is idempotent.
    out = east.remove_regions_from_replication(SecretId=name, RemoveReplicaRegions=["ap-south-1"])
    assert [s["Region"] for s in out["ReplicationStatus"]] == [AWAY]
    out = west.stop_replication_to_replica(SecretId=name)
    assert out["ARN"] == made["ARN"].replace(f":{HOME}:", f":{AWAY}:")
    assert "ReplicationStatus" not in east.describe_secret(SecretId=name)
    assert "PrimaryRegion" not in west.describe_secret(SecretId=name)
    west.put_secret_value(SecretId=name, SecretString="own")
    east.put_secret_value(SecretId=name, SecretString="home")
    assert west.get_secret_value(SecretId=name)["SecretString"] == "own"
    east.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    west.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


def test_a_replica_in_another_account(server, east):
    if server.dev:
        pytest.skip("one account in --dev mode")
    other = server.create_account()
    theirs = server.client_for("secretsmanager", other)
    their_kms = server.client_for("kms", other)
    me = server.client("sts").get_caller_identity()["Account"]
    statements = [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{other['AccountId']}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{me}:root"},
         "Action": ["kms:Encrypt", "kms:GenerateDataKey"], "Resource": "*"},
    ]
    key = their_kms.create_key(Policy=json.dumps({"Version": "2012-10-17",
                                                  "Statement": statements}))
    key_arn = key["KeyMetadata"]["Arn"]
    name = unique("repl/shared")
    primary = east.create_secret(Name=name, SecretString="shared")["ARN"]
    replica = theirs.create_secret(Name=name, KmsKeyId=key_arn,
                                   CrossAccountPrimaryARN=primary)["ARN"]
    described = theirs.describe_secret(SecretId=replica)
    assert described["CrossAccountPrimary"] == {"PrimarySecretARN": primary,
                                                "ReplicationStatus": "Pending"}
    out = east.associate_cross_account_replica(SecretId=name, CrossAccountReplicaARN=replica)
    assert (out["ARN"], out["ReplicationStatus"]) == (primary, "InProgress")

    def synced():
        assert theirs.get_secret_value(SecretId=replica)["SecretString"] == "shared"
        entry = east.describe_secret(SecretId=name)["CrossAccountReplicas"][0]
        assert (entry["ReplicaSecretARN"], entry["ReplicationStatus"]) == (replica, "InSync")

    eventually(synced, timeout=15.0, interval=0.2)
    expect_error(east.delete_secret, "InvalidParameterException", SecretId=name)
    east.disassociate_cross_account_replica(SecretId=name, CrossAccountReplicaARN=replica)
    status = theirs.describe_secret(SecretId=replica)["CrossAccountPrimary"]["ReplicationStatus"]
    assert status == "Detached"
    assert theirs.stop_replication_to_replica(SecretId=replica)["ARN"] == replica
    assert "CrossAccountPrimary" not in theirs.describe_secret(SecretId=replica)
    theirs.delete_secret(SecretId=replica, ForceDeleteWithoutRecovery=True)
    east.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)

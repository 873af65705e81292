"""Concurrent writers: one winner per alias name, last-writer-wins updates that never fail,
writes to different IAM entities that never conflict, and two nodes sharing one PostgreSQL
database."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from harness import SECURE_POSTGRES, Server, run_together


def _race(clients, name: str, keys: list[str]) -> tuple[list[str], list[str]]:
    wins, losses = [], []
    barrier = threading.Barrier(len(clients))

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            clients[i].create_alias(AliasName=name, TargetKeyId=keys[i])
            wins.append(keys[i])
        except ClientError as err:
            losses.append(err.response["Error"]["Code"])

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return wins, losses


def test_concurrent_create_alias_has_one_winner(server):
    clients = [server.client() for _ in range(6)]
    keys = [clients[0].create_key()["KeyMetadata"]["KeyId"] for _ in clients]
    for _ in range(3):
        name = "alias/race-" + uuid.uuid4().hex[:8]
        wins, losses = _race(clients, name, keys)
        assert len(wins) == 1, (wins, losses)
        assert losses == ["AlreadyExistsException"] * (len(clients) - 1), losses
        target = clients[0].describe_key(KeyId=name)["KeyMetadata"]["KeyId"]
        assert target == wins[0]


def test_concurrent_tagging_keeps_every_tag(server):
    kms = server.client()
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    clients = [server.client() for _ in range(5)]
    errors = []

    def tag(i: int) -> None:
        try:
            clients[i].tag_resource(KeyId=key, Tags=[{"TagKey": f"k{i}", "TagValue": str(i)}])
        except ClientError as err:
            errors.append(err.response["Error"])

    threads = [threading.Thread(target=tag, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    tags = {t["TagKey"] for t in kms.list_resource_tags(KeyId=key)["Tags"]}
    assert tags == {f"k{i}" for i in range(len(clients))}, "a concurrent TagResource was lost"


def _update_alias_storm(clients, name: str, keys: list[str], rounds: int = 10) -> list[dict]:
    """Each client re-points `name` `rounds` times, all at once (UpdateAlias is last writer wins)."""

    def worker(i: int):
        def call() -> None:
            for r in range(rounds):
                clients[i].update_alias(AliasName=name, TargetKeyId=keys[(i + r) % len(keys)])

        return call

    return run_together([worker(i) for i in range(len(clients))])


def test_concurrent_update_alias_never_fails(server):
    """8 writers re-pointing one alias: every call succeeds (issue 11: ~30% answered
    KMSInternalException after five failed compare-and-swap attempts)."""
    clients = [server.client() for _ in range(8)]
    keys = [clients[0].create_key()["KeyMetadata"]["KeyId"] for _ in range(3)]
    name = "alias/storm-" + uuid.uuid4().hex[:8]
    clients[0].create_alias(AliasName=name, TargetKeyId=keys[0])
    assert _update_alias_storm(clients, name, keys) == []
    target = clients[0].describe_key(KeyId=name)["KeyMetadata"]["KeyId"]
    assert target in keys


def test_concurrent_create_user_of_different_users_never_conflicts(server):
    """8 writers creating different users in one account: no ConcurrentModification (issue 11:
    every IAM write bumped one per-account counter with compare-and-swap)."""
    clients = [server.client("iam") for _ in range(8)]
    prefix = "racer-" + uuid.uuid4().hex[:6]

    def worker(i: int):
        def call() -> None:
            for r in range(5):
                clients[i].create_user(UserName=f"{prefix}-{i}-{r}")

        return call

    assert run_together([worker(i) for i in range(len(clients))]) == []
    users = clients[0].get_paginator("list_users").paginate().build_full_result()["Users"]
    made = {u["UserName"] for u in users if u["UserName"].startswith(prefix)}
    assert len(made) == 40


@pytest.fixture
def two_nodes(make_server):
    first = make_server(SECURE_POSTGRES)
    second = Server(SECURE_POSTGRES, first.data_dir, first.database_url)
    make_server.servers.append(second)
    second.start()
    return first, second


def test_two_nodes_share_one_postgres_database(two_nodes):
    a, b = two_nodes
    ka, kb = a.client(), b.client()
    meta = ka.create_key(Description="made on node A")["KeyMetadata"]
    assert kb.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["Description"] == "made on node A"
    blob = ka.encrypt(KeyId=meta["KeyId"], Plaintext=b"shared")["CiphertextBlob"]
    assert kb.decrypt(CiphertextBlob=blob)["Plaintext"] == b"shared"

    # Node B's hot-path cache re-reads the store after about a second (CACHE_TTL in
    # rampart-kms), so a key disabled on A must stop working on B shortly after.
    ka.disable_key(KeyId=meta["KeyId"])
    assert _eventually_fails(lambda: kb.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")) == "DisabledException"
    kb.enable_key(KeyId=meta["KeyId"])
    assert ka.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")["KeyId"] == meta["Arn"]

    name = "alias/shared-" + uuid.uuid4().hex[:8]
    ka.create_alias(AliasName=name, TargetKeyId=meta["KeyId"])
    other = kb.create_key()["KeyMetadata"]
    with pytest.raises(ClientError) as err:
        kb.create_alias(AliasName=name, TargetKeyId=other["KeyId"])
    assert err.value.response["Error"]["Code"] == "AlreadyExistsException"
    kb.update_alias(AliasName=name, TargetKeyId=other["KeyId"])
    assert ka.encrypt(KeyId=name, Plaintext=b"y")["KeyId"] == other["Arn"]


def _eventually_fails(call, within: float = 3.0) -> str:
    deadline = time.monotonic() + within
    while True:
        try:
            call()
        except ClientError as err:
            return err.response["Error"]["Code"]
        if time.monotonic() > deadline:
            raise AssertionError(f"still succeeding {within}s after the change on the other node")
        time.sleep(0.1)


def test_alias_race_across_two_nodes(two_nodes):
    a, b = two_nodes
    clients = [a.client(), b.client(), a.client(), b.client()]
    keys = [clients[0].create_key()["KeyMetadata"]["KeyId"] for _ in clients]
    name = "alias/xnode-" + uuid.uuid4().hex[:8]
    wins, losses = _race(clients, name, keys)
    assert len(wins) == 1, (wins, losses)
    assert set(losses) == {"AlreadyExistsException"}, losses


def test_update_alias_storm_across_two_nodes(two_nodes):
    a, b = two_nodes
    clients = [a.client(), b.client()] * 4
    keys = [clients[0].create_key()["KeyMetadata"]["KeyId"] for _ in range(3)]
    name = "alias/xstorm-" + uuid.uuid4().hex[:8]
    clients[0].create_alias(AliasName=name, TargetKeyId=keys[0])
    assert _update_alias_storm(clients, name, keys) == []

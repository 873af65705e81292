"""Three nodes on one PostgreSQL database with one unseal secret (node 1's key file copied to
the others): one CA for all, writes on one node visible on the others, no acknowledged write
lost when a node is killed with SIGKILL."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from harness import (
    PG_ENV,
    SECURE_POSTGRES,
    Server,
    allow,
    eventually,
    policy_doc,
    postgres_admin_url,
    run_together,
    unique,
)

NODES = 3


def _join(first: Server, tmp) -> Server:
    """A node with its own data dir, the first node's database and a copy of its key file."""
    data_dir = tmp / "data"
    data_dir.mkdir(mode=0o700)
    shutil.copy2(first.data_dir / "root.key", data_dir / "root.key")
    return Server(SECURE_POSTGRES, data_dir, first.database_url)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, pg_databases):
    if not postgres_admin_url():
        pytest.skip(f"{PG_ENV} is not set: the cluster tests need PostgreSQL")
    first = Server(SECURE_POSTGRES, tmp_path_factory.mktemp("node1") / "data", pg_databases.create())
    nodes = [first]
    try:
        first.start()
        nodes += [_join(first, tmp_path_factory.mktemp(f"node{i}")) for i in range(2, NODES + 1)]
        with ThreadPoolExecutor(NODES - 1) as pool:
            list(pool.map(Server.start, nodes[1:]))
        yield nodes
    finally:
        for node in nodes:
            try:
                node.stop()
            finally:
                node.kill()


def _handshake(node: Server, ca_file) -> dict:
    """A TLS handshake with `node` trusting only `ca_file`, for the name localhost."""
    ctx = ssl.create_default_context(cafile=str(ca_file))
    with socket.create_connection(("127.0.0.1", node.port), timeout=10) as sock:
        with ctx.wrap_socket(sock, server_hostname="localhost") as tls:
            return tls.getpeercert()


def test_every_node_serves_a_certificate_from_one_ca(cluster):
    ca = cluster[0].ca_bundle.read_bytes()
    for node in cluster:
        assert node.ca_bundle.read_bytes() == ca, f"{node.data_dir}: another ca.pem"
        assert not (node.data_dir / "tls" / "ca.key").exists(), "CA key left in the data dir"
        issuer = dict(pair[0] for pair in _handshake(node, cluster[0].ca_bundle)["issuer"])
        assert issuer["organizationName"] == "Rampart"
    stored = _psql(cluster[0].database_url,
                   "select convert_from(value, 'UTF8') from records "
                   "where tbl = 'rampart_meta' and key = convert_to('tls-ca', 'UTF8')")
    assert "BEGIN CERTIFICATE" in stored
    assert "PRIVATE KEY" not in stored, "the CA key is stored in plaintext"


def _psql(url: str, sql: str) -> str:
    proc = subprocess.run(["psql", url, "-Atq", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          check=True, capture_output=True, text=True, timeout=30)
    return proc.stdout


def test_a_key_made_on_one_node_works_on_the_others(cluster):
    n1, n2, n3 = (node.client() for node in cluster)
    key = n1.create_key(Description="made on node 1")["KeyMetadata"]
    blob = n2.encrypt(KeyId=key["KeyId"], Plaintext=b"across nodes")["CiphertextBlob"]
    out = n3.decrypt(CiphertextBlob=blob)
    assert out["Plaintext"] == b"across nodes" and out["KeyId"] == key["Arn"]


def test_a_rule_taking_all_management_events_gets_read_only_calls_made_on_another_node(cluster):
    """Read-only calls' records reach EventBridge's ingest only while such a rule exists; a
    node learns of one stored on another node at its next ingest pass (about a second)."""
    from test_events_e2e import Receiver, route_to, wait_for

    receiver = Receiver()
    try:
        events = cluster[0].client("events")
        marker = cluster[0].client().create_key()["KeyMetadata"]["KeyId"]
        pattern = {"source": ["aws.kms"], "detail": {"eventName": ["DescribeKey"],
                                                     "requestParameters": {"keyId": [marker]}}}
        rule = route_to(events, receiver.url, pattern)
        events.put_rule(Name=rule, EventPattern=json.dumps(pattern),
                        State="ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
        time.sleep(2.5)  # the other nodes' ingest passes re-read the rule index
        cluster[1].client().describe_key(KeyId=marker)  # read-only
        got = wait_for(lambda: [e for e in receiver.events()
                                if e["detail"]["requestParameters"]["keyId"] == marker], 30)
        assert got[0]["detail"]["readOnly"] is True
        events.remove_targets(Rule=rule, Ids=["hook"])
        events.delete_rule(Name=rule)
    finally:
        receiver.close()


def test_an_iam_user_made_on_one_node_authenticates_on_another(cluster):
    iam = cluster[0].client("iam")
    name = unique("xnode")
    iam.create_user(UserName=name)
    made = iam.create_access_key(UserName=name)["AccessKey"]
    sts = cluster[1].client_for("sts", made)
    who = eventually(sts.get_caller_identity, timeout=2.0)
    assert who["Arn"].endswith(f":user/{name}")
    kms = cluster[2].client_for("kms", made)
    with pytest.raises(ClientError) as denied:
        kms.list_keys()
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    # A policy granted on node 1 applies on node 3 within the cache bound (about a second).
    iam.put_user_policy(UserName=name, PolicyName="list",
                        PolicyDocument=policy_doc(allow("kms:ListKeys")))
    started = time.monotonic()
    eventually(kms.list_keys, timeout=2.5, interval=0.05)
    assert time.monotonic() - started < 2.5


def test_kill_9_of_a_node_loses_no_acknowledged_write(cluster):
    target = cluster[0].client().create_key()["KeyMetadata"]["KeyId"]
    victim = cluster[-1]
    acked: list[str] = []
    acked_requests: list[str] = []
    errors: list[str] = []
    stop, killed = threading.Event(), threading.Event()
    lock = threading.Lock()

    def writer(node: Server, n: int) -> None:
        kms = node.client()
        for i in range(10_000):
            if stop.is_set():
                return
            name = f"alias/kill-{n}-{i}-{uuid.uuid4().hex[:6]}"
            try:
                reply = kms.create_alias(AliasName=name, TargetKeyId=target)
            except (BotoCoreError, ClientError, OSError) as err:
                if node is victim and killed.is_set():
                    return  # in flight at the kill: not acknowledged
                errors.append(repr(err))
                return
            with lock:
                acked.append(name)
                acked_requests.append(reply["ResponseMetadata"]["RequestId"])

    threads = [threading.Thread(target=writer, args=(node, n), daemon=True)
               for n, node in enumerate(cluster * 2)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while len(acked) < 60 and time.monotonic() < deadline and not errors:
        time.sleep(0.01)
    killed.set()
    victim.kill()  # SIGKILL with requests in flight
    time.sleep(0.3)  # the others keep writing past the kill
    stop.set()
    for t in threads:
        t.join(30)
    assert not errors, f"errors on the surviving nodes: {errors[:3]}"
    assert len(acked) >= 60, f"only {len(acked)} writes acknowledged"
    listed = _aliases(cluster[1].client())
    lost = [name for name in acked if name not in listed]
    assert not lost, f"{len(lost)} of {len(acked)} acknowledged aliases lost after kill -9"
    recorded = {r.get("requestID") for r in cluster[1].audit_tail(100_000)}
    unrecorded = [r for r in acked_requests if r not in recorded]
    assert not unrecorded, f"{len(unrecorded)} acknowledged CreateAlias calls have no audit record"
    victim.start()  # it comes back with the cluster's certificate and sees the writes
    _handshake(victim, cluster[0].ca_bundle)
    assert set(acked) <= _aliases(victim.client())


def _aliases(kms) -> set[str]:
    names, marker = set(), {}
    while True:
        page = kms.list_aliases(Limit=100, **marker)
        names |= {a["AliasName"] for a in page["Aliases"]}
        if not page.get("Truncated"):
            return names
        marker = {"Marker": page["NextMarker"]}


def _spread(cluster, service: str, count: int = 8) -> list:
    return [cluster[i % len(cluster)].client(service) for i in range(count)]


def test_update_alias_race_across_nodes_has_no_errors(cluster):
    clients = _spread(cluster, "kms")
    keys = [clients[0].create_key()["KeyMetadata"]["KeyId"] for _ in range(2)]
    name = "alias/" + unique("race")
    clients[0].create_alias(AliasName=name, TargetKeyId=keys[0])

    def update(kms, i):
        return lambda: [kms.update_alias(AliasName=name, TargetKeyId=keys[(i + j) % 2])
                        for j in range(5)]

    errors = run_together([update(kms, i) for i, kms in enumerate(clients)])
    assert not errors, errors


def test_create_user_race_across_nodes_has_no_errors(cluster):
    clients = _spread(cluster, "iam")
    prefix = unique("race")
    errors = run_together([lambda iam=iam, i=i: iam.create_user(UserName=f"{prefix}-{i}")
                       for i, iam in enumerate(clients)])
    assert not errors, errors
    names = {u["UserName"] for u in clients[0].list_users(MaxItems=1000)["Users"]}
    assert {f"{prefix}-{i}" for i in range(len(clients))} <= names


def test_a_node_joining_sealed_switches_to_the_cluster_ca_at_unseal(cluster_free_db, tmp_path):
    """Passphrase seal: the second node starts sealed, serves a temporary CA for the unseal
    endpoint, and after unseal serves (on new connections) a certificate from the cluster CA."""
    passphrase = "cluster passphrase, long enough"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = Server(SECURE_POSTGRES, tmp_path / "a" / "data", cluster_free_db,
                   extra_args=["--seal", "passphrase"])
    second = Server(SECURE_POSTGRES, tmp_path / "b" / "data", cluster_free_db)
    try:
        first.start(env={"RAMPART_PASSPHRASE": passphrase})
        second.start(expect_ready=False)
        temporary = second.ca_bundle.read_bytes()
        assert temporary != first.ca_bundle.read_bytes()
        _handshake(second, second.ca_bundle)  # the unseal endpoint is served over HTTPS
        with pytest.raises(ssl.SSLCertVerificationError):
            _handshake(second, first.ca_bundle)
        assert json.loads(second.unseal(passphrase).stdout)["sealed"] is False
        _handshake(second, first.ca_bundle)  # the live listener now serves the cluster's
        assert second.ca_bundle.read_bytes() == first.ca_bundle.read_bytes()
        key = first.client().create_key()["KeyMetadata"]["KeyId"]
        assert second.client().describe_key(KeyId=key)["KeyMetadata"]["Enabled"]
    finally:
        for node in (first, second):
            node.kill()


@pytest.fixture
def cluster_free_db(pg_databases):
    if not postgres_admin_url():
        pytest.skip(f"{PG_ENV} is not set: the cluster tests need PostgreSQL")
    return pg_databases.create()

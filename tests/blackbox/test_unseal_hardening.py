"""Unseal hardening: verified Shamir shares, throttled guessing, no progress disclosed to
outsiders, the local unseal socket, and key-file placement."""

from __future__ import annotations

import base64
import collections
import json
import os
import re
import socket
import sqlite3
import statistics
import threading
import time
import uuid

from harness import DEV_SQLITE, SECURE_SQLITE, _parse_response, run_rampart
from test_sealing import PASSPHRASE, _init_shamir

HEALTH_KEYS = {"status", "sealed", "services", "edition", "version"}


def _forged(index: int) -> str:
    body = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    return f"rampart-share-v1:{index}:{body}"


def _post_unseal(server, secret: str):
    body = json.dumps({"secret": secret}).encode()
    return server.post("/_rampart/unseal", body, {"Content-Type": "application/json"})


def _offer(server, secret: str):
    """POST /_rampart/unseal, waiting out (bounded) throttling delays."""
    for _ in range(5):
        resp = _post_unseal(server, secret)
        if resp.status != 429:
            return resp
        time.sleep(int(resp.headers["retry-after"]))
    raise AssertionError("still throttled")


def _unix_http(path, method: str, target: str, body: bytes = b""):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(path))
        head = (f"{method} {target} HTTP/1.1\r\nHost: localhost\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n")
        sock.sendall(head.encode() + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return _parse_response(data)


def _log(server) -> str:
    """The server's stderr log without terminal colour codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", server.stderr_path.read_text())


def _wait_for(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_forged_shares_never_block_the_real_ones(make_server):
    server = make_server(SECURE_SQLITE, start=False)
    shares = _init_shamir(server)
    server.start()
    mistyped = shares[1][:-3] + ("AAA" if not shares[1].endswith("AAA") else "BBB")
    sequence = [_forged(1), _forged(2), shares[0], _forged(1), mistyped, shares[1],
                _forged(3), _forged(4), _forged(2), shares[2]]
    given = 0
    for secret in sequence:
        resp = _offer(server, secret)
        body = resp.json()
        if secret not in shares:
            assert resp.status == 400 and body["__type"] == "UnsealFailedException", resp.body
            assert "progress" not in body and "threshold" not in body, body
            assert secret.split(":")[2] not in body["message"]
            continue
        given += 1
        assert resp.status == 200, resp.body
        if given < 3:
            assert body == {"sealed": True, "progress": given, "threshold": 3}, body
            health = server.get("/health").json()
            assert set(health) == HEALTH_KEYS and health["sealed"] is True, health
            assert health["services"] == {}, health
        else:
            assert body == {"sealed": False}, body
    assert server.get("/health").json()["sealed"] is False
    assert server.client().list_keys()["Keys"] == []
    log = _log(server)
    assert "outcome=\"share verified\"" in log and "outcome=\"refused\"" in log, log[-2000:]
    assert "source=127.0.0.1" in log
    for secret in sequence:
        assert secret.split(":")[2] not in log, "a share reached the log"


def test_passphrase_guesses_are_throttled_and_health_stays_fast(make_server):
    server = make_server(DEV_SQLITE, start=False, extra_args=["--seal", "passphrase"])
    server.start(env={"RAMPART_PASSPHRASE": PASSPHRASE})
    server.restart()  # sealed: no RAMPART_PASSPHRASE
    assert server.get("/health").json()["sealed"] is True
    statuses: collections.Counter = collections.Counter()
    guesses: list[str] = []
    stop = time.monotonic() + 3.0

    def guess() -> None:
        while time.monotonic() < stop:
            wrong = f"wrong guess {uuid.uuid4().hex}"
            guesses.append(wrong)
            resp = _post_unseal(server, wrong)
            statuses[resp.status] += 1
            if resp.status == 429:
                body = resp.json()
                assert body["__type"] == "ThrottlingException", body
                assert int(resp.headers["retry-after"]) >= 1, resp.headers
                assert body["retryAfterSeconds"] == int(resp.headers["retry-after"]), body
            else:
                assert resp.status == 400 and resp.error_type == "UnsealFailedException", resp.body

    threads = [threading.Thread(target=guess) for _ in range(6)]
    for thread in threads:
        thread.start()
    latencies = []
    while time.monotonic() < stop:
        started = time.monotonic()
        assert server.get("/health").status == 200
        latencies.append(time.monotonic() - started)
        time.sleep(0.05)
    for thread in threads:
        thread.join(30)
    assert statuses[429] > 10, statuses
    # At most 2 Argon2id checks per second (plus a burst of 2), whatever the flood.
    assert 1 <= statuses[400] <= 10, statuses
    assert statistics.median(latencies) < 0.2 and max(latencies) < 1.0, latencies

    # The flooding address may still be waiting; the operator on the host uses the socket.
    sock = server.data_dir / "unseal.sock"
    reply = run_rampart("operator", "unseal", "--socket", str(sock), "--secret", PASSPHRASE)
    assert json.loads(reply.stdout) == {"sealed": False}
    assert server.get("/health").json()["sealed"] is False
    log = _log(server)
    assert "outcome=\"throttled\"" in log and "source=local socket" in log, log[-2000:]
    assert PASSPHRASE not in log and not any(g in log for g in guesses[:50])


def test_network_unseal_off_uses_the_local_socket(make_server):
    server = make_server(SECURE_SQLITE, start=False, extra_args=["--network-unseal", "false"])
    shares = _init_shamir(server)
    server.start()
    sock = server.data_dir / "unseal.sock"
    assert sock.is_socket() and sock.stat().st_mode & 0o777 == 0o600

    refused = _post_unseal(server, shares[0])
    assert refused.status == 403 and refused.error_type == "AccessDeniedException", refused.body
    assert str(sock) in refused.json()["message"]
    over_tcp = run_rampart("operator", "unseal", "--secret", shares[0], "--endpoint",
                           server.endpoint, "--ca-bundle", str(server.ca_bundle), check=False)
    assert over_tcp.returncode != 0 and "403" in over_tcp.stderr

    health = _unix_http(sock, "GET", "/health").json()
    assert (health["sealed"], health["progress"], health["threshold"]) == (True, 0, 3), health
    one = run_rampart("operator", "unseal", "--socket", str(sock), "--secret", shares[3])
    assert json.loads(one.stdout) == {"sealed": True, "progress": 1, "threshold": 3}
    forged = _unix_http(sock, "POST", "/_rampart/unseal",
                        json.dumps({"secret": _forged(2)}).encode())
    assert forged.status == 400 and forged.error_type == "UnsealFailedException"
    # With --data-dir (and no --endpoint) the client finds the socket itself.
    two = run_rampart("operator", "unseal", "--data-dir", str(server.data_dir),
                      "--secret", shares[1])
    assert json.loads(two.stdout)["progress"] == 2
    assert _unix_http(sock, "GET", "/health").json()["progress"] == 2
    assert set(server.get("/health").json()) == HEALTH_KEYS, "no progress over TCP"
    run_rampart("operator", "unseal", "--socket", str(sock), "--secret", shares[4])
    _wait_for(lambda: not sock.exists())
    assert server.client().list_keys()["Keys"] == []

    server.restart()
    assert sock.is_socket(), "sealed again after a restart: the socket is back"
    assert server.stop() == 0
    assert not sock.exists(), "removed at shutdown"
    log = _log(server)
    assert "network unseal is off" in log and "source=local socket" in log


def test_key_file_elsewhere_and_the_key_file_warning(make_server, tmp_path):
    keyfile = tmp_path / "keys" / "root.key"
    server = make_server(SECURE_SQLITE, start=False, extra_args=["--seal-key-file", str(keyfile)])
    server.start()
    assert keyfile.stat().st_mode & 0o777 == 0o600 and keyfile.stat().st_size == 32
    assert not (server.data_dir / "root.key").exists()
    assert not (server.data_dir / "unseal.sock").exists(), "key-file mode starts unsealed"
    log = _log(server)
    assert "key-file sealing" in log and str(keyfile) in log and "WARN" in log, log[-2000:]
    kms = server.client()
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"elsewhere")["CiphertextBlob"]
    server.restart()
    assert server.client().decrypt(CiphertextBlob=blob)["Plaintext"] == b"elsewhere"
    created = server.create_account(env={"RAMPART_SEAL_KEY_FILE": str(keyfile)})
    assert created["AccessKeyId"].startswith("AKIA")
    assert server.stop() == 0

    beside = make_server(DEV_SQLITE)
    default_key = beside.data_dir / "root.key"
    _wait_for(lambda: "lies beside the data" in _log(beside))
    assert str(default_key) in _log(beside)


def _seal_record(db) -> tuple[bytes, dict]:
    with sqlite3.connect(db) as conn:
        (value,) = conn.execute(
            "SELECT value FROM records WHERE tbl = 'rampart_meta' AND key = CAST('seal' AS BLOB)"
        ).fetchone()
    return value, json.loads(value[1:])


def test_a_seal_record_without_commitments_gets_them_at_its_first_unseal(make_server):
    """A store initialised before share commitments (seal record format 1): forged shares do
    not block its unseal, and the first unseal stores commitments for every share."""
    server = make_server(SECURE_SQLITE, start=False)
    shares = _init_shamir(server)
    db = server.data_dir / "rampart.db"
    envelope, record = _seal_record(db)
    assert record["format"] == 2 and len(record["share_check"]["commitments"]) == 5
    legacy = {k: v for k, v in record.items() if k != "share_check"} | {"format": 1}
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE records SET value = ? WHERE tbl = 'rampart_meta' AND key = CAST('seal' AS BLOB)",
                      (envelope[:1] + json.dumps(legacy).encode(),))
    server.start()
    for secret in [_forged(1), shares[0], _forged(2), shares[3], _forged(3)]:
        reply = _offer(server, secret)
        assert reply.status == 200 and reply.json() == {"sealed": True}, reply.body
    assert _offer(server, shares[2]).json() == {"sealed": False}
    _, upgraded = _seal_record(db)
    assert upgraded["format"] == 2 and len(upgraded["share_check"]["commitments"]) == 5
    assert upgraded["wrapped_root"] == record["wrapped_root"]
    assert "seal record upgraded" in _log(server)

    server.restart()
    assert _offer(server, _forged(1)).status == 400, "now each share is verified"
    assert _offer(server, shares[4]).json() == {"sealed": True, "progress": 1, "threshold": 3}

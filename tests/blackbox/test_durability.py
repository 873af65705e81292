"""Crash durability: kill -9 during a CreateKey burst; every acknowledged key survives, and so
does the audit record of every acknowledged CreateKey (a call that changes state is answered
only once its record is durable)."""

from __future__ import annotations

import threading
import time

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from harness import ALL_MODES

THREADS = 6
KILL_AFTER_ACKS = 60
BURST_DEADLINE = 60.0


@pytest.mark.parametrize("mode", ALL_MODES)
def test_acknowledged_keys_survive_kill_9(make_server, mode):
    server = make_server(mode)
    acked: list[str] = []
    acked_requests: list[str] = []
    blobs: dict[str, bytes] = {}
    lock = threading.Lock()
    stop = threading.Event()
    errors: list[str] = []
    killed = threading.Event()

    def burst(n: int) -> None:
        kms = server.client()
        i = 0
        while not stop.is_set():
            i += 1
            try:
                created = kms.create_key(Description=f"burst {n}-{i}")
                key = created["KeyMetadata"]["KeyId"]
                with lock:
                    acked.append(key)
                    acked_requests.append(created["ResponseMetadata"]["RequestId"])
                blob = kms.encrypt(KeyId=key, Plaintext=b"durable")["CiphertextBlob"]
                with lock:
                    blobs[key] = blob
            except (BotoCoreError, ClientError, OSError) as err:
                if not killed.is_set():
                    errors.append(repr(err))
                return

    workers = [threading.Thread(target=burst, args=(n,), daemon=True) for n in range(THREADS)]
    for w in workers:
        w.start()
    deadline = time.monotonic() + BURST_DEADLINE
    while len(acked) < KILL_AFTER_ACKS and time.monotonic() < deadline and not errors:
        time.sleep(0.01)
    assert all(w.is_alive() for w in workers), "the burst ended before the kill"
    killed.set()
    server.kill()  # SIGKILL while requests are in flight
    stop.set()
    for w in workers:
        w.join(30)
    assert not errors, f"errors before the kill: {errors[:3]}"
    assert len(acked) >= KILL_AFTER_ACKS, f"only {len(acked)} keys acknowledged"

    recorded = {r.get("requestID") for r in server.audit_tail(100_000)}
    unrecorded = [r for r in acked_requests if r not in recorded]
    assert not unrecorded, (
        f"{len(unrecorded)} of {len(acked_requests)} acknowledged CreateKey calls have no audit "
        "record after kill -9"
    )

    server.start()
    kms = server.client()
    listed = set()
    marker = {}
    while True:
        page = kms.list_keys(Limit=1000, **marker)
        listed |= {k["KeyId"] for k in page["Keys"]}
        if not page.get("Truncated"):
            break
        marker = {"Marker": page["NextMarker"]}
    lost = [key for key in acked if key not in listed]
    assert not lost, f"{len(lost)} of {len(acked)} acknowledged keys lost after kill -9"
    for key in acked:
        assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"
    for key, blob in blobs.items():
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"durable"

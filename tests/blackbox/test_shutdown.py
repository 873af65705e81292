"""Graceful shutdown: SIGTERM / SIGINT exit 0 promptly, even with idle keep-alive clients."""

from __future__ import annotations

import signal
import time

import pytest

from harness import ALL_MODES


@pytest.mark.parametrize("mode", ALL_MODES)
def test_sigterm_exits_zero_promptly(make_server, mode):
    server = make_server(mode)
    kms = server.client()
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.encrypt(KeyId=key, Plaintext=b"x")  # leaves a pooled keep-alive connection open
    started = time.monotonic()
    assert server.stop(timeout=15) == 0, server.stderr_tail()
    elapsed = time.monotonic() - started
    assert elapsed < 10, f"shutdown took {elapsed:.1f}s"
    server.start()
    assert server.client().describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"


def test_sigint_exits_zero(make_server):
    server = make_server("dev-sqlite")
    server.client().list_keys()
    server.proc.send_signal(signal.SIGINT)
    assert server.proc.wait(15) == 0, server.stderr_tail()

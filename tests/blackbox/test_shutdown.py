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


def test_sigterm_is_not_held_up_by_a_stalled_client(make_server):
    """A client that sent half a request head and went quiet must not hold shutdown for the
    whole drain timeout (30 s): in-flight means a request being served, not a stalled peer."""
    import socket

    server = make_server("dev-sqlite")
    stalled = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        stalled.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: TrentService.ListKeys\r\n")
        time.sleep(0.3)
        started = time.monotonic()
        assert server.stop(timeout=45) == 0, server.stderr_tail()
        elapsed = time.monotonic() - started
    finally:
        stalled.close()
    assert elapsed < 10, f"shutdown waited {elapsed:.1f}s for a client that never finished its request"


def _closed_within(sock, seconds: float) -> float | None:
    """Seconds until the server closed (or answered and closed) `sock`, None if still open."""
    import socket

    started = time.monotonic()
    sock.settimeout(0.5)
    while time.monotonic() - started < seconds:
        try:
            if sock.recv(4096) == b"":
                return time.monotonic() - started
        except socket.timeout:
            continue
        except OSError:
            return time.monotonic() - started
    return None


def test_stalled_connections_are_closed(make_server):
    """Slow-loris guard: a half-sent request head, and a TLS connection that never starts its
    handshake, are dropped by the server instead of being held open forever."""
    import socket

    server = make_server("secure-sqlite")
    plain = make_server("dev-sqlite")
    stalled = socket.create_connection(("127.0.0.1", plain.port), timeout=10)
    silent_tls = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        stalled.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        for name, sock in (("stalled", stalled), ("silent TLS", silent_tls)):
            assert _closed_within(sock, 20) is not None, f"{name} connection still open after 20 s"
    finally:
        for sock in (stalled, silent_tls):
            sock.close()
    assert server.client().list_keys()["Keys"] == []


def test_idle_keep_alive_connection_is_reusable(make_server):
    server = make_server("secure-sqlite")
    kms = server.client()  # retries disabled: a dropped pooled connection must not surface
    kms.list_keys()
    time.sleep(7)  # longer than the server's request-head timeout
    assert kms.list_keys()["Keys"] == []


def test_silent_connection_is_closed(make_server):
    """A peer that connects and never sends a byte is dropped (first-byte timeout, 10 s), so
    silent connections cannot pile up and hold file descriptors."""
    import socket

    server = make_server("dev-sqlite")
    silent = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    try:
        started = time.monotonic()
        assert silent.recv(1) == b"", "the server sent data to a silent client"
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    assert 5 < elapsed < 20, f"silent connection closed after {elapsed:.1f}s"
    assert server.client().list_keys()["Keys"] == []

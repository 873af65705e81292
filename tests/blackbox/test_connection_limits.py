"""Hardening against outsiders (issue 10): connection life-cycle timeouts on TLS, HTTP/2 and
plain HTTP, slow and trickled bodies, nothing large read before authentication, the body memory
budget, connection shedding and a low descriptor limit. Every loop here is bounded in count and
time and talks only to the server on loopback."""

from __future__ import annotations

import json
import os
import socket
import ssl
import stat
import time
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import harness
from harness import DEV_SQLITE, JSON_11, SECURE_SQLITE

# Short timeouts so the tests stay quick; the defaults are 10 s / 60 s.
LIMITS = """
[limits]
first_request_timeout_secs = 2
header_read_timeout_secs = 2
idle_timeout_secs = 3
body_read_timeout_secs = 2
body_min_bytes_per_sec = 1024
tls_handshake_timeout_secs = 2
"""


def limited_server(make_server, tmp_path, mode: str, extra: str = "", **kwargs):
    config = tmp_path / f"rampart-{mode}.toml"
    config.write_text(LIMITS + extra)
    return make_server(mode, extra_args=["--config", str(config)], **kwargs)


def connect(server, alpn: list[str] | None = None) -> socket.socket:
    """A connection to the server: TLS (handshake done) in secure mode, plain TCP otherwise."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    if server.scheme != "https":
        return sock
    ctx = ssl.create_default_context(cafile=str(server.ca_bundle))
    if alpn:
        ctx.set_alpn_protocols(alpn)
    return ctx.wrap_socket(sock, server_hostname="127.0.0.1")


def closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed `sock` (reading and discarding what it sends), or None."""
    started = time.monotonic()
    deadline = started + seconds
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if sock.recv(65536) == b"":
                return time.monotonic() - started
        except (socket.timeout, TimeoutError):
            return None
        except (ConnectionResetError, ssl.SSLError, OSError):
            return time.monotonic() - started
    return None


def signed(server, target: str, body: bytes, extra_headers: dict | None = None) -> dict:
    """Headers of a KMS request signed (secure mode) with the admin key over `body`."""
    headers = {"Content-Type": JSON_11, "X-Amz-Target": target, **(extra_headers or {})}
    if server.dev:
        return headers
    ak, sk = server.admin_credentials()
    req = AWSRequest(method="POST", url=server.endpoint + "/", data=body, headers=headers)
    SigV4Auth(Credentials(ak, sk), "kms", "us-east-1").add_auth(req)
    return dict(req.headers.items())


def head_bytes(server, headers: dict, length: int, extra: str = "") -> bytes:
    lines = ["POST / HTTP/1.1", f"Host: 127.0.0.1:{server.port}"]
    lines += [f"{k}: {v}" for k, v in headers.items() if k.lower() not in ("host", "content-length")]
    lines.append(f"Content-Length: {length}")
    if extra:
        lines.append(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def read_response(sock: socket.socket, timeout: float) -> harness.RawResponse:
    sock.settimeout(timeout)
    data = b""
    deadline = time.monotonic() + timeout
    while not harness._complete(data) and time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, TimeoutError):
            break
        if not chunk:
            break
        data += chunk
    return harness._parse_response(data)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.fixture
def secure(make_server, tmp_path):
    return limited_server(make_server, tmp_path, SECURE_SQLITE)


@pytest.fixture
def dev(make_server, tmp_path):
    return limited_server(make_server, tmp_path, DEV_SQLITE)


def test_idle_tls_connections_are_closed(secure):
    socks = [connect(secure) for _ in range(20)]
    for sock in socks:
        took = closed_within(sock, 6)
        assert took is not None, "an idle TLS connection stayed open"
        sock.close()


def test_idle_http2_connection_is_closed(secure):
    sock = connect(secure, alpn=["h2"])
    assert sock.selected_alpn_protocol() == "h2"
    # The client preface and an empty SETTINGS frame, then silence.
    sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
    assert closed_within(sock, 6) is not None, "an idle HTTP/2 connection stayed open"
    sock.close()


def test_slow_headers_are_cut(secure):
    sock = connect(secure)
    sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
    started = time.monotonic()
    closed_after = None
    for _ in range(20):  # one header byte every 0.5 s, for at most 10 s
        try:
            sock.sendall(b"X")
        except OSError:
            closed_after = time.monotonic() - started
            break
        if closed_within(sock, 0.5) is not None:
            closed_after = time.monotonic() - started
            break
    sock.close()
    assert closed_after is not None and closed_after < 6, closed_after


def test_keep_alive_connection_closed_after_idle_timeout(dev):
    sock = connect(dev)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert read_response(sock, 5).status == 200
    took = closed_within(sock, 8)
    assert took is not None and 2 <= took <= 6, took
    sock.close()


@pytest.mark.parametrize("mode", [DEV_SQLITE, SECURE_SQLITE])
def test_trickled_body_gets_408_and_the_connection_closes(make_server, tmp_path, mode):
    server = limited_server(make_server, tmp_path, mode)
    body = b'{"Limit": 10}' + b" " * 100_000
    headers = signed(server, "TrentService.ListKeys", body)
    sock = connect(server)
    sock.sendall(head_bytes(server, headers, len(body)))
    started = time.monotonic()
    resp = None
    for i in range(20):  # one byte a second at most 20 s
        try:
            sock.sendall(body[i : i + 1])
        except OSError:
            break
        sock.settimeout(1)
        try:
            data = sock.recv(65536)
        except (socket.timeout, TimeoutError):
            continue
        resp = harness._parse_response(data)
        break
    assert resp is not None, "no answer to a trickled body"
    assert time.monotonic() - started < 8
    assert resp.status == 408
    assert resp.json() == {
        "__type": "RequestTimeout",
        "message": "Your socket connection to the server was not read from or written to "
        "within the timeout period. Idle connections will be closed.",
    }
    assert resp.headers.get("connection") == "close"
    assert closed_within(sock, 3) is not None
    sock.close()
    assert server.get("/health").status == 200


def test_expect_continue_over_the_limit_is_refused_at_once(secure):
    headers = signed(secure, "TrentService.ListKeys", b"{}")
    sock = connect(secure)
    sock.sendall(head_bytes(secure, headers, 50_000_000, "Expect: 100-continue"))
    resp = read_response(sock, 5)
    assert resp.status == 413, resp.status
    assert resp.error_type == "RequestEntityTooLargeException"
    sock.close()


def test_expect_continue_unauthenticated_is_refused_before_continue(secure):
    headers = {"Content-Type": JSON_11, "X-Amz-Target": "TrentService.ListKeys"}
    sock = connect(secure)
    sock.sendall(head_bytes(secure, headers, 1000, "Expect: 100-continue"))
    resp = read_response(sock, 5)
    assert resp.status == 400
    assert resp.error_type == "MissingAuthenticationTokenException"
    sock.close()


def test_expect_continue_signed_gets_continue_then_an_answer(secure):
    body = b"{}"
    headers = signed(secure, "TrentService.ListKeys", body)
    sock = connect(secure)
    sock.sendall(head_bytes(secure, headers, len(body), "Expect: 100-continue"))
    sock.settimeout(5)
    interim = sock.recv(65536)
    assert interim.startswith(b"HTTP/1.1 100 Continue"), interim[:80]
    sock.sendall(body)
    rest = interim.split(b"\r\n\r\n", 1)[1]
    while not harness._complete(rest):
        rest += sock.recv(65536)
    resp = harness._parse_response(rest)
    assert resp.status == 200 and "Keys" in resp.json()
    sock.close()


def test_unknown_access_key_is_refused_before_the_body(secure):
    body = b"{}"
    headers = signed(secure, "TrentService.ListKeys", body)
    auth = headers["Authorization"].replace(secure.admin_credentials()[0], "AKIAUNKNOWNUNKNOWN00")
    headers["Authorization"] = auth
    sock = connect(secure)
    # Only the head: the body never comes, yet the answer does.
    sock.sendall(head_bytes(secure, headers, 1_000_000))
    resp = read_response(sock, 5)
    assert resp.status == 400 and resp.error_type == "UnrecognizedClientException"
    sock.close()


def test_unauthenticated_bodies_do_not_grow_memory(make_server, tmp_path):
    server = limited_server(
        make_server, tmp_path, SECURE_SQLITE, "body_budget_bytes = 8388608\n"
    )
    pid = server.proc.pid
    before = rss_kib(pid)
    headers = {"Content-Type": JSON_11, "X-Amz-Target": "TrentService.ListKeys",
               "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAFORGED000000/20260101/"
               "us-east-1/kms/aws4_request, SignedHeaders=host, Signature=" + "0" * 64}
    length = 2 * 1024 * 1024 - 1
    chunk = b"x" * 65536
    socks = []
    for _ in range(100):
        sock = connect(server)
        sock.sendall(head_bytes(server, headers, length))
        sock.setblocking(False)
        for _ in range(32):  # push up to 2 MiB each, as far as the server reads
            try:
                sock.send(chunk)
            except (BlockingIOError, ssl.SSLWantWriteError, OSError):
                break
        socks.append(sock)
    peak = rss_kib(pid)
    for sock in socks:
        sock.close()
    grown_mib = (peak - before) / 1024
    assert grown_mib < 40, f"RSS grew by {grown_mib:.0f} MiB for unauthenticated bodies"
    assert server.get("/health").status == 200


def test_body_budget_exhausted_answers_slow_down(make_server, tmp_path):
    extra = "max_body_bytes = 1048576\nbody_budget_bytes = 1048576\n"
    server = limited_server(make_server, tmp_path, DEV_SQLITE, extra)
    holder = connect(server)
    body = b'{"Limit": 10}' + b" " * (1048576 - 13)
    headers = signed(server, "TrentService.ListKeys", body)
    holder.sendall(head_bytes(server, headers, len(body)) + body[:1000])
    time.sleep(0.3)  # the first body now holds the whole budget
    resp = server.kms_raw("TrentService.ListKeys", body)
    assert resp.status == 503
    assert resp.json() == {"__type": "SlowDown", "message": "Please reduce your request rate."}
    assert resp.headers.get("retry-after") == "1"
    holder.sendall(body[1000:])
    assert read_response(holder, 5).status == 200
    holder.close()
    assert server.kms_raw("TrentService.ListKeys", body).status == 200


def test_malformed_chunked_body_gets_an_aws_error(dev):
    sock = connect(dev)
    head = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{dev.port}\r\nContent-Type: {JSON_11}\r\n"
        "X-Amz-Target: TrentService.ListKeys\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    sock.sendall(head + b"2\r\n{}\r\nZZ-not-hex\r\n\r\n")
    resp = read_response(sock, 5)
    assert resp.status == 400
    assert resp.error_type == "IncompleteBody"
    assert resp.json()["message"]
    sock.close()


def test_many_idle_connections_do_not_stop_health(secure):
    socks = [socket.create_connection(("127.0.0.1", secure.port), timeout=5) for _ in range(300)]
    try:
        started = time.monotonic()
        assert secure.get("/health").status == 200
        assert time.monotonic() - started < 1.0
    finally:
        for sock in socks:
            sock.close()


def test_low_descriptor_limit_stays_answerable(make_server, tmp_path, monkeypatch):
    wrapper = tmp_path / "rampart-256-fds"
    wrapper.write_text(f"#!/bin/sh\nulimit -n 256\nexec {harness.BINARY} \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(harness, "BINARY", wrapper)
    server = limited_server(make_server, tmp_path, SECURE_SQLITE)
    socks = []
    try:
        for _ in range(300):
            socks.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
        time.sleep(0.5)
        started = time.monotonic()
        assert server.get("/health").status == 200
        assert time.monotonic() - started < 1.0
        assert server.client().list_keys()["Keys"] is not None
    finally:
        for sock in socks:
            sock.close()
    log = server.stderr_path.read_text(errors="replace")
    assert log.count("accept failed") <= 3, log[-2000:]
    assert "caps open connections" in log


@pytest.mark.parametrize("mode", [DEV_SQLITE, SECURE_SQLITE])
def test_unparsable_head_gets_an_aws_error(make_server, tmp_path, mode):
    server = limited_server(make_server, tmp_path, mode)
    sock = connect(server)
    sock.sendall(
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Trent\x00Service.ListKeys\r\n"
        b"Content-Length: 2\r\n\r\n{}"
    )
    resp = read_response(sock, 5)
    assert resp.status == 400
    assert resp.headers["x-amzn-errortype"] == "BadRequest"
    assert resp.json()["__type"] == "BadRequest" and resp.json()["message"]
    assert closed_within(sock, 3) is not None
    sock.close()
    assert server.get("/health").status == 200


def test_http2_stream_flood_reads_no_unauthenticated_body(make_server, tmp_path):
    """100 streams on one HTTP/2 connection, each declaring a 2 MiB − 1 body with a forged
    signature: every stream is refused from its headers, and memory does not grow."""
    import h2.config
    import h2.connection
    import h2.events

    server = limited_server(make_server, tmp_path, SECURE_SQLITE)
    pid = server.proc.pid
    before = rss_kib(pid)
    sock = connect(server, alpn=["h2"])
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    statuses: dict[int, int] = {}

    def pump(seconds: float) -> None:
        sock.settimeout(0.2)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and len(statuses) < 100:
            try:
                data = sock.recv(65536)
            except (socket.timeout, TimeoutError):
                continue
            if not data:
                break
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived):
                    statuses[event.stream_id] = int(dict(event.headers)[b":status"])
            sock.sendall(conn.data_to_send())

    pump(0.5)  # the server's SETTINGS (100 concurrent streams)
    assert conn.remote_settings.max_concurrent_streams == 100
    forged = ("AWS4-HMAC-SHA256 Credential=AKIAFORGED000000/20260101/us-east-1/kms/aws4_request, "
              "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)
    for _ in range(100):
        stream = conn.get_next_available_stream_id()
        conn.send_headers(stream, [
            (":method", "POST"), (":path", "/"), (":scheme", "https"),
            (":authority", f"127.0.0.1:{server.port}"), ("content-type", JSON_11),
            ("x-amz-target", "TrentService.ListKeys"), ("x-amz-date", "20260101T000000Z"),
            ("authorization", forged), ("content-length", str(2 * 1024 * 1024 - 1)),
        ])
        room = min(conn.local_flow_control_window(stream), 16384)
        if room > 0:
            conn.send_data(stream, b"x" * room)
        sock.sendall(conn.data_to_send())
    pump(10)
    peak = rss_kib(pid)
    sock.close()
    assert len(statuses) == 100 and set(statuses.values()) <= {400, 403}, statuses
    grown_mib = (peak - before) / 1024
    assert grown_mib < 40, f"RSS grew by {grown_mib:.0f} MiB for one HTTP/2 connection"

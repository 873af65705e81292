"""Operator endpoints: health, LocalStack-compatible health, and reset (dev mode only)."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError


def test_health(server):
    for path in ("/health", "/_localstack/health"):
        resp = server.get(path)
        assert resp.status == 200, (path, resp.body)
        body = resp.json()
        assert body["sealed"] is False, body
        assert body["services"].get("kms") in ("running", "available"), body
    assert server.get("/health").json()["status"] == "ok"


def test_unknown_path_is_a_client_error(server):
    resp = server.get("/no/such/thing")
    assert 400 <= resp.status < 500, (resp.status, resp.body)


def test_reset_in_dev_mode_wipes_state(dev_server):
    kms = dev_server.client()
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"gone soon")["CiphertextBlob"]
    other = dev_server.client(access_key="222222222222")
    other_key = other.create_key()["KeyMetadata"]["KeyId"]
    for path in ("/_rampart/reset", "/moto-api/reset"):
        resp = dev_server.post(path)
        assert resp.status == 200, (path, resp.body)
        assert kms.list_keys()["Keys"] == []
        assert other.list_keys()["Keys"] == []
    with pytest.raises(ClientError) as err:
        kms.decrypt(CiphertextBlob=blob)
    assert err.value.response["Error"]["Code"] in ("NotFoundException", "InvalidCiphertextException")
    with pytest.raises(ClientError):
        other.describe_key(KeyId=other_key)
    new = kms.create_key()["KeyMetadata"]["KeyId"]
    alias = "alias/after-reset-" + uuid.uuid4().hex[:6]
    kms.create_alias(AliasName=alias, TargetKeyId=new)
    blob = kms.encrypt(KeyId=alias, Plaintext=b"fresh")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"fresh"


def test_reset_is_forbidden_in_secure_mode(secure_server):
    kms = secure_server.client()
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    for path in ("/_rampart/reset", "/moto-api/reset"):
        resp = secure_server.post(path)
        assert resp.status == 403, (path, resp.status, resp.body)
        assert resp.error_type == "AccessDeniedException", resp.body
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"


def test_secure_banner_and_files(secure_server):
    out = "\n".join(secure_server.stdout_lines)
    assert "Rampart listening on https://" in out
    assert "AWS_SHARED_CREDENTIALS_FILE=" in out and "AWS_CA_BUNDLE=" in out
    ak, sk = secure_server.admin_credentials()
    assert sk not in out, "the banner must not print the secret access key"
    assert (secure_server.data_dir / "tls" / "ca.pem").exists()
    assert (secure_server.data_dir / "credentials").exists()


def test_dev_banner_and_no_credentials_file(dev_server):
    assert any("Rampart listening on http://" in line for line in dev_server.stdout_lines)
    assert not (dev_server.data_dir / "credentials").exists()


def test_plain_http_is_refused_by_the_tls_port(secure_server):
    import socket

    with socket.create_connection(("127.0.0.1", secure_server.port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        try:
            while chunk := sock.recv(4096):
                data += chunk
        except OSError:
            pass
    assert b'"status"' not in data, "secure mode answered plain HTTP"
    assert secure_server.get("/health").status == 200

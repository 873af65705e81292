"""Secrets at rest: the database (SQLite files or a PostgreSQL dump), the audit trail and the
server log never hold data-key plaintext, known plaintext or the admin secret access key."""

from __future__ import annotations

import base64
import subprocess
import time
import uuid

import pytest

from harness import ALL_MODES


def _forms(secret: bytes) -> dict[str, bytes]:
    return {
        "raw": secret,
        "base64": base64.b64encode(secret),
        "hex": secret.hex().encode(),
        "HEX": secret.hex().upper().encode(),
    }


def _database_bytes(server) -> dict[str, bytes]:
    if server.postgres:
        dump = subprocess.run(["pg_dump", "--data-only", server.database_url],
                              check=True, capture_output=True, timeout=120)
        return {"pg_dump": dump.stdout}
    files = sorted(server.data_dir.glob("rampart.db*"))
    assert any(f.name == "rampart.db" for f in files), list(server.data_dir.iterdir())
    return {f.name: f.read_bytes() for f in files}


def _assert_absent(where: dict[str, bytes], secrets: dict[str, bytes]) -> None:
    for place, data in where.items():
        for name, secret in secrets.items():
            for form, needle in _forms(secret).items():
                assert needle not in data, f"{name} ({form}) found in {place}"


@pytest.mark.parametrize("mode", ALL_MODES)
def test_no_secrets_in_the_store_or_logs(make_server, mode):
    server = make_server(mode)
    kms = server.client()
    key = kms.create_key(Description="at rest")["KeyMetadata"]["KeyId"]
    known = f"known plaintext {uuid.uuid4()} canary".encode()
    blob = kms.encrypt(KeyId=key, Plaintext=known, EncryptionContext={"k": "v"})["CiphertextBlob"]
    data_key = kms.generate_data_key(KeyId=key, KeySpec="AES_256")["Plaintext"]
    big_key = kms.generate_data_key(KeyId=key, NumberOfBytes=64)["Plaintext"]
    random = kms.generate_random(NumberOfBytes=32)["Plaintext"]
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"k": "v"})["Plaintext"] == known
    secrets = {"data key": data_key, "64-byte data key": big_key, "known plaintext": known,
               "random bytes": random}
    if not server.dev:
        secrets["admin secret"] = server.admin_credentials()[1].encode()

    time.sleep(1.5)  # let the audit writer flush its batch
    _assert_absent(_database_bytes(server), secrets)
    tail = server.rampart("audit", "tail", *server.store_args(), "-n", "100").stdout.encode()
    assert b"GenerateDataKey" in tail, "audit trail has no GenerateDataKey record"
    _assert_absent({"audit tail": tail}, secrets)

    assert server.stop() == 0
    _assert_absent(_database_bytes(server), secrets)
    log = server.stderr_path.read_bytes()
    stdout = "\n".join(server.stdout_lines).encode()
    _assert_absent({"server log": log, "server stdout": stdout}, secrets)


def test_root_key_file_is_private_and_not_in_the_database(make_server):
    server = make_server("secure-sqlite")
    root = server.data_dir / "root.key"
    assert root.exists(), list(server.data_dir.iterdir())
    assert root.stat().st_mode & 0o777 == 0o600
    assert server.data_dir.stat().st_mode & 0o777 == 0o700
    material = root.read_bytes().strip()
    server.client().create_key()
    assert server.stop() == 0
    db = b"".join(_database_bytes(server).values())
    assert material not in db
    for line in material.splitlines():
        if len(line) >= 16:
            assert line not in db

"""Sealing: Shamir shares (`rampart operator init` / `unseal`) and passphrase seals."""

from __future__ import annotations

import json
import subprocess

import pytest

from harness import BINARY, SECURE_MODES, clean_env, run_rampart

PASSPHRASE = "correct horse battery staple"


def _init_shamir(server, shares: int = 5, threshold: int = 3) -> list[str]:
    out = run_rampart("operator", "init", *server.store_args(), "--shares", str(shares),
                      "--threshold", str(threshold)).stdout
    lines = out.splitlines()
    marker = [i for i, line in enumerate(lines) if "They are shown only now:" in line]
    assert marker, out
    found = [line.strip() for line in lines[marker[0] + 1:] if line.strip()]
    assert len(found) == shares and len(set(found)) == shares, out
    return found


def _assert_sealed(server) -> None:
    health = server.get("/health")
    assert health.status == 200 and health.json()["sealed"] is True, health.body
    resp = server.kms_raw("TrentService.ListKeys", "{}", sign=False)
    assert resp.status == 503, (resp.status, resp.body)
    assert resp.error_type == "ServiceUnavailableException", resp.body


def _unseal(server, secret: str) -> dict:
    return json.loads(server.unseal(secret).stdout)


@pytest.mark.parametrize("mode", SECURE_MODES)
def test_shamir_unseal_needs_three_distinct_shares(make_server, mode):
    server = make_server(mode, start=False)
    shares = _init_shamir(server)
    again = run_rampart("operator", "init", *server.store_args(), check=False)
    assert again.returncode != 0, "a second init must be refused"

    server.start()
    _assert_sealed(server)
    assert not (server.data_dir / "credentials").exists()

    assert _unseal(server, shares[0]) == {"sealed": True, "progress": 1, "threshold": 3}
    repeat = server.unseal(shares[0], check=False)
    if repeat.returncode == 0:
        assert json.loads(repeat.stdout)["progress"] == 1, "a repeated share must not count"
    garbage = server.unseal("not-a-share", check=False)
    assert garbage.returncode != 0
    assert _unseal(server, shares[1]) == {"sealed": True, "progress": 2, "threshold": 3}
    _assert_sealed(server)
    assert _unseal(server, shares[2])["sealed"] is False

    health = server.get("/health").json()
    assert health["sealed"] is False and health["status"] == "ok"
    assert (server.data_dir / "credentials").stat().st_mode & 0o777 == 0o600
    kms = server.client()
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"shamir")["CiphertextBlob"]

    server.restart()
    _assert_sealed(server)
    for share in shares[2:]:
        _unseal(server, share)
    assert server.client().decrypt(CiphertextBlob=blob)["Plaintext"] == b"shamir"
    assert server.stop() == 0


@pytest.mark.parametrize("mode", SECURE_MODES)
def test_passphrase_seal(make_server, mode):
    server = make_server(mode, start=False, extra_args=["--seal", "passphrase"])
    server.start(env={"RAMPART_PASSPHRASE": PASSPHRASE})
    assert server.get("/health").json()["sealed"] is False
    assert not (server.data_dir / "root.key").exists(), "passphrase mode must not write a key file"
    kms = server.client()
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"passphrase")["CiphertextBlob"]

    server.restart()  # no RAMPART_PASSPHRASE this time
    _assert_sealed(server)
    wrong = server.unseal("wrong passphrase, long enough", check=False)
    assert wrong.returncode != 0
    _assert_sealed(server)
    assert _unseal(server, PASSPHRASE)["sealed"] is False
    assert server.client().decrypt(CiphertextBlob=blob)["Plaintext"] == b"passphrase"

    server.restart(env={"RAMPART_PASSPHRASE": PASSPHRASE})
    assert server.get("/health").json()["sealed"] is False
    assert server.client().decrypt(CiphertextBlob=blob)["Plaintext"] == b"passphrase"
    assert server.stop() == 0


def test_wrong_passphrase_at_start_is_an_error(make_server):
    server = make_server("secure-sqlite", start=False, extra_args=["--seal", "passphrase"])
    server.start(env={"RAMPART_PASSPHRASE": PASSPHRASE})
    assert server.stop() == 0
    proc = subprocess.run(
        [str(BINARY), "serve", *server.store_args(), "--listen", "127.0.0.1:0"],
        env=clean_env({"RAMPART_PASSPHRASE": "a different passphrase"}),
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode != 0, proc.stdout
    assert PASSPHRASE not in proc.stderr and "a different passphrase" not in proc.stderr


def test_short_passphrase_is_refused(make_server):
    server = make_server("secure-sqlite", start=False)
    proc = subprocess.run(
        [str(BINARY), "serve", *server.store_args(), "--listen", "127.0.0.1:0",
         "--seal", "passphrase"],
        env=clean_env({"RAMPART_PASSPHRASE": "too short"}),
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode != 0, proc.stdout
    assert "12 characters" in proc.stderr
    assert "too short" not in proc.stderr


def test_passphrase_seal_needs_the_passphrase_on_first_start(make_server):
    server = make_server("secure-sqlite", start=False)
    proc = subprocess.run(
        [str(BINARY), "serve", *server.store_args(), "--listen", "127.0.0.1:0",
         "--seal", "passphrase"],
        env=clean_env(), capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode != 0, proc.stdout
    assert "RAMPART_PASSPHRASE" in proc.stderr


def test_sealed_server_stops_cleanly(make_server):
    server = make_server("secure-sqlite", start=False)
    _init_shamir(server)
    server.start()
    _assert_sealed(server)
    assert server.stop(timeout=10) == 0


def test_shares_from_another_seal_do_not_unseal(make_server):
    server = make_server("secure-sqlite", start=False)
    other = make_server("secure-sqlite", start=False)
    mine, foreign = _init_shamir(server), _init_shamir(other)
    server.start()
    _unseal(server, mine[0])
    _unseal(server, mine[1])
    bad = server.unseal(foreign[2], check=False)
    assert bad.returncode != 0, bad.stdout
    assert "UnsealFailedException" in bad.stderr
    _assert_sealed(server)
    # The failed attempt does not brick the server: three good shares still unseal it.
    for share in mine[2:]:
        reply = _unseal(server, share)
    assert reply["sealed"] is False
    assert server.client().list_keys()["Keys"] == []

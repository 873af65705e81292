"""Background jobs driven by the dev-mode clock knob, `POST /_rampart/clock {"advance_seconds": N}`,
which moves a `--dev` server's clock forward and runs every background job at once: a key
scheduled for deletion is gone once the clock passes its deletion date, imported material
expires once it passes ValidTo, an automatic rotation
due on two nodes sharing one PostgreSQL database happens exactly once, and the knob is refused
in secure mode."""

from __future__ import annotations

import datetime
import json
import os
import time

import pytest
from botocore.exceptions import ClientError

from harness import DEV_SQLITE, PG_ENV, SECURE_SQLITE, Server, postgres_admin_url
from test_kms_import import external_key, import_material

DAY = 86400
DEV_POSTGRES = "dev-postgres"


def advance(server, seconds: int):
    body = json.dumps({"advance_seconds": seconds}).encode()
    return server.post("/_rampart/clock", body, headers={"Content-Type": "application/json"})


def advance_ok(server, seconds: int) -> int:
    resp = advance(server, seconds)
    assert resp.status == 200, (resp.status, resp.body)
    return resp.json()["offset_seconds"]


def error_code(call) -> str:
    with pytest.raises(ClientError) as err:
        call()
    return err.value.response["Error"]["Code"]


@pytest.mark.parametrize("mode", [DEV_SQLITE, DEV_POSTGRES])
def test_deletion_happens_when_the_clock_passes_its_date(make_server, mode):
    server = make_server(mode)
    kms = server.client()
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kept = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    assert advance_ok(server, 6 * DAY) == 6 * DAY
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert advance_ok(server, 2 * DAY) == 8 * DAY
    assert error_code(lambda: kms.describe_key(KeyId=key)) == "NotFoundException"
    assert kms.describe_key(KeyId=kept)["KeyMetadata"]["KeyState"] == "Enabled"


def test_imported_material_expires_when_the_clock_passes_valid_to(make_server):
    server = make_server(DEV_SQLITE)
    kms = server.client()
    key = external_key(kms)["KeyId"]
    valid_to = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
    import_material(kms, key, os.urandom(32), ExpirationModel="KEY_MATERIAL_EXPIRES",
                    ValidTo=valid_to)
    advance_ok(server, DAY)
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"
    advance_ok(server, DAY + 60)
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "PendingImport"


def test_the_clock_knob_is_validated_and_refused_in_secure_mode(make_server):
    dev = make_server(DEV_SQLITE)
    too_far = b'{"advance_seconds": 3153600001}'
    for body in (b"", b"{}", b'{"advance_seconds": -5}', b'{"advance_seconds": "1"}', too_far):
        resp = dev.post("/_rampart/clock", body, headers={"Content-Type": "application/json"})
        assert resp.status == 400, (body, resp.status, resp.body)
    assert advance_ok(dev, 0) == 0
    secure = make_server(SECURE_SQLITE)
    resp = advance(secure, DAY)
    assert resp.status == 403, (resp.status, resp.body)
    assert resp.error_type == "AccessDeniedException", resp.body


@pytest.fixture
def two_dev_nodes(make_server):
    if not postgres_admin_url():
        pytest.skip(f"{PG_ENV} is not set: two nodes need a shared PostgreSQL database")
    first = make_server(DEV_POSTGRES)
    second = Server(DEV_POSTGRES, first.data_dir, first.database_url)
    make_server.servers.append(second)
    second.start()
    return first, second


def test_an_automatic_rotation_due_on_two_nodes_happens_once(two_dev_nodes):
    a, b = two_dev_nodes
    ka, kb = a.client(), b.client()
    key = ka.create_key()["KeyMetadata"]["KeyId"]
    blob = ka.encrypt(KeyId=key, Plaintext=b"before")["CiphertextBlob"]
    ka.enable_key_rotation(KeyId=key, RotationPeriodInDays=90)
    assert kb.list_key_rotations(KeyId=key)["Rotations"] == []
    for node in (a, b, a, b):
        advance_ok(node, 46 * DAY)
    # Each forced run happened at once; a node that found the rotation job's lease held by
    # the other's periodic run leaves the rotation to that run (due on its clock too by then).
    rotations = _eventually_rotated(kb, key)
    assert len(rotations) == 1, rotations
    assert rotations[0]["RotationType"] == "AUTOMATIC"
    assert ka.list_key_rotations(KeyId=key)["Rotations"] == rotations
    status = kb.get_key_rotation_status(KeyId=key)
    assert status["KeyRotationEnabled"] is True
    assert kb.decrypt(CiphertextBlob=blob)["Plaintext"] == b"before"


def _eventually_rotated(kms, key: str, within: float = 12.0) -> list[dict]:
    deadline = time.monotonic() + within
    while True:
        rotations = kms.list_key_rotations(KeyId=key)["Rotations"]
        if rotations or time.monotonic() > deadline:
            return rotations
        time.sleep(0.2)

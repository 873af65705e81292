"""KMS key rotation through boto3, on every matrix entry: EnableKeyRotation / DisableKeyRotation /
GetKeyRotationStatus with rotation periods, RotateKeyOnDemand (old and new ciphertexts both
decrypt), ListKeyRotations with its pages, and the refusals AWS gives for keys that cannot rotate.
Automatic rotation needs a clock months ahead: the Rust tests drive it with a manual clock."""

from __future__ import annotations

import datetime
import json

from harness import expect_error

NON_SYMMETRIC = (
    r"^You cannot perform this operation on a non-symmetric key or a key with "
    r"non-ENCRYPT_DECRYPT key usage\.$"
)


def new_key(kms, **kwargs) -> dict:
    return kms.create_key(**kwargs)["KeyMetadata"]


def days_from_now(when: datetime.datetime) -> float:
    now = datetime.datetime.now(datetime.timezone.utc)
    return (when - now).total_seconds() / 86400


def test_enable_status_and_disable(kms):
    meta = new_key(kms)
    status = kms.get_key_rotation_status(KeyId=meta["KeyId"])
    assert status["KeyRotationEnabled"] is False
    assert status["KeyId"] == meta["Arn"]
    assert "RotationPeriodInDays" not in status

    kms.enable_key_rotation(KeyId=meta["KeyId"])
    status = kms.get_key_rotation_status(KeyId=meta["Arn"])
    assert status["KeyRotationEnabled"] is True
    assert status["RotationPeriodInDays"] == 365
    assert abs(days_from_now(status["NextRotationDate"]) - 365) < 0.01
    assert "OnDemandRotationStartDate" not in status

    kms.enable_key_rotation(KeyId=meta["KeyId"], RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=meta["KeyId"])
    assert status["RotationPeriodInDays"] == 90
    assert abs(days_from_now(status["NextRotationDate"]) - 90) < 0.01

    kms.disable_key_rotation(KeyId=meta["KeyId"])
    status = kms.get_key_rotation_status(KeyId=meta["KeyId"])
    assert status["KeyRotationEnabled"] is False
    assert "NextRotationDate" not in status


def test_rotation_period_bounds(kms, server):
    meta = new_key(kms)
    for days in (90, 2560):
        kms.enable_key_rotation(KeyId=meta["KeyId"], RotationPeriodInDays=days)
        assert kms.get_key_rotation_status(KeyId=meta["KeyId"])["RotationPeriodInDays"] == days
    # boto3 checks the minimum itself, so the bounds are sent by hand.
    for days, bound in ((89, "greater than or equal to 90"), (2561, "less than or equal to 2560")):
        body = json.dumps({"KeyId": meta["KeyId"], "RotationPeriodInDays": days})
        resp = server.kms_raw("TrentService.EnableKeyRotation", body)
        assert resp.status == 400
        assert resp.error_type == "ValidationException"
        assert resp.json()["message"] == (
            f"1 validation error detected: Value '{days}' at 'rotationPeriodInDays' failed to "
            f"satisfy constraint: Member must have value {bound}"
        )
    assert kms.get_key_rotation_status(KeyId=meta["KeyId"])["RotationPeriodInDays"] == 2560


def test_rotate_on_demand_keeps_old_ciphertexts(kms):
    meta = new_key(kms)
    kms.enable_key_rotation(KeyId=meta["KeyId"], RotationPeriodInDays=730)
    schedule = kms.get_key_rotation_status(KeyId=meta["KeyId"])["NextRotationDate"]
    old = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"before rotation",
                      EncryptionContext={"purpose": "rotation"})["CiphertextBlob"]
    assert kms.rotate_key_on_demand(KeyId=meta["KeyId"])["KeyId"] == meta["Arn"]
    new = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"after rotation")["CiphertextBlob"]
    assert new != old
    dec = kms.decrypt(CiphertextBlob=old, EncryptionContext={"purpose": "rotation"})
    assert dec["Plaintext"] == b"before rotation"
    assert dec["KeyId"] == meta["Arn"]
    assert kms.decrypt(CiphertextBlob=new)["Plaintext"] == b"after rotation"
    reencrypted = kms.re_encrypt(CiphertextBlob=old, DestinationKeyId=meta["KeyId"],
                                 SourceEncryptionContext={"purpose": "rotation"})
    assert kms.decrypt(CiphertextBlob=reencrypted["CiphertextBlob"])["Plaintext"] == (
        b"before rotation"
    )
    status = kms.get_key_rotation_status(KeyId=meta["KeyId"])
    assert status["NextRotationDate"] == schedule, "on-demand rotation keeps the schedule"

    rotations = kms.list_key_rotations(KeyId=meta["KeyId"])
    assert rotations["Truncated"] is False
    [entry] = rotations["Rotations"]
    assert entry["KeyId"] == meta["KeyId"]
    assert entry["RotationType"] == "ON_DEMAND"
    assert entry["KeyMaterialState"] == "CURRENT"
    assert len(entry["KeyMaterialId"]) == 64
    assert abs(days_from_now(entry["RotationDate"])) < 0.01
    everything = kms.list_key_rotations(KeyId=meta["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")
    first, second = everything["Rotations"]
    assert first["KeyMaterialState"] == "NON_CURRENT"
    assert "RotationType" not in first
    assert second == entry


def test_list_key_rotations_pages(kms):
    meta = new_key(kms)
    for _ in range(3):
        kms.rotate_key_on_demand(KeyId=meta["KeyId"])
    seen, marker = [], None
    while True:
        page = kms.list_key_rotations(KeyId=meta["KeyId"], Limit=1,
                                      **({"Marker": marker} if marker else {}))
        seen += page["Rotations"]
        if not page["Truncated"]:
            break
        marker = page["NextMarker"]
    assert [r["KeyMaterialState"] for r in seen] == ["NON_CURRENT", "NON_CURRENT", "CURRENT"]
    assert len({r["KeyMaterialId"] for r in seen}) == 3
    expect_error(kms.list_key_rotations, "InvalidMarkerException",
                 KeyId=meta["KeyId"], Marker="bm90LWEtbWFya2Vy")


def test_keys_that_cannot_rotate(kms):
    for spec, usage in (("ECC_NIST_P256", "SIGN_VERIFY"), ("HMAC_256", "GENERATE_VERIFY_MAC"),
                        ("RSA_2048", "ENCRYPT_DECRYPT")):
        meta = new_key(kms, KeySpec=spec, KeyUsage=usage)
        for call in (kms.enable_key_rotation, kms.disable_key_rotation, kms.rotate_key_on_demand,
                     kms.list_key_rotations):
            expect_error(call, "UnsupportedOperationException", NON_SYMMETRIC,
                         KeyId=meta["KeyId"])
        assert kms.get_key_rotation_status(KeyId=meta["KeyId"])["KeyRotationEnabled"] is False
    external = new_key(kms, Origin="EXTERNAL")
    origin = rf"^{external['Arn']} origin is EXTERNAL which is not valid for this operation\.$"
    for call in (kms.enable_key_rotation, kms.get_key_rotation_status):
        expect_error(call, "UnsupportedOperationException", origin, KeyId=external["KeyId"])
    # Imported material rotates on demand once it is imported (test_kms_import covers it).
    expect_error(kms.rotate_key_on_demand, "KMSInvalidStateException",
                 rf"^{external['Arn']} is pending import\.$", KeyId=external["KeyId"])
    multi = new_key(kms, Origin="EXTERNAL", MultiRegion=True)
    origin = rf"^{multi['Arn']} origin is EXTERNAL which is not valid for this operation\.$"
    expect_error(kms.rotate_key_on_demand, "UnsupportedOperationException", origin,
                 KeyId=multi["KeyId"])
    expect_error(kms.enable_key_rotation, "NotFoundException",
                 KeyId="11111111-2222-3333-4444-555555555555")


def test_rotation_and_key_states(kms):
    meta = new_key(kms)
    kms.disable_key(KeyId=meta["KeyId"])
    for call in (kms.enable_key_rotation, kms.disable_key_rotation, kms.rotate_key_on_demand):
        expect_error(call, "DisabledException", rf"^{meta['Arn']} is disabled\.$",
                     KeyId=meta["KeyId"])
    kms.enable_key(KeyId=meta["KeyId"])
    kms.enable_key_rotation(KeyId=meta["KeyId"])
    kms.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=7)
    expect_error(kms.rotate_key_on_demand, "KMSInvalidStateException",
                 rf"^{meta['Arn']} is pending deletion\.$", KeyId=meta["KeyId"])
    assert kms.get_key_rotation_status(KeyId=meta["KeyId"])["KeyRotationEnabled"] is False
    kms.cancel_key_deletion(KeyId=meta["KeyId"])
    assert kms.get_key_rotation_status(KeyId=meta["KeyId"])["KeyRotationEnabled"] is True

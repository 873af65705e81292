"""KMS imported key material (BYOK) through boto3, on every matrix entry, with the material
wrapped OFFLINE by a second implementation (`cryptography`) under GetParametersForImport's public
key, in every wrapping algorithm: ImportKeyMaterial, DeleteImportedKeyMaterial, reimport of the
same material only, import token errors, ValidTo expiry by the background job, and HMAC, ECC and
RSA material whose MACs and signatures are checked offline with the known key."""

from __future__ import annotations

import ctypes.util
import datetime
import glob
import hashlib
import hmac
import json
import os
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

from harness import DEV_SQLITE, b64, expect_error

ALGORITHMS = [
    "RSAES_PKCS1_V1_5",
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "RSA_AES_KEY_WRAP_SHA_1",
    "RSA_AES_KEY_WRAP_SHA_256",
]


def _oaep(sha256: bool) -> padding.OAEP:
    h = hashes.SHA256() if sha256 else hashes.SHA1()
    return padding.OAEP(mgf=padding.MGF1(algorithm=h), algorithm=h, label=None)


def wrap(public_der: bytes, algorithm: str, material: bytes) -> bytes:
    """Wraps key material as a customer does before ImportKeyMaterial."""
    public = serialization.load_der_public_key(public_der)
    assert isinstance(public, rsa.RSAPublicKey)
    sha256 = algorithm.endswith("256")
    if algorithm == "RSAES_PKCS1_V1_5":
        return public.encrypt(material, padding.PKCS1v15())
    if algorithm.startswith("RSAES_OAEP"):
        return public.encrypt(material, _oaep(sha256))
    aes_key = os.urandom(32)
    return public.encrypt(aes_key, _oaep(sha256)) + aes_key_wrap_with_padding(aes_key, material)


def external_key(kms, **kwargs) -> dict:
    meta = kms.create_key(Origin="EXTERNAL", **kwargs)["KeyMetadata"]
    assert meta["KeyState"] == "PendingImport"
    assert meta["Origin"] == "EXTERNAL"
    return meta


def import_material(kms, key_id: str, material: bytes, algorithm: str = "RSAES_OAEP_SHA_256",
                    spec: str = "RSA_2048", **kwargs) -> dict:
    params = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=algorithm,
                                           WrappingKeySpec=spec)
    return kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrap(params["PublicKey"], algorithm, material),
        **kwargs,
    )


@pytest.mark.parametrize(
    "algorithm,spec",
    [(a, "RSA_2048") for a in ALGORITHMS] + [("RSA_AES_KEY_WRAP_SHA_256", "RSA_4096")],
)
def test_import_symmetric_material_in_each_wrapping_algorithm(kms, algorithm, spec):
    meta = external_key(kms, Description=f"byok {algorithm}")
    params = kms.get_parameters_for_import(KeyId=meta["KeyId"], WrappingAlgorithm=algorithm,
                                           WrappingKeySpec=spec)
    assert params["KeyId"] == meta["Arn"]
    public = serialization.load_der_public_key(params["PublicKey"])
    assert public.key_size == int(spec[4:])
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((params["ParametersValidTo"] - now).total_seconds() - 86400) < 120
    material = os.urandom(32)
    out = kms.import_key_material(
        KeyId=meta["KeyId"],
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrap(params["PublicKey"], algorithm, material),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    assert out["KeyId"] == meta["Arn"]
    assert len(out["KeyMaterialId"]) == 64
    described = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert described["KeyState"] == "Enabled"
    assert described["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"
    assert "ValidTo" not in described
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"imported key")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"imported key"


def test_delete_and_reimport_only_the_same_material(kms):
    meta = external_key(kms)
    material = os.urandom(32)
    first = import_material(kms, meta["KeyId"], material)
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"kept")["CiphertextBlob"]

    deleted = kms.delete_imported_key_material(KeyId=meta["KeyId"])
    assert deleted["KeyId"] == meta["Arn"]
    assert deleted["KeyMaterialId"] == first["KeyMaterialId"]
    described = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert described["KeyState"] == "PendingImport"
    assert "ExpirationModel" not in described
    pending = rf"^{meta['Arn']} is pending import\.$"
    expect_error(kms.encrypt, "KMSInvalidStateException", pending, KeyId=meta["KeyId"],
                 Plaintext=b"x")
    expect_error(kms.decrypt, "KMSInvalidStateException", pending, CiphertextBlob=blob)

    expect_error(import_material, "IncorrectKeyMaterialException", None, kms=kms,
                 key_id=meta["KeyId"], material=os.urandom(32))
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"

    again = import_material(kms, meta["KeyId"], material, algorithm="RSA_AES_KEY_WRAP_SHA_1")
    assert again["KeyMaterialId"] == first["KeyMaterialId"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"
    expect_error(import_material, "IncorrectKeyMaterialException", "already the current", kms=kms,
                 key_id=meta["KeyId"], material=material, ImportType="NEW_KEY_MATERIAL")

    rotations = kms.list_key_rotations(KeyId=meta["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")
    [entry] = rotations["Rotations"]
    assert entry["KeyMaterialId"] == first["KeyMaterialId"]
    assert entry["ImportState"] == "IMPORTED"
    assert entry["KeyMaterialState"] == "CURRENT"


def test_import_token_errors(kms):
    meta = external_key(kms)
    other = external_key(kms)
    material = os.urandom(32)
    params = kms.get_parameters_for_import(KeyId=meta["KeyId"],
                                           WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                           WrappingKeySpec="RSA_2048")
    wrapped = wrap(params["PublicKey"], "RSAES_OAEP_SHA_256", material)
    expect_error(kms.import_key_material, "InvalidImportTokenException", None,
                 KeyId=meta["KeyId"], ImportToken=b"not a token", EncryptedKeyMaterial=wrapped)
    expect_error(kms.import_key_material, "InvalidImportTokenException", None,
                 KeyId=other["KeyId"], ImportToken=params["ImportToken"],
                 EncryptedKeyMaterial=wrapped)
    expect_error(kms.import_key_material, "InvalidCiphertextException", None,
                 KeyId=meta["KeyId"], ImportToken=params["ImportToken"],
                 EncryptedKeyMaterial=os.urandom(256))
    sha1 = wrap(params["PublicKey"], "RSAES_OAEP_SHA_1", material)
    expect_error(kms.import_key_material, "InvalidCiphertextException", None,
                 KeyId=meta["KeyId"], ImportToken=params["ImportToken"],
                 EncryptedKeyMaterial=sha1)
    for key in (meta, other):
        assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"
    kms.import_key_material(KeyId=meta["KeyId"], ImportToken=params["ImportToken"],
                            EncryptedKeyMaterial=wrapped)


def test_import_refusals(kms):
    generated = kms.create_key()["KeyMetadata"]
    origin = rf"^{generated['Arn']} origin is AWS_KMS which is not valid for this operation\.$"
    expect_error(kms.get_parameters_for_import, "UnsupportedOperationException", origin,
                 KeyId=generated["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                 WrappingKeySpec="RSA_2048")
    expect_error(kms.delete_imported_key_material, "UnsupportedOperationException", origin,
                 KeyId=generated["KeyId"])
    meta = external_key(kms)
    expect_error(kms.get_parameters_for_import, "UnsupportedOperationException", "SM2",
                 KeyId=meta["KeyId"], WrappingAlgorithm="SM2PKE", WrappingKeySpec="SM2")
    expect_error(kms.get_parameters_for_import, "ValidationException", None,
                 KeyId=meta["KeyId"], WrappingAlgorithm="SM2PKE", WrappingKeySpec="RSA_2048")
    rsa_key = external_key(kms, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    expect_error(kms.get_parameters_for_import, "ValidationException", "RSA_AES_KEY_WRAP",
                 KeyId=rsa_key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                 WrappingKeySpec="RSA_4096")
    for material in (os.urandom(16), os.urandom(48)):
        expect_error(import_material, "IncorrectKeyMaterialException", None, kms=kms,
                     key_id=meta["KeyId"], material=material)
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    expect_error(import_material, "ValidationException", None, kms=kms, key_id=meta["KeyId"],
                 material=os.urandom(32), ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
                 ValidTo=later)
    expect_error(import_material, "ValidationException", None, kms=kms, key_id=meta["KeyId"],
                 material=os.urandom(32), ExpirationModel="KEY_MATERIAL_EXPIRES")
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"


def test_valid_to_expiry_by_the_background_job(kms):
    meta = external_key(kms)
    material = os.urandom(32)
    valid_to = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=4)
    import_material(kms, meta["KeyId"], material, ExpirationModel="KEY_MATERIAL_EXPIRES",
                    ValidTo=valid_to)
    described = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert described["ExpirationModel"] == "KEY_MATERIAL_EXPIRES"
    assert abs((described["ValidTo"] - valid_to).total_seconds()) < 1
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"short-lived")["CiphertextBlob"]
    deadline = time.monotonic() + 30
    while kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyState"] != "PendingImport":
        assert time.monotonic() < deadline, "the material did not expire"
        time.sleep(0.5)
    described = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert "ValidTo" not in described
    expect_error(kms.decrypt, "KMSInvalidStateException", "pending import", CiphertextBlob=blob)
    import_material(kms, meta["KeyId"], material)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"short-lived"


def test_import_hmac_material_and_check_macs_offline(kms):
    meta = external_key(kms, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    material = os.urandom(32)
    import_material(kms, meta["KeyId"], material, algorithm="RSAES_OAEP_SHA_1")
    message = b"mac me offline"
    mac = kms.generate_mac(KeyId=meta["KeyId"], Message=message, MacAlgorithm="HMAC_SHA_256")
    assert mac["Mac"] == hmac.new(material, message, hashlib.sha256).digest()
    offline = hmac.new(material, b"other", hashlib.sha256).digest()
    assert kms.verify_mac(KeyId=meta["KeyId"], Message=b"other", MacAlgorithm="HMAC_SHA_256",
                          Mac=offline)["MacValid"] is True


@pytest.mark.parametrize("spec,algorithm", [
    ("ECC_NIST_P256", "RSA_AES_KEY_WRAP_SHA_256"),
    ("ECC_NIST_P384", "RSAES_OAEP_SHA_256"),
    ("RSA_2048", "RSA_AES_KEY_WRAP_SHA_1"),
])
def test_import_signing_key_and_verify_offline(kms, spec, algorithm):
    if spec.startswith("ECC"):
        curve = ec.SECP256R1() if spec == "ECC_NIST_P256" else ec.SECP384R1()
        private = ec.generate_private_key(curve)
        signing = "ECDSA_SHA_256" if spec == "ECC_NIST_P256" else "ECDSA_SHA_384"
    else:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        signing = "RSASSA_PSS_SHA_256"
    pkcs8 = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    meta = external_key(kms, KeySpec=spec, KeyUsage="SIGN_VERIFY")
    import_material(kms, meta["KeyId"], pkcs8, algorithm=algorithm, spec="RSA_3072")
    public_der = kms.get_public_key(KeyId=meta["KeyId"])["PublicKey"]
    assert public_der == private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    message = b"signed by imported material"
    signature = kms.sign(KeyId=meta["KeyId"], Message=message, MessageType="RAW",
                         SigningAlgorithm=signing)["Signature"]
    public = private.public_key()
    if spec.startswith("ECC"):
        digest = hashes.SHA256() if signing.endswith("256") else hashes.SHA384()
        public.verify(signature, message, ec.ECDSA(digest))
    else:
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        public.verify(signature, message, pss, hashes.SHA256())


def _libfaketime() -> str | None:
    found = glob.glob("/usr/lib/*/faketime/libfaketime.so.1") or glob.glob(
        "/usr/lib/faketime/libfaketime.so.1")
    return found[0] if found else (ctypes.util.find_library("faketime") or None)


def test_expired_import_token_after_24_hours(make_server):
    """A dev server restarted 25 hours in the future (libfaketime) refuses yesterday's token."""
    lib = _libfaketime()
    if lib is None:
        pytest.skip("libfaketime is not installed (apt-get install faketime)")
    server = make_server(DEV_SQLITE)
    kms = server.client()
    meta = external_key(kms)
    params = kms.get_parameters_for_import(KeyId=meta["KeyId"],
                                           WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                           WrappingKeySpec="RSA_2048")
    wrapped = wrap(params["PublicKey"], "RSAES_OAEP_SHA_256", os.urandom(32))
    server.stop()
    server.start(env={"LD_PRELOAD": lib, "FAKETIME": "+25h",
                      "FAKETIME_DONT_FAKE_MONOTONIC": "1", "FAKETIME_NO_CACHE": "1"})
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=25)
    body = json.dumps({"KeyId": meta["KeyId"], "ImportToken": b64(params["ImportToken"]),
                       "EncryptedKeyMaterial": b64(wrapped)})
    resp = server.kms_raw("TrentService.ImportKeyMaterial", body,
                          signed_at=later.replace(tzinfo=None))
    assert resp.status == 400, resp.body
    assert resp.error_type == "ExpiredImportTokenException"


def test_imported_material_id_and_description_agree_everywhere(kms):
    meta = external_key(kms)
    out = import_material(kms, meta["KeyId"], os.urandom(32),
                          ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
                          KeyMaterialDescription="first import from HSM 7")
    material_id = out["KeyMaterialId"]
    described = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert described["CurrentKeyMaterialId"] == material_id
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["KeyMaterialId"] == material_id
    rotations = kms.list_key_rotations(KeyId=meta["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")
    [entry] = rotations["Rotations"]
    assert entry["KeyMaterialId"] == material_id
    assert entry["KeyMaterialDescription"] == "first import from HSM 7"
    assert entry["ImportState"] == "IMPORTED"
    assert entry["KeyMaterialState"] == "CURRENT"


def test_rotate_imported_material_on_demand(kms):
    meta = external_key(kms)
    first = import_material(kms, meta["KeyId"], os.urandom(32), KeyMaterialDescription="v1")
    old = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"under v1")["CiphertextBlob"]
    none_pending = rf"^{meta['Arn']} has no new key material pending rotation\."
    expect_error(kms.rotate_key_on_demand, "KMSInvalidStateException", none_pending,
                 KeyId=meta["KeyId"])

    second = import_material(kms, meta["KeyId"], os.urandom(32), ImportType="NEW_KEY_MATERIAL",
                             KeyMaterialDescription="v2")
    assert second["KeyMaterialId"] != first["KeyMaterialId"]
    expect_error(import_material, "KMSInvalidStateException", "already has key material",
                 kms=kms, key_id=meta["KeyId"], material=os.urandom(32),
                 ImportType="NEW_KEY_MATERIAL")
    listed = kms.list_key_rotations(KeyId=meta["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")
    states = [(r["KeyMaterialId"], r["KeyMaterialState"], r.get("KeyMaterialDescription"))
              for r in listed["Rotations"]]
    assert states == [(first["KeyMaterialId"], "CURRENT", "v1"),
                      (second["KeyMaterialId"], "PENDING_ROTATION", "v2")]
    assert kms.list_key_rotations(KeyId=meta["KeyId"])["Rotations"] == []
    described = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert described["CurrentKeyMaterialId"] == first["KeyMaterialId"]

    kms.disable_key(KeyId=meta["KeyId"])
    expect_error(kms.rotate_key_on_demand, "DisabledException", KeyId=meta["KeyId"])
    kms.enable_key(KeyId=meta["KeyId"])
    assert kms.rotate_key_on_demand(KeyId=meta["KeyId"])["KeyId"] == meta["Arn"]
    described = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert described["CurrentKeyMaterialId"] == second["KeyMaterialId"]
    new = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"under v2")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=new)["KeyMaterialId"] == second["KeyMaterialId"]
    out = kms.decrypt(CiphertextBlob=old)
    assert (out["Plaintext"], out["KeyMaterialId"]) == (b"under v1", first["KeyMaterialId"])
    [rotation] = kms.list_key_rotations(KeyId=meta["KeyId"])["Rotations"]
    assert rotation["RotationType"] == "ON_DEMAND"
    assert rotation["KeyMaterialState"] == "CURRENT"
    assert rotation["KeyMaterialDescription"] == "v2"

    third = import_material(kms, meta["KeyId"], os.urandom(32), ImportType="NEW_KEY_MATERIAL")
    deleted = kms.delete_imported_key_material(KeyId=meta["KeyId"],
                                               KeyMaterialId=third["KeyMaterialId"])
    assert deleted["KeyMaterialId"] == third["KeyMaterialId"]
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
    expect_error(kms.rotate_key_on_demand, "KMSInvalidStateException", none_pending,
                 KeyId=meta["KeyId"])

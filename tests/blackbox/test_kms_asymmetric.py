"""KMS asymmetric, HMAC and key-agreement operations through boto3, checked against a second
implementation (`cryptography`): RSA-OAEP encryption to GetPublicKey's key decrypted by Rampart,
Rampart's RAW and DIGEST signatures verified offline, ECDH against an offline key pair, data key
pairs loaded offline, and the AWS errors. Runs on every matrix entry (RSA-4096 on dev/SQLite only).
"""

from __future__ import annotations

import os

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from harness import expect_error

DRY = r"^The request would have succeeded, but the DryRun option is set\.$"
HASHES = {"SHA_256": hashes.SHA256, "SHA_384": hashes.SHA384, "SHA_512": hashes.SHA512}
CURVES = {
    "ECC_NIST_P256": (ec.SECP256R1, "ECDSA_SHA_256"),
    "ECC_NIST_P384": (ec.SECP384R1, "ECDSA_SHA_384"),
    "ECC_NIST_P521": (ec.SECP521R1, "ECDSA_SHA_512"),
    "ECC_SECG_P256K1": (ec.SECP256K1, "ECDSA_SHA_256"),
}
OAEP_LIMITS = {  # AWS's documented plaintext limits per key spec and algorithm
    ("RSA_2048", "RSAES_OAEP_SHA_1"): 214,
    ("RSA_2048", "RSAES_OAEP_SHA_256"): 190,
    ("RSA_3072", "RSAES_OAEP_SHA_1"): 342,
    ("RSA_3072", "RSAES_OAEP_SHA_256"): 318,
    ("RSA_4096", "RSAES_OAEP_SHA_1"): 470,
    ("RSA_4096", "RSAES_OAEP_SHA_256"): 446,
}


def new_key(kms, spec: str, usage: str) -> dict:
    return kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]


def public_key(kms, key_id: str):
    return serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])


def hash_of(algorithm: str):
    return HASHES[algorithm[-7:]]()


def oaep(algorithm: str) -> padding.OAEP:
    h = hashes.SHA1() if algorithm == "RSAES_OAEP_SHA_1" else hashes.SHA256()
    return padding.OAEP(mgf=padding.MGF1(algorithm=h), algorithm=h, label=None)


def verify_offline(public, algorithm: str, signature: bytes, message: bytes) -> None:
    """Raises InvalidSignature unless `signature` is `algorithm` over `message` (unhashed)."""
    h = hash_of(algorithm)
    if algorithm.startswith("ECDSA"):
        public.verify(signature, message, ec.ECDSA(h))
    elif algorithm.startswith("RSASSA_PSS"):
        pss = padding.PSS(mgf=padding.MGF1(h), salt_length=padding.PSS.DIGEST_LENGTH)
        public.verify(signature, message, pss, h)
    else:
        public.verify(signature, message, padding.PKCS1v15(), h)


def digest(algorithm: str, message: bytes) -> bytes:
    h = hashes.Hash(hash_of(algorithm))
    h.update(message)
    return h.finalize()


# ----------------------------------------------------------------------------- RSA encryption


def check_rsa_encryption(kms, spec: str) -> None:
    meta = new_key(kms, spec, "ENCRYPT_DECRYPT")
    key, arn = meta["KeyId"], meta["Arn"]
    assert meta["EncryptionAlgorithms"] == ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
    out = kms.get_public_key(KeyId=key)
    assert out["KeyId"] == arn and out["KeySpec"] == spec and out["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert out["EncryptionAlgorithms"] == ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
    public = serialization.load_der_public_key(out["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == int(spec[4:])
    for algorithm in ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"):
        limit = OAEP_LIMITS[(spec, algorithm)]
        plaintext = os.urandom(limit)
        offline = public.encrypt(plaintext, oaep(algorithm))
        got = kms.decrypt(KeyId=key, CiphertextBlob=offline, EncryptionAlgorithm=algorithm)
        assert got["Plaintext"] == plaintext
        assert got["KeyId"] == arn and got["EncryptionAlgorithm"] == algorithm
        enc = kms.encrypt(KeyId=key, Plaintext=plaintext, EncryptionAlgorithm=algorithm)
        assert enc["EncryptionAlgorithm"] == algorithm
        assert len(enc["CiphertextBlob"]) == public.key_size // 8
        back = kms.decrypt(KeyId=arn, CiphertextBlob=enc["CiphertextBlob"],
                           EncryptionAlgorithm=algorithm)
        assert back["Plaintext"] == plaintext
        too_long = rf"^Algorithm {algorithm} and key spec {spec} cannot encrypt data larger than {limit} bytes\.$"
        expect_error(kms.encrypt, "ValidationException", too_long, KeyId=key,
                     Plaintext=os.urandom(limit + 1), EncryptionAlgorithm=algorithm)


def test_rsa_2048_and_3072_oaep_interop(kms):
    check_rsa_encryption(kms, "RSA_2048")
    check_rsa_encryption(kms, "RSA_3072")


def test_rsa_4096_oaep_interop(dev_server):
    check_rsa_encryption(dev_server.client(), "RSA_4096")


def test_rsa_2048_plaintext_limit_190_ok_191_refused(kms):
    key = new_key(kms, "RSA_2048", "ENCRYPT_DECRYPT")["KeyId"]
    kms.encrypt(KeyId=key, Plaintext=b"a" * 190, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    expect_error(kms.encrypt, "ValidationException", r"cannot encrypt data larger than 190 bytes",
                 KeyId=key, Plaintext=b"a" * 191, EncryptionAlgorithm="RSAES_OAEP_SHA_256")


def test_rsa_decrypt_needs_key_and_algorithm(kms):
    key = new_key(kms, "RSA_2048", "ENCRYPT_DECRYPT")["KeyId"]
    blob = public_key(kms, key).encrypt(b"offline", oaep("RSAES_OAEP_SHA_256"))
    expect_error(kms.decrypt, "InvalidCiphertextException", KeyId=key, CiphertextBlob=blob)
    expect_error(kms.decrypt, "ValidationException", CiphertextBlob=blob,
                 EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    expect_error(kms.decrypt, "InvalidCiphertextException", KeyId=key, CiphertextBlob=blob,
                 EncryptionAlgorithm="RSAES_OAEP_SHA_1")
    expect_error(kms.decrypt, "DryRunOperationException", DRY, KeyId=key, CiphertextBlob=blob,
                 EncryptionAlgorithm="RSAES_OAEP_SHA_256", DryRun=True)
    expect_error(kms.encrypt, "InvalidKeyUsageException",
                 r"^Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048\.$",
                 KeyId=key, Plaintext=b"x")


def test_re_encrypt_between_symmetric_and_rsa(kms):
    sym = kms.create_key()["KeyMetadata"]["KeyId"]
    rsa_key = new_key(kms, "RSA_2048", "ENCRYPT_DECRYPT")["KeyId"]
    blob = kms.encrypt(KeyId=sym, Plaintext=b"travel", EncryptionContext={"a": "b"})["CiphertextBlob"]
    to_rsa = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"a": "b"},
                            DestinationKeyId=rsa_key,
                            DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert to_rsa["DestinationEncryptionAlgorithm"] == "RSAES_OAEP_SHA_256"
    back = kms.re_encrypt(CiphertextBlob=to_rsa["CiphertextBlob"], SourceKeyId=rsa_key,
                          SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256", DestinationKeyId=sym)
    assert back["SourceEncryptionAlgorithm"] == "RSAES_OAEP_SHA_256"
    assert kms.decrypt(CiphertextBlob=back["CiphertextBlob"])["Plaintext"] == b"travel"


# ----------------------------------------------------------------------------- signatures


def check_signatures(kms, spec: str, algorithms: list[str]) -> None:
    meta = new_key(kms, spec, "SIGN_VERIFY")
    key, arn = meta["KeyId"], meta["Arn"]
    assert meta["SigningAlgorithms"] == algorithms
    public = public_key(kms, key)
    message = b"black-box message " + os.urandom(16)
    for algorithm in algorithms:
        raw = kms.sign(KeyId=key, Message=message, MessageType="RAW", SigningAlgorithm=algorithm)
        assert raw["KeyId"] == arn and raw["SigningAlgorithm"] == algorithm
        verify_offline(public, algorithm, raw["Signature"], message)
        pre = digest(algorithm, message)
        signed = kms.sign(KeyId=key, Message=pre, MessageType="DIGEST", SigningAlgorithm=algorithm)
        verify_offline(public, algorithm, signed["Signature"], message)  # not hashed again
        ok = kms.verify(KeyId=key, Message=message, Signature=signed["Signature"],
                        SigningAlgorithm=algorithm)
        assert ok["SignatureValid"] is True and ok["KeyId"] == arn
        tampered = bytearray(raw["Signature"])
        tampered[-1] ^= 1
        with pytest.raises(InvalidSignature):
            verify_offline(public, algorithm, bytes(tampered), message)
        expect_error(kms.verify, "KMSInvalidSignatureException", KeyId=key, Message=message,
                     Signature=bytes(tampered), SigningAlgorithm=algorithm)


def test_rsa_signatures_verify_offline(kms):
    check_signatures(kms, "RSA_2048", [
        "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
        "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
    ])


@pytest.mark.parametrize("spec", sorted(CURVES))
def test_ecdsa_signatures_verify_offline(kms, spec):
    check_signatures(kms, spec, [CURVES[spec][1]])


def test_offline_signature_of_another_key_is_invalid(kms):
    key = new_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")["KeyId"]
    other = ec.generate_private_key(ec.SECP256R1())
    signature = other.sign(b"m", ec.ECDSA(hashes.SHA256()))
    expect_error(kms.verify, "KMSInvalidSignatureException", KeyId=key, Message=b"m",
                 Signature=signature, SigningAlgorithm="ECDSA_SHA_256")


def test_ed25519_signature_verifies_offline(kms):
    try:
        meta = new_key(kms, "ECC_NIST_EDWARDS25519", "SIGN_VERIFY")
    except kms.exceptions.UnsupportedOperationException:
        pytest.skip("Ed25519 not supported by this build")
    public = public_key(kms, meta["KeyId"])
    assert isinstance(public, ed25519.Ed25519PublicKey)
    signature = kms.sign(KeyId=meta["KeyId"], Message=b"edwards",
                         SigningAlgorithm="ED25519_SHA_512")["Signature"]
    public.verify(signature, b"edwards")


def test_sign_errors(kms):
    key = new_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")
    expect_error(kms.sign, "ValidationException",
                 r"^Digest is invalid length for algorithm ECDSA_SHA_256\.$", KeyId=key["KeyId"],
                 Message=b"short", MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_256")
    expect_error(kms.sign, "InvalidKeyUsageException",
                 r"^Algorithm RSASSA_PSS_SHA_256 is incompatible with key spec ECC_NIST_P256\.$",
                 KeyId=key["KeyId"], Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")
    expect_error(kms.sign, "ValidationException", KeyId=key["KeyId"], Message=b"m" * 4097,
                 SigningAlgorithm="ECDSA_SHA_256")
    expect_error(kms.sign, "DryRunOperationException", DRY, KeyId=key["KeyId"], Message=b"m",
                 SigningAlgorithm="ECDSA_SHA_256", DryRun=True)
    expect_error(kms.encrypt, "InvalidKeyUsageException",
                 rf"^{key['Arn']} key usage is SIGN_VERIFY which is not valid for Encrypt\.$",
                 KeyId=key["KeyId"], Plaintext=b"x")
    sym = kms.create_key()["KeyMetadata"]
    expect_error(kms.sign, "InvalidKeyUsageException",
                 rf"^{sym['Arn']} key usage is ENCRYPT_DECRYPT which is not valid for Sign\.$",
                 KeyId=sym["KeyId"], Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
    expect_error(kms.get_public_key, "UnsupportedOperationException", KeyId=sym["KeyId"])
    kms.disable_key(KeyId=key["KeyId"])
    expect_error(kms.get_public_key, "DisabledException", KeyId=key["KeyId"])


# ----------------------------------------------------------------------------- HMAC


@pytest.mark.parametrize("bits", [224, 256, 384, 512])
def test_hmac_round_trip_tamper_and_wrong_algorithm(kms, bits):
    meta = new_key(kms, f"HMAC_{bits}", "GENERATE_VERIFY_MAC")
    assert meta["MacAlgorithms"] == [f"HMAC_SHA_{bits}"]
    key, algorithm = meta["KeyId"], f"HMAC_SHA_{bits}"
    out = kms.generate_mac(KeyId=key, Message=b"authentic", MacAlgorithm=algorithm)
    assert out["KeyId"] == meta["Arn"] and len(out["Mac"]) == bits // 8
    ok = kms.verify_mac(KeyId=key, Message=b"authentic", Mac=out["Mac"], MacAlgorithm=algorithm)
    assert ok["MacValid"] is True
    expect_error(kms.verify_mac, "KMSInvalidMacException", KeyId=key, Message=b"forged",
                 Mac=out["Mac"], MacAlgorithm=algorithm)
    tampered = bytes([out["Mac"][0] ^ 1]) + out["Mac"][1:]
    expect_error(kms.verify_mac, "KMSInvalidMacException", KeyId=key, Message=b"authentic",
                 Mac=tampered, MacAlgorithm=algorithm)
    wrong = "HMAC_SHA_512" if bits != 512 else "HMAC_SHA_256"
    expect_error(kms.generate_mac, "InvalidKeyUsageException",
                 rf"^Algorithm {wrong} is incompatible with key spec HMAC_{bits}\.$",
                 KeyId=key, Message=b"m", MacAlgorithm=wrong)
    expect_error(kms.verify_mac, "InvalidKeyUsageException", KeyId=key, Message=b"authentic",
                 Mac=out["Mac"], MacAlgorithm=wrong)


def test_hmac_key_needs_its_usage(kms):
    expect_error(kms.create_key, "ValidationException",
                 r"^You must specify a KeyUsage value for all KMS keys except for symmetric "
                 r"encryption keys\.$", KeySpec="HMAC_256")
    expect_error(kms.create_key, "ValidationException",
                 r"^KeyUsage SIGN_VERIFY is not compatible with KeySpec HMAC_256", KeySpec="HMAC_256",
                 KeyUsage="SIGN_VERIFY")
    expect_error(kms.create_key, "ValidationException",
                 r"^KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048",
                 KeySpec="RSA_2048", KeyUsage="KEY_AGREEMENT")
    sym = kms.create_key()["KeyMetadata"]
    expect_error(kms.generate_mac, "InvalidKeyUsageException",
                 r"key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac\.$",
                 KeyId=sym["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_256")


# ----------------------------------------------------------------------------- data key pairs


@pytest.mark.parametrize(
    "spec", ["RSA_2048", "ECC_NIST_P256", "ECC_NIST_P521", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519"]
)
def test_data_key_pair_loads_offline(kms, spec):
    sym = kms.create_key()["KeyMetadata"]
    context = {"purpose": "pair"}
    try:
        out = kms.generate_data_key_pair(KeyId=sym["KeyId"], KeyPairSpec=spec,
                                         EncryptionContext=context)
    except kms.exceptions.UnsupportedOperationException:
        pytest.skip(f"{spec} not supported by this build")
    assert out["KeyId"] == sym["Arn"] and out["KeyPairSpec"] == spec
    private = serialization.load_der_private_key(out["PrivateKeyPlaintext"], password=None)
    spki = private.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
    assert spki == out["PublicKey"]
    got = kms.decrypt(CiphertextBlob=out["PrivateKeyCiphertextBlob"], EncryptionContext=context)
    assert got["Plaintext"] == out["PrivateKeyPlaintext"]
    expect_error(kms.decrypt, "InvalidCiphertextException",
                 CiphertextBlob=out["PrivateKeyCiphertextBlob"])
    bare = kms.generate_data_key_pair_without_plaintext(KeyId=sym["KeyId"], KeyPairSpec=spec)
    assert "PrivateKeyPlaintext" not in bare
    private = serialization.load_der_private_key(
        kms.decrypt(CiphertextBlob=bare["PrivateKeyCiphertextBlob"])["Plaintext"], password=None)
    assert private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == bare["PublicKey"]


def test_data_key_pair_errors(kms):
    rsa_key = new_key(kms, "RSA_2048", "ENCRYPT_DECRYPT")["KeyId"]
    expect_error(kms.generate_data_key_pair, "InvalidKeyUsageException", KeyId=rsa_key,
                 KeyPairSpec="ECC_NIST_P256")
    expect_error(kms.generate_data_key, "InvalidKeyUsageException", KeyId=rsa_key,
                 KeySpec="AES_256")
    sym = kms.create_key()["KeyMetadata"]["KeyId"]
    expect_error(kms.generate_data_key_pair, "UnsupportedOperationException", KeyId=sym,
                 KeyPairSpec="SM2")
    expect_error(kms.generate_data_key_pair_without_plaintext, "DryRunOperationException", DRY,
                 KeyId=sym, KeyPairSpec="ECC_NIST_P256", DryRun=True)


# ----------------------------------------------------------------------------- key agreement


@pytest.mark.parametrize("spec", ["ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521"])
def test_derive_shared_secret_matches_offline_ecdh(kms, spec):
    meta = new_key(kms, spec, "KEY_AGREEMENT")
    assert meta["KeyAgreementAlgorithms"] == ["ECDH"]
    curve = CURVES[spec][0]
    offline = ec.generate_private_key(curve())
    peer = offline.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
    out = kms.derive_shared_secret(KeyId=meta["KeyId"], KeyAgreementAlgorithm="ECDH",
                                   PublicKey=peer)
    expected = offline.exchange(ec.ECDH(), public_key(kms, meta["KeyId"]))
    assert out["SharedSecret"] == expected
    assert out["KeyId"] == meta["Arn"] and out["KeyAgreementAlgorithm"] == "ECDH"
    assert out["KeyOrigin"] == "AWS_KMS"
    expect_error(kms.derive_shared_secret, "ValidationException", KeyId=meta["KeyId"],
                 KeyAgreementAlgorithm="ECDH", PublicKey=b"not a public key")
    other = ec.generate_private_key(ec.SECP384R1() if spec != "ECC_NIST_P384" else ec.SECP256R1())
    wrong_curve = other.public_key().public_bytes(serialization.Encoding.DER,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    expect_error(kms.derive_shared_secret, "ValidationException", KeyId=meta["KeyId"],
                 KeyAgreementAlgorithm="ECDH", PublicKey=wrong_curve)
    expect_error(kms.derive_shared_secret, "DryRunOperationException", DRY, KeyId=meta["KeyId"],
                 KeyAgreementAlgorithm="ECDH", PublicKey=peer, DryRun=True)


def test_derive_shared_secret_needs_key_agreement_usage(kms):
    meta = new_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")
    peer = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    expect_error(kms.derive_shared_secret, "InvalidKeyUsageException",
                 r"key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret\.$",
                 KeyId=meta["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=peer)


# ----------------------------------------------------------------------------- ML-KEM


def test_ml_kem_encapsulate_decapsulate(kms):
    try:
        meta = new_key(kms, "ML_KEM_768", "ENCAPSULATE_DECAPSULATE")
    except kms.exceptions.UnsupportedOperationException:
        pytest.skip("ML-KEM not supported by this build")
    enc = kms.encapsulate(KeyId=meta["KeyId"], EncapsulationAlgorithm="ML_KEM")
    assert len(enc["SharedSecret"]) == 32
    dec = kms.decapsulate(KeyId=meta["KeyId"], EncapsulationAlgorithm="ML_KEM",
                          SharedSecretCiphertextBlob=enc["SharedSecretCiphertextBlob"])
    assert dec["SharedSecret"] == enc["SharedSecret"]
    assert dec["KeyId"] == enc["KeyId"] == meta["Arn"]

"""`rampart encrypt` / `rampart decrypt` (AWS Encryption SDK message format) against a secure
Rampart (TLS, SigV4, IAM), checked both ways with the official Python `aws-encryption-sdk` and
`aws-encryption-cli`: KMS keys with and without the signing suite, several data keys, a
multi-Region replica in another Region, raw AES and raw RSA keys, and the failures a user
meets (no permission, wrong key, tampered message, missing context, commitment policy)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aws_encryption_sdk
import pytest
from aws_encryption_sdk.identifiers import (Algorithm, CommitmentPolicy, EncryptionKeyType,
                                            WrappingAlgorithm)
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.key_providers.kms import MRKAwareStrictAwsKmsMasterKeyProvider
from aws_encryption_sdk.key_providers.raw import RawMasterKey
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import ServerFactory
from harness import BINARY, SECURE_SQLITE, allow, create_user_with_key, policy_doc, unique

ESDK_CLI = Path(sys.executable).parent / "aws-encryption-cli"
SDK = aws_encryption_sdk.EncryptionSDKClient(
    commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
# exit codes of `rampart encrypt --help`
KMS_REFUSED, WRONG_KEY, TAMPERED, CONTEXT, POLICY = 3, 4, 5, 6, 7


@pytest.fixture(scope="module")
def srv(tmp_path_factory, pg_databases):
    factory = ServerFactory(tmp_path_factory, pg_databases)
    try:
        yield factory(SECURE_SQLITE)
    finally:
        factory.close()


@pytest.fixture(scope="module")
def kms_env(srv):
    """The environment the Python SDK, its CLI and `rampart encrypt` read to reach Rampart."""
    env = srv.cli_env()
    env["AWS_ENDPOINT_URL_KMS"] = srv.endpoint
    return env


@pytest.fixture
def sdk_env(kms_env, monkeypatch):
    """The Python SDK in this process (botocore) pointed at Rampart."""
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in kms_env.items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    return kms_env


@pytest.fixture(scope="module")
def key_arn(srv):
    return srv.client().create_key(Description="envelope")["KeyMetadata"]["Arn"]


def rampart(env, *args, check=True, input=None):
    proc = subprocess.run([str(BINARY), *args], env=env,
                          capture_output=True, timeout=120, input=input)
    if check:
        assert proc.returncode == 0, proc.stderr.decode()
    return proc


def provider(*arns):
    return aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(key_ids=list(arns))


@pytest.mark.parametrize("algorithm,size", [(None, 100_000), ("AES_256_GCM_HKDF_SHA512_COMMIT_KEY", 100_000),
                                            (None, 8192)])
def test_rampart_encrypts_python_decrypts_and_back(tmp_path, sdk_env, key_arn, algorithm, size):
    """8192 bytes end on a frame boundary: the final frame must be empty, as the SDKs write it."""
    plain = tmp_path / "plain.bin"
    plain.write_bytes(os.urandom(size))
    extra = ["--algorithm", algorithm] if algorithm else []
    rampart(sdk_env, "encrypt", "-i", str(plain), "-o", str(tmp_path / "m.enc"), "-k", key_arn,
            "-c", "app=envelope", "--frame-length", "1024", *extra)
    out, header = SDK.decrypt(source=(tmp_path / "m.enc").read_bytes(), key_provider=provider(key_arn))
    assert out == plain.read_bytes()
    assert header.encryption_context["app"] == "envelope"
    expected = Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY if algorithm else \
        Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384
    assert header.algorithm == expected
    suite = expected if algorithm else None
    kwargs = {"algorithm": suite} if suite else {}
    message, _ = SDK.encrypt(source=b"from python", key_provider=provider(key_arn),
                             encryption_context={"app": "py"}, **kwargs)
    (tmp_path / "py.enc").write_bytes(message)
    proc = rampart(sdk_env, "decrypt", "-i", str(tmp_path / "py.enc"), "-o", "-", "-k", key_arn,
                   "-c", "app=py")
    assert proc.stdout == b"from python"


def test_several_data_keys_each_decrypt(srv, tmp_path, sdk_env, key_arn):
    second = srv.client().create_key()["KeyMetadata"]["Arn"]
    (tmp_path / "p").write_bytes(b"two keys")
    rampart(sdk_env, "encrypt", "-i", str(tmp_path / "p"), "-o", str(tmp_path / "m"),
            "-k", key_arn, "-k", second)
    for arn in (key_arn, second):
        out, header = SDK.decrypt(source=(tmp_path / "m").read_bytes(), key_provider=provider(arn))
        assert out == b"two keys" and len(header.encrypted_data_keys) == 2
        assert rampart(sdk_env, "decrypt", "-i", str(tmp_path / "m"), "-o", "-", "-k", arn).stdout == b"two keys"


def test_a_multi_region_replica_in_another_region_decrypts(srv, tmp_path, sdk_env):
    east = srv.client(region="us-east-1")
    primary = east.create_key(MultiRegion=True)["KeyMetadata"]
    replica = east.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    replica_arn = replica["ReplicaKeyMetadata"]["Arn"]
    (tmp_path / "p").write_bytes(b"replicated")
    rampart(sdk_env, "encrypt", "-i", str(tmp_path / "p"), "-o", str(tmp_path / "m"), "-k", primary["Arn"])
    proc = rampart(sdk_env, "decrypt", "-i", str(tmp_path / "m"), "-o", "-", "-k", replica_arn,
                   "--mrk-region", "eu-west-1")
    assert proc.stdout == b"replicated"
    strict = rampart(sdk_env, "decrypt", "-i", str(tmp_path / "m"), "-o", "-", "-k", replica_arn, check=False)
    assert strict.returncode == WRONG_KEY
    mrk = MRKAwareStrictAwsKmsMasterKeyProvider(key_ids=[replica_arn])
    out, _ = SDK.decrypt(source=(tmp_path / "m").read_bytes(), key_provider=mrk)
    assert out == b"replicated"


def test_raw_aes_and_raw_rsa_keys_interoperate(tmp_path, sdk_env):
    aes = os.urandom(32)
    (tmp_path / "aes.key").write_bytes(aes)
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    (tmp_path / "rsa.pem").write_bytes(pem)
    raw_aes = RawMasterKey(provider_id="team", key_id=b"aes", wrapping_key=WrappingKey(
        wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING, wrapping_key=aes,
        wrapping_key_type=EncryptionKeyType.SYMMETRIC))
    raw_rsa = RawMasterKey(provider_id="team", key_id=b"rsa", wrapping_key=WrappingKey(
        wrapping_algorithm=WrappingAlgorithm.RSA_OAEP_SHA256_MGF1, wrapping_key=pem,
        wrapping_key_type=EncryptionKeyType.PRIVATE))
    for flag, name, key in (("--raw-aes-key", "aes", raw_aes), ("--raw-rsa-key", "rsa", raw_rsa)):
        path = str(tmp_path / f"{name}.{'key' if name == 'aes' else 'pem'}")
        args = [flag, path, "--key-namespace", "team", "--key-name", name]
        (tmp_path / "p").write_bytes(b"offline " + name.encode())
        rampart(sdk_env, "encrypt", "-i", str(tmp_path / "p"), "-o", str(tmp_path / f"{name}.enc"), *args)
        out, _ = SDK.decrypt(source=(tmp_path / f"{name}.enc").read_bytes(), key_provider=key)
        assert out == b"offline " + name.encode()
        message, _ = SDK.encrypt(source=b"python " + name.encode(), key_provider=key)
        (tmp_path / f"{name}.py").write_bytes(message)
        proc = rampart(sdk_env, "decrypt", "-i", str(tmp_path / f"{name}.py"), "-o", "-", *args)
        assert proc.stdout == b"python " + name.encode()


def test_aws_encryption_cli_files_both_ways(tmp_path, sdk_env, key_arn):
    (tmp_path / "p.txt").write_bytes(b"cli interop\n" * 1000)
    cli = [str(ESDK_CLI), "-S", "--wrapping-keys", f"key={key_arn}"]
    subprocess.run([*cli, "--encrypt", "-i", str(tmp_path / "p.txt"), "-o", str(tmp_path / "cli.enc"),
                    "--encryption-context", "via=cli"], env=sdk_env, check=True, timeout=120)
    proc = rampart(sdk_env, "decrypt", "-i", str(tmp_path / "cli.enc"), "-o", "-", "-k", key_arn, "-c", "via=cli")
    assert proc.stdout == b"cli interop\n" * 1000
    rampart(sdk_env, "encrypt", "-i", str(tmp_path / "p.txt"), "-o", str(tmp_path / "r.enc"), "-k", key_arn)
    subprocess.run([*cli, "--decrypt", "-i", str(tmp_path / "r.enc"), "-o", str(tmp_path / "r.txt")],
                   env=sdk_env, check=True, timeout=120)
    assert (tmp_path / "r.txt").read_bytes() == b"cli interop\n" * 1000


def test_directories_and_standard_streams(tmp_path, sdk_env, key_arn):
    src, enc, dec = (tmp_path / d for d in ("src", "enc", "dec"))
    for d in (src, enc, dec):
        d.mkdir()
    for i in range(3):
        (src / f"f{i}.txt").write_bytes(f"file {i}".encode())
    rampart(sdk_env, "encrypt", "-i", str(src), "-o", str(enc), "-k", key_arn)
    assert sorted(p.name for p in enc.iterdir()) == ["f0.txt.encrypted", "f1.txt.encrypted", "f2.txt.encrypted"]
    rampart(sdk_env, "decrypt", "-i", *[str(p) for p in sorted(enc.iterdir())], "-o", str(dec), "-k", key_arn)
    assert (dec / "f1.txt.encrypted.decrypted").read_bytes() == b"file 1"
    message = rampart(sdk_env, "encrypt", "-i", "-", "-o", "-", "-k", key_arn, input=b"piped").stdout
    assert rampart(sdk_env, "decrypt", "-i", "-", "-o", "-", "-k", key_arn, input=message).stdout == b"piped"


def test_failures_say_what_is_wrong(srv, tmp_path, sdk_env, key_arn):
    (tmp_path / "p").write_bytes(b"guarded")
    rampart(sdk_env, "encrypt", "-i", str(tmp_path / "p"), "-o", str(tmp_path / "m"), "-k", key_arn, "-c", "a=1")
    message = (tmp_path / "m").read_bytes()
    out = str(tmp_path / "out")

    def decrypt(*args, env=sdk_env, data=message):
        (tmp_path / "in").write_bytes(data)
        return rampart(env, "decrypt", "-i", str(tmp_path / "in"), "-o", out, *args, check=False)

    other = srv.client().create_key()["KeyMetadata"]["Arn"]
    assert decrypt("-k", other).returncode == WRONG_KEY
    edk = bytearray(message)
    edk[len(message) // 3] ^= 1  # inside the header's encrypted data key
    assert decrypt("-k", key_arn, data=bytes(edk)).returncode in (KMS_REFUSED, WRONG_KEY, TAMPERED)
    tampered = bytearray(message)
    tampered[len(message) - 110] ^= 1  # the final frame's tag (the footer is 105 bytes)
    proc = decrypt("-k", key_arn, data=bytes(tampered))
    assert proc.returncode == TAMPERED and b"damaged or was altered" in proc.stderr
    assert decrypt("-k", key_arn, "-c", "a=2").returncode == CONTEXT
    assert decrypt("-k", key_arn, "--required-context-key", "b").returncode == CONTEXT
    assert not Path(out).exists(), "a failed decrypt left output behind"
    iam = srv.client("iam")
    user = create_user_with_key(iam, unique("esdk"), policy_doc(allow("kms:DescribeKey")))
    denied = {**sdk_env, "AWS_ACCESS_KEY_ID": user["AccessKeyId"],
              "AWS_SECRET_ACCESS_KEY": user["SecretAccessKey"]}
    denied.pop("AWS_SHARED_CREDENTIALS_FILE", None)
    proc = decrypt("-k", key_arn, env=denied)
    assert proc.returncode == KMS_REFUSED and b"AccessDeniedException" in proc.stderr
    legacy, _ = aws_encryption_sdk.EncryptionSDKClient(
        commitment_policy=CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT).encrypt(
        source=b"old", key_provider=provider(key_arn))
    assert decrypt("-k", key_arn, data=legacy).returncode == POLICY
    ok = decrypt("-k", key_arn, "--commitment-policy", "require-encrypt-allow-decrypt", data=legacy)
    assert ok.returncode == 0 and Path(out).read_bytes() == b"old"


def test_every_suite_written_by_rampart_is_read_by_python(tmp_path, sdk_env):
    """Our own vectors: one message per algorithm suite (raw AES key, 3 frames and a partial
    one), each decrypted by the Python SDK and by rampart."""
    key = os.urandom(32)
    (tmp_path / "aes.key").write_bytes(key)
    raw = RawMasterKey(provider_id="team", key_id=b"aes", wrapping_key=WrappingKey(
        wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING, wrapping_key=key,
        wrapping_key_type=EncryptionKeyType.SYMMETRIC))
    reader = aws_encryption_sdk.EncryptionSDKClient(
        commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
    plain = os.urandom(3 * 128 + 5)
    (tmp_path / "p").write_bytes(plain)
    keys = ["--raw-aes-key", str(tmp_path / "aes.key"), "--key-namespace", "team", "--key-name", "aes"]
    suites = [a for a in Algorithm if a.message_format_version in (1, 2)]
    assert len(suites) == 11
    for suite in suites:
        policy = "require-encrypt-require-decrypt" if suite.is_committing() else "forbid-encrypt-allow-decrypt"
        out = tmp_path / f"{suite.name}.enc"
        rampart(sdk_env, "encrypt", "-i", str(tmp_path / "p"), "-o", str(out), "--algorithm", suite.name,
                "--commitment-policy", policy, "--frame-length", "128", *keys)
        text, header = reader.decrypt(source=out.read_bytes(), key_provider=raw)
        assert text == plain and header.algorithm == suite, suite.name
        back = rampart(sdk_env, "decrypt", "-i", str(out), "-o", "-", "--commitment-policy",
                       "require-encrypt-allow-decrypt", *keys)
        assert back.stdout == plain, suite.name


def test_decrypt_unsigned_refuses_signed_messages(tmp_path, sdk_env, key_arn):
    (tmp_path / "p").write_bytes(b"signed")
    rampart(sdk_env, "encrypt", "-i", str(tmp_path / "p"), "-o", str(tmp_path / "s"), "-k", key_arn)
    rampart(sdk_env, "encrypt", "-i", str(tmp_path / "p"), "-o", str(tmp_path / "u"), "-k", key_arn,
            "--algorithm", "AES_256_GCM_HKDF_SHA512_COMMIT_KEY")
    refused = rampart(sdk_env, "decrypt", "--decrypt-unsigned", "-i", str(tmp_path / "s"), "-o", "-",
                      "-k", key_arn, check=False)
    assert refused.returncode == 2 and b"signed" in refused.stderr and refused.stdout == b""
    streamed = rampart(sdk_env, "decrypt", "--decrypt-unsigned", "-i", str(tmp_path / "u"), "-o", "-",
                       "-k", key_arn)
    assert streamed.stdout == b"signed"

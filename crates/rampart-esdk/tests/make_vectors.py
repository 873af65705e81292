"""Writes this crate's interoperability vectors with the official Python AWS Encryption SDK.

Run once with `aws-encryption-sdk` installed (pip); the output is committed under
`tests/vectors/` and read by `tests/python_vectors.rs`. Keys are fixed test keys."""

import json
import pathlib
import sys

import aws_encryption_sdk
from aws_encryption_sdk.identifiers import (Algorithm, CommitmentPolicy, EncryptionKeyType,
                                            WrappingAlgorithm)
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.key_providers.raw import RawMasterKey, RawMasterKeyProvider
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

OUT = pathlib.Path(__file__).parent / "vectors"
AES_KEY = bytes(range(32))
PLAINTEXTS = {"empty": b"", "small": b"Hello, Rampart!", "frames": bytes(i % 251 for i in range(10000))}
CONTEXT = {"purpose": "interop", "team": "rampart"}


def aes_key():
    wrapping = WrappingKey(wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
                           wrapping_key=AES_KEY, wrapping_key_type=EncryptionKeyType.SYMMETRIC)
    return RawMasterKey(provider_id="interop", key_id=b"aes-key", wrapping_key=wrapping)


class RsaProvider(RawMasterKeyProvider):
    """A provider for the one RSA key (so it can join the AES key's provider)."""

    provider_id = "interop-rsa"
    pem = b""

    def _get_raw_key(self, key_id):
        return WrappingKey(wrapping_algorithm=WrappingAlgorithm.RSA_OAEP_SHA256_MGF1,
                           wrapping_key=RsaProvider.pem, wrapping_key_type=EncryptionKeyType.PRIVATE)


def main():
    OUT.mkdir(exist_ok=True)
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    (OUT / "rsa-private.pk8").write_bytes(der)
    client = aws_encryption_sdk.EncryptionSDKClient(
        commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
    legacy = aws_encryption_sdk.EncryptionSDKClient(
        commitment_policy=CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
    manifest = []
    for algorithm in Algorithm:
        if algorithm.message_format_version not in (1, 2):
            continue
        sdk = client if algorithm.is_committing() else legacy
        for name, plaintext in PLAINTEXTS.items():
            for frame_length in (0, 512) if name == "frames" else (4096,):
                provider = aes_key()
                if name == "small":
                    RsaProvider.pem = pem
                    rsa_provider = RsaProvider()
                    rsa_provider.add_master_key(b"rsa-key")
                    rsa_provider.add_master_key_provider(provider)
                    provider = rsa_provider
                message, _ = sdk.encrypt(source=plaintext, key_provider=provider,
                                         encryption_context=CONTEXT, algorithm=algorithm,
                                         frame_length=frame_length)
                file = f"{algorithm.name}-{name}-{frame_length}.esdk"
                (OUT / file).write_bytes(message)
                manifest.append({"file": file, "suite": algorithm.algorithm_id,
                                 "plaintext": name, "frame_length": frame_length,
                                 "rsa": name == "small"})
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"{len(manifest)} vectors", file=sys.stderr)


if __name__ == "__main__":
    main()

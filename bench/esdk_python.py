"""The official Python AWS Encryption SDK streaming a file under a raw AES key, for bench/esdk.sh.

usage: esdk_python.py encrypt|decrypt KEYFILE SUITE IN OUT"""

import sys

import aws_encryption_sdk
from aws_encryption_sdk.identifiers import (Algorithm, CommitmentPolicy, EncryptionKeyType,
                                            WrappingAlgorithm)
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.key_providers.raw import RawMasterKey


def main():
    mode, keyfile, suite, source, target = sys.argv[1:]
    key = RawMasterKey(provider_id="rampart", key_id=b"raw-key", wrapping_key=WrappingKey(
        wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
        wrapping_key=open(keyfile, "rb").read(), wrapping_key_type=EncryptionKeyType.SYMMETRIC))
    sdk = aws_encryption_sdk.EncryptionSDKClient(
        commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    kwargs = {"algorithm": Algorithm[suite], "frame_length": 4096} if mode == "encrypt" else {}
    with open(source, "rb") as src, open(target, "wb") as out:
        with sdk.stream(mode=mode[0], source=src, key_provider=key, **kwargs) as stream:
            for chunk in stream:
                out.write(chunk)


if __name__ == "__main__":
    main()

"""The README's AWS CLI (v1) example against the server, with --endpoint-url."""

from __future__ import annotations

import base64
import json
import uuid


def test_readme_create_encrypt_decrypt(server, tmp_path):
    created = json.loads(
        server.aws("kms", "create-key", "--description", "readme example", "--output", "json").stdout
    )
    meta = created["KeyMetadata"]
    assert meta["Description"] == "readme example" and meta["KeyState"] == "Enabled"
    key_id = meta["KeyId"]

    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"my database password \x00\xff\n")
    blob_b64 = server.aws(
        "kms", "encrypt", "--key-id", key_id, "--plaintext", f"fileb://{secret}",
        "--output", "text", "--query", "CiphertextBlob",
    ).stdout.strip()
    ciphertext = tmp_path / "secret.enc"
    ciphertext.write_bytes(base64.b64decode(blob_b64))

    plain_b64 = server.aws(
        "kms", "decrypt", "--ciphertext-blob", f"fileb://{ciphertext}",
        "--output", "text", "--query", "Plaintext",
    ).stdout.strip()
    assert base64.b64decode(plain_b64) == secret.read_bytes()

    decrypted = json.loads(server.aws(
        "kms", "decrypt", "--ciphertext-blob", f"fileb://{ciphertext}", "--key-id", key_id,
        "--output", "json",
    ).stdout)
    assert decrypted["KeyId"] == meta["Arn"]


def test_cli_aliases_and_listing(server):
    key_id = json.loads(server.aws("kms", "create-key", "--output", "json").stdout)["KeyMetadata"]["KeyId"]
    alias = "alias/cli-" + uuid.uuid4().hex[:10]
    server.aws("kms", "create-alias", "--alias-name", alias, "--target-key-id", key_id)
    described = json.loads(server.aws("kms", "describe-key", "--key-id", alias, "--output", "json").stdout)
    assert described["KeyMetadata"]["KeyId"] == key_id
    # The CLI pages ListKeys itself (following NextMarker) when --page-size is small.
    listed = json.loads(server.aws("kms", "list-keys", "--page-size", "1", "--output", "json").stdout)
    assert key_id in {k["KeyId"] for k in listed["Keys"]}


def test_cli_reports_aws_errors(server):
    missing = str(uuid.uuid4())
    proc = server.aws("kms", "describe-key", "--key-id", missing, check=False)
    assert proc.returncode in (254, 255), proc
    assert "An error occurred (NotFoundException) when calling the DescribeKey operation" in proc.stderr
    assert f"key/{missing}' does not exist" in proc.stderr

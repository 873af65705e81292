"""Authentication (secure mode: TLS + real SigV4), regions and dev-mode accounts."""

from __future__ import annotations

import datetime
import json
import re
import uuid

import botocore
import pytest
from botocore.config import Config

from harness import expect_error

SIGNATURE_MISMATCH = (
    r"^The request signature we calculated does not match the signature you provided\. "
    r"Check your AWS Secret Access Key and signing method\."
)
INVALID_TOKEN = r"^The security token included in the request is invalid\.$"


def _list_body() -> str:
    return json.dumps({})


# ----------------------------------------------------------------------------- secure mode


def test_admin_credentials_work(secure_server):
    kms = secure_server.client()
    assert kms.list_keys()["Keys"] is not None
    assert secure_server.endpoint.startswith("https://")


def test_wrong_secret_is_an_invalid_signature(secure_server):
    ak, sk = secure_server.admin_credentials()
    bad = secure_server.client(access_key=ak, secret_key=sk[:-1] + ("A" if sk[-1] != "A" else "B"))
    expect_error(bad.list_keys, "InvalidSignatureException", SIGNATURE_MISMATCH)
    expect_error(bad.create_key, "InvalidSignatureException", SIGNATURE_MISMATCH)


def test_unknown_access_key_is_unrecognized(secure_server):
    stranger = secure_server.client(access_key="AKIAIOSFODNN7EXAMPLE",
                                    secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    expect_error(stranger.list_keys, "UnrecognizedClientException", INVALID_TOKEN)
    # A 12-digit key id is only special in --dev mode.
    dev_style = secure_server.client(access_key="111111111111", secret_key="test")
    expect_error(dev_style.list_keys, "UnrecognizedClientException", INVALID_TOKEN)


def test_unsigned_request_is_missing_a_token(secure_server):
    resp = secure_server.kms_raw("TrentService.ListKeys", _list_body(), sign=False)
    assert resp.status in (400, 403), resp
    assert resp.error_type == "MissingAuthenticationTokenException", resp.body
    assert resp.json()["message"] == "Missing Authentication Token"
    client = _unsigned_client(secure_server)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        client.list_keys()
    assert err.value.response["Error"]["Code"] == "MissingAuthenticationTokenException"


def _unsigned_client(server):
    import boto3

    return boto3.session.Session(region_name="us-east-1").client(
        "kms",
        endpoint_url=server.endpoint,
        verify=str(server.ca_bundle),
        config=Config(signature_version=botocore.UNSIGNED,
                      retries={"total_max_attempts": 1, "mode": "standard"}),
    )


def test_body_changed_after_signing(secure_server):
    key = secure_server.client().create_key()["KeyMetadata"]["KeyId"]
    signed = json.dumps({"KeyId": key}).encode()
    sent = json.dumps({"KeyId": key, "Description": "x"}).encode()
    resp = secure_server.kms_raw("TrentService.DescribeKey", sent, signed_body=signed)
    assert resp.status == 400 and resp.error_type == "InvalidSignatureException", resp.body
    ok = secure_server.kms_raw("TrentService.DescribeKey", signed)
    assert ok.status == 200, ok.body


def test_signature_from_20_minutes_ago_is_expired(secure_server):
    old = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    resp = secure_server.kms_raw("TrentService.ListKeys", _list_body(), signed_at=old)
    assert resp.status == 400 and resp.error_type == "InvalidSignatureException", resp.body
    assert "Signature expired" in resp.json()["message"]
    fresh = secure_server.kms_raw("TrentService.ListKeys", _list_body())
    assert fresh.status == 200, fresh.body


def test_signed_for_another_service_is_rejected(secure_server):
    """A signature scoped to `sts` must not authenticate a KMS call."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from harness import raw_http

    ak, sk = secure_server.admin_credentials()
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.ListKeys"}
    req = AWSRequest(method="POST", url=secure_server.endpoint + "/", data=b"{}", headers=headers)
    SigV4Auth(Credentials(ak, sk), "sts", "us-east-1").add_auth(req)
    resp = raw_http(secure_server.endpoint, "POST", "/", dict(req.headers.items()), b"{}",
                    secure_server.ca_bundle)
    assert resp.status in (400, 403) and resp.error_type == "InvalidSignatureException", resp.body


def test_credentials_file_is_private(secure_server):
    path = secure_server.data_dir / "credentials"
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_text()
    assert text.startswith("[default]")
    ak, sk = secure_server.admin_credentials()
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", ak), ak
    assert len(sk) == 40


# ----------------------------------------------------------------------------- regions


def test_regions_are_separate(server):
    east = server.client(region="us-east-1")
    west = server.client(region="us-west-2")
    meta = west.create_key(Description="west")["KeyMetadata"]
    assert meta["Arn"].startswith("arn:aws:kms:us-west-2:"), meta["Arn"]
    assert meta["KeyId"] in {k["KeyId"] for k in west.list_keys(Limit=1000)["Keys"]}
    assert meta["KeyId"] not in {k["KeyId"] for k in east.list_keys(Limit=1000)["Keys"]}
    expect_error(east.describe_key, "NotFoundException", r"does not exist", KeyId=meta["KeyId"])
    # The same alias name can exist once per region.
    name = "alias/regional-" + uuid.uuid4().hex[:8]
    east_key = east.create_key()["KeyMetadata"]
    east.create_alias(AliasName=name, TargetKeyId=east_key["KeyId"])
    west.create_alias(AliasName=name, TargetKeyId=meta["KeyId"])
    assert east.encrypt(KeyId=name, Plaintext=b"e")["KeyId"] == east_key["Arn"]
    assert west.encrypt(KeyId=name, Plaintext=b"w")["KeyId"] == meta["Arn"]
    # A ciphertext from one region does not decrypt in the other.
    blob = west.encrypt(KeyId=meta["KeyId"], Plaintext=b"w")["CiphertextBlob"]
    with pytest.raises(botocore.exceptions.ClientError) as err:
        east.decrypt(CiphertextBlob=blob)
    assert err.value.response["Error"]["Code"] in ("NotFoundException", "InvalidCiphertextException")


# ----------------------------------------------------------------------------- dev mode


def test_dev_mode_access_key_selects_the_account(dev_server):
    other = dev_server.client(access_key="111111111111", secret_key="anything")
    meta = other.create_key()["KeyMetadata"]
    assert meta["Arn"].startswith("arn:aws:kms:us-east-1:111111111111:key/"), meta["Arn"]
    assert meta["AWSAccountId"] == "111111111111"
    default = dev_server.client(access_key="test", secret_key="test")
    assert default.create_key()["KeyMetadata"]["AWSAccountId"] == "000000000000"
    expect_error(default.describe_key, "NotFoundException", KeyId=meta["KeyId"])
    assert other.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyId"] == meta["KeyId"]


def test_dev_mode_accepts_any_signature(dev_server):
    for ak, sk in (("test", "test"), ("AKIAANYTHING", "wrong")):
        assert dev_server.client(access_key=ak, secret_key=sk).list_keys()["Keys"] is not None
    resp = dev_server.kms_raw("TrentService.ListKeys", "{}", sign=False)
    assert resp.status == 200, resp.body


@pytest.mark.parametrize("http", ["--http2", "--http1.1"])
def test_curl_sigv4_over_http2_and_http1(secure_server, http):
    """A second, independent SigV4 signer (curl --aws-sigv4), over HTTP/2 (ALPN) and HTTP/1.1."""
    import shutil
    import subprocess

    curl = shutil.which("curl")
    assert curl, "curl is required (scripts/test.sh installs it)"
    ak, sk = secure_server.admin_credentials()

    def call(user: str) -> tuple[str, dict]:
        proc = subprocess.run(
            [curl, "-sS", http, "--cacert", str(secure_server.ca_bundle),
             "--aws-sigv4", "aws:amz:us-east-1:kms", "--user", user,
             "-H", "X-Amz-Target: TrentService.CreateKey",
             "-H", "Content-Type: application/x-amz-json-1.1",
             "-d", '{"Description": "signed by curl"}',
             "-w", "\n%{http_version} %{http_code}", secure_server.endpoint + "/"],
            capture_output=True, text=True, timeout=30,
        )
        assert proc.returncode == 0, proc.stderr
        body, status = proc.stdout.rsplit("\n", 1)
        return status, json.loads(body)

    status, body = call(f"{ak}:{sk}")
    assert status == ("2 200" if http == "--http2" else "1.1 200"), (status, body)
    assert body["KeyMetadata"]["Description"] == "signed by curl"
    status, body = call(f"{ak}:{sk[:-1]}x" if not sk.endswith("x") else f"{ak}:{sk[:-1]}y")
    assert status.endswith(" 400") and body["__type"] == "InvalidSignatureException", body

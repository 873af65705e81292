"""Authentication (secure mode: TLS + real SigV4), regions and dev-mode accounts."""

from __future__ import annotations

import datetime
import json
import re
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

import botocore
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from harness import JSON_11, RawResponse, expect_error, raw_http

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


# ----------------------------------------------------------------------------- strict SigV4

MISMATCH_MESSAGE = (
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details."
)


class _SignerLeavingOut(SigV4Auth):
    """botocore's signer, leaving the headers named in `unsigned` out of SignedHeaders."""

    def __init__(self, *args, unsigned: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.unsigned = unsigned

    def headers_to_sign(self, request):
        headers = super().headers_to_sign(request)
        for name in self.unsigned:
            del headers[name]
        return headers


def _signed_list_keys(server, extra: dict[str, str] | None = None,
                      unsigned: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The headers of a KMS ListKeys call signed by botocore as the AWS CLI signs it."""
    ak, sk = server.admin_credentials()
    headers = {"Content-Type": JSON_11, "X-Amz-Target": "TrentService.ListKeys", **(extra or {})}
    req = AWSRequest(method="POST", url=server.endpoint + "/", data=b"{}", headers=headers)
    _SignerLeavingOut(Credentials(ak, sk), "kms", "us-east-1", unsigned=unsigned).add_auth(req)
    return list(req.headers.items())


def _with_authorization(headers, edit) -> list[tuple[str, str]]:
    return [(n, edit(v) if n.lower() == "authorization" else v) for n, v in headers]


def _authorization(headers) -> str:
    return next(v for n, v in headers if n.lower() == "authorization")


def _send(server, headers) -> RawResponse:
    return raw_http(server.endpoint, "POST", "/", headers, b"{}", server.ca_bundle)


def _assert_auth_error(resp: RawResponse, code: str, message: str) -> None:
    assert resp.status == 400, (resp.status, resp.body)
    assert resp.error_type == code, resp.body
    assert resp.headers.get("x-amzn-errortype") == code, resp.headers
    assert resp.json()["message"] == message, resp.body


def test_the_sdk_authorization_form_is_accepted(secure_server):
    headers = _signed_list_keys(secure_server)
    auth = _authorization(headers)
    assert re.fullmatch(
        r"AWS4-HMAC-SHA256 Credential=AKIA\w+/\d{8}/us-east-1/kms/aws4_request, "
        r"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}", auth)
    assert _send(secure_server, headers).status == 200
    # AWS also takes the parameters without the space after each comma.
    no_space = _with_authorization(headers, lambda a: a.replace(", ", ","))
    resp = _send(secure_server, no_space)
    assert resp.status == 200, resp.body


def test_upper_case_signature_is_refused(secure_server):
    headers = _with_authorization(
        _signed_list_keys(secure_server),
        lambda a: re.sub(r"Signature=([0-9a-f]+)", lambda m: "Signature=" + m[1].upper(), a))
    _assert_auth_error(_send(secure_server, headers), "InvalidSignatureException",
                       MISMATCH_MESSAGE)


def test_repeated_authorization_parameter_is_refused(secure_server):
    headers = _with_authorization(
        _signed_list_keys(secure_server),
        lambda a: re.sub(r"(Credential=[^,]+), ", r"\1, \1, ", a))
    auth = _authorization(headers)
    assert auth.count("Credential=") == 2
    _assert_auth_error(
        _send(secure_server, headers), "IncompleteSignatureException",
        f"Authorization header requires exactly one 'Credential' parameter. Authorization={auth}")
    # An unknown parameter is refused the same way.
    headers = _with_authorization(_signed_list_keys(secure_server), lambda a: a + ", Foo=bar")
    auth = _authorization(headers)
    _assert_auth_error(
        _send(secure_server, headers), "IncompleteSignatureException",
        "Authorization header requires only the 'Credential', 'SignedHeaders' and 'Signature' "
        f"parameters, not 'Foo'. Authorization={auth}")


def test_two_authorization_headers_are_refused(secure_server):
    headers = _signed_list_keys(secure_server)
    twice = headers + [("Authorization", _authorization(headers))]
    _assert_auth_error(_send(secure_server, twice), "InvalidSignatureException",
                       "Found more than one 'Authorization' HTTP header.")


def test_unsigned_x_amz_date_is_refused(secure_server):
    headers = _signed_list_keys(secure_server, unsigned=("X-Amz-Date",))
    assert "SignedHeaders=content-type;host;x-amz-target," in _authorization(headers)
    assert any(n.lower() == "x-amz-date" for n, _ in headers)
    _assert_auth_error(_send(secure_server, headers), "InvalidSignatureException",
                       "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")


def test_signed_header_that_was_not_sent_is_refused(secure_server):
    headers = _signed_list_keys(secure_server, extra={"X-Extra": "1"})
    sent = [(n, v) for n, v in headers if n.lower() != "x-extra"]
    _assert_auth_error(
        _send(secure_server, sent), "IncompleteSignatureException",
        "'x-extra' is named as a SignedHeader, but it does not exist in the HTTP request.")


def test_repeated_presigned_parameter_is_refused(secure_server):
    url = secure_server.client("sts").generate_presigned_url(
        "get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    split = urllib.parse.urlsplit(url)
    ok = raw_http(secure_server.endpoint, "GET", f"{split.path}?{split.query}", {}, b"",
                  secure_server.ca_bundle)
    assert ok.status == 200, ok.body
    credential = re.search(r"X-Amz-Credential=[^&]+", split.query)[0]
    query = f"{split.query}&{credential}"
    resp = raw_http(secure_server.endpoint, "GET", f"{split.path}?{query}", {}, b"",
                    secure_server.ca_bundle)
    assert resp.status == 400, resp.body
    root = ET.fromstring(resp.body)
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    error = root.find(f"{ns}Error")
    assert error.find(f"{ns}Code").text == "IncompleteSignature", resp.body
    assert error.find(f"{ns}Message").text == (
        "AWS query-string parameters must include 'X-Amz-Credential' only once. "
        "Re-examine the query-string parameters.")


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

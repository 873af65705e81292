"""The AWS query protocol (IAM, STS) through boto3, the AWS CLI and raw HTTP: STS
GetCallerIdentity, clean botocore errors for operations Rampart does not implement yet, AWS validation, InvalidAction, the query
protocol's auth error codes, presigned GETs and the audit trail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness import expect_error, raw_http

FORM = "application/x-www-form-urlencoded; charset=utf-8"
SIGNATURE_MISMATCH = (
    r"^The request signature we calculated does not match the signature you provided\. "
)
INVALID_TOKEN = r"^The security token included in the request is invalid\.$"
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ACCOUNT = "000000000000"
STS_NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"


def unsupported(service: str, operation: str) -> str:
    return rf"^Rampart does not implement {service} operation {operation} yet\.$"


def query_raw(server, body: str, service: str | None = "iam", region: str = "us-east-1",
              secret_key: str | None = None, method: str = "POST", query: str = ""):
    """A hand-built query request; `service=None` sends it unsigned."""
    headers = {"Content-Type": FORM} if method == "POST" else {}
    url = server.endpoint + "/" + (f"?{query}" if query else "")
    if service is not None:
        ak, sk = server.admin_credentials()
        req = AWSRequest(method=method, url=url, data=body.encode(), headers=headers)
        SigV4Auth(Credentials(ak, secret_key or sk), service, region).add_auth(req)
        headers = dict(req.headers.items())
    path = "/" + (f"?{query}" if query else "")
    return raw_http(server.endpoint, method, path, headers, body.encode(), server.ca_bundle)


def xml_error(resp) -> tuple[str, str, str]:
    """(Type, Code, Message) of a query-protocol error document."""
    assert resp.headers.get("content-type") == "text/xml", resp
    root = ET.fromstring(resp.body)
    assert root.tag.split("}")[-1] == "ErrorResponse", resp.body
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    error = root.find(f"{ns}Error")
    assert root.find(f"{ns}RequestId").text
    return tuple(error.find(f"{ns}{tag}").text or "" for tag in ("Type", "Code", "Message"))


# ----------------------------------------------------------------------------- boto3


def test_iam_operations_answer_unsupported_operation(server):
    iam = server.client("iam")
    expect_error(iam.list_workload_identity_providers, "UnsupportedOperation",
                 unsupported("IAM", "ListWorkloadIdentityProviders"))


def caller_identity_xml(resp) -> dict[str, str]:
    """Account, Arn and UserId of a GetCallerIdentity XML answer."""
    assert resp.status == 200, resp.body
    root = ET.fromstring(resp.body)
    assert root.tag == f"{STS_NS}GetCallerIdentityResponse", resp.body
    result = root.find(f"{STS_NS}GetCallerIdentityResult")
    return {tag: result.find(f"{STS_NS}{tag}").text for tag in ("Account", "Arn", "UserId")}


def root_identity(account: str) -> dict[str, str]:
    return {"Account": account, "Arn": f"arn:aws:iam::{account}:root", "UserId": account}


def test_get_caller_identity(server):
    """Dev mode answers the default account's root; secure mode the bootstrap admin (the
    default account's root key)."""
    identity = server.client("sts", region="eu-west-1").get_caller_identity()
    assert {k: identity[k] for k in ("Account", "Arn", "UserId")} == \
        root_identity(DEFAULT_ACCOUNT)
    if server.dev:
        # Dev mode: a 12-digit access key id selects that account.
        other = server.client("sts", access_key="123456789012", secret_key="x")
        identity = other.get_caller_identity()
        assert {k: identity[k] for k in ("Account", "Arn", "UserId")} == \
            root_identity("123456789012")
    proc = server.aws("sts", "get-caller-identity", "--output", "json")
    assert json.loads(proc.stdout) == root_identity(DEFAULT_ACCOUNT)


def test_sts_operations_answer_unsupported_operation(server):
    sts = server.client("sts", region="eu-west-1")
    expect_error(sts.get_scoped_credentials, "UnsupportedOperation",
                 unsupported("STS", "GetScopedCredentials"), DurationSeconds=900)


def test_model_validation_answers_validation_error(server):
    iam = server.client("iam")
    expect_error(
        iam.create_user, "ValidationError",
        r"^1 validation error detected: Value 'bad name' at 'userName' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: \[\\w\+=,\.@-\]\+$",
        UserName="bad name")
    sts = server.client("sts")
    expect_error(
        sts.assume_role, "ValidationError",
        r"^1 validation error detected: Value 'a:b' at 'roleSessionName' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: \[\\w\+=,\.@-\]\*$",
        RoleArn="arn:aws:iam::000000000000:role/app", RoleSessionName="a:b")


# ----------------------------------------------------------------------------- AWS CLI


def test_aws_cli_reports_the_unsupported_operation(server):
    op = "ListWorkloadIdentityProviders"
    proc = server.aws("iam", "list-workload-identity-providers", check=False)
    # 254: a service error; the CLI's paginator path (list-*) exits 255 instead.
    assert proc.returncode in (254, 255), proc.stderr
    assert (f"An error occurred (UnsupportedOperation) when calling the {op} operation: "
            f"Rampart does not implement IAM operation {op} yet.") in proc.stderr
    # Every STS operation this CLI knows is served: a query error of STS, as the CLI shows it.
    proc = server.aws("sts", "get-delegated-access-token", "--trade-in-token", "x" * 64,
                      check=False)
    assert proc.returncode in (254, 255), proc.stderr
    assert ("An error occurred (InvalidParameterValue) when calling the GetDelegatedAccessToken "
            "operation: The trade-in token is not valid.") in proc.stderr


# ----------------------------------------------------------------------------- raw HTTP


def test_malformed_form_and_unknown_actions_are_invalid_action(server):
    resp = query_raw(server, "%%%\x01garbage&&==", service=None)
    assert resp.status == 400
    assert xml_error(resp)[:2] == ("Sender", "InvalidAction")
    resp = query_raw(server, "Action=NoSuchThing&Version=2010-05-08", service="iam")
    assert resp.status == 400
    assert xml_error(resp) == ("Sender", "InvalidAction",
                               "Could not find operation NoSuchThing for version 2010-05-08")
    assert resp.body.startswith(b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">')
    # An STS action sent to IAM (by the credential scope) is not an IAM operation.
    resp = query_raw(server, "Action=GetCallerIdentity&Version=2011-06-15", service="iam")
    assert xml_error(resp)[1] == "InvalidAction"
    resp = query_raw(server, "Action=ListUsers&Version=1999-01-01", service="iam")
    assert xml_error(resp)[2] == "Could not find operation ListUsers for version 1999-01-01"
    # A parameter name nested 400 000 levels deep is ignored, not a crash.
    resp = query_raw(server, "a." * 400_000 + "b=1&Action=ListWorkloadIdentityProviders",
                     service="iam")
    assert xml_error(resp)[1] == "UnsupportedOperation"
    assert server.alive()


def test_get_with_a_query_string(server):
    resp = query_raw(server, "", service="sts", method="GET",
                     query="Action=GetCallerIdentity&Version=2011-06-15")
    assert caller_identity_xml(resp) == root_identity(DEFAULT_ACCOUNT)
    resp = query_raw(server, "", service="sts", method="GET",
                     query="Action=GetScopedCredentials&Version=2011-06-15&DurationSeconds=900")
    assert resp.status == 400
    assert xml_error(resp)[1] == "UnsupportedOperation"
    # A presigned URL (query-string SigV4), as EKS-style tokens use.
    url = server.client("sts").generate_presigned_url(
        "get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    split = urllib.parse.urlsplit(url)
    resp = raw_http(server.endpoint, "GET", f"{split.path}?{split.query}", {}, b"",
                    server.ca_bundle)
    assert caller_identity_xml(resp) == root_identity(DEFAULT_ACCOUNT)
    # botocore's default presigned method for query operations is POST (empty body).
    url = server.client("iam").generate_presigned_url("list_users", ExpiresIn=60)
    split = urllib.parse.urlsplit(url)
    resp = raw_http(server.endpoint, "POST", f"{split.path}?{split.query}", {}, b"",
                    server.ca_bundle)
    assert resp.status == 200, resp.body
    assert ET.fromstring(resp.body).tag == "{https://iam.amazonaws.com/doc/2010-05-08/}ListUsersResponse"


def test_json_services_are_unaffected(server):
    kms = server.client()
    assert "Keys" in kms.list_keys()
    resp = server.post("/", b"{}", {"Content-Type": "application/x-amz-json-1.1"})
    assert resp.status == 400 and resp.error_type == "UnknownOperationException"


# ----------------------------------------------------------------------------- secure mode


def test_secure_mode_auth_errors_use_query_codes(secure_server):
    ak, sk = secure_server.admin_credentials()
    wrong = sk[:-1] + ("A" if sk[-1] != "A" else "B")
    iam = secure_server.client("iam", secret_key=wrong)
    expect_error(iam.list_users, "SignatureDoesNotMatch", SIGNATURE_MISMATCH, status=403)
    sts = secure_server.client("sts", secret_key=wrong)
    expect_error(sts.get_caller_identity, "SignatureDoesNotMatch", SIGNATURE_MISMATCH,
                 status=403)
    stranger = secure_server.client("iam", access_key="AKIAIOSFODNN7EXAMPLE",
                                    secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    expect_error(stranger.list_users, "InvalidClientTokenId", INVALID_TOKEN, status=403)
    resp = query_raw(secure_server, "Action=ListUsers&Version=2010-05-08", service=None)
    assert resp.status == 403
    assert xml_error(resp)[:2] == ("Sender", "MissingAuthenticationToken")
    # Signed for KMS but sent as an IAM action: routed to IAM, whose scope check fails.
    resp = query_raw(secure_server, "Action=ListUsers&Version=2010-05-08", service="kms")
    assert resp.status == 403
    assert xml_error(resp)[1] == "SignatureDoesNotMatch"


def test_a_presigned_url_cannot_be_turned_into_another_call(secure_server):
    """A presigned GetCallerIdentity URL declaring UNSIGNED-PAYLOAD plus a body naming another
    action: only S3 accepts unsigned payloads, so the body is signed and the swap fails."""
    ak, sk = secure_server.admin_credentials()
    req = AWSRequest(method="POST", url=secure_server.endpoint + "/",
                     params={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
                     headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    from botocore.auth import SigV4QueryAuth
    SigV4QueryAuth(Credentials(ak, sk), "sts", "us-east-1", expires=60).add_auth(req)
    prepared = req.prepare()
    split = urllib.parse.urlsplit(prepared.url)
    body = b"Action=GetSessionToken&Version=2011-06-15"
    resp = raw_http(secure_server.endpoint, "POST", f"{split.path}?{split.query}",
                    {"Content-Type": FORM, "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}, body,
                    secure_server.ca_bundle)
    assert resp.status == 403, resp.body
    assert xml_error(resp)[1] == "SignatureDoesNotMatch"
    assert b"SessionToken" not in resp.body


def test_an_unsigned_operation_header_is_refused(secure_server):
    """X-Amz-Target names the operation of a JSON request: it must be among the signed
    headers, or a captured DescribeKey could be replayed as DisableKey."""
    ak, sk = secure_server.admin_credentials()
    key = secure_server.client().create_key()["KeyMetadata"]["KeyId"]
    body = json.dumps({"KeyId": key}).encode()
    req = AWSRequest(method="POST", url=secure_server.endpoint + "/", data=body,
                     headers={"Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(Credentials(ak, sk), "kms", "us-east-1").add_auth(req)
    headers = dict(req.headers.items())
    headers["X-Amz-Target"] = "TrentService.DisableKey"
    resp = raw_http(secure_server.endpoint, "POST", "/", headers, body, secure_server.ca_bundle)
    assert resp.status == 400
    assert json.loads(resp.body)["__type"] == "InvalidSignatureException"
    state = secure_server.client().describe_key(KeyId=key)["KeyMetadata"]["KeyState"]
    assert state == "Enabled"


# ----------------------------------------------------------------------------- audit


def _wait_for(server, request_ids: set[str], timeout: float = 10.0) -> dict[str, dict]:
    deadline = time.monotonic() + timeout
    while True:
        records = {r.get("requestID"): r for r in server.audit_tail(500)}
        if request_ids <= set(records) or time.monotonic() > deadline:
            missing = request_ids - set(records)
            assert not missing, f"audit records missing for request ids {missing}"
            return records
        time.sleep(0.3)


def test_query_calls_are_audited(server):
    iam = server.client("iam", region="eu-west-1")
    sts = server.client("sts", region="eu-west-1")
    create = iam.create_user(UserName="audited",
                             Tags=[{"Key": "k", "Value": "v"}])["ResponseMetadata"]["RequestId"]
    caller = sts.get_caller_identity()["ResponseMetadata"]["RequestId"]
    records = _wait_for(server, {create, caller})
    event = records[create]
    assert event["eventSource"] == "iam.amazonaws.com"
    assert event["eventName"] == "CreateUser"
    assert event["awsRegion"] == "us-east-1", "IAM is global: served in us-east-1"
    assert event.get("errorCode") is None
    assert event["readOnly"] is False
    assert event["requestParameters"] == {"userName": "audited",
                                          "tags": [{"key": "k", "value": "v"}]}
    event = records[caller]
    assert (event["eventSource"], event["eventName"]) == ("sts.amazonaws.com", "GetCallerIdentity")
    assert event["awsRegion"] == "eu-west-1"
    assert event["readOnly"] is True
    assert event.get("errorCode") is None


# ----------------------------------------------------------------------------- conformance


def test_generated_codecs_round_trip_through_botocore():
    """Runs the Rust conformance tests (every IAM/STS shape through botocore's serializer and
    parser) with this interpreter's botocore."""
    cargo = subprocess.run(["cargo", "--version"], capture_output=True)
    if cargo.returncode != 0:
        pytest.skip("cargo is not available")
    proc = subprocess.run(
        ["cargo", "test", "-q", "-p", "rampart-iam", "-p", "rampart-sts",
         "--test", "botocore_conformance", "--", "--nocapture"],
        cwd=ROOT, env={**os.environ, "RAMPART_PYTHON": sys.executable},
        capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "skipped" not in proc.stderr

"""Hostile and malformed requests built by hand (signed with botocore's SigV4 in secure mode):
each gets a 4xx with an AWS `__type`, and the server keeps answering with its state unchanged."""

from __future__ import annotations

import json

import pytest

JSON_11 = "application/x-amz-json-1.1"
SECRET_MARKER = "s3cr3t-do-not-echo"


def _key_ids(server) -> list[str]:
    return sorted(k["KeyId"] for k in server.client().list_keys(Limit=1000)["Keys"])


@pytest.fixture
def unchanged(server):
    """Asserts after the test that the server still answers and ListKeys did not change."""
    before = _key_ids(server)
    yield
    assert server.alive(), f"server died:\n{server.stderr_tail()}"
    assert server.get("/health").status == 200
    assert _key_ids(server) == before


@pytest.fixture(scope="module")
def a_key(server):
    return server.client().create_key(Description="bad-input target")["KeyMetadata"]["KeyId"]


CASES = {
    "malformed-json": ("TrentService.DescribeKey", b'{"KeyId": ', {"SerializationException"}),
    "trailing-garbage": ("TrentService.ListKeys", b"{} {}", {"SerializationException"}),
    "json-array": ("TrentService.ListKeys", b"[]", {"SerializationException"}),
    "json-string": ("TrentService.ListKeys", b'"hello"', {"SerializationException"}),
    "not-utf8": ("TrentService.ListKeys", b'{"Marker": "\xff\xfe"}', {"SerializationException"}),
    "wrong-type-string": ("TrentService.DescribeKey", b'{"KeyId": 12345}', {"SerializationException"}),
    "wrong-type-int": ("TrentService.ListKeys", b'{"Limit": "ten"}', {"SerializationException"}),
    "wrong-type-object": ("TrentService.CreateKey", b'{"Tags": {"a": "b"}}', {"SerializationException"}),
    "unknown-field": ("TrentService.ListKeys", b'{"Bogus": 1}', {"SerializationException"}),
    "unknown-nested-field": (
        "TrentService.CreateKey",
        b'{"Tags": [{"TagKey": "a", "TagValue": "b", "Extra": 1}]}',
        {"SerializationException"},
    ),
    "deep-nesting": ("TrentService.ListKeys", b'{"Limit": ' + b"[" * 100000 + b"]" * 100000 + b"}",
                     {"SerializationException"}),
    "missing-required": ("TrentService.DescribeKey", b"{}", {"ValidationException"}),
    "limit-out-of-range": ("TrentService.ListKeys", b'{"Limit": 0}', {"ValidationException"}),
    "bad-enum": ("TrentService.CreateKey", b'{"KeyUsage": "MAKE_COFFEE"}', {"ValidationException"}),
    "unknown-operation": ("TrentService.MakeCoffee", b"{}", {"UnknownOperationException"}),
    "unknown-service-prefix": ("Nope_20141101.ListKeys", b"{}", {"UnknownOperationException"}),
    "target-without-dot": ("TrentServiceListKeys", b"{}", {"UnknownOperationException"}),
    "missing-target": (None, b"{}", {"UnknownOperationException"}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_request(server, unchanged, case):
    target, body, codes = CASES[case]
    resp = server.kms_raw(target, body)
    assert 400 <= resp.status < 500, (resp.status, resp.body[:300])
    assert resp.error_type in codes, (resp.status, resp.body[:300])
    if resp.error_type == "UnknownOperationException":
        # AWS sends {"__type": "...#UnknownOperationException"} with no message member.
        assert set(resp.json()) == {"__type"}, resp.body
    else:
        assert "message" in resp.json() or "Message" in resp.json()
    assert resp.headers.get("x-amzn-requestid"), resp.headers


def test_invalid_base64_is_rejected_without_echo(server, a_key, unchanged):
    body = json.dumps({"KeyId": a_key, "Plaintext": SECRET_MARKER + "!!!"}).encode()
    resp = server.kms_raw("TrentService.Encrypt", body)
    assert resp.status == 400 and resp.error_type == "SerializationException", resp.body
    assert SECRET_MARKER.encode() not in resp.body


def test_validation_errors_do_not_echo_plaintext(server, a_key, unchanged):
    import base64

    plaintext = (SECRET_MARKER * 300).encode()[:5000]
    body = json.dumps({"KeyId": a_key, "Plaintext": base64.b64encode(plaintext).decode()}).encode()
    resp = server.kms_raw("TrentService.Encrypt", body)
    assert resp.status == 400 and resp.error_type == "ValidationException", resp.body
    assert SECRET_MARKER.encode() not in resp.body


def test_oversize_body(server, unchanged):
    body = b'{"Marker": "' + b"a" * (2 * 1024 * 1024 + 1024) + b'"}'
    resp = server.kms_raw("TrentService.ListKeys", body)
    assert resp.status == 413, (resp.status, resp.body[:300])
    assert resp.error_type == "RequestEntityTooLargeException", resp.body[:300]


def test_body_just_under_the_limit_is_read(server, unchanged):
    body = b'{"Marker": "' + b"a" * (2 * 1024 * 1024 - 64) + b'"}'
    resp = server.kms_raw("TrentService.ListKeys", body)
    # Read and rejected by KMS itself (the marker is not one Rampart issued).
    assert 400 <= resp.status < 500 and resp.status != 413, (resp.status, resp.body[:300])
    assert resp.error_type in ("InvalidMarkerException", "ValidationException"), resp.body[:300]


def test_wrong_content_type_still_gets_an_aws_answer(server, unchanged):
    resp = server.kms_raw("TrentService.ListKeys", b"{}", content_type="text/plain")
    assert resp.status == 200 or resp.error_type, (resp.status, resp.body[:300])


def test_error_responses_carry_aws_headers(server, unchanged):
    resp = server.kms_raw("TrentService.DescribeKey", b"{}")
    assert resp.headers.get("content-type", "").startswith(JSON_11), resp.headers
    assert resp.headers.get("x-amzn-errortype", "").startswith("ValidationException"), resp.headers
    assert resp.json()["message"] == (
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_many_bad_requests_then_a_good_one(server, a_key, unchanged):
    for i in range(50):
        target, body, _ = CASES[sorted(CASES)[i % len(CASES)]]
        server.kms_raw(target, body)
    kms = server.client()
    blob = kms.encrypt(KeyId=a_key, Plaintext=b"still fine")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"still fine"

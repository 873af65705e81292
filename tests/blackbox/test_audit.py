"""The CloudTrail-shaped audit trail read back with `rampart audit tail`."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid

from botocore.exceptions import ClientError

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _wait_for(server, request_ids: set[str], timeout: float = 10.0) -> dict[str, dict]:
    deadline = time.monotonic() + timeout
    while True:
        records = {r.get("requestID"): r for r in server.audit_tail(500)}
        if request_ids <= set(records) or time.monotonic() > deadline:
            missing = request_ids - set(records)
            assert not missing, f"audit records missing for request ids {missing}"
            return records
        time.sleep(0.3)


def test_audit_records_calls_errors_and_no_plaintext(server):
    kms = server.client()
    calls: dict[str, str] = {}
    created = kms.create_key(Description="audited")
    key = created["KeyMetadata"]["KeyId"]
    calls["CreateKey"] = created["ResponseMetadata"]["RequestId"]
    known = f"audit canary {uuid.uuid4()}".encode()
    enc = kms.encrypt(KeyId=key, Plaintext=known, EncryptionContext={"app": "audit"})
    calls["Encrypt"] = enc["ResponseMetadata"]["RequestId"]
    dec = kms.decrypt(CiphertextBlob=enc["CiphertextBlob"], EncryptionContext={"app": "audit"})
    calls["Decrypt"] = dec["ResponseMetadata"]["RequestId"]
    gdk = kms.generate_data_key(KeyId=key, KeySpec="AES_256")
    calls["GenerateDataKey"] = gdk["ResponseMetadata"]["RequestId"]
    described = kms.describe_key(KeyId=key)
    calls["DescribeKey"] = described["ResponseMetadata"]["RequestId"]
    missing = str(uuid.uuid4())
    try:
        kms.describe_key(KeyId=missing)
        raise AssertionError("DescribeKey of a missing key succeeded")
    except ClientError as err:
        failed_id = err.response["ResponseMetadata"]["RequestId"]

    time.sleep(1.0)
    records = _wait_for(server, set(calls.values()) | {failed_id})
    for name, request_id in calls.items():
        record = records[request_id]
        assert record["eventName"] == name, record
        assert record["eventSource"] == "kms.amazonaws.com"
        assert record["awsRegion"] == "us-east-1"
        assert "errorCode" not in record or record["errorCode"] in (None, ""), record
        assert UUID.match(record["eventID"]), record
        identity = record["userIdentity"]
        assert identity.get("accountId") == created["KeyMetadata"]["AWSAccountId"], identity
        assert identity.get("arn", "").startswith("arn:aws:iam::"), identity
        assert isinstance(record["readOnly"], bool)
        assert record["eventTime"], record
    assert records[calls["DescribeKey"]]["readOnly"] is True
    assert records[calls["CreateKey"]]["readOnly"] is False
    assert records[calls["Encrypt"]]["requestParameters"]["keyId"] == key
    params = records[calls["Encrypt"]]["requestParameters"]
    assert not any(k.lower() == "plaintext" for k in params), params
    assert records[calls["CreateKey"]]["requestParameters"].get("description") == "audited"

    failed = records[failed_id]
    assert failed["eventName"] == "DescribeKey"
    assert failed["errorCode"] == "NotFoundException", failed
    assert missing in failed.get("errorMessage", ""), failed

    arns = [r.get("ARN") for r in records[calls["Encrypt"]].get("resources", [])]
    assert created["KeyMetadata"]["Arn"] in arns, records[calls["Encrypt"]]

    text = "\n".join(json.dumps(r) for r in records.values()).encode()
    for secret in (known, gdk["Plaintext"]):
        assert secret not in text
        assert base64.b64encode(secret) not in text


def test_audit_is_flushed_on_shutdown(make_server):
    server = make_server("secure-sqlite")
    kms = server.client()
    ids = {kms.create_key()["ResponseMetadata"]["RequestId"] for _ in range(20)}
    assert server.stop() == 0  # immediately: the writer must drain its queue
    records = {r["requestID"] for r in server.audit_tail(100)}
    assert ids <= records, f"{len(ids - records)} audit records lost at shutdown"

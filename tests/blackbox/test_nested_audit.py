"""KMS calls Parameter Store makes on the caller's behalf (SecureString Encrypt and Decrypt):
each is a KMS record of its own in CloudTrail (the caller's identity with invokedBy
ssm.amazonaws.com, the encryption context and key, the key as resource, read-only), a denied
one is recorded with its errorCode, no value reaches the trail, and each counts as a KMS request
in `rampart usage`."""

from __future__ import annotations

import json
import time

from harness import allow, create_user_with_key, eventually, expect_error, policy_doc, run_rampart
from harness import unique

SSM = "ssm.amazonaws.com"


def nested_records(ct, parameter_arn: str, want: int, timeout: float = 5.0) -> list[dict]:
    """The KMS records SSM made for `parameter_arn` (by its encryption context), oldest first,
    polled until there are `want` of them (the audit writer commits every ~10 ms)."""
    deadline = time.monotonic() + timeout
    while True:
        events = ct.lookup_events(
            LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": "kms.amazonaws.com"}]
        )["Events"]
        records = [json.loads(e["CloudTrailEvent"]) for e in events]
        mine = [r for r in records
                if (r.get("requestParameters") or {}).get("encryptionContext", {})
                .get("PARAMETER_ARN") == parameter_arn]
        if len(mine) >= want or time.monotonic() > deadline:
            assert len(mine) == want, mine
            return list(reversed(mine))
        time.sleep(0.05)


def test_secure_string_put_and_get_are_kms_records_invoked_by_ssm(secure_server):
    ssm, kms, ct = (secure_server.client(s) for s in ("ssm", "kms", "cloudtrail"))
    key = kms.create_key()["KeyMetadata"]
    name = f"/{unique('nested')}/pw"
    put = ssm.put_parameter(Name=name, Value="hunter2", Type="SecureString", KeyId=key["Arn"])
    got = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    assert got["Value"] == "hunter2"
    encrypt, decrypt = nested_records(ct, got["ARN"], 2)
    assert (encrypt["eventName"], decrypt["eventName"]) == ("Encrypt", "Decrypt")
    caller = ct.lookup_events(LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "PutParameter"}])["Events"]
    outer = next(json.loads(e["CloudTrailEvent"]) for e in caller
                 if json.loads(e["CloudTrailEvent"])["requestID"]
                 == put["ResponseMetadata"]["RequestId"])
    assert "invokedBy" not in outer["userIdentity"]
    for record in (encrypt, decrypt):
        assert "hunter2" not in json.dumps(record)
        assert record["eventSource"] == "kms.amazonaws.com"
        assert record["userIdentity"]["invokedBy"] == SSM
        assert record["userIdentity"]["arn"] == outer["userIdentity"]["arn"]
        assert record["sourceIPAddress"] == SSM and record["userAgent"] == SSM
        params = record["requestParameters"]
        assert params["encryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
        assert params["keyId"] == key["Arn"]
        assert record["responseElements"] is None
        assert record["resources"] == [
            {"accountId": key["AWSAccountId"], "type": "AWS::KMS::Key", "ARN": key["Arn"]}]
        assert record["readOnly"] is True and record["managementEvent"] is True
        assert record["eventCategory"] == "Management" and record["eventType"] == "AwsApiCall"
        assert "errorCode" not in record
        assert record["requestID"] != outer["requestID"]


def test_a_denied_nested_decrypt_is_recorded_with_its_error(secure_server):
    admin, kms, ct, iam = (secure_server.client(s) for s in ("ssm", "kms", "cloudtrail", "iam"))
    key = kms.create_key()["KeyMetadata"]
    top = f"/{unique('denied')}"
    admin.put_parameter(Name=f"{top}/pw", Value="hunter2", Type="SecureString",
                        KeyId=key["KeyId"])
    reader = create_user_with_key(iam, unique("reader"), policy_doc(
        allow("ssm:GetParameter", f"arn:aws:ssm:*:*:parameter{top}/*")))
    ssm = secure_server.client_for("ssm", reader)
    eventually(lambda: ssm.get_parameter(Name=f"{top}/pw"))
    expect_error(ssm.get_parameter, "AccessDeniedException", Name=f"{top}/pw",
                 WithDecryption=True)
    arn = admin.get_parameter(Name=f"{top}/pw")["Parameter"]["ARN"]
    encrypt, denied = nested_records(ct, arn, 2)
    assert encrypt["eventName"] == "Encrypt" and "errorCode" not in encrypt
    assert denied["eventName"] == "Decrypt"
    assert denied["errorCode"] == "AccessDeniedException"
    assert f"is not authorized to perform: kms:Decrypt on resource: {key['Arn']}" in \
        denied["errorMessage"]
    assert denied["userIdentity"]["userName"] == reader["User"]["UserName"]
    assert denied["userIdentity"]["invokedBy"] == SSM


def test_nested_calls_count_as_kms_requests(secure_server):
    ssm, kms = secure_server.client("ssm"), secure_server.client("kms")
    key = kms.create_key()["KeyMetadata"]
    name = f"/{unique('metered')}/pw"
    ssm.put_parameter(Name=name, Value="v", Type="SecureString", KeyId=key["KeyId"])
    ssm.get_parameter(Name=name, WithDecryption=True)
    ssm.get_parameter(Name=name)  # no decryption: no KMS request
    deadline = time.monotonic() + 15
    while True:
        out = run_rampart("usage", *secure_server.store_args(), "--json").stdout
        line = next((k for k in json.loads(out)["keys"] if k["key_id"] == key["KeyId"]), None)
        if (line and line["requests"] >= 3) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert line is not None and line["requests"] == 3, "CreateKey, Encrypt, Decrypt"


def test_nested_records_reach_rules_taking_all_management_events(secure_server):
    from test_events_e2e import Receiver, route_to, wait_for

    receiver = Receiver()
    try:
        events, ssm = secure_server.client("events"), secure_server.client("ssm")
        pattern = {"source": ["aws.kms"], "detail-type": ["AWS API Call via CloudTrail"],
                   "detail": {"userIdentity": {"invokedBy": [SSM]}}}
        rule = route_to(events, receiver.url, pattern)
        # Read-only calls reach only rules taking all management events, as in AWS.
        events.put_rule(Name=rule, EventPattern=json.dumps(pattern),
                        State="ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
        name = f"/{unique('routed')}/pw"
        ssm.put_parameter(Name=name, Value="hunter2", Type="SecureString")
        arn = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["ARN"]

        def mine():
            got = [e for e in receiver.events()
                   if e["detail"]["requestParameters"]["encryptionContext"]
                   .get("PARAMETER_ARN") == arn]
            return got if len(got) >= 2 else None

        got = wait_for(mine, timeout=20)
        assert sorted(e["detail"]["eventName"] for e in got) == ["Decrypt", "Encrypt"]
        assert all(e["source"] == "aws.kms" and e["detail"]["readOnly"] for e in got)
        assert "hunter2" not in json.dumps(got)
    finally:
        receiver.close()

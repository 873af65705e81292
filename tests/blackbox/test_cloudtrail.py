"""CloudTrail LookupEvents through boto3 on every matrix entry: who did what, including the
calls that failed, by event name, resource (key ARN), read-only flag, time range and pages."""

from __future__ import annotations

import base64
import datetime
import json
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from harness import expect_error


@pytest.fixture
def ct(server):
    return server.client("cloudtrail")


def by(key: str, value: str) -> list[dict]:
    return [{"AttributeKey": key, "AttributeValue": value}]


def wait_for(ct, want, timeout: float = 5.0, **kwargs) -> list[dict]:
    """Events of one lookup, polled until `want(events)` holds (the audit writer commits in
    groups every ~10 ms, so a call shows up shortly after its response)."""
    deadline = time.monotonic() + timeout
    while True:
        events = ct.lookup_events(**kwargs)["Events"]
        if want(events) or time.monotonic() > deadline:
            assert want(events), f"lookup {kwargs} never satisfied: {events}"
            return events
        time.sleep(0.05)


def record(event: dict) -> dict:
    return json.loads(event["CloudTrailEvent"])


def request_id(response: dict) -> str:
    return response["ResponseMetadata"]["RequestId"]


@pytest.fixture
def key_history(server, ct):
    """A key with CreateKey, DescribeKey, Encrypt and a failed call on it, plus a failed
    DescribeKey of a missing key; waits until the trail shows them."""
    kms = server.client()
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    created = kms.create_key(Description="trail")
    meta = created["KeyMetadata"]
    ids = {"CreateKey": request_id(created)}
    ids["DescribeKey"] = request_id(kms.describe_key(KeyId=meta["KeyId"]))
    ids["Encrypt"] = request_id(kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"secret text"))
    missing = str(uuid.uuid4())
    try:
        kms.describe_key(KeyId=missing)
        raise AssertionError("DescribeKey of a missing key succeeded")
    except ClientError as err:
        failed = err.response
    events = wait_for(
        ct, lambda es: len(es) >= 3, LookupAttributes=by("ResourceName", meta["Arn"])
    )
    return {
        "meta": meta,
        "ids": ids,
        "failed": failed,
        "missing": missing,
        "before": before,
        "events": events,
        "kms": kms,
    }


def test_who_did_what_on_a_key(server, ct, key_history):
    meta, ids = key_history["meta"], key_history["ids"]
    events = key_history["events"]
    assert [e["EventName"] for e in events] == ["Encrypt", "DescribeKey", "CreateKey"]
    times = [e["EventTime"] for e in events]
    assert times == sorted(times, reverse=True), "newest first"
    access_key = server.admin_credentials()[0]
    for event in events:
        rec = record(event)
        assert rec["requestID"] == ids[event["EventName"]]
        assert rec["eventID"] == event["EventId"]
        assert event["EventSource"] == "kms.amazonaws.com"
        assert event["Username"] == "root"
        assert event["AccessKeyId"] == access_key
        assert rec["userIdentity"]["type"] == "Root"
        assert rec["userIdentity"]["accessKeyId"] == access_key
        assert rec["recipientAccountId"] == meta["AWSAccountId"]
        assert rec["awsRegion"] == "us-east-1"
        assert {"ResourceType": "AWS::KMS::Key", "ResourceName": meta["Arn"]} in event["Resources"]
        assert event["EventTime"] >= key_history["before"]
    read_only = {e["EventName"]: e["ReadOnly"] for e in events}
    assert read_only == {"Encrypt": "true", "DescribeKey": "true", "CreateKey": "false"}
    trail = json.dumps([e["CloudTrailEvent"] for e in events])
    assert "secret text" not in trail
    assert base64.b64encode(b"secret text").decode() not in trail


def test_failed_calls_are_in_the_trail(ct, key_history):
    failed, missing = key_history["failed"], key_history["missing"]
    wanted = request_id(failed)
    events = wait_for(
        ct,
        lambda es: any(record(e)["requestID"] == wanted for e in es),
        LookupAttributes=by("EventName", "DescribeKey"),
    )
    event = next(e for e in events if record(e)["requestID"] == wanted)
    rec = record(event)
    assert rec["errorCode"] == failed["Error"]["Code"] == "NotFoundException"
    assert missing in rec["errorMessage"]
    assert event["Username"] == "root"
    ok = [e for e in events if record(e)["requestID"] == key_history["ids"]["DescribeKey"]]
    assert ok and "errorCode" not in record(ok[0])


def test_lookup_by_event_name_and_read_only(ct, key_history):
    ids = key_history["ids"]
    creates = ct.lookup_events(LookupAttributes=by("EventName", "CreateKey"))["Events"]
    assert creates and all(e["EventName"] == "CreateKey" for e in creates)
    assert ids["CreateKey"] in {record(e)["requestID"] for e in creates}
    reads = ct.lookup_events(LookupAttributes=by("ReadOnly", "true"))["Events"]
    assert reads and all(e["ReadOnly"] == "true" for e in reads)
    assert ids["Encrypt"] in {record(e)["requestID"] for e in reads}
    writes = ct.lookup_events(LookupAttributes=by("ReadOnly", "false"))["Events"]
    assert writes and all(e["ReadOnly"] == "false" for e in writes)
    assert ids["CreateKey"] in {record(e)["requestID"] for e in writes}
    by_key = ct.lookup_events(LookupAttributes=by("EventSource", "kms.amazonaws.com"))
    assert all(e["EventSource"] == "kms.amazonaws.com" for e in by_key["Events"])
    user = ct.lookup_events(LookupAttributes=by("Username", "root"), MaxResults=5)
    assert len(user["Events"]) == 5 and all(e["Username"] == "root" for e in user["Events"])
    nobody = ct.lookup_events(LookupAttributes=by("Username", "nobody-" + uuid.uuid4().hex))
    assert nobody["Events"] == []


def test_pages_of_one_with_next_token(ct, key_history):
    arn = key_history["meta"]["Arn"]
    expected = [e["EventId"] for e in key_history["events"]]
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"LookupAttributes": by("ResourceName", arn), "MaxResults": 1}
        if token:
            kwargs["NextToken"] = token
        out = ct.lookup_events(**kwargs)
        pages += 1
        assert len(out["Events"]) <= 1
        seen += [e["EventId"] for e in out["Events"]]
        token = out.get("NextToken")
        if not token:
            break
    assert seen == expected
    assert pages == len(expected)
    paginator = ct.get_paginator("lookup_events")
    paged = [
        e["EventId"]
        for page in paginator.paginate(
            LookupAttributes=by("ResourceName", arn), PaginationConfig={"PageSize": 2}
        )
        for e in page["Events"]
    ]
    assert paged == expected


def test_time_range(ct, key_history):
    arn = key_history["meta"]["Arn"]
    before = key_history["before"]
    around = ct.lookup_events(
        LookupAttributes=by("ResourceName", arn),
        StartTime=before,
        EndTime=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1),
    )["Events"]
    assert [e["EventId"] for e in around] == [e["EventId"] for e in key_history["events"]]
    earlier = ct.lookup_events(
        LookupAttributes=by("ResourceName", arn),
        StartTime=before - datetime.timedelta(hours=1),
        EndTime=before - datetime.timedelta(seconds=1),
    )["Events"]
    assert earlier == []


def test_only_the_callers_region_and_account(server, ct, key_history):
    arn = key_history["meta"]["Arn"]
    europe = server.client("cloudtrail", region="eu-west-1")
    assert europe.lookup_events(LookupAttributes=by("ResourceName", arn))["Events"] == []
    if server.dev:
        other = server.client("cloudtrail", access_key="123456789012", secret_key="x")
        assert other.lookup_events(LookupAttributes=by("ResourceName", arn))["Events"] == []


def test_lookups_are_audited_themselves(ct):
    marker = ct.lookup_events(MaxResults=1)
    wanted = request_id(marker)
    events = wait_for(
        ct,
        lambda es: any(record(e)["requestID"] == wanted for e in es),
        LookupAttributes=by("EventSource", "cloudtrail.amazonaws.com"),
    )
    event = next(e for e in events if record(e)["requestID"] == wanted)
    rec = record(event)
    assert event["EventName"] == "LookupEvents"
    assert event["ReadOnly"] == "true"
    assert rec["requestParameters"] == {"maxResults": 1}
    assert rec["responseElements"] is None


def test_cloudtrail_errors(ct):
    expect_error(ct.lookup_events, "InvalidMaxResultsException", MaxResults=51)
    expect_error(
        ct.lookup_events,
        "InvalidLookupAttributesException",
        LookupAttributes=by("EventName", "CreateKey") + by("EventName", "Encrypt"),
    )
    expect_error(
        ct.lookup_events,
        "InvalidLookupAttributesException",
        LookupAttributes=by("EventName", "_" * 1001),
    )
    now = datetime.datetime.now(datetime.timezone.utc)
    expect_error(
        ct.lookup_events,
        "InvalidTimeRangeException",
        StartTime=now,
        EndTime=now - datetime.timedelta(hours=1),
    )
    expect_error(ct.lookup_events, "InvalidNextTokenException", NextToken="not-a-token")
    first = ct.lookup_events(LookupAttributes=by("ReadOnly", "true"), MaxResults=1)
    assert "NextToken" in first
    expect_error(
        ct.lookup_events,
        "InvalidNextTokenException",
        LookupAttributes=by("ReadOnly", "false"),
        NextToken=first["NextToken"],
    )
    expect_error(ct.lookup_events, "InvalidEventCategoryException", EventCategory="management")
    assert ct.lookup_events(EventCategory="insight")["Events"] == []
    expect_error(ct.describe_trails, "UnsupportedOperationException")

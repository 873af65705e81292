"""Secrets Manager rotation against the real binary: a rotation function served over HTTP by
this test (registered with `rampart rotation-function register`), which calls back into
Rampart with boto3 as a rotation Lambda does (createSecret puts the AWSPENDING version,
finishSecret moves AWSCURRENT); RotateSecret runs it within seconds, DescribeSecret and
ListSecrets show the rotation fields, a failure at testSecret leaves AWSPENDING and records
RotationFailed, LookupEvents shows the service events, CancelRotateSecret turns rotation off."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness import DEV_SQLITE, eventually, expect_error
from test_events_e2e import Receiver, route_to

FUNCTION = "rampart-test-rotator"


class Rotator:
    """The rotation function: each step's event is recorded; `fail_at` fails that step."""

    def __init__(self, sm):
        self.sm = sm
        self.steps: list[tuple[str, str]] = []
        self.fail_at: str | None = None
        # A step that hangs until `release` is set (a node killed while it runs).
        self.block_at: str | None = None
        self.blocked = threading.Event()
        self.release = threading.Event()
        rotator = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = rotator.step(json.loads(body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/rotate"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def step(self, event: dict) -> int:
        step, arn, token = event["Step"], event["SecretId"], event["ClientRequestToken"]
        assert event["RotationToken"]
        self.steps.append((arn, step))
        if step == self.fail_at:
            return 500
        if step == self.block_at:
            self.block_at = None
            self.blocked.set()
            self.release.wait(20)
            return 500
        if step == "createSecret":
            self.sm.put_secret_value(SecretId=arn, ClientRequestToken=token,
                                     SecretString=f"rotated-{token}", VersionStages=["AWSPENDING"])
        elif step == "finishSecret":
            versions = self.sm.describe_secret(SecretId=arn)["VersionIdsToStages"]
            current = next(v for v, s in versions.items() if "AWSCURRENT" in s)
            self.sm.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT",
                                                MoveToVersionId=token, RemoveFromVersionId=current)
        return 200

    def steps_of(self, arn: str) -> list[str]:
        return [s for a, s in self.steps if a == arn]


@pytest.fixture(scope="module")
def sm(server):
    return server.client("secretsmanager")


def register(server, r: Rotator) -> str:
    """Registers `r` with `server`'s store; the function ARN to rotate with."""
    account = server.client("sts").get_caller_identity()["Account"]
    out = server.rampart("rotation-function", "register", FUNCTION, r.url,
                         *server.store_args(), "--account", account, "--region", "us-east-1")
    assert json.loads(out.stdout) == {"registered": FUNCTION, "url": r.url}
    listed = server.rampart("rotation-function", "list", *server.store_args(),
                            "--account", account)
    assert {"name": FUNCTION, "url": r.url} in [json.loads(l) for l in listed.stdout.splitlines()]
    return f"arn:aws:lambda:us-east-1:{account}:function:{FUNCTION}"


@pytest.fixture(scope="module")
def rotator(server, sm):
    r = Rotator(sm)
    r.lambda_arn = register(server, r)
    yield r
    r.httpd.shutdown()


def stages(sm, arn) -> dict[str, list[str]]:
    return sm.describe_secret(SecretId=arn)["VersionIdsToStages"]


def service_events(server, arn: str) -> list[dict]:
    ct = server.client("cloudtrail")
    events = ct.lookup_events(LookupAttributes=[
        {"AttributeKey": "EventSource", "AttributeValue": "secretsmanager.amazonaws.com"}],
        MaxResults=50)["Events"]
    out = []
    for e in events:
        record = json.loads(e["CloudTrailEvent"])
        if record.get("additionalEventData", {}).get("SecretId") == arn:
            assert record["eventType"] == "AwsServiceEvent"
            assert record["userIdentity"]["invokedBy"] == "secretsmanager.amazonaws.com"
            out.append(record)
    return out


def test_rotation_completes_and_describe_shows_it(server, sm, rotator):
    made = sm.create_secret(Name=f"rot/{uuid.uuid4().hex[:8]}", SecretString="v1")
    arn, v1 = made["ARN"], made["VersionId"]
    out = sm.rotate_secret(SecretId=arn, RotationLambdaARN=rotator.lambda_arn,
                           RotationRules={"AutomaticallyAfterDays": 30})
    v2 = out["VersionId"]
    assert out["ARN"] == arn

    def rotated():
        assert stages(sm, arn) == {v2: ["AWSCURRENT"], v1: ["AWSPREVIOUS"]}
    eventually(rotated, timeout=15)
    assert rotator.steps_of(arn) == ["createSecret", "setSecret", "testSecret", "finishSecret"]
    assert sm.get_secret_value(SecretId=arn)["SecretString"] == f"rotated-{v2}"
    d = sm.describe_secret(SecretId=arn)
    assert d["RotationEnabled"] is True
    assert d["RotationLambdaARN"] == rotator.lambda_arn
    assert d["RotationRules"]["AutomaticallyAfterDays"] == 30
    assert "LastRotatedDate" in d
    nxt = d["NextRotationDate"]
    assert (nxt.hour, nxt.minute, nxt.second) == (23, 59, 59)
    assert (nxt - d["LastRotatedDate"]).days in (29, 30)
    entry = next(s for s in sm.list_secrets()["SecretList"] if s["ARN"] == arn)
    assert entry["NextRotationDate"] == nxt and entry["RotationEnabled"] is True
    names = eventually(lambda: _names(server, arn, 2), timeout=10)
    assert names == ["RotationStarted", "RotationSucceeded"]


def _names(server, arn: str, n: int) -> list[str]:
    names = sorted((e["eventName"] for e in service_events(server, arn)), key=_order)
    assert len(names) >= n, names
    return names


def _order(name: str) -> int:
    return ["RotationStarted", "RotationFailed", "RotationSucceeded", "RotationAbandoned"].index(name)


def test_failure_at_test_secret_leaves_awspending(server, sm, rotator):
    made = sm.create_secret(Name=f"rot/{uuid.uuid4().hex[:8]}", SecretString="v1")
    arn, v1 = made["ARN"], made["VersionId"]
    # The failure also reaches EventBridge, as CloudTrail delivers service events.
    receiver = Receiver()
    route_to(server.client("events"), receiver.url, {
        "source": ["aws.secretsmanager"], "detail-type": ["AWS Service Event via CloudTrail"],
        "detail": {"eventName": ["RotationFailed"], "additionalEventData": {"SecretId": [arn]}}})
    rotator.fail_at = "testSecret"
    try:
        v2 = sm.rotate_secret(SecretId=arn, RotationLambdaARN=rotator.lambda_arn)["VersionId"]
        failed = eventually(lambda: _failed(server, arn), timeout=15)
    finally:
        rotator.fail_at = None
    assert "during testSecret step" in failed["errorMessage"]
    try:
        delivered = eventually(lambda: _one(receiver.events()), timeout=10)
    finally:
        receiver.close()
    assert delivered["source"] == "aws.secretsmanager"
    assert delivered["detail"]["eventType"] == "AwsServiceEvent"
    assert delivered["detail"]["errorMessage"] == failed["errorMessage"]
    assert stages(sm, arn) == {v1: ["AWSCURRENT"], v2: ["AWSPENDING"]}
    assert rotator.steps_of(arn) == ["createSecret", "setSecret", "testSecret"]
    expect_error(sm.rotate_secret, "InvalidRequestException",
                 "A previous rotation isn't complete. That rotation will be reattempted.",
                 SecretId=arn)
    # CancelRotateSecret answers the unfinished version and turns rotation off.
    cancelled = sm.cancel_rotate_secret(SecretId=arn)
    assert cancelled["VersionId"] == v2
    d = sm.describe_secret(SecretId=arn)
    assert d["RotationEnabled"] is False and "NextRotationDate" not in d
    # Clearing AWSPENDING, as AWS advises, lets a new rotation run to the end.
    sm.update_secret_version_stage(SecretId=arn, VersionStage="AWSPENDING",
                                   RemoveFromVersionId=v2)
    v3 = sm.rotate_secret(SecretId=arn)["VersionId"]
    eventually(lambda: _is_current(sm, arn, v3), timeout=15)


def _one(events: list[dict]) -> dict:
    assert len(events) == 1, events
    return events[0]


def _failed(server, arn: str) -> dict:
    failed = [e for e in service_events(server, arn) if e["eventName"] == "RotationFailed"]
    assert failed
    return failed[0]


def _is_current(sm, arn: str, version: str) -> None:
    assert stages(sm, arn).get(version) == ["AWSCURRENT"]


def test_rotation_errors(sm, rotator):
    arn = sm.create_secret(Name=f"rot/{uuid.uuid4().hex[:8]}", SecretString="v1")["ARN"]
    expect_error(sm.rotate_secret, "InvalidRequestException", SecretId=arn)
    expect_error(sm.rotate_secret, "InvalidParameterException",
                 "You cannot specify both rotation frequency and schedule expression together.",
                 SecretId=arn, RotationLambdaARN=rotator.lambda_arn,
                 RotationRules={"AutomaticallyAfterDays": 2, "ScheduleExpression": "rate(2 days)"})
    expect_error(sm.rotate_secret, "InvalidParameterException", SecretId=arn,
                 RotationLambdaARN=rotator.lambda_arn,
                 RotationRules={"ScheduleExpression": "rate(1 hours)"})
    expect_error(sm.rotate_secret, "ResourceNotFoundException", SecretId="rot/none",
                 RotationLambdaARN=rotator.lambda_arn)
    expect_error(sm.cancel_rotate_secret, "ResourceNotFoundException", SecretId="rot/none")


def test_a_restart_mid_rotation_resumes_it(make_server):
    server = make_server(DEV_SQLITE)
    sm = server.client("secretsmanager")
    r = Rotator(sm)
    try:
        lambda_arn = register(server, r)
        made = sm.create_secret(Name="rot/resume", SecretString="v1")
        arn = made["ARN"]
        r.block_at = "setSecret"
        v2 = sm.rotate_secret(SecretId=arn, RotationLambdaARN=lambda_arn)["VersionId"]
        assert r.blocked.wait(15), "setSecret never came"
        # Stop the node while setSecret runs (createSecret is committed): the job's grace
        # runs out, the step is dropped unfinished and the job lease released. (A `kill -9`
        # leaves the lease to expire after 30 s instead; the crate tests cover a dead claim.)
        server.stop()
        r.release.set()
        server.start()
        r.sm = server.client("secretsmanager")
        # The dead node's claim lapses after a minute of job time: move the dev clock on.
        body = json.dumps({"advance_seconds": 61}).encode()
        server.post("/_rampart/clock", body, headers={"Content-Type": "application/json"})
        eventually(lambda: _is_current(r.sm, arn, v2), timeout=15)
        assert r.steps_of(arn) == ["createSecret", "setSecret", "setSecret", "testSecret",
                                   "finishSecret"]
    finally:
        r.release.set()
        r.httpd.shutdown()

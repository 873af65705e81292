"""End to end: events reach an API destination served by a small HTTP receiver in the test —
from PutEvents, from Parameter Store changes and policies, and after a `kill -9` of Rampart
between publication and delivery (the outbox is in the store)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness import DEV_SQLITE, unique
from test_jobs import advance_ok


class Receiver:
    """An HTTP server recording every POST; `status` is what it answers."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict, bytes]] = []
        self.status = 200
        self.attempts = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver.status
                with receiver.lock:
                    receiver.attempts += 1
                if status == 200:
                    with receiver.lock:
                        receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}/hook"

    def events(self) -> list[dict]:
        with self.lock:
            return [json.loads(body) for _, body in self.requests]

    def close(self) -> None:
        self.http.shutdown()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def route_to(events, url: str, pattern: dict, secret: str = "k3y-value") -> str:
    """A rule with `pattern` on the default bus whose target is an API destination at `url`."""
    name = unique("e2e")
    conn = events.create_connection(
        Name=name, AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": secret}},
    )
    dest = events.create_api_destination(
        Name=name, ConnectionArn=conn["ConnectionArn"], InvocationEndpoint=url, HttpMethod="POST",
        InvocationRateLimitPerSecond=300,
    )
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    role = "arn:aws:iam::000000000000:role/events-invoke"
    out = events.put_targets(Rule=name, Targets=[
        {"Id": "hook", "Arn": dest["ApiDestinationArn"], "RoleArn": role}])
    assert out["FailedEntryCount"] == 0, out
    return name


def wait_for(check, timeout: float = 20.0):
    """`check()`'s first truthy result, polled until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def of_type(received: list[dict], detail_type: str) -> list[dict]:
    return [e for e in received if e.get("detail-type") == detail_type]


def test_put_events_reach_an_api_destination_once(dev_server, receiver):
    events = dev_server.client("events")
    route_to(events, receiver.url, {"source": ["e2e.put"]}, secret="k3y-put")
    out = events.put_events(Entries=[
        {"Source": "e2e.put", "DetailType": "Order Placed", "Detail": json.dumps({"n": 1})},
        {"Source": "e2e.other", "DetailType": "Order Placed", "Detail": json.dumps({"n": 2})},
    ])
    assert out["FailedEntryCount"] == 0
    wanted = out["Entries"][0]["EventId"]
    wait_for(lambda: [e for e in receiver.events() if e["id"] == wanted], timeout=15)
    time.sleep(1.0)
    got = [e for e in receiver.events() if e.get("source", "").startswith("e2e.")]
    assert [e["id"] for e in got] == [wanted], got
    assert got[0]["detail"] == {"n": 1} and got[0]["detail-type"] == "Order Placed"
    headers = [h for h, body in receiver.requests if json.loads(body)["id"] == wanted][0]
    assert headers["x-api-key"] == "k3y-put"
    assert headers["content-type"].startswith("application/json")


def test_parameter_store_changes_and_policy_actions_arrive_once(dev_server, receiver):
    import datetime

    events, ssm = dev_server.client("events"), dev_server.client("ssm")
    route_to(events, receiver.url, {"source": ["aws.ssm"]})
    name = "/" + unique("e2e") + "/param"
    ssm.put_parameter(Name=name, Value="one", Type="String")
    ssm.put_parameter(Name=name, Value="two", Type="String", Overwrite=True)
    ssm.label_parameter_version(Name=name, ParameterVersion=1, Labels=["blue"])
    ssm.delete_parameter(Name=name)
    expiring = name + "-expiring"
    at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    ssm.put_parameter(Name=expiring, Value="v", Type="String", Tier="Advanced", Policies=json.dumps([
        {"Type": "Expiration", "Version": "1.0",
         "Attributes": {"Timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.000Z")}}]))
    advance_ok(dev_server, 2 * 86400)

    def changes():
        mine = [e for e in of_type(receiver.events(), "Parameter Store Change")
                if e["detail"]["name"] in (name, expiring)]
        return mine if len(mine) >= 6 else None

    mine = wait_for(changes, timeout=20)
    ops = [(e["detail"]["name"], e["detail"]["operation"]) for e in mine]
    assert sorted(ops) == sorted([(name, "Create"), (name, "Update"),
                                  (name, "LabelParameterVersion"), (name, "Delete"),
                                  (expiring, "Create"), (expiring, "Delete")]), ops
    assert len({e["id"] for e in mine}) == len(mine), "each event once"
    actions = wait_for(lambda: [e for e in of_type(receiver.events(), "Parameter Store Policy Action")
                                  if expiring in json.dumps(e["detail"])], timeout=20)
    assert actions[0]["source"] == "aws.ssm"
    assert all(e["resources"] for e in mine)


@pytest.mark.slow
@pytest.mark.parametrize("mode", [DEV_SQLITE, "dev-postgres"])
def test_events_survive_a_kill_between_publication_and_delivery(make_server, receiver, mode):
    server = make_server(mode)
    events, ssm = server.client("events"), server.client("ssm")
    route_to(events, receiver.url, {"source": ["aws.ssm"]})
    receiver.status = 503
    name = "/" + unique("durable")
    ssm.put_parameter(Name=name, Value="v", Type="String")
    wait_for(lambda: receiver.attempts > 0, timeout=15)
    server.kill()
    receiver.status = 200
    server.start()
    advance_ok(server, 3600)
    arrived = wait_for(lambda: [e for e in receiver.events() if e["detail"].get("name") == name],
                         timeout=20)
    assert arrived[0]["detail"]["operation"] == "Create"


def test_scheduled_rules_fire_on_the_service_clock(dev_server, receiver):
    events = dev_server.client("events")
    name = route_to(events, receiver.url, {"source": ["e2e.never"]})
    events.put_rule(Name=name, ScheduleExpression="rate(5 minutes)")
    rule_arn = events.describe_rule(Name=name)["Arn"]
    advance_ok(dev_server, 600)

    def fired():
        return [e for e in of_type(receiver.events(), "Scheduled Event") if e["resources"] == [rule_arn]]

    scheduled = wait_for(fired)
    assert scheduled[0]["source"] == "aws.events" and scheduled[0]["detail"] == {}

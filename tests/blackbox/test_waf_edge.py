"""WAFv2 web ACLs enforced by the API Gateway edge, with boto3 against the real binary
(dev/SQLite, dev/PostgreSQL): an HTTP_PROXY API whose stage is associated with a web ACL
holding an IP set rule, a rate-based rule, a Count rule inserting a header, challenge and
CAPTCHA rules and two AWS managed rule groups. Requests come from distinct loopback sources
(the client socket bound to 127.0.0.x); the log file, GetSampledRequests and
GetRateBasedStatementManagedKeys reflect them, and disassociating stops enforcement without a
restart."""

from __future__ import annotations

import http.client
import json
import time

import pytest

from conftest import ServerFactory
from harness import DEV_SQLITE, eventually
from test_apigateway import DEV_POSTGRES, Upstream, _free_port, _proxy_api

UA = {"User-Agent": "waf-edge-test/1.0"}


@pytest.fixture(scope="module", params=[DEV_SQLITE, DEV_POSTGRES])
def setup(request, tmp_path_factory, pg_databases):
    """(server, edge port, upstream)."""
    upstream = Upstream()
    port = _free_port()
    factory = ServerFactory(tmp_path_factory, pg_databases)
    try:
        server = factory(request.param, extra_env={"RAMPART_EDGE_LISTEN": f"127.0.0.1:{port}"})
        yield server, port, upstream
    finally:
        for started in factory.servers:
            started.kill()
        upstream.close()


def invoke(port: int, source: str, path: str, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request("GET", path, headers={**UA, **(headers or {})})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def _visibility(name: str) -> dict:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}


def _rules(ip_set_arn: str) -> list[dict]:
    def ends(path: str) -> dict:
        return {"ByteMatchStatement": {"SearchString": path, "FieldToMatch": {"UriPath": {}},
                                       "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                                       "PositionalConstraint": "ENDS_WITH"}}

    def managed(name: str, priority: int) -> dict:
        return {"Name": name, "Priority": priority, "OverrideAction": {"None": {}},
                "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": name}},
                "VisibilityConfig": _visibility(name)}

    return [
        {"Name": "block-ip", "Priority": 0, "Action": {"Block": {}},
         "Statement": {"IPSetReferenceStatement": {"ARN": ip_set_arn}},
         "VisibilityConfig": _visibility("block-ip")},
        {"Name": "flood", "Priority": 1, "Action": {"Block": {}},
         "Statement": {"RateBasedStatement": {"Limit": 10, "EvaluationWindowSec": 60,
                                              "AggregateKeyType": "IP"}},
         "VisibilityConfig": _visibility("flood")},
        {"Name": "count-tag", "Priority": 2,
         "Action": {"Count": {"CustomRequestHandling": {"InsertHeaders": [
             {"Name": "counted", "Value": "yes"}]}}},
         "Statement": ends("/counted"), "VisibilityConfig": _visibility("count-tag")},
        {"Name": "challenge-path", "Priority": 3, "Action": {"Challenge": {}},
         "Statement": ends("/challenge"), "VisibilityConfig": _visibility("challenge-path")},
        {"Name": "captcha-path", "Priority": 4, "Action": {"Captcha": {}},
         "Statement": ends("/captcha"), "VisibilityConfig": _visibility("captcha-path")},
        managed("AWSManagedRulesSQLiRuleSet", 5),
        managed("AWSManagedRulesCommonRuleSet", 6),
    ]


@pytest.fixture(scope="module")
def protected(setup):
    """(api id, web ACL ARN, web ACL name, stage ARN) with the web ACL associated."""
    server, _, upstream = setup
    apigw, waf = server.client("apigateway"), server.client("wafv2")
    api_id, _ = _proxy_api(apigw, upstream.port)
    ip_set = waf.create_ip_set(Name="blocked", Scope="REGIONAL", IPAddressVersion="IPV4",
                               Addresses=["127.0.0.3/32"])["Summary"]
    acl = waf.create_web_acl(Name="edge-acl", Scope="REGIONAL", DefaultAction={"Allow": {}},
                             Rules=_rules(ip_set["ARN"]), VisibilityConfig=_visibility("edge-acl"))
    acl_arn = acl["Summary"]["ARN"]
    account = acl_arn.split(":")[4]
    waf.put_logging_configuration(LoggingConfiguration={
        "ResourceArn": acl_arn,
        "LogDestinationConfigs": [
            f"arn:aws:logs:us-east-1:{account}:log-group:aws-waf-logs-edge"]})
    stage_arn = f"arn:aws:apigateway:us-east-1::/restapis/{api_id}/stages/prod"
    waf.associate_web_acl(WebACLArn=acl_arn, ResourceArn=stage_arn)
    return api_id, acl_arn, "edge-acl", stage_arn


def _path(api_id: str, rest: str) -> str:
    return f"/restapis/{api_id}/prod/_user_request_{rest}"


def _wait_enforced(port: int, api_id: str) -> None:
    """Waits until the association reached the edge (127.0.0.3 is blocked)."""
    def check():
        status, _, _ = invoke(port, "127.0.0.3", _path(api_id, "/x"))
        assert status == 403, status

    eventually(check)


def test_the_web_acl_allows_blocks_counts_and_challenges(setup, protected):
    server, port, _ = setup
    api_id, acl_arn, name, _ = protected

    def blocked_ip():
        status, headers, body = invoke(port, "127.0.0.3", _path(api_id, "/x"))
        assert status == 403, status
        return headers, body

    headers, body = eventually(blocked_ip)
    assert json.loads(body) == {"message": "Forbidden"}
    status, _, body = invoke(port, "127.0.0.2", _path(api_id, "/fine"))
    assert status == 200 and json.loads(body)["path"] == "/base/fine"

    status, _, body = invoke(port, "127.0.0.5", _path(api_id, "/q?id=1%27%20OR%201%3D1--"))
    assert status == 403
    status, _, body = invoke(port, "127.0.0.5", _path(api_id, "/q?id=1%27%20UNION%20SELECT%20password%20FROM%20users--"))
    assert status == 403

    status, _, body = invoke(port, "127.0.0.6", _path(api_id, "/counted"))
    assert status == 200
    assert json.loads(body)["headers"].get("x-amzn-waf-counted") == "yes"

    status, _, _ = invoke(port, "127.0.0.7", _path(api_id, "/captcha"))
    assert status == 405
    status, headers, _ = invoke(port, "127.0.0.7", _path(api_id, "/challenge"))
    assert status == 202
    cookie = headers["set-cookie"].split(";")[0]
    assert cookie.startswith("aws-waf-token=")
    status, _, _ = invoke(port, "127.0.0.7", _path(api_id, "/challenge"), {"Cookie": cookie})
    assert status == 200
    status, _, _ = invoke(port, "127.0.0.8", _path(api_id, "/challenge"), {"Cookie": cookie})
    assert status == 202, "a token is bound to the client that earned it"


def test_a_flood_is_blocked_and_listed(setup, protected):
    server, port, _ = setup
    api_id, acl_arn, name, _ = protected
    waf = server.client("wafv2")
    _wait_enforced(port, api_id)
    statuses = [invoke(port, "127.0.0.9", _path(api_id, f"/f{i}"))[0] for i in range(14)]
    assert statuses[:10] == [200] * 10 and statuses[-1] == 403, statuses
    keys = waf.get_rate_based_statement_managed_keys(
        Scope="REGIONAL", WebACLName=name, WebACLId=acl_arn.rsplit("/", 1)[1], RuleName="flood")
    assert keys["ManagedKeysIPV4"]["Addresses"] == ["127.0.0.9/32"]
    assert keys["ManagedKeysIPV6"]["Addresses"] == []


def test_logs_and_samples_name_the_terminating_rule(setup, protected):
    server, port, _ = setup
    api_id, acl_arn, name, _ = protected
    waf = server.client("wafv2")
    _wait_enforced(port, api_id)
    lines = [json.loads(line) for line in
             (server.data_dir / "waf-logs" / f"{name}.log").read_text().splitlines()]
    blocked = [l for l in lines if l["httpRequest"]["clientIp"] == "127.0.0.3"]
    assert blocked and blocked[-1]["terminatingRuleId"] == "block-ip"
    assert blocked[-1]["action"] == "BLOCK" and blocked[-1]["webaclId"] == acl_arn
    assert blocked[-1]["httpSourceName"] == "APIGW" and blocked[-1]["responseCodeSent"] == 403
    sqli = [l for l in lines if l["httpRequest"]["clientIp"] == "127.0.0.5"]
    assert all(l["terminatingRuleId"] == "AWSManagedRulesSQLiRuleSet" for l in sqli)

    now = time.time()
    window = {"StartTime": now - 600, "EndTime": now + 5}
    samples = waf.get_sampled_requests(WebAclArn=acl_arn, RuleMetricName="block-ip",
                                       Scope="REGIONAL", TimeWindow=window, MaxItems=100)
    assert samples["PopulationSize"] >= 1
    first = samples["SampledRequests"][0]
    assert first["Action"] == "BLOCK" and first["Request"]["ClientIP"] == "127.0.0.3"
    everything = waf.get_sampled_requests(WebAclArn=acl_arn, RuleMetricName="edge-acl",
                                          Scope="REGIONAL", TimeWindow=window, MaxItems=500)
    ips = {s["Request"]["ClientIP"] for s in everything["SampledRequests"]}
    assert {"127.0.0.2", "127.0.0.3"} <= ips


def test_the_edge_serves_the_counters(setup, protected):
    server, port, _ = setup
    api_id, _, name, _ = protected
    _wait_enforced(port, api_id)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/metrics")
    resp = conn.getresponse()
    text = resp.read().decode()
    conn.close()
    assert resp.status == 200
    assert f'rampart_waf_requests_total{{web_acl="{name}",rule="block-ip",action="blocked"}}' in text


def test_disassociating_stops_enforcement(setup, protected):
    server, port, _ = setup
    api_id, acl_arn, _, stage_arn = protected
    waf = server.client("wafv2")
    _wait_enforced(port, api_id)
    waf.disassociate_web_acl(ResourceArn=stage_arn)

    def allowed():
        status, _, _ = invoke(port, "127.0.0.3", _path(api_id, "/x"))
        assert status == 200, status

    eventually(allowed)

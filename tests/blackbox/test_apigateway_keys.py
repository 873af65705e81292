"""API Gateway API keys and usage plans with boto3 against the real binary (dev/SQLite,
dev/PostgreSQL): keys, plans and plan keys with AWS's errors, and at the edge a method with
apiKeyRequired refusing requests without an enabled key of a plan on the stage, a plan's
throttle and quota answering 429, and GetUsage counting what was served."""

from __future__ import annotations

import datetime
import http.client
import json
import time

import pytest

from conftest import ServerFactory
from harness import DEV_SQLITE, eventually, expect_error
from test_apigateway import DEV_POSTGRES, _api, _free_port, invoke


@pytest.fixture(scope="module", params=[DEV_SQLITE, DEV_POSTGRES])
def setup(request, tmp_path_factory, pg_databases):
    """(server, edge port)."""
    port = _free_port()
    factory = ServerFactory(tmp_path_factory, pg_databases)
    try:
        server = factory(request.param, extra_env={"RAMPART_EDGE_LISTEN": f"127.0.0.1:{port}"})
        yield server, port
    finally:
        for started in factory.servers:
            started.kill()


@pytest.fixture(scope="module")
def apigw(setup):
    return setup[0].client("apigateway")


def _keyed_api(apigw) -> str:
    """An API whose GET / (MOCK 200) requires an API key, deployed to `prod`."""
    api_id, root = _api(apigw, "keyed")
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType="NONE", apiKeyRequired=True)
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                   statusCode="200", selectionPattern="")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id


def _call(port: int, api_id: str, key: str | None) -> tuple[int, dict]:
    headers = {"x-api-key": key} if key else {}
    status, _, body = invoke(port, "GET", f"/restapis/{api_id}/prod/_user_request_/",
                             headers=headers)
    return status, (json.loads(body) if body else {})


def test_api_keys_are_created_read_updated_listed_and_deleted(apigw):
    made = apigw.create_api_key(name="alpha-key", description="d", enabled=True,
                                customerId="cust-1", tags={"t": "1"})
    key_id, value = made["id"], made["value"]
    assert len(value) == 40 and value.isalnum()
    got = apigw.get_api_key(apiKey=key_id)
    assert "value" not in got and got["name"] == "alpha-key" and got["enabled"] is True
    assert apigw.get_api_key(apiKey=key_id, includeValue=True)["value"] == value

    given = apigw.create_api_key(name="beta-key", value="b" * 30)
    assert given["value"] == "b" * 30 and given["enabled"] is False
    expect_error(apigw.create_api_key, "ConflictException", "API Key already exists",
                 status=409, name="again", value="b" * 30)
    expect_error(apigw.create_api_key, "BadRequestException", "at least 20 characters",
                 name="short", value="tooshort")

    listed = apigw.get_api_keys(nameQuery="alpha", limit=500)["items"]
    assert [k["id"] for k in listed] == [key_id] and "value" not in listed[0]
    with_values = apigw.get_api_keys(customerId="cust-1", includeValues=True)["items"]
    assert [k["value"] for k in with_values] == [value]

    updated = apigw.update_api_key(apiKey=key_id, patchOperations=[
        {"op": "replace", "path": "/enabled", "value": "false"},
        {"op": "replace", "path": "/name", "value": "alpha-renamed"}])
    assert updated["enabled"] is False and updated["name"] == "alpha-renamed"
    expect_error(apigw.update_api_key, "BadRequestException", "Invalid patch path",
                 apiKey=key_id, patchOperations=[{"op": "replace", "path": "/nope", "value": "x"}])

    apigw.delete_api_key(apiKey=key_id)
    expect_error(apigw.get_api_key, "NotFoundException", "Invalid API Key identifier specified",
                 status=404, apiKey=key_id)
    expect_error(apigw.delete_api_key, "NotFoundException", status=404, apiKey=key_id)


def test_usage_plans_and_their_keys(apigw):
    api_id = _keyed_api(apigw)
    plan = apigw.create_usage_plan(name="gold", apiStages=[{"apiId": api_id, "stage": "prod"}],
                                   throttle={"rateLimit": 10.0, "burstLimit": 5},
                                   quota={"limit": 100, "period": "WEEK", "offset": 1})
    plan_id = plan["id"]
    assert plan["apiStages"] == [{"apiId": api_id, "stage": "prod"}]
    assert plan["quota"] == {"limit": 100, "offset": 1, "period": "WEEK"}
    expect_error(apigw.create_usage_plan, "NotFoundException", "Invalid stage identifier",
                 status=404, name="x", apiStages=[{"apiId": api_id, "stage": "nope"}])
    expect_error(apigw.create_usage_plan, "BadRequestException", "offset",
                 name="x", quota={"limit": 1, "period": "DAY", "offset": 2})

    key = apigw.create_api_key(name="plan-key", enabled=True)
    pk = apigw.create_usage_plan_key(usagePlanId=plan_id, keyId=key["id"], keyType="API_KEY")
    assert pk == {"id": key["id"], "type": "API_KEY", "value": key["value"], "name": "plan-key",
                  "ResponseMetadata": pk["ResponseMetadata"]}
    expect_error(apigw.create_usage_plan_key, "ConflictException", status=409,
                 usagePlanId=plan_id, keyId=key["id"], keyType="API_KEY")
    expect_error(apigw.create_usage_plan_key, "NotFoundException", "Invalid API Key identifier",
                 status=404, usagePlanId=plan_id, keyId="nosuchkey", keyType="API_KEY")
    other = apigw.create_usage_plan(name="silver", apiStages=[{"apiId": api_id, "stage": "prod"}])
    expect_error(apigw.create_usage_plan_key, "ConflictException",
                 "cannot reference multiple Usage Plans with the same API Stage", status=409,
                 usagePlanId=other["id"], keyId=key["id"], keyType="API_KEY")
    assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan_id)["items"]] == [key["id"]]
    assert apigw.get_usage_plan_key(usagePlanId=plan_id, keyId=key["id"])["id"] == key["id"]
    assert [p["id"] for p in apigw.get_usage_plans(keyId=key["id"])["items"]] == [plan_id]

    updated = apigw.update_usage_plan(usagePlanId=plan_id, patchOperations=[
        {"op": "replace", "path": "/name", "value": "platinum"},
        {"op": "replace", "path": "/throttle/rateLimit", "value": "20"},
        {"op": "replace", "path": "/quota/limit", "value": "500"},
        {"op": "remove", "path": "/apiStages", "value": f"{api_id}:prod"}])
    assert updated["name"] == "platinum" and updated["throttle"]["rateLimit"] == 20.0
    assert updated["quota"]["limit"] == 500 and updated["apiStages"] == []
    updated = apigw.update_usage_plan(usagePlanId=plan_id, patchOperations=[
        {"op": "add", "path": "/apiStages", "value": f"{api_id}:prod"}])
    assert updated["apiStages"] == [{"apiId": api_id, "stage": "prod"}]

    apigw.delete_usage_plan_key(usagePlanId=plan_id, keyId=key["id"])
    expect_error(apigw.get_usage_plan_key, "NotFoundException", status=404,
                 usagePlanId=plan_id, keyId=key["id"])
    apigw.delete_usage_plan(usagePlanId=plan_id)
    expect_error(apigw.get_usage_plan, "NotFoundException", "Invalid Usage Plan ID specified",
                 status=404, usagePlanId=plan_id)


def test_a_key_required_method_needs_an_enabled_key_of_a_plan(setup, apigw):
    _, port = setup
    api_id = _keyed_api(apigw)
    plan = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "prod"}])
    key = apigw.create_api_key(name="k", enabled=True)
    outside = apigw.create_api_key(name="outside", enabled=True)
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")

    assert _call(port, api_id, None) == (403, {"message": "Forbidden"})
    assert _call(port, api_id, "x" * 40) == (403, {"message": "Forbidden"})
    assert _call(port, api_id, outside["value"]) == (403, {"message": "Forbidden"})
    assert _call(port, api_id, key["value"])[0] == 200

    apigw.update_api_key(apiKey=key["id"], patchOperations=[
        {"op": "replace", "path": "/enabled", "value": "false"}])
    assert _call(port, api_id, key["value"]) == (403, {"message": "Forbidden"})


def test_throttle_quota_and_usage(setup, apigw):
    _, port = setup
    api_id = _keyed_api(apigw)
    plan = apigw.create_usage_plan(name="q", apiStages=[{"apiId": api_id, "stage": "prod"}],
                                   throttle={"rateLimit": 0.001, "burstLimit": 3},
                                   quota={"limit": 100, "period": "DAY"})
    key = apigw.create_api_key(name="qk", enabled=True)
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    answers = [_call(port, api_id, key["value"]) for _ in range(4)]
    assert [a[0] for a in answers] == [200, 200, 200, 429]
    assert answers[3][1] == {"message": "Too Many Requests"}

    apigw.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
        {"op": "remove", "path": "/throttle"},
        {"op": "replace", "path": "/quota/limit", "value": "5"}])
    answers = [_call(port, api_id, key["value"]) for _ in range(3)]
    assert [a[0] for a in answers] == [200, 200, 429]
    assert answers[2][1] == {"message": "Limit Exceeded"}

    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()

    def counted():
        usage = apigw.get_usage(usagePlanId=plan["id"], startDate=today, endDate=today)
        assert usage["items"] == {key["id"]: [[5, 0]]}, usage
        return usage

    eventually(counted)
    expect_error(apigw.get_usage, "BadRequestException", usagePlanId=plan["id"],
                 startDate="2026-13-01", endDate=today)
    expect_error(apigw.get_usage, "NotFoundException", status=404, usagePlanId="nosuch",
                 startDate=today, endDate=today)


def _invoke_from(source: str, port: int, path: str) -> tuple[int, dict, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                      source_address=(source, 0))
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, json.loads(body or b"{}")
    finally:
        conn.close()


def test_a_resource_policy_denies_by_source_ip(setup, apigw):
    _, port = setup
    api_id, root = _api(apigw, "guarded")
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                   statusCode="200", selectionPattern="")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "execute-api:/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "execute-api:/*",
         "Condition": {"IpAddress": {"aws:SourceIp": ["127.0.0.3/32"]}}}]}
    apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/policy", "value": json.dumps(policy)}])
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    path = f"/restapis/{api_id}/prod/_user_request_/"

    status, _, _ = _invoke_from("127.0.0.2", port, path)
    assert status == 200
    status, headers, body = _invoke_from("127.0.0.3", port, path)
    assert status == 403 and headers["x-amzn-errortype"] == "AccessDeniedException"
    assert body["Message"].startswith(
        "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
        "arn:aws:execute-api:us-east-1:")
    assert body["Message"].endswith(f":{api_id}/prod/GET/ with an explicit deny")

    # Without any allow, nobody gets in.
    apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/policy", "value": json.dumps(
            {"Version": "2012-10-17", "Statement": [policy["Statement"][1]]})}])
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    status, _, body = _invoke_from("127.0.0.2", port, path)
    assert status == 403 and "explicit" not in body["Message"]

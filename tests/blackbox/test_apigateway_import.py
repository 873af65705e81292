"""API Gateway definitions and key files with boto3 against the real binary (dev/SQLite,
dev/PostgreSQL): ImportRestApi from OpenAPI 3 (JSON and YAML) and Swagger 2 with
`x-amazon-apigateway-integration` (HTTP_PROXY to a local upstream, MOCK), API key security,
base paths, warnings and `failonwarnings`, errors that change nothing; PutRestApi merge and
overwrite; GetExport read back by ImportRestApi; ImportApiKeys (CSV) with usage plans; and
UpdateUsage giving a key more of its quota, seen at the edge and by GetUsage."""

from __future__ import annotations

import datetime
import json

import pytest

from conftest import ServerFactory
from harness import DEV_SQLITE, eventually, expect_error
from test_apigateway import DEV_POSTGRES, Upstream, _free_port, invoke


@pytest.fixture(scope="module", params=[DEV_SQLITE, DEV_POSTGRES])
def setup(request, tmp_path_factory, pg_databases):
    """(server, edge port, upstream)."""
    upstream = Upstream("imported")
    port = _free_port()
    factory = ServerFactory(tmp_path_factory, pg_databases)
    try:
        server = factory(request.param, extra_env={"RAMPART_EDGE_LISTEN": f"127.0.0.1:{port}"})
        yield server, port, upstream
    finally:
        for started in factory.servers:
            started.kill()
        upstream.close()


@pytest.fixture(scope="module")
def apigw(setup):
    return setup[0].client("apigateway")


def _definition(upstream_port: int, title: str = "imported") -> dict:
    """OpenAPI 3: `ANY /items/{proxy+}` HTTP_PROXY to the upstream, `GET /mock` MOCK, and
    `GET /keyed` (MOCK) requiring an API key."""
    mock = {
        "type": "mock",
        "requestTemplates": {"application/json": '{"statusCode": 200}'},
        "responses": {"default": {"statusCode": "200",
                                  "responseTemplates": {"application/json": '{"mocked": true}'}}},
        "passthroughBehavior": "when_no_match",
    }
    return {
        "openapi": "3.0.1",
        "info": {"title": title, "version": "2024-01-01", "description": "from a definition"},
        "x-amazon-apigateway-binary-media-types": ["image/png"],
        "components": {"securitySchemes": {
            "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}}},
        "paths": {
            "/items/{proxy+}": {"x-amazon-apigateway-any-method": {
                "parameters": [{"name": "proxy", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {},
                "x-amazon-apigateway-integration": {
                    "type": "http_proxy", "httpMethod": "ANY",
                    "uri": f"http://127.0.0.1:{upstream_port}/up/{{proxy}}",
                    "requestParameters": {"integration.request.path.proxy": "method.request.path.proxy"},
                    "connectionType": "INTERNET", "timeoutInMillis": 10000,
                    "passthroughBehavior": "when_no_match"}}},
            "/mock": {"get": {"operationId": "GetMock",
                              "responses": {"200": {"description": "ok"}},
                              "x-amazon-apigateway-integration": mock}},
            "/keyed": {"get": {"security": [{"api_key": []}],
                               "responses": {"200": {"description": "ok"}},
                               "x-amazon-apigateway-integration": mock}},
        },
    }


def _paths(apigw, api_id: str) -> dict:
    items = apigw.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    return {r["path"]: r for r in items}


def _api_count(apigw) -> int:
    return len(apigw.get_rest_apis(limit=500)["items"])


def test_an_imported_definition_serves_through_the_edge(setup, apigw):
    _, port, upstream = setup
    body = json.dumps(_definition(upstream.port)).encode()
    api = apigw.import_rest_api(body=body, parameters={"endpointConfigurationTypes": "REGIONAL"})
    assert api["name"] == "imported" and api["description"] == "from a definition"
    assert api["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert api["binaryMediaTypes"] == ["image/png"] and "warnings" not in api
    api_id = api["id"]
    paths = _paths(apigw, api_id)
    assert set(paths) == {"/", "/items", "/items/{proxy+}", "/mock", "/keyed"}
    proxy = paths["/items/{proxy+}"]
    integration = apigw.get_integration(restApiId=api_id, resourceId=proxy["id"], httpMethod="ANY")
    assert integration["type"] == "HTTP_PROXY" and integration["timeoutInMillis"] == 10000
    assert integration["cacheNamespace"] == proxy["id"]
    method = apigw.get_method(restApiId=api_id, resourceId=paths["/keyed"]["id"], httpMethod="GET")
    assert method["apiKeyRequired"] is True
    mock = apigw.get_method(restApiId=api_id, resourceId=paths["/mock"]["id"], httpMethod="GET")
    assert mock["operationName"] == "GetMock" and not mock["apiKeyRequired"]

    apigw.create_deployment(restApiId=api_id, stageName="prod")
    status, headers, raw = invoke(port, "POST", f"/restapis/{api_id}/prod/_user_request_/items/a/b?q=1",
                                  body=b"hi", headers={"Content-Type": "text/plain"})
    assert status == 200, raw
    seen = json.loads(raw)
    assert seen["path"] == "/up/a/b?q=1" and seen["method"] == "POST" and seen["body"] == "hi"
    assert headers["x-upstream"] == "imported"
    status, _, raw = invoke(port, "GET", f"/restapis/{api_id}/prod/_user_request_/mock")
    assert status == 200 and json.loads(raw) == {"mocked": True}
    status, _, _ = invoke(port, "GET", f"/restapis/{api_id}/prod/_user_request_/keyed")
    assert status == 403


YAML_DEFINITION = """
swagger: "2.0"
info:
  title: yaml-api
  version: 1.0
basePath: /v1/pets
definitions:
  Pet:
    type: object
paths:
  /{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, type: string}
        - {name: verbose, in: query, type: string}
      responses:
        "200": {description: ok}
"""


def test_yaml_base_paths_warnings_and_failonwarnings(apigw):
    before = _api_count(apigw)
    with pytest.raises(Exception) as err:
        apigw.import_rest_api(body=YAML_DEFINITION.encode(), failOnWarnings=True)
    error = err.value.response["Error"]
    assert error["Code"] == "BadRequestException"
    assert error["Message"].startswith("Warnings found during import:") and "Pet" in error["Message"]
    assert _api_count(apigw) == before

    api = apigw.import_rest_api(body=YAML_DEFINITION.encode(), parameters={"basepath": "prepend"})
    assert len(api["warnings"]) == 1 and "Pet" in api["warnings"][0]
    paths = _paths(apigw, api["id"])
    assert set(paths) == {"/", "/v1", "/v1/pets", "/v1/pets/{id}"}
    method = apigw.get_method(restApiId=api["id"], resourceId=paths["/v1/pets/{id}"]["id"], httpMethod="GET")
    assert method["requestParameters"] == {"method.request.path.id": True,
                                           "method.request.querystring.verbose": False}
    split = apigw.import_rest_api(body=YAML_DEFINITION.encode(), parameters={"basepath": "split"})
    assert set(_paths(apigw, split["id"])) == {"/", "/pets", "/pets/{id}"}
    ignored = apigw.import_rest_api(body=YAML_DEFINITION.encode())
    assert set(_paths(apigw, ignored["id"])) == {"/", "/{id}"}


def test_bad_definitions_are_refused_and_change_nothing(setup, apigw):
    _, _, upstream = setup
    before = _api_count(apigw)
    bad_uri = _definition(upstream.port)
    bad_uri["paths"]["/items/{proxy+}"]["x-amazon-apigateway-any-method"][
        "x-amazon-apigateway-integration"]["uri"] = "not a url"
    siblings = _definition(upstream.port)
    siblings["paths"]["/{a}"] = {"get": {"responses": {}}}
    siblings["paths"]["/{b}"] = {"get": {"responses": {}}}
    expect_error(apigw.import_rest_api, "ValidationException", body=b"")
    for body in [b"   ", b"{nope", b'{"openapi": "9.9"}', json.dumps(bad_uri).encode(),
                 json.dumps(siblings).encode()]:
        _, message = expect_error(apigw.import_rest_api, "BadRequestException", body=body)
        assert message.startswith("Errors found during import:"), message
    expect_error(apigw.import_rest_api, "BadRequestException", body=json.dumps(_definition(1)).encode(),
                 parameters={"basepath": "sideways"})
    assert _api_count(apigw) == before

    api = apigw.import_rest_api(body=json.dumps(_definition(upstream.port)).encode())
    expect_error(apigw.put_rest_api, "BadRequestException", restApiId=api["id"], mode="overwrite",
                 body=json.dumps(bad_uri).encode())
    assert len(_paths(apigw, api["id"])) == 5
    expect_error(apigw.put_rest_api, "NotFoundException", status=404, restApiId="nosuchapi1",
                 body=json.dumps(_definition(1)).encode())


def _one_path(path: str, status: int) -> bytes:
    return json.dumps({
        "openapi": "3.0.1", "info": {"title": f"only{path}", "version": "1"},
        "paths": {path: {"get": {"responses": {str(status): {"description": "x"}},
                                 "x-amazon-apigateway-integration": {
                                     "type": "mock",
                                     "requestTemplates": {"application/json": f'{{"statusCode": {status}}}'},
                                     "responses": {"default": {"statusCode": str(status)}}}}}},
    }).encode()


def test_put_rest_api_merges_or_overwrites(setup, apigw):
    _, port, upstream = setup
    api = apigw.import_rest_api(body=json.dumps(_definition(upstream.port)).encode())
    api_id = api["id"]
    merged = apigw.put_rest_api(restApiId=api_id, body=_one_path("/extra", 201))
    assert merged["name"] == "imported"
    assert set(_paths(apigw, api_id)) == {"/", "/items", "/items/{proxy+}", "/mock", "/keyed", "/extra"}

    over = apigw.put_rest_api(restApiId=api_id, mode="overwrite", body=_one_path("/only", 202))
    assert over["name"] == "only/only" and "binaryMediaTypes" not in over
    paths = _paths(apigw, api_id)
    assert set(paths) == {"/", "/only"} and paths["/"]["id"] == api["rootResourceId"]
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    status, _, _ = invoke(port, "GET", f"/restapis/{api_id}/prod/_user_request_/only")
    assert status == 202
    status, _, _ = invoke(port, "GET", f"/restapis/{api_id}/prod/_user_request_/mock")
    assert status == 403


def _body(out: dict) -> bytes:
    body = out["body"]
    return body.read() if hasattr(body, "read") else body


def test_exports_import_back(setup, apigw):
    _, _, upstream = setup
    api = apigw.import_rest_api(body=json.dumps(_definition(upstream.port)).encode())
    apigw.create_deployment(restApiId=api["id"], stageName="dev")
    out = apigw.get_export(restApiId=api["id"], stageName="dev", exportType="oas30",
                           parameters={"extensions": "integrations"}, accepts="application/json")
    assert out["contentType"] == "application/json"
    doc = json.loads(_body(out))
    assert doc["openapi"] == "3.0.1" and doc["info"]["title"] == "imported"
    assert doc["servers"][0]["variables"]["basePath"]["default"] == "dev"
    assert doc["paths"]["/keyed"]["get"]["security"] == [{"api_key": []}]
    integration = doc["paths"]["/items/{proxy+}"]["x-amazon-apigateway-any-method"]["x-amazon-apigateway-integration"]
    assert integration["type"] == "http_proxy"
    plain = json.loads(_body(apigw.get_export(restApiId=api["id"], stageName="dev", exportType="oas30")))
    assert "x-amazon-apigateway-integration" not in plain["paths"]["/mock"]["get"]

    yaml_out = apigw.get_export(restApiId=api["id"], stageName="dev", exportType="swagger",
                                parameters={"extensions": "apigateway"}, accepts="application/yaml")
    assert yaml_out["contentType"] == "application/yaml"
    text = _body(yaml_out)
    assert b"swagger:" in text
    again = apigw.import_rest_api(body=text)
    assert set(_paths(apigw, again["id"])) == {"/", "/items", "/items/{proxy+}", "/mock", "/keyed"}
    expect_error(apigw.get_export, "NotFoundException", status=404, restApiId=api["id"],
                 stageName="nosuch", exportType="oas30")
    expect_error(apigw.get_export, "BadRequestException", restApiId=api["id"], stageName="dev",
                 exportType="raml")


def _keyed_api(apigw, upstream_port: int) -> str:
    api = apigw.import_rest_api(body=json.dumps(_definition(upstream_port)).encode())
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    return api["id"]


def _keyed_call(port: int, api_id: str, key: str) -> int:
    status, _, _ = invoke(port, "GET", f"/restapis/{api_id}/prod/_user_request_/keyed",
                          headers={"x-api-key": key})
    return status


def test_api_keys_are_imported_from_csv(setup, apigw):
    _, port, upstream = setup
    api_id = _keyed_api(apigw, upstream.port)
    plan = apigw.create_usage_plan(name="imported", apiStages=[{"apiId": api_id, "stage": "prod"}])
    first, second = "importedkey0123456789first", "importedkey0123456789second"
    csv = (f"Enabled,Name,key,UsageplanIds,ignored\n"
           f"true,first-key,{first},\"{plan['id']}\",x\n"
           f"false,second-key,{second},,y\n"
           f"true,short-key,tooshort,,z\n")
    expect_error(apigw.import_api_keys, "BadRequestException", body=csv.encode(), format="csv",
                 failOnWarnings=True)
    assert not [k for k in apigw.get_api_keys(limit=500)["items"] if k.get("name") == "first-key"]

    out = apigw.import_api_keys(body=csv.encode(), format="csv")
    assert len(out["ids"]) == 2 and len(out["warnings"]) == 1
    keys = {k["name"]: k for k in apigw.get_api_keys(limit=500, includeValues=True)["items"]}
    assert keys["first-key"]["value"] == first and keys["first-key"]["enabled"] is True
    assert keys["second-key"]["enabled"] is False
    plan_keys = apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]
    assert [k["id"] for k in plan_keys] == [out["ids"][0]]

    def admitted():
        assert _keyed_call(port, api_id, first) == 200

    eventually(admitted)

    again = apigw.import_api_keys(body=f"key,name,description\n{first},renamed,d\n".encode(), format="csv")
    assert again["ids"] == [out["ids"][0]]
    assert apigw.get_api_key(apiKey=out["ids"][0])["name"] == "renamed"
    expect_error(apigw.import_api_keys, "BadRequestException", body=b"name,description\nx,y\n", format="csv")
    expect_error(apigw.import_api_keys, "NotFoundException", status=404,
                 body=f"key,name,usageplanids\n{first}x,n,nosuchplan\n".encode(), format="csv")


def test_update_usage_extends_the_remaining_quota(setup, apigw):
    _, port, upstream = setup
    api_id = _keyed_api(apigw, upstream.port)
    plan = apigw.create_usage_plan(name="quota", apiStages=[{"apiId": api_id, "stage": "prod"}],
                                   quota={"limit": 2, "period": "DAY"})
    key = apigw.create_api_key(name="quota-key", enabled=True)
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert [_keyed_call(port, api_id, key["value"]) for _ in range(3)] == [200, 200, 429]

    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    out = apigw.update_usage(usagePlanId=plan["id"], keyId=key["id"],
                             patchOperations=[{"op": "replace", "path": "/remaining", "value": "3"}])
    assert out["usagePlanId"] == plan["id"] and out["items"][key["id"]][0][1] == 3
    assert [_keyed_call(port, api_id, key["value"]) for _ in range(4)] == [200, 200, 200, 429]

    def counted():
        usage = apigw.get_usage(usagePlanId=plan["id"], startDate=today, endDate=today)
        assert usage["items"] == {key["id"]: [[5, 0]]}, usage

    eventually(counted, timeout=10)
    expect_error(apigw.update_usage, "BadRequestException", usagePlanId=plan["id"], keyId=key["id"],
                 patchOperations=[{"op": "replace", "path": "/remaining", "value": "-1"}])
    expect_error(apigw.update_usage, "BadRequestException", usagePlanId=plan["id"], keyId=key["id"],
                 patchOperations=[{"op": "replace", "path": "/used", "value": "1"}])
    expect_error(apigw.update_usage, "NotFoundException", status=404, usagePlanId=plan["id"],
                 keyId="nosuchkey", patchOperations=[{"op": "replace", "path": "/remaining", "value": "1"}])

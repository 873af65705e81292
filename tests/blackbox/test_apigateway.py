"""API Gateway REST APIs with boto3 against the real binary (dev/SQLite, dev/PostgreSQL): the
control plane's served operations with AWS's errors, and invocations through the edge
listener (`RAMPART_EDGE_LISTEN`): HTTP_PROXY with `{proxy+}` to a local upstream (with
X-Forwarded-For), HTTP with plain parameter mappings, MOCK, unknown routes, throttling, and
a redeploy changing what is served without a restart."""

from __future__ import annotations

import http.client
import http.server
import json
import shutil
import socket
import subprocess
import threading

import pytest

from conftest import ServerFactory
from harness import DEV_SQLITE, eventually, expect_error

DEV_POSTGRES = "dev-postgres"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Upstream:
    """A tiny HTTP server answering every request with what it saw, as JSON."""

    def __init__(self, tag: str = "up") -> None:
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = {
                    "tag": outer.tag,
                    "method": self.command,
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body.decode(),
                }
                data = json.dumps(seen).encode()
                self.send_response(int(self.headers.get("X-Want-Status") or 200))
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Upstream", outer.tag)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args) -> None:
                pass

        self.tag = tag
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()


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


@pytest.fixture(scope="module")
def apigw(setup):
    return setup[0].client("apigateway")


def invoke(port: int, method: str, path: str, body: bytes | None = None,
           headers: dict | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def _api(apigw, name="api", **extra) -> tuple[str, str]:
    api = apigw.create_rest_api(name=name, **extra)
    return api["id"], api["rootResourceId"]


# ----------------------------------------------------------------------------- control plane


def test_rest_apis_are_created_read_updated_listed_and_deleted(apigw):
    api = apigw.create_rest_api(name="pets", description="d", tags={"team": "a"},
                                endpointConfiguration={"types": ["REGIONAL"]})
    api_id = api["id"]
    assert len(api_id) == 10 and api_id.isalnum() and api_id == api_id.lower()
    assert api["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert api["apiKeySource"] == "HEADER"
    got = apigw.get_rest_api(restApiId=api_id)
    assert got["name"] == "pets" and got["tags"] == {"team": "a"}
    resources = apigw.get_resources(restApiId=api_id)["items"]
    assert [(r["id"], r["path"]) for r in resources] == [(api["rootResourceId"], "/")]

    updated = apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/name", "value": "cats"},
        {"op": "replace", "path": "/description", "value": "new"},
        {"op": "replace", "path": "/endpointConfiguration/types/REGIONAL", "value": "EDGE"},
        {"op": "replace", "path": "/policy", "value": '{"Version":"2012-10-17","Statement":[]}'},
    ])
    assert updated["name"] == "cats" and updated["description"] == "new"
    assert updated["endpointConfiguration"]["types"] == ["EDGE"]
    assert "Statement" in updated["policy"]
    expect_error(apigw.update_rest_api, "BadRequestException", "Invalid patch path",
                 restApiId=api_id, patchOperations=[{"op": "replace", "path": "/nope", "value": "x"}])

    assert api_id in [a["id"] for a in apigw.get_rest_apis(limit=500)["items"]]
    apigw.delete_rest_api(restApiId=api_id)
    expect_error(apigw.get_rest_api, "NotFoundException", f"Invalid API identifier specified .*:{api_id}",
                 status=404, restApiId=api_id)
    expect_error(apigw.delete_rest_api, "NotFoundException", status=404, restApiId=api_id)


def test_rest_api_listing_pages(apigw):
    ids = {_api(apigw, f"page-{i}")[0] for i in range(3)}
    seen, position = [], None
    while True:
        kwargs = {"limit": 2, **({"position": position} if position else {})}
        page = apigw.get_rest_apis(**kwargs)
        seen += [a["id"] for a in page["items"]]
        position = page.get("position")
        if not position:
            break
    assert ids <= set(seen) and len(seen) == len(set(seen))
    expect_error(apigw.get_rest_apis, "BadRequestException", limit=501)


def test_resources_form_a_tree_with_path_parameters(apigw):
    api_id, root = _api(apigw)
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    assert pets["path"] == "/pets" and pets["parentId"] == root
    pet = apigw.create_resource(restApiId=api_id, parentId=pets["id"], pathPart="{petId}")
    assert pet["path"] == "/pets/{petId}"
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")
    assert proxy["path"] == "/{proxy+}"

    expect_error(apigw.create_resource, "ConflictException",
                 "Another resource with the same parent already has this name: pets",
                 status=409, restApiId=api_id, parentId=root, pathPart="pets")
    expect_error(apigw.create_resource, "BadRequestException", "only one is allowed",
                 restApiId=api_id, parentId=pets["id"], pathPart="{other}")
    expect_error(apigw.create_resource, "BadRequestException", "greedy path variable",
                 restApiId=api_id, parentId=proxy["id"], pathPart="x")
    expect_error(apigw.create_resource, "BadRequestException", "path part only allow",
                 restApiId=api_id, parentId=root, pathPart="a b")
    expect_error(apigw.create_resource, "NotFoundException", "Invalid Resource identifier specified",
                 status=404, restApiId=api_id, parentId="nosuchthing", pathPart="x")

    moved = apigw.update_resource(restApiId=api_id, resourceId=pets["id"], patchOperations=[
        {"op": "replace", "path": "/pathPart", "value": "animals"}])
    assert moved["path"] == "/animals"
    assert apigw.get_resource(restApiId=api_id, resourceId=pet["id"])["path"] == "/animals/{petId}"
    paths = sorted(r["path"] for r in apigw.get_resources(restApiId=api_id)["items"])
    assert paths == ["/", "/animals", "/animals/{petId}", "/{proxy+}"]

    expect_error(apigw.delete_resource, "BadRequestException", restApiId=api_id, resourceId=root)
    apigw.delete_resource(restApiId=api_id, resourceId=moved["id"])
    expect_error(apigw.get_resource, "NotFoundException", status=404, restApiId=api_id,
                 resourceId=pet["id"])


def test_methods_integrations_and_their_responses(apigw):
    api_id, root = _api(apigw)
    method = apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                              authorizationType="NONE",
                              requestParameters={"method.request.header.X-Id": False})
    assert method["httpMethod"] == "GET" and method["apiKeyRequired"] is False
    expect_error(apigw.put_method, "ConflictException", "Method already exists", status=409,
                 restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    expect_error(apigw.put_method, "BadRequestException", "Invalid HttpMethod",
                 restApiId=api_id, resourceId=root, httpMethod="FETCH", authorizationType="NONE")
    updated = apigw.update_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                                  patchOperations=[{"op": "replace", "path": "/apiKeyRequired", "value": "true"},
                                                   {"op": "replace", "path": "/operationName", "value": "Root"}])
    assert updated["apiKeyRequired"] is True and updated["operationName"] == "Root"
    expect_error(apigw.get_method, "NotFoundException", "Invalid Method identifier specified",
                 status=404, restApiId=api_id, resourceId=root, httpMethod="POST")

    expect_error(apigw.get_integration, "NotFoundException", "No integration defined for method",
                 status=404, restApiId=api_id, resourceId=root, httpMethod="GET")
    integration = apigw.put_integration(
        restApiId=api_id, resourceId=root, httpMethod="GET", type="HTTP",
        integrationHttpMethod="GET", uri="http://127.0.0.1:9/x",
        requestParameters={"integration.request.header.X-Up": "method.request.header.X-Id"},
        timeoutInMillis=1000)
    assert integration["type"] == "HTTP" and integration["timeoutInMillis"] == 1000
    expect_error(apigw.put_integration, "BadRequestException", "Timeout should be between 50 ms and 29000 ms",
                 restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK", timeoutInMillis=30000)
    expect_error(apigw.put_integration, "BadRequestException", "Invalid mapping expression",
                 restApiId=api_id, resourceId=root, httpMethod="GET", type="HTTP",
                 integrationHttpMethod="GET", uri="http://127.0.0.1:9/",
                 requestParameters={"integration.request.header.X": "method.request.header.Undeclared"})
    expect_error(apigw.put_integration, "BadRequestException", "Invalid HTTP endpoint",
                 restApiId=api_id, resourceId=root, httpMethod="GET", type="HTTP",
                 integrationHttpMethod="GET", uri="not-a-url")
    assert apigw.get_integration(restApiId=api_id, resourceId=root, httpMethod="GET")["uri"] == "http://127.0.0.1:9/x"

    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200",
                              responseParameters={"method.response.header.X-Out": False})
    # The model's pattern on statusCode is checked by the generated validation.
    expect_error(apigw.put_method_response, "ValidationException", "statusCode",
                 restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="42")
    got = apigw.get_method_response(restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200")
    assert got["responseParameters"] == {"method.response.header.X-Out": False}
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200",
                                   selectionPattern="", responseTemplates={"application/json": ""})
    got = apigw.get_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200")
    assert got["statusCode"] == "200"
    method = apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    assert set(method["methodResponses"]) == {"200"}
    assert set(method["methodIntegration"]["integrationResponses"]) == {"200"}

    apigw.delete_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200")
    expect_error(apigw.get_integration_response, "NotFoundException", "Invalid Response status code",
                 status=404, restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200")
    apigw.delete_method_response(restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200")
    expect_error(apigw.delete_method_response, "NotFoundException", status=404, restApiId=api_id,
                 resourceId=root, httpMethod="GET", statusCode="200")
    apigw.delete_integration(restApiId=api_id, resourceId=root, httpMethod="GET")
    apigw.delete_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    expect_error(apigw.delete_method, "NotFoundException", status=404, restApiId=api_id,
                 resourceId=root, httpMethod="GET")


def test_deployments_and_stages(apigw):
    api_id, root = _api(apigw)
    expect_error(apigw.create_deployment, "BadRequestException", "doesn't contain any methods",
                 restApiId=api_id, stageName="prod")
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    expect_error(apigw.create_deployment, "BadRequestException", "No integration defined for method",
                 restApiId=api_id, stageName="prod")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    first = apigw.create_deployment(restApiId=api_id, stageName="prod", description="one",
                                    variables={"color": "blue"})
    stage = apigw.get_stage(restApiId=api_id, stageName="prod")
    assert stage["deploymentId"] == first["id"] and stage["variables"] == {"color": "blue"}
    summary = apigw.get_deployment(restApiId=api_id, deploymentId=first["id"], embed=["apisummary"])
    assert summary["apiSummary"]["/"]["GET"]["authorizationType"] == "NONE"

    second = apigw.create_deployment(restApiId=api_id, description="two")
    assert {d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]} == {first["id"], second["id"]}
    apigw.create_stage(restApiId=api_id, stageName="test", deploymentId=second["id"], tags={"k": "v"})
    expect_error(apigw.create_stage, "ConflictException", "Stage already exists", status=409,
                 restApiId=api_id, stageName="test", deploymentId=second["id"])
    expect_error(apigw.create_stage, "NotFoundException", "Invalid Deployment identifier specified",
                 status=404, restApiId=api_id, stageName="other", deploymentId="nope00")
    assert {s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]} == {"prod", "test"}
    assert [s["stageName"] for s in apigw.get_stages(restApiId=api_id, deploymentId=second["id"])["item"]] == ["test"]

    updated = apigw.update_stage(restApiId=api_id, stageName="test", patchOperations=[
        {"op": "replace", "path": "/variables/color", "value": "red"},
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "100"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "50"},
        {"op": "replace", "path": "/deploymentId", "value": first["id"]},
        {"op": "replace", "path": "/description", "value": "testing"},
    ])
    assert updated["variables"] == {"color": "red"} and updated["deploymentId"] == first["id"]
    assert updated["methodSettings"]["*/*"]["throttlingRateLimit"] == 100.0
    assert updated["methodSettings"]["*/*"]["throttlingBurstLimit"] == 50
    expect_error(apigw.update_stage, "BadRequestException", restApiId=api_id, stageName="test",
                 patchOperations=[{"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "fast"}])

    expect_error(apigw.delete_deployment, "BadRequestException", "Active stages pointing to this deployment",
                 restApiId=api_id, deploymentId=first["id"])
    apigw.delete_deployment(restApiId=api_id, deploymentId=second["id"])
    expect_error(apigw.get_deployment, "NotFoundException", "Invalid Deployment identifier specified",
                 status=404, restApiId=api_id, deploymentId=second["id"])
    apigw.delete_stage(restApiId=api_id, stageName="test")
    expect_error(apigw.get_stage, "NotFoundException", "Invalid Stage identifier specified",
                 status=404, restApiId=api_id, stageName="test")


def test_tags_on_apis_and_stages(apigw):
    api_id, root = _api(apigw, tags={"a": "1"})
    arn = f"arn:aws:apigateway:us-east-1::/restapis/{api_id}"
    apigw.tag_resource(resourceArn=arn, tags={"b": "2"})
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"a": "1", "b": "2"}
    apigw.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"b": "2"}
    expect_error(apigw.tag_resource, "BadRequestException", "aws:", resourceArn=arn, tags={"aws:x": "1"})
    expect_error(apigw.get_tags, "BadRequestException", resourceArn="arn:aws:apigateway:us-east-1::/nope")

    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    stage_arn = f"{arn}/stages/prod"
    apigw.tag_resource(resourceArn=stage_arn, tags={"s": "1"})
    assert apigw.get_tags(resourceArn=stage_arn)["tags"] == {"s": "1"}
    assert apigw.get_stage(restApiId=api_id, stageName="prod")["tags"] == {"s": "1"}


def test_operations_not_served_are_named(apigw):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as err:
        apigw.get_vpc_links()
    assert "GetVpcLinks" in err.value.response["Error"]["Message"]


# ----------------------------------------------------------------------------- the edge


def _proxy_api(apigw, upstream_port: int) -> tuple[str, str]:
    """An API with `ANY /{proxy+}` → HTTP_PROXY to the upstream, deployed to `prod`."""
    api_id, root = _api(apigw, "proxy")
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")
    apigw.put_method(restApiId=api_id, resourceId=proxy["id"], httpMethod="ANY", authorizationType="NONE",
                     requestParameters={"method.request.path.proxy": True})
    apigw.put_integration(restApiId=api_id, resourceId=proxy["id"], httpMethod="ANY", type="HTTP_PROXY",
                          integrationHttpMethod="ANY", uri=f"http://127.0.0.1:{upstream_port}/base/{{proxy}}",
                          requestParameters={"integration.request.path.proxy": "method.request.path.proxy"})
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id, proxy["id"]


def test_http_proxy_forwards_with_x_forwarded_for(setup, apigw):
    server, port, upstream = setup
    api_id, _ = _proxy_api(apigw, upstream.port)
    status, headers, body = invoke(port, "POST", f"/restapis/{api_id}/prod/_user_request_/a/b?x=1",
                                   body=b'{"hello": 1}',
                                   headers={"Content-Type": "application/json", "X-Forwarded-For": "10.1.2.3",
                                            "X-Custom": "kept"})
    assert status == 200, body
    seen = json.loads(body)
    assert seen["method"] == "POST" and seen["path"] == "/base/a/b?x=1"
    assert seen["body"] == '{"hello": 1}'
    assert seen["headers"]["x-forwarded-for"] == "10.1.2.3, 127.0.0.1"
    assert seen["headers"]["x-forwarded-proto"] == "http"
    assert seen["headers"]["x-custom"] == "kept"
    assert seen["headers"]["via"].endswith(".cloudfront.net (CloudFront)")
    assert headers["x-upstream"] == "up" and "x-amzn-requestid" in headers

    # By host, as `<api-id>.execute-api.<region>.<domain>`, on a kept-alive connection.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for _ in range(3):
        conn.request("GET", "/prod/c", headers={"Host": f"{api_id}.execute-api.us-east-1.localhost"})
        resp = conn.getresponse()
        assert resp.status == 200
        assert json.loads(resp.read())["path"] == "/base/c"
    conn.close()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_http2_clients_are_served(setup, apigw):
    server, port, upstream = setup
    api_id, _ = _proxy_api(apigw, upstream.port)
    out = subprocess.run(
        ["curl", "-s", "--http2-prior-knowledge", "-o", "-", "-w", "\n%{http_version} %{http_code}",
         f"http://127.0.0.1:{port}/restapis/{api_id}/prod/_user_request_/h2"],
        capture_output=True, text=True, timeout=20, check=True).stdout
    body, _, status = out.rpartition("\n")
    assert status == "2 200", out
    assert json.loads(body)["path"] == "/base/h2"


def test_http_integration_maps_parameters_and_selects_the_response(setup, apigw):
    server, port, upstream = setup
    api_id, root = _api(apigw, "mapped")
    item = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{id}")
    apigw.put_method(restApiId=api_id, resourceId=item["id"], httpMethod="GET", authorizationType="NONE",
                     requestParameters={"method.request.path.id": True,
                                        "method.request.header.X-Who": False})
    apigw.put_integration(
        restApiId=api_id, resourceId=item["id"], httpMethod="GET", type="HTTP", integrationHttpMethod="POST",
        uri=f"http://127.0.0.1:{upstream.port}/items/{{item}}",
        requestParameters={"integration.request.path.item": "method.request.path.id",
                           "integration.request.header.X-User": "method.request.header.X-Who",
                           "integration.request.header.X-Want-Status": "'201'",
                           "integration.request.querystring.q": "'fixed'"})
    apigw.put_method_response(restApiId=api_id, resourceId=item["id"], httpMethod="GET", statusCode="202")
    apigw.put_integration_response(restApiId=api_id, resourceId=item["id"], httpMethod="GET", statusCode="202",
                                   selectionPattern="2\\d\\d",
                                   responseParameters={"method.response.header.X-From": "integration.response.header.X-Upstream",
                                                       "method.response.header.X-Static": "'s'"})
    apigw.create_deployment(restApiId=api_id, stageName="v1")
    status, headers, body = invoke(port, "GET", f"/restapis/{api_id}/v1/_user_request_/42?ignored=1",
                                   headers={"X-Who": "ann", "X-Forwarded-For": "10.0.0.1"})
    assert status == 202, body
    assert headers["x-from"] == "up" and headers["x-static"] == "s"
    seen = json.loads(body)
    assert seen["method"] == "POST" and seen["path"] == "/items/42?q=fixed"
    assert seen["headers"]["x-user"] == "ann"
    assert "x-forwarded-for" not in seen["headers"]


def test_mock_returns_its_status(setup, apigw):
    server, port, _ = setup
    api_id, root = _api(apigw, "mock")
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 418}'})
    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="418")
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="418",
                                   selectionPattern="418",
                                   responseTemplates={"application/json": '{"teapot": true}'})
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    status, _, body = invoke(port, "GET", f"/restapis/{api_id}/prod/_user_request_/")
    assert status == 418 and json.loads(body) == {"teapot": True}


def test_unknown_routes_are_missing_authentication_token(setup, apigw):
    server, port, upstream = setup
    api_id, _ = _mock_root(apigw)
    for path in (f"/restapis/{api_id}/prod/_user_request_/nothing/here",
                 f"/restapis/{api_id}/nostage/_user_request_/",
                 "/restapis/aaaaaaaaaa/prod/_user_request_/",
                 "/elsewhere"):
        status, headers, body = invoke(port, "GET", path)
        assert status == 403, path
        assert json.loads(body) == {"message": "Missing Authentication Token"}
        assert headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    status, _, _ = invoke(port, "POST", f"/restapis/{api_id}/prod/_user_request_/")
    assert status == 403


def _mock_root(apigw, status: int = 200) -> tuple[str, str]:
    api_id, root = _api(apigw, "mockroot")
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": json.dumps({"statusCode": status})})
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                   statusCode=str(status), selectionPattern="")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id, root


def test_upstream_failure_and_timeout(setup, apigw):
    server, port, _ = setup
    api_id, root = _api(apigw, "broken")
    closed = _free_port()
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="HTTP_PROXY",
                          integrationHttpMethod="GET", uri=f"http://127.0.0.1:{closed}/")
    # A listener that accepts and never answers.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    slow = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="slow")
    apigw.put_method(restApiId=api_id, resourceId=slow["id"], httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=slow["id"], httpMethod="GET", type="HTTP_PROXY",
                          integrationHttpMethod="GET", uri=f"http://127.0.0.1:{silent.getsockname()[1]}/",
                          timeoutInMillis=300)
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    try:
        status, headers, body = invoke(port, "GET", f"/restapis/{api_id}/prod/_user_request_/")
        assert status == 500 and json.loads(body) == {"message": "Internal server error"}
        status, headers, body = invoke(port, "GET", f"/restapis/{api_id}/prod/_user_request_/slow")
        assert status == 504 and json.loads(body) == {"message": "Endpoint request timed out"}
        assert "x-amzn-requestid" in headers
    finally:
        silent.close()


def test_stage_throttling(setup, apigw):
    server, port, _ = setup
    api_id, _ = _mock_root(apigw)
    apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "0.001"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "2"}])
    statuses = [invoke(port, "GET", f"/restapis/{api_id}/prod/_user_request_/")[0] for _ in range(4)]
    assert statuses[:2] == [200, 200] and statuses[2:] == [429, 429]
    status, headers, body = invoke(port, "GET", f"/restapis/{api_id}/prod/_user_request_/")
    assert json.loads(body) == {"message": "Too Many Requests"}


def test_a_redeploy_changes_what_is_served_without_restart(setup, apigw):
    server, port, upstream = setup
    other = Upstream("other")
    try:
        api_id, proxy_id = _proxy_api(apigw, upstream.port)
        path = f"/restapis/{api_id}/prod/_user_request_/x"
        assert json.loads(invoke(port, "GET", path)[2])["tag"] == "up"
        apigw.put_integration(restApiId=api_id, resourceId=proxy_id, httpMethod="ANY", type="HTTP_PROXY",
                              integrationHttpMethod="ANY", uri=f"http://127.0.0.1:{other.port}/{{proxy}}",
                              requestParameters={"integration.request.path.proxy": "method.request.path.proxy"})
        # Not deployed yet: the stage still serves its deployment.
        assert json.loads(invoke(port, "GET", path)[2])["tag"] == "up"
        apigw.create_deployment(restApiId=api_id, stageName="prod")
        seen = eventually(lambda: _tagged(port, path, "other"))
        assert seen["path"] == "/x"
        apigw.delete_stage(restApiId=api_id, stageName="prod")
        assert invoke(port, "GET", path)[0] == 403
    finally:
        other.close()


def _tagged(port: int, path: str, tag: str) -> dict:
    status, _, body = invoke(port, "GET", path)
    assert status == 200
    seen = json.loads(body)
    assert seen["tag"] == tag
    return seen

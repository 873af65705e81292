"""PRIVATE REST APIs with boto3 against the real binary (dev/SQLite, dev/PostgreSQL): they
answer only on the private edge listener (`RAMPART_EDGE_PRIVATE_LISTEN`, Rampart's interface
VPC endpoint with `RAMPART_EDGE_PRIVATE_VPCE_ID` / `RAMPART_EDGE_PRIVATE_VPC_ID`), by path,
by `x-apigw-api-id`, by the endpoint-specific host `<api>-<vpce>.execute-api...` (only once the
API lists the endpoint in `vpcEndpointIds`) and by the private DNS host; the public listener
and the private listener refuse each other's APIs with 403 Forbidden; without a resource
policy a PRIVATE API cannot be deployed and every call is denied, and `aws:SourceVpce` /
`aws:SourceVpc` conditions decide; VPC endpoint ids only on PRIVATE APIs."""

from __future__ import annotations

import json

import pytest

from conftest import ServerFactory
from harness import DEV_SQLITE, eventually, expect_error
from test_apigateway import DEV_POSTGRES, Upstream, _api, _free_port, invoke

VPCE = "vpce-0a1b2c3d4e5f60718"
VPC = "vpc-0fedcba9"


@pytest.fixture(scope="module", params=[DEV_SQLITE, DEV_POSTGRES])
def setup(request, tmp_path_factory, pg_databases):
    """(server, public edge port, private edge port, upstream)."""
    upstream = Upstream("private-up")
    public, private = _free_port(), _free_port()
    factory = ServerFactory(tmp_path_factory, pg_databases)
    try:
        server = factory(request.param, extra_env={
            "RAMPART_EDGE_LISTEN": f"127.0.0.1:{public}",
            "RAMPART_EDGE_PRIVATE_LISTEN": f"127.0.0.1:{private}",
            "RAMPART_EDGE_PRIVATE_VPCE_ID": VPCE,
            "RAMPART_EDGE_PRIVATE_VPC_ID": VPC,
        })
        yield server, public, private, upstream
    finally:
        for started in factory.servers:
            started.kill()
        upstream.close()


@pytest.fixture(scope="module")
def apigw(setup):
    return setup[0].client("apigateway")


def _policy(condition: dict | None) -> str:
    statement = {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
                 "Resource": "execute-api:/*"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _set_policy(apigw, api_id: str, policy: str) -> None:
    apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/policy", "value": policy}])
    apigw.create_deployment(restApiId=api_id, stageName="prod")


def _proxy_api(apigw, upstream: Upstream, kind: str, deploy: bool = True) -> str:
    """An API of endpoint type `kind` with `ANY /{proxy+}` → HTTP_PROXY to the upstream,
    deployed to `prod` (a PRIVATE one with a policy allowing everybody)."""
    extra = {"policy": _policy(None)} if kind == "PRIVATE" and deploy else {}
    api_id, root = _api(apigw, f"{kind.lower()}-api",
                        endpointConfiguration={"types": [kind]}, **extra)
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")
    apigw.put_method(restApiId=api_id, resourceId=proxy["id"], httpMethod="ANY",
                     authorizationType="NONE",
                     requestParameters={"method.request.path.proxy": True})
    apigw.put_integration(restApiId=api_id, resourceId=proxy["id"], httpMethod="ANY",
                          type="HTTP_PROXY", integrationHttpMethod="ANY",
                          uri=f"http://127.0.0.1:{upstream.port}/{{proxy}}")
    if deploy:
        apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id


def _get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, dict]:
    status, response_headers, body = invoke(port, "GET", path, headers=headers)
    return status, response_headers, json.loads(body or b"{}")


def _is_forbidden(answer: tuple[int, dict, dict]) -> bool:
    status, headers, body = answer
    return (status, headers.get("x-amzn-errortype"), body) == (
        403, "ForbiddenException", {"message": "Forbidden"})


def test_a_private_api_is_refused_on_the_public_listener(setup, apigw):
    _, public, private, upstream = setup
    api_id = _proxy_api(apigw, upstream, "PRIVATE")
    path = f"/restapis/{api_id}/prod/_user_request_/pets"
    assert _is_forbidden(_get(public, path))
    host = {"Host": f"{api_id}.execute-api.us-east-1.localhost"}
    assert _is_forbidden(_get(public, "/prod/pets", host))
    status, _, seen = _get(private, path)
    assert status == 200 and seen["path"] == "/pets"


def test_without_a_resource_policy_every_call_is_denied(setup, apigw):
    _, _, private, upstream = setup
    api_id = _proxy_api(apigw, upstream, "PRIVATE", deploy=False)
    expect_error(apigw.create_deployment, "BadRequestException",
                 "^Private REST API doesn't have a resource policy attached to it$",
                 restApiId=api_id, stageName="prod")
    _set_policy(apigw, api_id, _policy(None))
    path = f"/restapis/{api_id}/prod/_user_request_/a"
    assert _get(private, path)[0] == 200
    apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/policy", "value": ""}])

    def refused():
        answer = _get(private, path)
        assert answer[0] == 403, answer
        return answer

    _, headers, body = eventually(refused, timeout=12)
    assert headers["x-amzn-errortype"] == "AccessDeniedException"
    assert body["Message"].startswith(
        "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
        "arn:aws:execute-api:us-east-1:")
    assert body["Message"].endswith(f":{api_id}/prod/GET/a")


def test_source_vpce_and_source_vpc_conditions_decide(setup, apigw):
    _, _, private, upstream = setup
    api_id = _proxy_api(apigw, upstream, "PRIVATE")
    path = f"/restapis/{api_id}/prod/_user_request_/x"

    _set_policy(apigw, api_id, _policy({"StringEquals": {"aws:SourceVpce": VPCE}}))
    status, _, seen = _get(private, path)
    assert status == 200 and seen["tag"] == "private-up"

    _set_policy(apigw, api_id, _policy({"StringEquals": {"aws:SourceVpce": "vpce-11111111"}}))
    status, headers, body = _get(private, path)
    assert status == 403 and headers["x-amzn-errortype"] == "AccessDeniedException"
    assert "explicit" not in body["Message"]

    _set_policy(apigw, api_id, _policy({"StringEquals": {"aws:SourceVpc": VPC}}))
    assert _get(private, path)[0] == 200
    _set_policy(apigw, api_id, _policy({"StringNotEquals": {"aws:SourceVpc": VPC}}))
    assert _get(private, path)[0] == 403


def test_the_private_listener_takes_the_header_and_host_forms(setup, apigw):
    _, _, private, upstream = setup
    api_id = _proxy_api(apigw, upstream, "PRIVATE")
    _set_policy(apigw, api_id, _policy({"StringEquals": {"aws:SourceVpce": VPCE}}))

    own_dns = f"{VPCE}-ab12cd34.execute-api.us-east-1.vpce.localhost"
    status, _, seen = _get(private, "/prod/by-header",
                           {"Host": own_dns, "x-apigw-api-id": api_id})
    assert status == 200 and seen["path"] == "/by-header"
    status, _, seen = _get(private, "/prod/by-dns",
                           {"Host": f"{api_id}.execute-api.us-east-1.localhost"})
    assert status == 200 and seen["path"] == "/by-dns"

    # The endpoint-specific name exists only once the API lists this endpoint.
    alias = {"Host": f"{api_id}-{VPCE}.execute-api.us-east-1.localhost"}
    assert _is_forbidden(_get(private, "/prod/by-alias", alias))
    apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "add", "path": "/endpointConfiguration/vpcEndpointIds", "value": VPCE}])
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    status, _, seen = _get(private, "/prod/by-alias", alias)
    assert status == 200 and seen["path"] == "/by-alias"
    other = {"Host": f"{api_id}-vpce-99999999.execute-api.us-east-1.localhost"}
    assert _is_forbidden(_get(private, "/prod/by-alias", other))

    # A name the endpoint does not know, or an API that does not exist.
    assert _is_forbidden(_get(private, "/prod/x", {"Host": "example.com"}))
    assert _is_forbidden(_get(private, "/prod/x", {"x-apigw-api-id": "nosuchapi0"}))


def test_public_apis_stay_public(setup, apigw):
    _, public, private, upstream = setup
    for kind in ("REGIONAL", "EDGE"):
        api_id = _proxy_api(apigw, upstream, kind)
        path = f"/restapis/{api_id}/prod/_user_request_/p"
        status, _, seen = _get(public, path)
        assert status == 200 and seen["path"] == "/p"
        assert _is_forbidden(_get(private, path))
        assert _is_forbidden(_get(private, "/prod/p", {"x-apigw-api-id": api_id}))


def test_vpc_endpoint_ids_only_on_private_apis(apigw):
    message = "^VPCEndpoints can only be specified with PRIVATE apis.$"
    expect_error(apigw.create_rest_api, "BadRequestException", message, name="r",
                 endpointConfiguration={"types": ["REGIONAL"], "vpcEndpointIds": [VPCE]})
    made = apigw.create_rest_api(name="p", policy=_policy(None), endpointConfiguration={
        "types": ["PRIVATE"], "vpcEndpointIds": [VPCE]})
    assert made["endpointConfiguration"]["vpcEndpointIds"] == [VPCE]
    expect_error(apigw.update_rest_api, "BadRequestException", message, restApiId=made["id"],
                 patchOperations=[{"op": "replace", "path": "/endpointConfiguration/types/PRIVATE",
                                   "value": "REGIONAL"}])
    assert apigw.get_rest_api(restApiId=made["id"])["endpointConfiguration"]["types"] == ["PRIVATE"]
    changed = apigw.update_rest_api(restApiId=made["id"], patchOperations=[
        {"op": "remove", "path": "/endpointConfiguration/vpcEndpointIds", "value": VPCE},
        {"op": "replace", "path": "/endpointConfiguration/types/PRIVATE", "value": "REGIONAL"}])
    assert changed["endpointConfiguration"]["types"] == ["REGIONAL"]
    definition = json.dumps({
        "openapi": "3.0.1", "info": {"title": "imported", "version": "1"}, "paths": {},
        "x-amazon-apigateway-endpoint-configuration": {"vpcEndpointIds": [VPCE]}})
    expect_error(apigw.import_rest_api, "BadRequestException", message,
                 body=definition.encode(), parameters={"endpointConfigurationTypes": "REGIONAL"})
    imported = apigw.import_rest_api(body=definition.encode(),
                                     parameters={"endpointConfigurationTypes": "PRIVATE"})
    assert imported["endpointConfiguration"] == {"types": ["PRIVATE"], "vpcEndpointIds": [VPCE]}

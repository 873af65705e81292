"""PRIVATE REST APIs with boto3 against the real binary (dev/SQLite, dev/PostgreSQL): they
answer only on the private edge listeners (Rampart's interface VPC endpoint with
`RAMPART_EDGE_PRIVATE_VPCE_ID` / `RAMPART_EDGE_PRIVATE_VPC_ID`: HTTPS on
`RAMPART_EDGE_PRIVATE_TLS_LISTEN` with the edge's default certificate, which names the
`execute-api` and VPC endpoint hosts, as an interface endpoint answers; and plain HTTP on
`RAMPART_EDGE_PRIVATE_LISTEN`, as the public edge has both), by path,
by `x-apigw-api-id`, by the endpoint-specific host `<api>-<vpce>.execute-api...` (only once the
API lists the endpoint in `vpcEndpointIds`) and by the private DNS host; the public listener
and the private listener refuse each other's APIs with 403 Forbidden; without a resource
policy a PRIVATE API cannot be deployed and every call is denied, and `aws:SourceVpce` /
`aws:SourceVpc` conditions decide; VPC endpoint ids only on PRIVATE APIs."""

from __future__ import annotations

import http.client
import json
import socket
import ssl

import pytest
from cryptography import x509

from conftest import ServerFactory
from harness import DEV_SQLITE, eventually, expect_error
from test_apigateway import DEV_POSTGRES, Upstream, _api, _free_port, invoke

VPCE = "vpce-0a1b2c3d4e5f60718"
VPC = "vpc-0fedcba9"
# The endpoint's own DNS name (the `x-apigw-api-id` form's host).
OWN_DNS = f"{VPCE}-ab12cd34.execute-api.us-east-1.vpce.localhost"


@pytest.fixture(scope="module", params=[DEV_SQLITE, DEV_POSTGRES])
def setup(request, tmp_path_factory, pg_databases):
    """(server, public edge port, private HTTPS port, upstream, private plain port)."""
    upstream = Upstream("private-up")
    public, private, plain = _free_port(), _free_port(), _free_port()
    factory = ServerFactory(tmp_path_factory, pg_databases)
    try:
        server = factory(request.param, extra_env={
            "RAMPART_EDGE_LISTEN": f"127.0.0.1:{public}",
            "RAMPART_EDGE_PRIVATE_TLS_LISTEN": f"127.0.0.1:{private}",
            "RAMPART_EDGE_PRIVATE_LISTEN": f"127.0.0.1:{plain}",
            "RAMPART_EDGE_PRIVATE_VPCE_ID": VPCE,
            "RAMPART_EDGE_PRIVATE_VPC_ID": VPC,
        })
        yield server, public, private, upstream, plain
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


_PINNED: dict[int, str] = {}


def _pinned(port: int) -> str:
    """The PEM of the certificate the HTTPS listener on `port` serves without SNI (the edge's
    self-signed default certificate), trusted as the only anchor."""
    if port not in _PINNED:
        _PINNED[port] = ssl.get_server_certificate(("127.0.0.1", port))
    return _PINNED[port]


def _tls_get(port: int, path: str, headers: dict | None = None,
             sni: str | None = None) -> tuple[int, dict, bytes]:
    """GET `path` over HTTPS, the host name checked against the served certificate; SNI is
    `sni`, else the Host header, else the endpoint's own DNS name."""
    headers = dict(headers or {})
    host = headers.pop("Host", None) or sni or OWN_DNS
    ctx = ssl.create_default_context(cadata=_pinned(port))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname=sni or host) as tls:
            lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
            lines += [f"{k}: {v}" for k, v in headers.items()]
            tls.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            resp = http.client.HTTPResponse(tls)
            resp.begin()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()


def _get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, dict]:
    """GET over plain HTTP (the public listener)."""
    status, response_headers, body = invoke(port, "GET", path, headers=headers)
    return status, response_headers, json.loads(body or b"{}")


def _pget(port: int, path: str, headers: dict | None = None,
          sni: str | None = None) -> tuple[int, dict, dict]:
    """GET over HTTPS (the private listener)."""
    status, response_headers, body = _tls_get(port, path, headers, sni)
    return status, response_headers, json.loads(body or b"{}")


def _is_forbidden(answer: tuple[int, dict, dict]) -> bool:
    status, headers, body = answer
    return (status, headers.get("x-amzn-errortype"), body) == (
        403, "ForbiddenException", {"message": "Forbidden"})


def test_a_private_api_is_refused_on_the_public_listener(setup, apigw):
    _, public, private, upstream, _ = setup
    api_id = _proxy_api(apigw, upstream, "PRIVATE")
    path = f"/restapis/{api_id}/prod/_user_request_/pets"
    assert _is_forbidden(_get(public, path))
    host = {"Host": f"{api_id}.execute-api.us-east-1.localhost"}
    assert _is_forbidden(_get(public, "/prod/pets", host))
    status, _, seen = _pget(private, path)
    assert status == 200 and seen["path"] == "/pets"


def test_without_a_resource_policy_every_call_is_denied(setup, apigw):
    _, _, private, upstream, _ = setup
    api_id = _proxy_api(apigw, upstream, "PRIVATE", deploy=False)
    expect_error(apigw.create_deployment, "BadRequestException",
                 "^Private REST API doesn't have a resource policy attached to it$",
                 restApiId=api_id, stageName="prod")
    _set_policy(apigw, api_id, _policy(None))
    path = f"/restapis/{api_id}/prod/_user_request_/a"
    assert _pget(private, path)[0] == 200
    apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/policy", "value": ""}])

    def refused():
        answer = _pget(private, path)
        assert answer[0] == 403, answer
        return answer

    _, headers, body = eventually(refused, timeout=12)
    assert headers["x-amzn-errortype"] == "AccessDeniedException"
    assert body["Message"].startswith(
        "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
        "arn:aws:execute-api:us-east-1:")
    assert body["Message"].endswith(f":{api_id}/prod/GET/a")


def test_source_vpce_and_source_vpc_conditions_decide(setup, apigw):
    _, _, private, upstream, _ = setup
    api_id = _proxy_api(apigw, upstream, "PRIVATE")
    path = f"/restapis/{api_id}/prod/_user_request_/x"

    _set_policy(apigw, api_id, _policy({"StringEquals": {"aws:SourceVpce": VPCE}}))
    status, _, seen = _pget(private, path)
    assert status == 200 and seen["tag"] == "private-up"

    _set_policy(apigw, api_id, _policy({"StringEquals": {"aws:SourceVpce": "vpce-11111111"}}))
    status, headers, body = _pget(private, path)
    assert status == 403 and headers["x-amzn-errortype"] == "AccessDeniedException"
    assert "explicit" not in body["Message"]

    _set_policy(apigw, api_id, _policy({"StringEquals": {"aws:SourceVpc": VPC}}))
    assert _pget(private, path)[0] == 200
    _set_policy(apigw, api_id, _policy({"StringNotEquals": {"aws:SourceVpc": VPC}}))
    assert _pget(private, path)[0] == 403


def test_the_private_listener_takes_the_header_and_host_forms(setup, apigw):
    _, _, private, upstream, _ = setup
    api_id = _proxy_api(apigw, upstream, "PRIVATE")
    _set_policy(apigw, api_id, _policy({"StringEquals": {"aws:SourceVpce": VPCE}}))

    own_dns = f"{VPCE}-ab12cd34.execute-api.us-east-1.vpce.localhost"
    status, _, seen = _pget(private, "/prod/by-header",
                           {"Host": own_dns, "x-apigw-api-id": api_id})
    assert status == 200 and seen["path"] == "/by-header"
    status, _, seen = _pget(private, "/prod/by-dns",
                           {"Host": f"{api_id}.execute-api.us-east-1.localhost"})
    assert status == 200 and seen["path"] == "/by-dns"

    # The endpoint-specific name exists only once the API lists this endpoint.
    alias = {"Host": f"{api_id}-{VPCE}.execute-api.us-east-1.localhost"}
    assert _is_forbidden(_pget(private, "/prod/by-alias", alias))
    apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "add", "path": "/endpointConfiguration/vpcEndpointIds", "value": VPCE}])
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    status, _, seen = _pget(private, "/prod/by-alias", alias)
    assert status == 200 and seen["path"] == "/by-alias"
    other = {"Host": f"{api_id}-vpce-99999999.execute-api.us-east-1.localhost"}
    assert _is_forbidden(_pget(private, "/prod/by-alias", other))

    # A name the endpoint does not know, or an API that does not exist.
    assert _is_forbidden(_pget(private, "/prod/x", {"Host": "example.com"}, sni=OWN_DNS))
    assert _is_forbidden(_pget(private, "/prod/x", {"x-apigw-api-id": "nosuchapi0"}))


def test_the_private_listener_answers_https_with_the_default_certificate(setup, apigw):
    _, _, private, upstream, plain = setup
    served = x509.load_pem_x509_certificate(_pinned(private).encode())
    names = served.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"*.execute-api.us-east-1.localhost", "*.execute-api.us-east-1.vpce.localhost",
            "localhost"} <= set(names.get_values_for_type(x509.DNSName))
    api_id = _proxy_api(apigw, upstream, "PRIVATE")
    path = f"/restapis/{api_id}/prod/_user_request_/secure"
    status, _, seen = _pget(private, path)
    assert status == 200 and seen["path"] == "/secure"
    assert seen["headers"]["x-forwarded-proto"] == "https"
    assert seen["headers"]["x-forwarded-port"] == str(private)
    # A client that checks the name refuses a host the certificate does not name.
    with pytest.raises(ssl.SSLCertVerificationError):
        _tls_get(private, path, sni="example.com")
    # Plain HTTP is not spoken on the HTTPS listener.
    with pytest.raises((OSError, http.client.HTTPException)):
        invoke(private, "GET", path)
    # The plain private listener stands for the same endpoint.
    status, _, seen = _get(plain, path)
    assert status == 200 and seen["headers"]["x-forwarded-proto"] == "http"
    assert _is_forbidden(_get(plain, "/prod/x", {"Host": "example.com"}))


def test_public_apis_stay_public(setup, apigw):
    _, public, private, upstream, _ = setup
    for kind in ("REGIONAL", "EDGE"):
        api_id = _proxy_api(apigw, upstream, kind)
        path = f"/restapis/{api_id}/prod/_user_request_/p"
        status, _, seen = _get(public, path)
        assert status == 200 and seen["path"] == "/p"
        assert _is_forbidden(_pget(private, path))
        assert _is_forbidden(_pget(private, "/prod/p", {"x-apigw-api-id": api_id}))
        assert _is_forbidden(_get(setup[4], path))


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

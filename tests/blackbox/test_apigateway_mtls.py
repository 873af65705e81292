"""API Gateway mutual TLS on REGIONAL custom domain names with boto3 against the real binary:
a truststore (a PEM bundle of CA certificates made here with `cryptography`) written under
the server's `RAMPART_EDGE_TRUSTSTORE_DIR` as `<bucket>/<key>` and named `s3://<bucket>/<key>`,
the domain's ACM certificate imported, then over the HTTPS edge with SNI: a client
certificate of the truststore's CA reaches the API; no certificate, one of another CA or an
expired one fail the handshake; a domain without mutual TLS on the same listener needs none;
the plain listener and another SNI are refused the mutual TLS domain; the verified client
certificate reaches an HTTP integration's request parameters as
`$context.identity.clientCert.*`. Get/Update answer and
patch the fields, an expired CA is a truststore warning, a missing truststore or an EDGE name
is refused."""

from __future__ import annotations

import datetime
import http.client
import json
import socket
import ssl
import urllib.parse

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import ServerFactory
from harness import DEV_SQLITE, expect_error
from test_apigateway import Upstream, _free_port, _proxy_api, invoke
from test_apigateway_domains import LocalCa, _import, _name, _poll

MTLS_HOST = "mtls.example.test"
PLAIN_HOST = "plain.example.test"
REGIONAL = {"types": ["REGIONAL"]}
URI = "s3://trust-bucket/ca/truststore.pem"


def _client_cert(ca: LocalCa, days: int = 10) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) of a client certificate issued by `ca`, valid until `days`
    from now (negative: already expired)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    start = now - datetime.timedelta(days=abs(days) + 1)
    cert = (
        x509.CertificateBuilder().subject_name(_name("client")).issuer_name(ca.cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca.key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def _expired_ca_pem() -> bytes:
    """A self-signed CA certificate that expired yesterday."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(_name("Old CA")).issuer_name(_name("Old CA"))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=30)).not_valid_after(now - datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def setup(tmp_path_factory, pg_databases):
    """(server, plain edge port, TLS edge port, upstream, truststore dir)."""
    upstream = Upstream("mtls")
    port, tls_port = _free_port(), _free_port()
    stores = tmp_path_factory.mktemp("truststores")
    factory = ServerFactory(tmp_path_factory, pg_databases)
    try:
        server = factory(DEV_SQLITE, extra_env={"RAMPART_EDGE_LISTEN": f"127.0.0.1:{port}",
                                                 "RAMPART_EDGE_TLS_LISTEN": f"127.0.0.1:{tls_port}",
                                                 "RAMPART_EDGE_TRUSTSTORE_DIR": str(stores)})
        yield server, port, tls_port, upstream, stores
    finally:
        for started in factory.servers:
            started.kill()
        upstream.close()


@pytest.fixture(scope="module")
def ca():
    return LocalCa()


def _write_truststore(stores, uri: str, pem: bytes) -> None:
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    path = stores / bucket / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pem)


def _get(tls_port: int, server_ca: LocalCa, sni: str, tmp_path, client=None,
         host: str | None = None, path: str = "/v1/hello") -> tuple[int, bytes]:
    """(status, body) of GET `path` with SNI `sni` and Host `host` (default: `sni`),
    presenting `client` (certificate PEM, key PEM) when given."""
    ctx = ssl.create_default_context(cadata=server_ca.pem.decode())
    if client is not None:
        cert_file, key_file = tmp_path / "client.pem", tmp_path / "client.key"
        cert_file.write_bytes(client[0])
        key_file.write_bytes(client[1])
        ctx.load_cert_chain(cert_file, key_file)
    with socket.create_connection(("127.0.0.1", tls_port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname=sni) as tls:
            request = f"GET {path} HTTP/1.1\r\nHost: {host or sni}\r\nConnection: close\r\n\r\n"
            tls.sendall(request.encode())
            resp = http.client.HTTPResponse(tls)
            resp.begin()
            return resp.status, resp.read()


@pytest.fixture(scope="module")
def domains(setup, ca):
    """The mutual TLS domain and a plain one, both mapped at `v1` to a proxy API."""
    server, _, _, upstream, stores = setup
    acm, apigw = server.client("acm"), server.client("apigateway")
    _write_truststore(stores, URI, ca.pem)
    api_id, _ = _proxy_api(apigw, upstream.port)
    created = {}
    for host, mtls in ((MTLS_HOST, {"truststoreUri": URI}), (PLAIN_HOST, None)):
        arn, _ = _import(acm, ca, host)
        extra = {"mutualTlsAuthentication": mtls} if mtls else {}
        created[host] = apigw.create_domain_name(domainName=host, regionalCertificateArn=arn,
                                                 endpointConfiguration=REGIONAL, **extra)
        apigw.create_base_path_mapping(domainName=host, basePath="v1", restApiId=api_id, stage="prod")
    return created


def _served(tls_port: int, ca: LocalCa, tmp_path) -> tuple[int, bytes]:
    """Waits until the edge serves the mutual TLS domain to a trusted client certificate."""
    return _poll(lambda: _get(tls_port, ca, MTLS_HOST, tmp_path, _client_cert(ca)))


def test_create_and_get_answer_the_truststore(setup, domains):
    apigw = setup[0].client("apigateway")
    assert domains[MTLS_HOST]["mutualTlsAuthentication"] == {"truststoreUri": URI}
    assert "mutualTlsAuthentication" not in domains[PLAIN_HOST]
    got = apigw.get_domain_name(domainName=MTLS_HOST)
    assert got["mutualTlsAuthentication"] == {"truststoreUri": URI}
    listed = apigw.get_domain_names()["items"]
    assert [d.get("mutualTlsAuthentication") for d in listed if d["domainName"] == MTLS_HOST] == [
        {"truststoreUri": URI}]


def test_a_client_certificate_of_the_truststore_reaches_the_api(setup, ca, domains, tmp_path):
    status, body = _served(setup[2], ca, tmp_path)
    assert status == 200, body
    assert json.loads(body)["path"] == "/base/hello"


def test_missing_foreign_or_expired_client_certificates_are_refused(setup, ca, domains, tmp_path):
    tls_port = setup[2]
    _served(tls_port, ca, tmp_path)
    for client in (None, _client_cert(LocalCa()), _client_cert(ca, days=-1)):
        with pytest.raises((ssl.SSLError, OSError)):
            _get(tls_port, ca, MTLS_HOST, tmp_path, client)


def test_a_domain_without_mutual_tls_needs_no_client_certificate(setup, ca, domains, tmp_path):
    status, body = _poll(lambda: _get(setup[2], ca, PLAIN_HOST, tmp_path))
    assert status == 200, body


def test_the_mutual_tls_domain_is_refused_without_its_handshake(setup, ca, domains, tmp_path):
    _, port, tls_port = setup[:3]
    _served(tls_port, ca, tmp_path)
    status, _, body = invoke(port, "GET", "/v1/hello", headers={"Host": MTLS_HOST})
    assert status == 403 and json.loads(body)["message"] == "Forbidden", body
    status, body = _get(tls_port, ca, PLAIN_HOST, tmp_path, host=MTLS_HOST)
    assert status == 403 and json.loads(body)["message"] == "Forbidden", body


CERT_VARIABLES = {
    "X-Subject": "subjectDN", "X-Issuer": "issuerDN", "X-Serial": "serialNumber",
    "X-Not-Before": "validity.notBefore", "X-Not-After": "validity.notAfter",
}


def _cert_api(apigw, upstream_port: int) -> str:
    """An API whose `GET /whoami` is an HTTP integration given the client certificate's
    `$context.identity.clientCert` values as headers and its PEM as query `pem`."""
    api_id = apigw.create_rest_api(name="whoami", endpointConfiguration=REGIONAL)["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    who = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="whoami")
    apigw.put_method(restApiId=api_id, resourceId=who["id"], httpMethod="GET",
                     authorizationType="NONE")
    mapped = {f"integration.request.header.{h}": f"context.identity.clientCert.{v}"
              for h, v in CERT_VARIABLES.items()}
    mapped["integration.request.querystring.pem"] = "context.identity.clientCert.clientCertPem"
    apigw.put_integration(restApiId=api_id, resourceId=who["id"], httpMethod="GET", type="HTTP",
                          integrationHttpMethod="GET", uri=f"http://127.0.0.1:{upstream_port}/who",
                          requestParameters=mapped)
    apigw.put_method_response(restApiId=api_id, resourceId=who["id"], httpMethod="GET",
                              statusCode="200")
    apigw.put_integration_response(restApiId=api_id, resourceId=who["id"], httpMethod="GET",
                                   statusCode="200")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id


def _named_client_cert(ca: LocalCa) -> tuple[x509.Certificate, bytes, bytes]:
    """(certificate, its PEM, key PEM): C, O (with a comma) and CN, issued by `ca`."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example, Inc."),
                         x509.NameAttribute(NameOID.COMMON_NAME, "client one")])
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(ca.cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=3))
        .not_valid_after(now + datetime.timedelta(days=20))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca.key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert, cert.public_bytes(serialization.Encoding.PEM), key_pem


def _openssl_time(at: datetime.datetime) -> str:
    return f"{at:%b} {at.day:2d} {at:%H:%M:%S %Y} GMT"


def test_the_client_certificate_reaches_the_integration_as_context_variables(
        setup, ca, domains, tmp_path):
    server, _, tls_port, upstream, _ = setup
    apigw = server.client("apigateway")
    api_id = _cert_api(apigw, upstream.port)
    for host in (MTLS_HOST, PLAIN_HOST):
        apigw.create_base_path_mapping(domainName=host, basePath="cert", restApiId=api_id,
                                       stage="prod")
    cert, cert_pem, key_pem = _named_client_cert(ca)

    def whoami(host: str, client=None) -> dict:
        status, body = _get(tls_port, ca, host, tmp_path, client, path="/cert/whoami")
        assert status == 200, body
        return json.loads(body)

    seen = _poll(lambda: whoami(MTLS_HOST, (cert_pem, key_pem)))
    serial = cert.serial_number.to_bytes((cert.serial_number.bit_length() + 7) // 8, "big")
    expected = {
        "x-subject": "C=US,O=Example\\, Inc.,CN=client one",
        "x-issuer": "CN=Rampart Test CA",
        "x-serial": ":".join(f"{b:02x}" for b in serial),
        "x-not-before": _openssl_time(cert.not_valid_before_utc),
        "x-not-after": _openssl_time(cert.not_valid_after_utc),
    }
    assert {k: seen["headers"].get(k) for k in expected} == expected
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(seen["path"]).query)
    assert query["pem"] == [cert_pem.decode()]
    # Without mutual TLS there is no client certificate: the mappings give nothing.
    plain = _poll(lambda: whoami(PLAIN_HOST))
    assert not set(expected) & set(plain["headers"]) and plain["path"] == "/who"


def test_update_patches_the_truststore_and_reports_warnings(setup, ca, domains):
    server, stores = setup[0], setup[4]
    apigw = server.client("apigateway")
    warned = "s3://trust-bucket/ca/with-expired.pem"
    _write_truststore(stores, warned, ca.pem + _expired_ca_pem())
    out = apigw.update_domain_name(domainName=MTLS_HOST, patchOperations=[
        {"op": "replace", "path": "/mutualTlsAuthentication/truststoreUri", "value": warned},
        {"op": "replace", "path": "/mutualTlsAuthentication/truststoreVersion", "value": "v2"},
    ])
    mtls = out["mutualTlsAuthentication"]
    assert mtls["truststoreUri"] == warned and mtls["truststoreVersion"] == "v2"
    assert mtls["truststoreWarnings"] == ["Certificate 1: certificate CN=Old CA has expired"]
    assert apigw.get_domain_name(domainName=MTLS_HOST)["mutualTlsAuthentication"] == mtls
    missing = "s3://trust-bucket/none.pem"
    expect_error(lambda: apigw.update_domain_name(domainName=MTLS_HOST, patchOperations=[
        {"op": "replace", "path": "/mutualTlsAuthentication/truststoreUri", "value": missing}]),
        "BadRequestException", f"Unable to read truststore from S3 URI {missing}")
    assert apigw.get_domain_name(domainName=MTLS_HOST)["mutualTlsAuthentication"] == mtls
    back = apigw.update_domain_name(domainName=MTLS_HOST, patchOperations=[
        {"op": "replace", "path": "/mutualTlsAuthentication/truststoreUri", "value": URI},
        {"op": "replace", "path": "/mutualTlsAuthentication/truststoreVersion", "value": ""}])
    assert back["mutualTlsAuthentication"] == {"truststoreUri": URI}


def test_missing_truststores_and_edge_names_are_refused(setup, ca):
    server = setup[0]
    acm, apigw = server.client("acm"), server.client("apigateway")
    host = "refused.example.test"
    arn, _ = _import(acm, ca, host)
    missing = "s3://trust-bucket/missing.pem"
    expect_error(lambda: apigw.create_domain_name(
        domainName=host, regionalCertificateArn=arn, endpointConfiguration=REGIONAL,
        mutualTlsAuthentication={"truststoreUri": missing}),
        "BadRequestException", f"Unable to read truststore from S3 URI {missing}")
    expect_error(lambda: apigw.create_domain_name(
        domainName=host, certificateArn=arn, mutualTlsAuthentication={"truststoreUri": URI}),
        "BadRequestException", "only supported for REGIONAL")
    expect_error(lambda: apigw.get_domain_name(domainName=host), "NotFoundException", status=404)

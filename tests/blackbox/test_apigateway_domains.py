"""API Gateway custom domain names on the HTTPS edge (`RAMPART_EDGE_TLS_LISTEN`) with boto3
against the real binary: ACM certificates imported for `api.example.test` (a test CA made
here with `cryptography`), EDGE names over us-east-1 certificates and REGIONAL names over the
API's Region's, base path mappings, an HTTPS client with SNI seeing the imported certificate
and the upstream's answer, a re-imported certificate served without restart, ACM's InUseBy
and ResourceInUseException while a domain uses the certificate, and the certificate checks."""

from __future__ import annotations

import datetime
import hashlib
import http.client
import json
import socket
import ssl
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import ServerFactory
from harness import DEV_SQLITE, expect_error
from test_apigateway import Upstream, _free_port, _proxy_api

HOST = "api.example.test"


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


class LocalCa:
    """A CA issuing leaf certificates for the domain."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (
            x509.CertificateBuilder().subject_name(_name("Rampart Test CA")).issuer_name(_name("Rampart Test CA"))
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.pem = self.cert.public_bytes(serialization.Encoding.PEM)

    def leaf(self, host: str = HOST) -> tuple[bytes, bytes, bytes]:
        """(certificate PEM, key PEM, certificate DER)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder().subject_name(_name(host)).issuer_name(self.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=10))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        return (cert.public_bytes(serialization.Encoding.PEM), key_pem,
                cert.public_bytes(serialization.Encoding.DER))


@pytest.fixture(scope="module")
def setup(tmp_path_factory, pg_databases):
    """(server, plain edge port, TLS edge port, upstream)."""
    upstream = Upstream("domains")
    port, tls_port = _free_port(), _free_port()
    factory = ServerFactory(tmp_path_factory, pg_databases)
    try:
        server = factory(DEV_SQLITE, extra_env={"RAMPART_EDGE_LISTEN": f"127.0.0.1:{port}",
                                                 "RAMPART_EDGE_TLS_LISTEN": f"127.0.0.1:{tls_port}"})
        yield server, port, tls_port, upstream
    finally:
        for started in factory.servers:
            started.kill()
        upstream.close()


@pytest.fixture(scope="module")
def ca():
    return LocalCa()


def _import(acm, ca: LocalCa, host: str = HOST, arn: str | None = None) -> tuple[str, bytes]:
    cert, key, der = ca.leaf(host)
    extra = {"CertificateArn": arn} if arn else {}
    out = acm.import_certificate(Certificate=cert, PrivateKey=key, CertificateChain=ca.pem, **extra)
    return out["CertificateArn"], der


def _https(tls_port: int, ca: LocalCa, path: str) -> tuple[int, bytes, bytes]:
    """(status, body, the served leaf's DER) of GET `path` with SNI and Host `HOST`."""
    ctx = ssl.create_default_context(cadata=ca.pem.decode())
    with socket.create_connection(("127.0.0.1", tls_port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname=HOST) as tls:
            der = tls.getpeercert(binary_form=True)
            tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
            resp = http.client.HTTPResponse(tls)
            resp.begin()
            return resp.status, resp.read(), der


def _poll(check, timeout: float = 15.0):
    """`check()`'s first truthy result, retrying connection and TLS failures until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except (OSError, ssl.SSLError, AssertionError):
            pass
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _served_der(tls_port: int, ca: LocalCa) -> bytes:
    ctx = ssl.create_default_context(cadata=ca.pem.decode())
    with socket.create_connection(("127.0.0.1", tls_port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname=HOST) as tls:
            return tls.getpeercert(binary_form=True)


def test_edge_domain_serves_the_acm_certificate_by_sni(setup, ca):
    server, _, tls_port, upstream = setup
    acm, apigw = server.client("acm"), server.client("apigateway")
    arn, der = _import(acm, ca)
    api_id, _ = _proxy_api(apigw, upstream.port)
    domain = apigw.create_domain_name(domainName=HOST, certificateArn=arn)
    assert domain["domainNameStatus"] == "AVAILABLE" and domain["securityPolicy"] == "TLS_1_2"
    assert domain["distributionDomainName"].endswith(".cloudfront.net")
    assert domain["endpointConfiguration"]["types"] == ["EDGE"]
    expect_error(lambda: apigw.create_domain_name(domainName=HOST, certificateArn=arn), "ConflictException",
                 status=409)
    mapping = apigw.create_base_path_mapping(domainName=HOST, basePath="v1", restApiId=api_id, stage="prod")
    assert mapping == {"basePath": "v1", "restApiId": api_id, "stage": "prod",
                       "ResponseMetadata": mapping["ResponseMetadata"]}
    assert apigw.get_base_path_mappings(domainName=HOST)["items"][0]["basePath"] == "v1"

    status, body, served = _poll(lambda: _https(tls_port, ca, "/v1/hello?x=1"))
    assert status == 200, body
    assert json.loads(body)["path"] == "/base/hello?x=1"
    assert hashlib.sha256(served).digest() == hashlib.sha256(der).digest()

    # In use: InUseBy names the domain, DeleteCertificate is refused.
    detail = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert detail["InUseBy"] == [f"arn:aws:apigateway:us-east-1::/domainnames/{HOST}"]
    err = expect_error(lambda: acm.delete_certificate(CertificateArn=arn), "ResourceInUseException")
    assert err[1] == f"Certificate {arn} is in use."

    # A re-import under the same ARN is served without a restart.
    _, der2 = _import(acm, ca, arn=arn)
    _poll(lambda: _served_der(tls_port, ca) == der2)

    apigw.delete_base_path_mapping(domainName=HOST, basePath="v1")
    expect_error(lambda: apigw.get_base_path_mapping(domainName=HOST, basePath="v1"), "NotFoundException",
                 status=404)
    apigw.delete_domain_name(domainName=HOST)
    assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["InUseBy"] == []
    acm.delete_certificate(CertificateArn=arn)


def test_regional_domains_need_a_certificate_of_the_region(setup, ca):
    server, _, _, _ = setup
    east = server.client("acm", region="us-east-1")
    west = server.client("acm", region="us-west-2")
    apigw_west = server.client("apigateway", region="us-west-2")
    east_arn, _ = _import(east, ca)
    west_arn, _ = _import(west, ca)
    other_arn, _ = _import(west, ca, host="other.example.test")
    regional = {"types": ["REGIONAL"]}
    expect_error(lambda: apigw_west.create_domain_name(domainName=HOST, regionalCertificateArn=east_arn,
                                                       endpointConfiguration=regional), "BadRequestException")
    expect_error(lambda: apigw_west.create_domain_name(domainName=HOST, certificateArn=west_arn),
                 "BadRequestException")
    expect_error(lambda: apigw_west.create_domain_name(domainName=HOST, regionalCertificateArn=other_arn,
                                                       endpointConfiguration=regional), "BadRequestException")
    assert apigw_west.get_domain_names()["items"] == []
    domain = apigw_west.create_domain_name(domainName=HOST, regionalCertificateArn=west_arn,
                                           endpointConfiguration=regional)
    assert domain["regionalDomainName"].startswith("d-")
    assert domain["regionalDomainName"].endswith(".execute-api.us-west-2.amazonaws.com")
    expect_error(lambda: west.delete_certificate(CertificateArn=west_arn), "ResourceInUseException")
    apigw_west.delete_domain_name(domainName=HOST)
    west.delete_certificate(CertificateArn=west_arn)
    expect_error(lambda: apigw_west.get_domain_name(domainName=HOST), "NotFoundException", status=404)


def test_domain_names_and_base_path_mappings_page(setup, ca):
    server, _, _, upstream = setup
    acm = server.client("acm", region="eu-west-1")
    apigw = server.client("apigateway", region="eu-west-1")
    regional = {"types": ["REGIONAL"]}
    hosts = [f"{n}.page.example.test" for n in ("a", "b", "c")]
    for host in hosts:
        arn, _ = _import(acm, ca, host=host)
        apigw.create_domain_name(domainName=host, regionalCertificateArn=arn, endpointConfiguration=regional)
    first = apigw.get_domain_names(limit=2)
    assert [d["domainName"] for d in first["items"]] == hosts[:2] and first["position"]
    rest = apigw.get_domain_names(limit=2, position=first["position"])
    assert [d["domainName"] for d in rest["items"]] == hosts[2:] and "position" not in rest
    assert len(apigw.get_domain_names()["items"]) == 3
    expect_error(lambda: apigw.get_domain_names(limit=501), "BadRequestException")

    api_id, _ = _proxy_api(apigw, upstream.port)
    for base in ["(none)", "v1", "v2"]:
        apigw.create_base_path_mapping(domainName=hosts[0], basePath=base, restApiId=api_id, stage="prod")
    page = apigw.get_base_path_mappings(domainName=hosts[0], limit=2)
    assert [m["basePath"] for m in page["items"]] == ["(none)", "v1"] and page["position"] == "v1"
    tail = apigw.get_base_path_mappings(domainName=hosts[0], limit=2, position=page["position"])
    assert [m["basePath"] for m in tail["items"]] == ["v2"] and "position" not in tail
    one = apigw.get_base_path_mappings(domainName=hosts[0], limit=1)
    assert one["position"] == "(none)"
    after_none = apigw.get_base_path_mappings(domainName=hosts[0], limit=1, position="(none)")
    assert [m["basePath"] for m in after_none["items"]] == ["v1"]


def _in_use(acm, arn: str) -> tuple[bool, bool]:
    """`arn`'s InUse in ListCertificates and in SearchCertificates."""
    listed = acm.list_certificates(Includes={"keyTypes": ["EC_prime256v1"]})["CertificateSummaryList"]
    summary = next(c for c in listed if c["CertificateArn"] == arn)
    found = acm.search_certificates(FilterStatement={"Filter": {"CertificateArn": arn}})["Results"]
    return summary["InUse"], found[0]["CertificateMetadata"]["AcmCertificateMetadata"]["InUse"]


def test_certificates_used_by_domain_names_list_as_in_use(setup, ca):
    server, _, _, _ = setup
    acm, apigw = server.client("acm"), server.client("apigateway")
    host = "inuse.example.test"
    arn, _ = _import(acm, ca, host=host)
    idle, _ = _import(acm, ca, host=host)
    assert _in_use(acm, arn) == (False, False)
    apigw.create_domain_name(domainName=host, certificateArn=arn)
    assert _in_use(acm, arn) == (True, True)
    assert _in_use(acm, idle) == (False, False)
    in_use = {"Filter": {"AcmCertificateMetadataFilter": {"InUse": True}}}
    found = [r["CertificateArn"] for r in acm.search_certificates(FilterStatement=in_use)["Results"]]
    assert arn in found and idle not in found
    apigw.delete_domain_name(domainName=host)
    assert _in_use(acm, arn) == (False, False)
    acm.delete_certificate(CertificateArn=arn)
    acm.delete_certificate(CertificateArn=idle)

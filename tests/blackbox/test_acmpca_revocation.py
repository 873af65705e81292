"""ACM PCA revocation end to end, over HTTP from the real binary in `--dev` mode (SQLite and
PostgreSQL): a CA created with CRLs and OCSP enabled, a leaf naming its CRL and OCSP URLs,
revoked; after the dev clock passes 30 minutes the CRL job has published a CRL that Rampart
serves without SigV4 path-style and virtual-hosted (signature and revoked serial checked with
`cryptography` and `openssl crl`), and the OCSP responder answers good and revoked (POST, GET,
AWS's host name and the fixed `/_rampart/acm-pca/ocsp/<region>` path; nonce echoed; checked
with `cryptography` and `openssl ocsp`)."""

from __future__ import annotations

import base64
import http.client
import subprocess
import urllib.parse
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID

from conftest import ServerFactory
from harness import DEV_SQLITE, expect_error, unique
from test_jobs import DEV_POSTGRES, advance_ok

TEMPLATE = "arn:aws:acm-pca:::template/{}/V1"
EC_CONFIG = {"KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA"}
OCSP_PATH = "/_rampart/acm-pca/ocsp/us-east-1"


@pytest.fixture(scope="module", params=[DEV_SQLITE, DEV_POSTGRES])
def server(request, tmp_path_factory, pg_databases):
    factory = ServerFactory(tmp_path_factory, pg_databases)
    try:
        yield factory(request.param)
    finally:
        for started in factory.servers:
            started.kill()


@pytest.fixture(scope="module")
def revoked(server):
    """(server, bucket, CA id, root PEM, good leaf PEM, revoked leaf PEM), after the CRL job
    ran 31 minutes after the revocation."""
    pca = server.client("acm-pca")
    bucket = unique("crls").lower()
    revocation = {
        "CrlConfiguration": {"Enabled": True, "S3BucketName": bucket, "ExpirationInDays": 7},
        "OcspConfiguration": {"Enabled": True},
    }
    root = pca.create_certificate_authority(
        CertificateAuthorityType="ROOT",
        CertificateAuthorityConfiguration={**EC_CONFIG, "Subject": {"CommonName": "Revoking Root"}},
        RevocationConfiguration=revocation,
    )["CertificateAuthorityArn"]
    csr = pca.get_certificate_authority_csr(CertificateAuthorityArn=root)["Csr"].encode()
    root_pem = _issue(pca, root, csr, "RootCACertificate", {"Type": "YEARS", "Value": 5})
    pca.import_certificate_authority_certificate(CertificateAuthorityArn=root,
                                                 Certificate=root_pem.encode())
    good = _issue(pca, root, _leaf_csr("good.example.internal"), "EndEntityCertificate",
                  {"Type": "DAYS", "Value": 30})
    bad = _issue(pca, root, _leaf_csr("bad.example.internal"), "EndEntityCertificate",
                 {"Type": "DAYS", "Value": 30})
    serial = format(x509.load_pem_x509_certificate(bad.encode()).serial_number, "x")
    pca.revoke_certificate(CertificateAuthorityArn=root, CertificateSerial=serial,
                           RevocationReason="KEY_COMPROMISE")
    advance_ok(server, 31 * 60)
    return server, bucket, root.rsplit("/", 1)[1], root_pem, good, bad


def _issue(pca, ca: str, csr: bytes, template: str, validity: dict) -> str:
    arn = pca.issue_certificate(CertificateAuthorityArn=ca, Csr=csr, SigningAlgorithm="SHA256WITHECDSA",
                                TemplateArn=TEMPLATE.format(template), Validity=validity)
    got = pca.get_certificate(CertificateAuthorityArn=ca, CertificateArn=arn["CertificateArn"])
    return got["Certificate"]


def _leaf_csr(host: str) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
           .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
           .sign(key, hashes.SHA256()))
    return csr.public_bytes(serialization.Encoding.PEM)


def _http(server, method: str, path: str, host: str | None = None, body: bytes = b"",
          content_type: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """One unsigned request, with `host` as the Host header when given."""
    url = urllib.parse.urlsplit(server.endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=host is not None, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        if content_type:
            conn.putheader("Content-Type", content_type)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_revocation_configuration_is_checked(server):
    pca = server.client("acm-pca")
    config = {**EC_CONFIG, "Subject": {"CommonName": "Checked"}}
    expect_error(pca.create_certificate_authority, "InvalidArgsException",
                 CertificateAuthorityType="ROOT", CertificateAuthorityConfiguration=config,
                 RevocationConfiguration={"CrlConfiguration": {"Enabled": True}})
    expect_error(pca.create_certificate_authority, "InvalidArgsException",
                 CertificateAuthorityType="ROOT", CertificateAuthorityConfiguration=config,
                 RevocationConfiguration={"CrlConfiguration": {
                     "Enabled": True, "S3BucketName": "crls", "CustomCname": "https://crl.example.com"}})


def test_leaves_name_the_crl_and_the_ocsp_responder(revoked):
    _, bucket, ca_id, _, good, _ = revoked
    leaf = x509.load_pem_x509_certificate(good.encode())
    points = leaf.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    urls = [name.value for point in points for name in point.full_name]
    assert urls == [f"http://{bucket}.s3.us-east-1.amazonaws.com/crl/{ca_id}.crl"]
    aia = leaf.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert [(d.access_method, d.access_location.value) for d in aia] == [
        (x509.AuthorityInformationAccessOID.OCSP, "http://ocsp.acm-pca.us-east-1.amazonaws.com")]


def test_the_published_crl_is_served_and_lists_the_revoked_serial(revoked, tmp_path: Path):
    server, bucket, ca_id, root_pem, good, bad = revoked
    status, headers, body = _http(server, "GET", f"/{bucket}/crl/{ca_id}.crl")
    assert status == 200, body
    assert headers["content-type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(body)
    root = x509.load_pem_x509_certificate(root_pem.encode())
    assert crl.is_signature_valid(root.public_key())
    assert crl.issuer == root.subject
    bad_serial = x509.load_pem_x509_certificate(bad.encode()).serial_number
    entry = crl.get_revoked_certificate_by_serial_number(bad_serial)
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == \
        x509.ReasonFlags.key_compromise
    good_serial = x509.load_pem_x509_certificate(good.encode()).serial_number
    assert crl.get_revoked_certificate_by_serial_number(good_serial) is None
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number >= 1

    # Virtual-hosted, as the URL in the certificates names it.
    status, _, same = _http(server, "GET", f"/crl/{ca_id}.crl",
                            host=f"{bucket}.s3.us-east-1.amazonaws.com")
    assert status == 200 and same == body
    status, headers, missing = _http(server, "GET", f"/{bucket}/crl/nothing.crl")
    assert status == 404 and b"<Code>NoSuchKey</Code>" in missing

    (tmp_path / "root.pem").write_text(root_pem + "\n")
    (tmp_path / "crl.der").write_bytes(body)
    checked = subprocess.run(
        ["openssl", "crl", "-inform", "DER", "-in", str(tmp_path / "crl.der"),
         "-CAfile", str(tmp_path / "root.pem"), "-noout", "-text"],
        capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    assert "verify OK" in checked.stderr + checked.stdout
    assert format(bad_serial, "X") in checked.stdout.replace(":", "").upper()
    assert "Key Compromise" in checked.stdout


def _ocsp_request(leaf_pem: str, root_pem: str, nonce: bytes) -> bytes:
    leaf = x509.load_pem_x509_certificate(leaf_pem.encode())
    root = x509.load_pem_x509_certificate(root_pem.encode())
    request = (ocsp.OCSPRequestBuilder().add_certificate(leaf, root, hashes.SHA1())
               .add_extension(x509.OCSPNonce(nonce), critical=False).build())
    return request.public_bytes(serialization.Encoding.DER)


def _read_ocsp(body: bytes, root_pem: str, nonce: bytes) -> ocsp.OCSPResponse:
    response = ocsp.load_der_ocsp_response(body)
    assert response.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    root = x509.load_pem_x509_certificate(root_pem.encode())
    root.public_key().verify(response.signature, response.tbs_response_bytes,
                             ec.ECDSA(hashes.SHA256()))
    assert response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == nonce
    return response


def test_the_ocsp_responder_answers_good_and_revoked(revoked):
    server, _, _, root_pem, good, bad = revoked
    kind = "application/ocsp-request"
    status, headers, body = _http(server, "POST", OCSP_PATH, body=_ocsp_request(good, root_pem, b"n1"),
                                  content_type=kind)
    assert status == 200 and headers["content-type"] == "application/ocsp-response"
    answer = _read_ocsp(body, root_pem, b"n1")
    assert answer.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert answer.next_update_utc is not None

    # AWS's responder host name, POST at "/".
    _, _, body = _http(server, "POST", "/", host="ocsp.acm-pca.us-east-1.amazonaws.com",
                       body=_ocsp_request(bad, root_pem, b"n2"), content_type=kind)
    answer = _read_ocsp(body, root_pem, b"n2")
    assert answer.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert answer.revocation_reason == x509.ReasonFlags.key_compromise

    # GET with the url-encoded base64 request in the path.
    encoded = urllib.parse.quote(base64.b64encode(_ocsp_request(bad, root_pem, b"n3")).decode(), safe="")
    status, _, body = _http(server, "GET", f"{OCSP_PATH}/{encoded}")
    assert status == 200
    assert _read_ocsp(body, root_pem, b"n3").certificate_status == ocsp.OCSPCertStatus.REVOKED

    # Another Region's responder is not authoritative; garbage is a malformed request.
    _, _, body = _http(server, "POST", "/_rampart/acm-pca/ocsp/eu-west-1",
                       body=_ocsp_request(good, root_pem, b"n4"), content_type=kind)
    assert ocsp.load_der_ocsp_response(body).response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED
    _, _, body = _http(server, "POST", OCSP_PATH, body=b"not a request", content_type=kind)
    assert ocsp.load_der_ocsp_response(body).response_status == \
        ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_openssl_ocsp_sees_good_and_revoked(revoked, tmp_path: Path):
    server, _, _, root_pem, good, bad = revoked
    for name, pem in (("root", root_pem), ("good", good), ("bad", bad)):
        (tmp_path / f"{name}.pem").write_text(pem + "\n")
    for leaf, expected in (("good", "good"), ("bad", "revoked")):
        run = subprocess.run(
            ["openssl", "ocsp", "-issuer", str(tmp_path / "root.pem"),
             "-cert", str(tmp_path / f"{leaf}.pem"), "-url", f"{server.endpoint}{OCSP_PATH}",
             "-CAfile", str(tmp_path / "root.pem"), "-verify_other", str(tmp_path / "root.pem"),
             # The server's clock runs 31 minutes ahead (the dev clock was advanced).
             "-validity_period", "7200"],
            capture_output=True, text=True, timeout=30)
        assert run.returncode == 0, run.stdout + run.stderr
        assert f"{leaf}.pem: {expected}" in run.stdout, run.stdout + run.stderr
        assert "Response verify OK" in run.stderr + run.stdout


def test_signed_aws_requests_are_not_taken_by_the_public_routes(revoked):
    server = revoked[0]
    # An unsigned GET that no public route claims goes on to the AWS protocols as before.
    status, _, _ = _http(server, "GET", "/health")
    assert status == 200
    pca = server.client("acm-pca")
    assert pca.list_certificate_authorities()["CertificateAuthorities"]


def test_custom_cnames_serve_the_crl_and_the_responder(revoked):
    """Last in the module: it changes the CA's configuration."""
    server, bucket, ca_id, root_pem, good, bad = revoked
    pca = server.client("acm-pca")
    root = next(ca["Arn"] for ca in pca.list_certificate_authorities()["CertificateAuthorities"]
                if ca["Arn"].endswith(ca_id))
    crl_host, ocsp_host = f"{ca_id[:8]}.crl.example.internal", "ocsp.example.internal"
    pca.update_certificate_authority(CertificateAuthorityArn=root, RevocationConfiguration={
        "CrlConfiguration": {"Enabled": True, "S3BucketName": bucket, "CustomCname": crl_host,
                             "CustomPath": "pki/crls"},
        "OcspConfiguration": {"Enabled": True, "OcspCustomCname": ocsp_host},
    })
    advance_ok(server, 0)  # runs the CRL job: a configuration change publishes at once
    status, _, body = _http(server, "GET", f"/pki/crls/{ca_id}.crl", host=crl_host)
    assert status == 200, body
    bad_serial = x509.load_pem_x509_certificate(bad.encode()).serial_number
    assert x509.load_der_x509_crl(body).get_revoked_certificate_by_serial_number(bad_serial)
    status, _, same = _http(server, "GET", f"/{bucket}/pki/crls/{ca_id}.crl")
    assert status == 200 and same == body

    leaf = _issue(pca, root, _leaf_csr("cname.example.internal"), "EndEntityCertificate",
                  {"Type": "DAYS", "Value": 5})
    cert = x509.load_pem_x509_certificate(leaf.encode())
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [n.value for p in points for n in p.full_name] == [f"http://{crl_host}/pki/crls/{ca_id}.crl"]
    aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert [d.access_location.value for d in aia] == [f"http://{ocsp_host}"]

    encoded = urllib.parse.quote(base64.b64encode(_ocsp_request(leaf, root_pem, b"c1")).decode(), safe="")
    status, _, body = _http(server, "GET", f"/{encoded}", host=ocsp_host)
    assert status == 200
    assert _read_ocsp(body, root_pem, b"c1").certificate_status == ocsp.OCSPCertStatus.GOOD
    _, _, body = _http(server, "POST", "/", host=ocsp_host, body=_ocsp_request(bad, root_pem, b"c2"),
                       content_type="application/ocsp-request")
    assert _read_ocsp(body, root_pem, b"c2").certificate_status == ocsp.OCSPCertStatus.REVOKED

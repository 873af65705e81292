"""ACM DNS validation end to end, from the real binary in `--dev` mode (SQLite and PostgreSQL)
started with `RAMPART_ACM_DNS_RESOLVER` pointing at a tiny DNS responder in the test: a public
request is ISSUED once its CNAMEs answer and the lifecycle job runs (the dev clock moved), its
chain verifies with `cryptography` up to the root `rampart acm trust-anchor` prints; an
unanswered request times out after 72 hours of dev clock; 59 days before NotAfter managed renewal
reissues under the same ARN; "ACM Certificate Available" (issuance, renewal) and "ACM Certificate
Approaching Expiration" reach an EventBridge rule on `aws.acm`; EMAIL validation's approval
link arrives as an event and approving it over HTTP issues the certificate; an exported public
certificate is revoked with one of the reasons ACM takes for public certificates."""

from __future__ import annotations

import datetime
import socket
import struct
import subprocess
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from conftest import ServerFactory
from harness import DEV_SQLITE, expect_error
from test_events_e2e import Receiver, of_type, route_to, wait_for
from test_jobs import DEV_POSTGRES, advance_ok

HOUR = 3600


class DnsResponder:
    """Answers CNAME questions over UDP on 127.0.0.1 from `records` (NXDOMAIN otherwise)."""

    def __init__(self) -> None:
        self.records: dict[str, str] = {}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.5)
        self.running = True
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.sock.getsockname()[1]}"

    def set(self, name: str, target: str) -> None:
        self.records[name.rstrip(".").lower()] = target

    def _serve(self) -> None:
        while self.running:
            try:
                query, peer = self.sock.recvfrom(1500)
            except (socket.timeout, OSError):
                continue
            reply = self._answer(query)
            if reply:
                self.sock.sendto(reply, peer)

    def _answer(self, query: bytes) -> bytes | None:
        labels, at = [], 12
        while at < len(query) and query[at]:
            labels.append(query[at + 1:at + 1 + query[at]].decode("ascii", "replace"))
            at += 1 + query[at]
        end = at + 5
        qtype = struct.unpack(">H", query[at + 1:at + 3])[0]
        target = self.records.get(".".join(labels).lower()) if qtype in (5, 255) else None
        header = query[:2] + struct.pack(">BBHHHH", 0x85, 0x80 | (0 if target else 3), 1,
                                         1 if target else 0, 0, 0)
        reply = header + query[12:end]
        if target:
            rdata = b"".join(bytes([len(p)]) + p.encode() for p in target.rstrip(".").split(".")) + b"\0"
            reply += b"\xc0\x0c" + struct.pack(">HHIH", 5, 1, 60, len(rdata)) + rdata
        return reply

    def close(self) -> None:
        self.running = False
        self.sock.close()


@pytest.fixture(scope="module", params=[DEV_SQLITE, DEV_POSTGRES])
def setup(request, tmp_path_factory, pg_databases):
    """(server, DNS responder, event receiver routed from `aws.acm`)."""
    dns = DnsResponder()
    receiver = Receiver()
    factory = ServerFactory(tmp_path_factory, pg_databases)
    try:
        server = factory(request.param, extra_env={"RAMPART_ACM_DNS_RESOLVER": dns.address})
        route_to(server.client("events"), receiver.url, {"source": ["aws.acm"]})
        yield server, dns, receiver
    finally:
        for started in factory.servers:
            started.kill()
        receiver.close()
        dns.close()


def _request(acm, domain: str, **extra) -> str:
    return acm.request_certificate(DomainName=domain, ValidationMethod="DNS", **extra)["CertificateArn"]


def _describe(acm, arn: str) -> dict:
    return acm.describe_certificate(CertificateArn=arn)["Certificate"]


def test_the_trust_anchor_waits_for_the_first_issuance(setup):
    server, _dns, _receiver = setup
    proc = server.rampart("acm", "trust-anchor", *server.store_args(), check=False)
    assert proc.returncode != 0
    assert "no ACM public certificate has been issued yet" in proc.stderr


def test_a_validated_request_is_issued_and_chains_to_the_trust_anchor(setup, tmp_path):
    server, dns, receiver = setup
    acm = server.client("acm")
    arn = _request(acm, "www.blackbox.example", SubjectAlternativeNames=["*.blackbox.example"])
    advance_ok(server, 1)
    assert _describe(acm, arn)["Status"] == "PENDING_VALIDATION"
    for option in _describe(acm, arn)["DomainValidationOptions"]:
        dns.set(option["ResourceRecord"]["Name"], option["ResourceRecord"]["Value"])
    advance_ok(server, 1)
    detail = _describe(acm, arn)
    assert detail["Status"] == "ISSUED", detail
    assert {o["ValidationStatus"] for o in detail["DomainValidationOptions"]} == {"SUCCESS"}
    got = acm.get_certificate(CertificateArn=arn)
    leaf = x509.load_pem_x509_certificate(got["Certificate"].encode())
    intermediate, root = x509.load_pem_x509_certificates(got["CertificateChain"].encode())
    anchors = x509.load_pem_x509_certificates(
        server.rampart("acm", "trust-anchor", *server.store_args()).stdout.encode())
    assert root in anchors
    leaf.verify_directly_issued_by(intermediate)
    intermediate.verify_directly_issued_by(root)
    root.verify_directly_issued_by(root)
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["www.blackbox.example", "*.blackbox.example"]
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert (leaf.not_valid_after_utc - leaf.not_valid_before_utc).days == 198
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.key_encipherment and not usage.key_cert_sign
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    _openssl_verifies(tmp_path, leaf, intermediate, root)
    available = wait_for(lambda: of_type(receiver.events(), "ACM Certificate Available"))
    assert available[0]["resources"] == [arn]
    assert available[0]["detail"]["Action"] == "ISSUANCE"
    assert available[0]["detail"]["CommonName"] == "www.blackbox.example"


def _openssl_verifies(tmp_path, leaf, intermediate, root) -> None:
    """`openssl verify` accepts the leaf for TLS servers (key identifiers, usages, path)."""
    files = {}
    for name, cert in (("leaf", leaf), ("intermediate", intermediate), ("root", root)):
        files[name] = tmp_path / f"{name}.pem"
        files[name].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    proc = subprocess.run(["openssl", "verify", "-purpose", "sslserver", "-CAfile", str(files["root"]),
                           "-untrusted", str(files["intermediate"]), str(files["leaf"])],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_an_ec_request_is_issued_by_the_ec_hierarchy(setup):
    server, dns, _receiver = setup
    acm = server.client("acm")
    arn = _request(acm, "ec.blackbox.example", KeyAlgorithm="EC_prime256v1")
    record = _describe(acm, arn)["DomainValidationOptions"][0]["ResourceRecord"]
    dns.set(record["Name"], record["Value"])
    advance_ok(server, 1)
    got = acm.get_certificate(CertificateArn=arn)
    leaf = x509.load_pem_x509_certificate(got["Certificate"].encode())
    intermediate, root = x509.load_pem_x509_certificates(got["CertificateChain"].encode())
    assert "Rampart ECDSA 256 M01" in intermediate.subject.rfc4514_string()
    leaf.verify_directly_issued_by(intermediate)
    intermediate.verify_directly_issued_by(root)
    anchors = x509.load_pem_x509_certificates(
        server.rampart("acm", "trust-anchor", *server.store_args()).stdout.encode())
    assert len(anchors) == 2 and root in anchors


def test_an_unanswered_request_times_out_after_72_hours(setup):
    server, _dns, _receiver = setup
    acm = server.client("acm")
    arn = _request(acm, "silent.blackbox.example")
    advance_ok(server, 71 * HOUR)
    assert _describe(acm, arn)["Status"] == "PENDING_VALIDATION"
    advance_ok(server, 2 * HOUR)
    detail = _describe(acm, arn)
    assert detail["Status"] == "VALIDATION_TIMED_OUT"
    assert detail["DomainValidationOptions"][0]["ValidationStatus"] == "FAILED"


def test_managed_renewal_reissues_under_the_same_arn(setup):
    server, _dns, receiver = setup
    acm = server.client("acm")
    listed = acm.list_certificates(CertificateStatuses=["ISSUED"])["CertificateSummaryList"]
    arn = next(c["CertificateArn"] for c in listed if c["DomainName"] == "www.blackbox.example")
    before = _describe(acm, arn)
    assert before["RenewalEligibility"] == "ELIGIBLE"
    offset = advance_ok(server, 1)
    left = before["NotAfter"] - datetime.datetime.now(datetime.timezone.utc)
    advance_ok(server, int(left.total_seconds()) - offset - 59 * 24 * HOUR)
    after = _describe(acm, arn)
    assert after["RenewalSummary"]["RenewalStatus"] == "SUCCESS"
    assert after["Serial"] != before["Serial"] and after["NotAfter"] > before["NotAfter"]
    renewed = wait_for(lambda: [e for e in of_type(receiver.events(), "ACM Certificate Available")
                                if e["resources"] == [arn] and e["detail"]["Action"] == "RENEWAL"])
    assert renewed[0]["detail"]["CommonName"] == "www.blackbox.example"


def _short_lived(cn: str, days: int) -> tuple[bytes, bytes]:
    """A self-signed certificate valid `days` more days (the server clock may run ahead)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(cn)]), critical=False)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def test_a_certificate_near_its_end_sends_expiry_events_then_expires(setup):
    server, _dns, receiver = setup
    acm = server.client("acm")
    offset = advance_ok(server, 1)
    cert, key = _short_lived("ending.blackbox.example", days=offset // 86400 + 10)
    arn = acm.import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]
    advance_ok(server, 1)
    approaching = wait_for(lambda: [e for e in of_type(
        receiver.events(), "ACM Certificate Approaching Expiration") if e["resources"] == [arn]])
    assert approaching[0]["source"] == "aws.acm"
    assert approaching[0]["detail"]["CommonName"] == "ending.blackbox.example"
    assert 8 <= approaching[0]["detail"]["DaysToExpiry"] <= 10
    advance_ok(server, 11 * 24 * HOUR)
    assert _describe(acm, arn)["Status"] == "EXPIRED"


def test_email_validation_is_approved_through_the_published_link(setup):
    """The approval link goes out as an event; its page names the domain, and approving it over
    plain HTTP (no SigV4) issues the certificate at once."""
    server, _dns, receiver = setup
    acm = server.client("acm")
    arn = acm.request_certificate(DomainName="mail.blackbox.example", ValidationMethod="EMAIL",
                                  DomainValidationOptions=[{"DomainName": "mail.blackbox.example",
                                                            "ValidationDomain": "blackbox.example"}]
                                  )["CertificateArn"]
    option = _describe(acm, arn)["DomainValidationOptions"][0]
    assert option["ValidationMethod"] == "EMAIL" and option["ValidationDomain"] == "blackbox.example"
    assert option["ValidationEmails"] == [f"{box}@blackbox.example" for box in
                                          ("admin", "administrator", "hostmaster", "postmaster", "webmaster")]
    sent = wait_for(lambda: [e for e in of_type(receiver.events(), "ACM Certificate Validation Approval Requested")
                             if e["resources"] == [arn]])
    path = sent[0]["detail"]["ApprovalPath"]
    assert sent[0]["detail"]["ValidationEmails"] == option["ValidationEmails"]
    page = server.get(path)
    assert page.status == 200 and b"mail.blackbox.example" in page.body
    assert _describe(acm, arn)["Status"] == "PENDING_VALIDATION"
    assert server.get("/_rampart/acm/approve/" + "0" * 64).status == 404

    acm.resend_validation_email(CertificateArn=arn, Domain="mail.blackbox.example",
                                ValidationDomain="blackbox.example")
    resent = wait_for(lambda: [e for e in of_type(receiver.events(), "ACM Certificate Validation Approval Requested")
                               if e["resources"] == [arn] and e["detail"]["ApprovalPath"] != path])
    assert server.post(path).status == 404  # the resent link replaced the first
    approved = server.post(resent[0]["detail"]["ApprovalPath"])
    assert approved.status == 200 and b"ISSUED" in approved.body
    detail = _describe(acm, arn)
    assert detail["Status"] == "ISSUED"
    assert detail["DomainValidationOptions"][0]["ValidationStatus"] == "SUCCESS"
    assert acm.get_certificate(CertificateArn=arn)["Certificate"].startswith("-----BEGIN CERTIFICATE-----")


def test_an_exported_public_certificate_is_revoked_with_a_public_reason(setup):
    server, dns, _receiver = setup
    acm = server.client("acm")
    arn = _request(acm, "revoke.blackbox.example", Options={"Export": "ENABLED"})
    record = _describe(acm, arn)["DomainValidationOptions"][0]["ResourceRecord"]
    dns.set(record["Name"], record["Value"])
    advance_ok(server, 1)
    assert _describe(acm, arn)["Status"] == "ISSUED"
    expect_error(acm.revoke_certificate, "ValidationException", "previously exported",
                 CertificateArn=arn, RevocationReason="UNSPECIFIED")
    acm.export_certificate(CertificateArn=arn, Passphrase=b"public pass")
    # ACM takes only Unspecified, Affiliation changed, Superseded and Cessation of operation.
    expect_error(acm.revoke_certificate, "ValidationException", "not supported for public",
                 CertificateArn=arn, RevocationReason="KEY_COMPROMISE")
    acm.revoke_certificate(CertificateArn=arn, RevocationReason="SUPERSEDED")
    detail = _describe(acm, arn)
    assert detail["Status"] == "REVOKED" and detail["RevocationReason"] == "SUPERSEDED"

"""ACM's ACME endpoints end to end with certbot (PyPI) against the real binary over TLS
(secure mode, SQLite and PostgreSQL; certbot trusts the server's CA through
REQUESTS_CA_BUNDLE): an external account binding made with boto3 lets certbot register and
obtain a certificate for a name a test DNS server resolves to 127.0.0.1, validated over
http-01 (certbot's standalone server on a free port the server is told to use) and over
dns-01 (a manual auth hook writes the TXT record into the test DNS server). Without a binding,
or with a wrong key, registration is refused. The certificates chain to Rampart's public root,
are ACM certificates (DescribeCertificate, ListCertificates) and the account shows through
ListAcmeAccounts / DescribeAcmeAccount; RevokeAcmeAccount stops it."""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cryptography import x509

from conftest import ServerFactory
from harness import DEV_SQLITE, SECURE_POSTGRES, SECURE_SQLITE
from test_jobs import advance_ok

DOMAIN = "app.acme.test"
DNS_DOMAIN = "dns.acme.test"
PUBLIC_CA = {"PublicCertificateAuthority": {}}
CERTBOT = str(Path(sys.executable).parent / "certbot")


class Dns:
    """A UDP DNS responder on 127.0.0.1: A records of `addresses`, TXT records read from
    `txt_file` (lines `<name> <value>`, as the certbot hook writes them), NXDOMAIN else."""

    def __init__(self, txt_file: Path) -> None:
        self.addresses = {DOMAIN: "127.0.0.1", DNS_DOMAIN: "127.0.0.1"}
        self.cnames: dict[str, str] = {}
        self.txt_file = txt_file
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.5)
        self.running = True
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while self.running:
            try:
                query, peer = self.sock.recvfrom(1500)
            except (socket.timeout, OSError):
                continue
            self.sock.sendto(self._answer(query), peer)

    def _txt(self, name: str) -> list[str]:
        if not self.txt_file.exists():
            return []
        pairs = (line.split() for line in self.txt_file.read_text().splitlines())
        return [p[1] for p in pairs if len(p) == 2 and f"_acme-challenge.{p[0]}" == name]

    def _answer(self, query: bytes) -> bytes:
        labels, at = [], 12
        while at < len(query) and query[at]:
            labels.append(query[at + 1:at + 1 + query[at]].decode("ascii", "replace"))
            at += 1 + query[at]
        end = at + 5
        qtype = struct.unpack(">H", query[at + 1:at + 3])[0]
        name = ".".join(labels).lower()
        rdatas = []
        if qtype == 1 and name in self.addresses:
            rdatas = [socket.inet_aton(self.addresses[name])]
        elif qtype == 16:
            rdatas = [bytes([len(v)]) + v.encode() for v in self._txt(name)]
        elif qtype == 5 and name in self.cnames:
            rdatas = [b"".join(bytes([len(p)]) + p.encode()
                               for p in self.cnames[name].rstrip(".").split(".")) + b"\0"]
        known = name in self.addresses or rdatas
        header = query[:2] + struct.pack(">BBHHHH", 0x85, 0x80 | (0 if known else 3), 1,
                                         len(rdatas), 0, 0)
        reply = header + query[12:end]
        for rdata in rdatas:
            reply += b"\xc0\x0c" + struct.pack(">HHIH", qtype, 1, 60, len(rdata)) + rdata
        return reply

    def close(self) -> None:
        self.running = False
        self.sock.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module", params=[SECURE_SQLITE, SECURE_POSTGRES])
def setup(request, tmp_path_factory, pg_databases):
    """(server, acm client, http-01 port, TXT file)."""
    txt_file = tmp_path_factory.mktemp("dns") / "txt"
    dns = Dns(txt_file)
    port = _free_port()
    factory = ServerFactory(tmp_path_factory, pg_databases)
    try:
        server = factory(request.param, extra_env={
            "RAMPART_ACM_DNS_RESOLVER": dns.address,
            "RAMPART_ACM_ACME_HTTP01_PORT": str(port),
        })
        yield server, server.client("acm"), port, txt_file
    finally:
        for started in factory.servers:
            started.kill()
        dns.close()


def _endpoint_with_binding(acm) -> tuple[str, str, str, str]:
    """(endpoint ARN, directory URL on this server, EAB kid, EAB HMAC key)."""
    arn = acm.create_acme_endpoint(AuthorizationBehavior="PRE_APPROVED",
                                   CertificateAuthority=PUBLIC_CA)["AcmeEndpointArn"]
    account = arn.split(":")[4]
    eab = acm.create_acme_external_account_binding(
        AcmeEndpointArn=arn, RoleArn=f"arn:aws:iam::{account}:role/AcmeClients")
    creds = acm.get_acme_external_account_binding_credentials(
        AcmeExternalAccountBindingArn=eab["ExternalAccountBinding"]["AcmeExternalAccountBindingArn"])
    return arn, "", creds["KeyId"], creds["MacKey"]


def _certbot(server, work: Path, directory: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ}
    if server.ca_bundle:
        env["REQUESTS_CA_BUNDLE"] = str(server.ca_bundle)
    return subprocess.run(
        [CERTBOT, "certonly", "--non-interactive", "--agree-tos",
         "--register-unsafely-without-email", "--server", directory,
         "--config-dir", str(work / "config"), "--work-dir", str(work / "work"),
         "--logs-dir", str(work / "logs"), "--key-type", "ecdsa", *args],
        env=env, capture_output=True, text=True, timeout=180)


def _directory(server, arn: str) -> str:
    return f"{server.endpoint}/_rampart/acme/{arn.rsplit('/', 1)[1]}/directory"


def _chain_ok(server, acm, live: Path, domain: str) -> str:
    """Checks certbot's files and the ACM certificate; returns the certificate ARN."""
    leaf = x509.load_pem_x509_certificate((live / "cert.pem").read_bytes())
    chain = x509.load_pem_x509_certificates((live / "chain.pem").read_bytes())
    assert leaf.subject.rfc4514_string() == f"CN={domain}"
    leaf.verify_directly_issued_by(chain[0])
    chain[0].verify_directly_issued_by(chain[1])
    listed = acm.list_certificates(Includes={"keyTypes": ["EC_prime256v1"]})
    found = [c for c in listed["CertificateSummaryList"] if c["DomainName"] == domain]
    assert found, listed
    detail = acm.describe_certificate(CertificateArn=found[0]["CertificateArn"])["Certificate"]
    assert detail["Status"] == "ISSUED"
    assert detail["Type"] == "AMAZON_ISSUED"
    assert detail["Serial"].replace(":", "") == format(leaf.serial_number, "x").zfill(
        len(detail["Serial"].replace(":", "")))
    return found[0]["CertificateArn"]


def test_certbot_is_refused_without_a_valid_binding(setup, tmp_path):
    server, acm, port, _ = setup
    arn, _, kid, key = _endpoint_with_binding(acm)
    directory = _directory(server, arn)
    plain = _certbot(server, tmp_path / "none", directory, "--standalone",
                     "--http-01-port", str(port), "-d", DOMAIN)
    assert plain.returncode != 0
    assert "externalAccountRequired" in plain.stderr + plain.stdout or \
        "external account" in (plain.stderr + plain.stdout).lower()
    wrong = "A" * len(key)
    bad = _certbot(server, tmp_path / "bad", directory, "--standalone",
                   "--http-01-port", str(port), "--eab-kid", kid, f"--eab-hmac-key={wrong}",
                   "-d", DOMAIN)
    assert bad.returncode != 0
    assert "does not verify" in bad.stderr + bad.stdout
    assert acm.list_acme_accounts(AcmeEndpointArn=arn)["AcmeAccounts"] == []


def test_certbot_obtains_a_certificate_over_http_01(setup, tmp_path):
    server, acm, port, _ = setup
    arn, _, kid, key = _endpoint_with_binding(acm)
    work = tmp_path / "http"
    done = _certbot(server, work, _directory(server, arn), "--standalone",
                    "--preferred-challenges", "http", "--http-01-port", str(port),
                    "--eab-kid", kid, f"--eab-hmac-key={key}", "-d", DOMAIN)
    assert done.returncode == 0, done.stderr[-3000:]
    _chain_ok(server, acm, work / "config" / "live" / DOMAIN, DOMAIN)
    accounts = acm.list_acme_accounts(AcmeEndpointArn=arn)["AcmeAccounts"]
    assert len(accounts) == 1
    account = accounts[0]
    assert account["Status"] == "VALID"
    assert account["AcmeExternalAccountBindingArn"].endswith("/" + kid)
    described = acm.describe_acme_account(AcmeEndpointArn=arn, AccountUrl=account["AccountUrl"])
    assert described["AcmeAccount"]["PublicKeyThumbprint"] == account["PublicKeyThumbprint"]
    binding = acm.describe_acme_external_account_binding(
        AcmeExternalAccountBindingArn=account["AcmeExternalAccountBindingArn"])
    assert "LastUsedAt" in binding["ExternalAccountBinding"]

    cert_arn = _chain_ok(server, acm, work / "config" / "live" / DOMAIN, DOMAIN)
    revoked = subprocess.run(
        [CERTBOT, "revoke", "--non-interactive", "--no-delete-after-revoke",
         "--server", _directory(server, arn), "--reason", "superseded",
         "--cert-path", str(work / "config" / "live" / DOMAIN / "cert.pem"),
         "--config-dir", str(work / "config"), "--work-dir", str(work / "work"),
         "--logs-dir", str(work / "logs")],
        env={**os.environ, "REQUESTS_CA_BUNDLE": str(server.ca_bundle)},
        capture_output=True, text=True, timeout=120)
    assert revoked.returncode == 0, revoked.stderr[-3000:]
    detail = acm.describe_certificate(CertificateArn=cert_arn)["Certificate"]
    assert detail["Status"] == "REVOKED"
    assert detail["RevocationReason"] == "SUPERSEDED"

    acm.revoke_acme_account(AcmeEndpointArn=arn, AccountUrl=account["AccountUrl"])
    again = _certbot(server, work, _directory(server, arn), "--standalone",
                     "--http-01-port", str(port), "--force-renewal", "-d", DOMAIN)
    assert again.returncode != 0
    assert "revoked" in again.stderr + again.stdout


def test_certbot_obtains_a_certificate_over_dns_01(setup, tmp_path):
    server, acm, _, txt_file = setup
    arn, _, kid, key = _endpoint_with_binding(acm)
    hook = tmp_path / "hook.sh"
    hook.write_text(f'#!/bin/sh\necho "$CERTBOT_DOMAIN $CERTBOT_VALIDATION" >> {txt_file}\n')
    hook.chmod(0o755)
    work = tmp_path / "dns"
    done = _certbot(server, work, _directory(server, arn), "--manual",
                    "--preferred-challenges", "dns", "--manual-auth-hook", str(hook),
                    "--eab-kid", kid, f"--eab-hmac-key={key}", "-d", DNS_DOMAIN)
    assert done.returncode == 0, done.stderr[-3000:]
    live = work / "config" / "live" / DNS_DOMAIN
    cert_arn = _chain_ok(server, acm, live, DNS_DOMAIN)
    # Revocation signed by the certificate's own key (no account involved).
    env = {**os.environ, "REQUESTS_CA_BUNDLE": str(server.ca_bundle)}
    revoked = subprocess.run(
        [CERTBOT, "revoke", "--non-interactive", "--no-delete-after-revoke",
         "--server", _directory(server, arn), "--reason", "keycompromise",
         "--cert-path", str(live / "cert.pem"), "--key-path", str(live / "privkey.pem"),
         "--config-dir", str(tmp_path / "other-config"), "--work-dir", str(work / "work"),
         "--logs-dir", str(work / "logs")],
        env=env, capture_output=True, text=True, timeout=120)
    assert revoked.returncode == 0, revoked.stderr[-3000:]
    detail = acm.describe_certificate(CertificateArn=cert_arn)["Certificate"]
    assert detail["Status"] == "REVOKED"
    assert detail["RevocationReason"] == "KEY_COMPROMISE"


def test_prevalidated_domains_need_no_challenge(tmp_path_factory, pg_databases, tmp_path):
    """A dev server (its clock moved to run the lifecycle job): once the domain validation's
    CNAME answers, certbot obtains a certificate with an auth hook that does nothing."""
    dns = Dns(tmp_path / "txt")
    factory = ServerFactory(tmp_path_factory, pg_databases)
    try:
        server = factory(DEV_SQLITE, extra_env={"RAMPART_ACM_DNS_RESOLVER": dns.address})
        acm = server.client("acm")
        arn, _, kid, key = _endpoint_with_binding(acm)
        options = {"DnsPrevalidation": {"DomainScope": {"ExactDomain": "ENABLED",
                                                        "Subdomains": "ENABLED"}}}
        validation = acm.create_acme_domain_validation(
            AcmeEndpointArn=arn, DomainName="pre.acme.test",
            PrevalidationOptions=options)["AcmeDomainValidationArn"]
        advance_ok(server, 1)
        got = acm.describe_acme_domain_validation(AcmeDomainValidationArn=validation)
        assert got["AcmeDomainValidation"]["Status"] == "VALIDATING"
        record = got["AcmeDomainValidation"]["PrevalidationDetails"]["DnsPrevalidation"][
            "ResourceRecord"]
        dns.cnames[record["Name"].rstrip(".").lower()] = record["Value"]
        advance_ok(server, 1)
        got = acm.describe_acme_domain_validation(AcmeDomainValidationArn=validation)
        assert got["AcmeDomainValidation"]["Status"] == "VALID"
        work = tmp_path / "pre"
        done = _certbot(server, work, _directory(server, arn), "--manual",
                        "--preferred-challenges", "dns", "--manual-auth-hook", "/bin/true",
                        "--eab-kid", kid, f"--eab-hmac-key={key}",
                        "-d", "pre.acme.test", "-d", "www.pre.acme.test")
        assert done.returncode == 0, done.stderr[-3000:]
        leaf = x509.load_pem_x509_certificate(
            (work / "config" / "live" / "pre.acme.test" / "cert.pem").read_bytes())
        sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert set(sans.get_values_for_type(x509.DNSName)) == {"pre.acme.test",
                                                               "www.pre.acme.test"}
        refused = _certbot(server, tmp_path / "other", _directory(server, arn), "--manual",
                           "--preferred-challenges", "dns", "--manual-auth-hook", "/bin/true",
                           "--eab-kid", kid, f"--eab-hmac-key={key}", "-d", "other.acme.test")
        assert refused.returncode != 0
    finally:
        for started in factory.servers:
            started.kill()
        dns.close()


@pytest.fixture(autouse=True)
def _needs_certbot():
    if not shutil.which(CERTBOT):
        pytest.fail("certbot is not installed in the test venv (tests/blackbox/requirements.txt)")


def test_http_01_fails_when_the_domain_does_not_answer(setup, tmp_path):
    server, acm, port, _ = setup
    arn, _, kid, key = _endpoint_with_binding(acm)
    elsewhere = _free_port()  # certbot listens here; the server fetches from `port`
    assert elsewhere != port
    failed = _certbot(server, tmp_path / "nobody", _directory(server, arn), "--standalone",
                      "--preferred-challenges", "http", "--http-01-port", str(elsewhere),
                      "--eab-kid", kid, f"--eab-hmac-key={key}", "-d", DOMAIN)
    assert failed.returncode != 0
    assert "Fetching the http-01 resource of app.acme.test" in failed.stderr + failed.stdout
    listed = acm.list_certificates(Includes={"keyTypes": ["EC_prime256v1"]})
    assert len([c for c in listed["CertificateSummaryList"] if c["DomainName"] == DOMAIN]) == 1

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

import http.server
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from cryptography import x509

from conftest import ServerFactory
from harness import DEV_SQLITE, SECURE_POSTGRES, SECURE_SQLITE
from test_jobs import advance_ok

DOMAIN = "app.acme.test"
DNS_DOMAIN = "dns.acme.test"
REDIRECTED = "redirect.acme.test"
MOVED = "moved.acme.test"
ROLE_DOMAIN = "role.acme.test"
# The EAB role ACM's documentation asks for: trusted by the ACME service principal, allowed
# to issue and revoke.
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "acm-acme.amazonaws.com"},
    "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
    "Condition": {"StringLike": {"sts:SourceIdentity": "acm-acme-*"}}}]}
ISSUE = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["acm:RequestCertificate", "acm:RevokeCertificate"],
    "Resource": "*"}]}
PUBLIC_CA = {"PublicCertificateAuthority": {}}
CERTBOT = str(Path(sys.executable).parent / "certbot")


class Dns:
    """A UDP DNS responder on 127.0.0.1: A records of `addresses`, TXT records read from
    `txt_file` (lines `<name> <value>`, as the certbot hook writes them), NXDOMAIN else."""

    def __init__(self, txt_file: Path) -> None:
        self.addresses = {name: "127.0.0.1"
                          for name in (DOMAIN, DNS_DOMAIN, REDIRECTED, MOVED, ROLE_DOMAIN)}
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


def _role(server, trust: dict = TRUST, permissions: dict | None = ISSUE) -> str:
    """A new IAM role with `trust` and the inline `permissions`; its ARN."""
    iam = server.client("iam")
    name = f"AcmeClients-{uuid.uuid4().hex[:12]}"
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if permissions is not None:
        iam.put_role_policy(RoleName=name, PolicyName="acme", PolicyDocument=json.dumps(permissions))
    return arn


def _endpoint_with_binding(server, acm, role: str | None = None) -> tuple[str, str, str, str]:
    """(endpoint ARN, directory URL on this server, EAB kid, EAB HMAC key); the binding's
    role is `role`, else a new one that trusts ACME and may issue and revoke."""
    arn = acm.create_acme_endpoint(AuthorizationBehavior="PRE_APPROVED",
                                   CertificateAuthority=PUBLIC_CA)["AcmeEndpointArn"]
    eab = acm.create_acme_external_account_binding(
        AcmeEndpointArn=arn, RoleArn=role or _role(server))
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
    arn, _, kid, key = _endpoint_with_binding(server, acm)
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
    arn, _, kid, key = _endpoint_with_binding(server, acm)
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
    arn, _, kid, key = _endpoint_with_binding(server, acm)
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
        arn, _, kid, key = _endpoint_with_binding(server, acm)
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
    arn, _, kid, key = _endpoint_with_binding(server, acm)
    elsewhere = _free_port()  # certbot listens here; the server fetches from `port`
    assert elsewhere != port
    before = _issued_for(acm, DOMAIN)
    failed = _certbot(server, tmp_path / "nobody", _directory(server, arn), "--standalone",
                      "--preferred-challenges", "http", "--http-01-port", str(elsewhere),
                      "--eab-kid", kid, f"--eab-hmac-key={key}", "-d", DOMAIN)
    assert failed.returncode != 0
    assert "Fetching the http-01 resource of app.acme.test" in failed.stderr + failed.stdout
    assert _issued_for(acm, DOMAIN) == before  # the failed order issued nothing


def _issued_for(acm, domain: str) -> int:
    """How many EC P-256 certificates ACM lists for `domain`."""
    listed = acm.list_certificates(Includes={"keyTypes": ["EC_prime256v1"]})
    return len([c for c in listed["CertificateSummaryList"] if c["DomainName"] == domain])


def _dns_hook(tmp_path: Path, txt_file: Path) -> Path:
    hook = tmp_path / "hook.sh"
    hook.write_text(f'#!/bin/sh\necho "$CERTBOT_DOMAIN $CERTBOT_VALIDATION" >> {txt_file}\n')
    hook.chmod(0o755)
    return hook


def test_issuance_needs_a_binding_role_that_trusts_acme_and_may_issue(setup, tmp_path):
    """The binding's role is assumed at finalize: a role that does not exist, one trusting
    another principal, and one without acm:RequestCertificate are refused with the ACME
    `unauthorized` problem, and nothing is issued."""
    server, acm, _, txt_file = setup
    account = server.client("sts").get_caller_identity()["Account"]
    other_trust = json.loads(json.dumps(TRUST))
    other_trust["Statement"][0]["Principal"] = {"Service": "acm.amazonaws.com"}
    cases = [
        (f"arn:aws:iam::{account}:role/NoSuchRole-{uuid.uuid4().hex[:8]}", "does not exist"),
        (_role(server, trust=other_trust), "does not trust acm-acme.amazonaws.com"),
        (_role(server, permissions=None), "is not allowed acm:RequestCertificate"),
    ]
    hook = _dns_hook(tmp_path, txt_file)
    for index, (role, why) in enumerate(cases):
        arn, _, kid, key = _endpoint_with_binding(server, acm, role=role)
        refused = _certbot(server, tmp_path / f"role{index}", _directory(server, arn), "--manual",
                           "--preferred-challenges", "dns", "--manual-auth-hook", str(hook),
                           "--eab-kid", kid, f"--eab-hmac-key={key}", "-d", ROLE_DOMAIN)
        output = refused.stderr + refused.stdout
        assert refused.returncode != 0, output[-3000:]
        assert why in output, output[-3000:]
        # certbot prints the problem's detail; its log has the problem document's type.
        log = (tmp_path / f"role{index}" / "logs" / "letsencrypt.log").read_text()
        assert "urn:ietf:params:acme:error:unauthorized" in log
    listed = acm.list_certificates(Includes={"keyTypes": ["EC_prime256v1"]})
    assert not [c for c in listed["CertificateSummaryList"] if c["DomainName"] == ROLE_DOMAIN]


class Redirector:
    """An HTTP server on 127.0.0.1:`port`: http-01 requests for REDIRECTED are redirected to
    MOVED (absolute, then an absolute path), where the key authorizations a certbot hook
    wrote to `tokens` (lines `<token> <key authorization>`) are served."""

    def __init__(self, port: int, tokens: Path) -> None:
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                outer.seen.append((self.headers.get("Host", ""), self.path))
                host = self.headers.get("Host", "").split(":")[0]
                token = self.path.rsplit("/", 1)[-1]
                if host == REDIRECTED and self.path.startswith("/.well-known/acme-challenge/"):
                    return self._redirect(302, f"http://{MOVED}:{port}/moved/{token}")
                if host == MOVED and self.path.startswith("/moved/"):
                    return self._redirect(301, f"/final/{token}")
                pairs = (line.split() for line in tokens.read_text().splitlines())
                found = [p[1] for p in pairs if len(p) == 2 and p[0] == token]
                if host == MOVED and self.path.startswith("/final/") and found:
                    body = found[-1].encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return None
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None

            def _redirect(self, status: int, location: str) -> None:
                self.send_response(status)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.seen: list[tuple[str, str]] = []
        tokens.touch()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_http_01_follows_redirects(setup, tmp_path):
    server, acm, port, _ = setup
    arn, _, kid, key = _endpoint_with_binding(server, acm)
    tokens = tmp_path / "tokens"
    hook = tmp_path / "http-hook.sh"
    hook.write_text(f'#!/bin/sh\necho "$CERTBOT_TOKEN $CERTBOT_VALIDATION" >> {tokens}\n')
    hook.chmod(0o755)
    redirector = Redirector(port, tokens)
    try:
        done = _certbot(server, tmp_path / "redirect", _directory(server, arn), "--manual",
                        "--preferred-challenges", "http", "--manual-auth-hook", str(hook),
                        "--eab-kid", kid, f"--eab-hmac-key={key}", "-d", REDIRECTED)
    finally:
        redirector.close()
    assert done.returncode == 0, done.stderr[-3000:]
    _chain_ok(server, acm, tmp_path / "redirect" / "config" / "live" / REDIRECTED, REDIRECTED)
    paths = [path.split("/")[1] for _, path in redirector.seen]
    assert paths == [".well-known", "moved", "final"], redirector.seen
    assert redirector.seen[1][0] == f"{MOVED}:{port}"

"""STS federation through boto3 (and one AWS CLI call) on secure servers: AssumeRoleWithWebIdentity
sent unsigned, with ID tokens signed in the test (RS256 and ES256). The identity provider is a
tiny HTTPS server in the test (discovery document + JWKS, certificate from a test CA the server
trusts through SSL_CERT_FILE) on port 443 of a random loopback address; the same provider's
keys can instead be pinned with `rampart iam oidc-keys set` for an issuer that cannot be
reached. Tokens with a wrong audience, an unknown issuer, an expired `exp`, another key's
signature or claims the trust policy does not accept are refused with AWS's errors."""

from __future__ import annotations

import base64
import datetime
import http.server
import ipaddress
import json
import random
import re
import ssl
import threading
import time
from pathlib import Path

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from conftest import ServerFactory
from harness import (
    SECURE_MODES,
    allow,
    create_user_with_key,
    eventually,
    expect_error,
    policy_doc,
    trust_policy,
    unique,
)

THUMB = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
AUD = "sts.amazonaws.com"
SUB = "repo:rampart/ci:ref:refs/heads/main"
NOT_AUTHORIZED = r"^Not authorized to perform sts:AssumeRoleWithWebIdentity$"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_bytes(n: int, length: int | None = None) -> bytes:
    return n.to_bytes(length or (n.bit_length() + 7) // 8, "big")


class Signer:
    """A token signing key with its JWK."""

    def __init__(self, kid: str, alg: str):
        self.kid, self.alg = kid, alg
        if alg == "RS256":
            self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            nums = self.key.public_key().public_numbers()
            self.jwk = {"kty": "RSA", "kid": kid, "use": "sig", "alg": alg,
                        "n": b64url(int_bytes(nums.n)), "e": b64url(int_bytes(nums.e))}
        else:
            self.key = ec.generate_private_key(ec.SECP256R1())
            nums = self.key.public_key().public_numbers()
            self.jwk = {"kty": "EC", "kid": kid, "crv": "P-256", "use": "sig",
                        "x": b64url(int_bytes(nums.x, 32)), "y": b64url(int_bytes(nums.y, 32))}

    def sign(self, claims: dict, kid: str | None = None) -> str:
        header = {"alg": self.alg, "typ": "JWT", "kid": kid or self.kid}
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
        data = signing_input.encode()
        if self.alg == "RS256":
            signature = self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        else:
            r, s = decode_dss_signature(self.key.sign(data, ec.ECDSA(hashes.SHA256())))
            signature = int_bytes(r, 32) + int_bytes(s, 32)
        return f"{signing_input}.{b64url(signature)}"


def claims(issuer: str, **overrides) -> dict:
    now = int(time.time())
    base = {"iss": issuer, "sub": SUB, "aud": AUD, "iat": now, "nbf": now - 5, "exp": now + 600,
            "amr": ["pwd", "mfa"]}
    base.update(overrides)
    return base


def tls_material(directory: Path, ip: str) -> tuple[Path, Path, Path]:
    """A test CA (ca.pem) and a certificate for `ip` it issued (cert.pem, key.pem)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rampart test IdP CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                         critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ip)]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


class IdentityProvider:
    """An OIDC issuer at https://<ip> (port 443): discovery document and JWKS."""

    def __init__(self, directory: Path):
        self.ip = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
        self.issuer = f"https://{self.ip}"
        self.rsa, self.ec = Signer("rsa-1", "RS256"), Signer("ec-1", "ES256")
        self.jwks = {"keys": [self.rsa.jwk, self.ec.jwk]}
        self.ca, cert, key = tls_material(directory, self.ip)
        self.httpd = None
        self.error = None
        try:
            self.httpd = self._serve(cert, key)
        except OSError as err:  # port 443 needs privileges
            self.error = str(err)

    def _serve(self, cert: Path, key: Path):
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                documents = {
                    "/.well-known/openid-configuration": {
                        "issuer": provider.issuer, "jwks_uri": f"{provider.issuer}/jwks.json"},
                    "/jwks.json": provider.jwks,
                }
                body = json.dumps(documents.get(self.path, {})).encode()
                self.send_response(200 if self.path in documents else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        httpd = http.server.ThreadingHTTPServer((self.ip, 443), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        return httpd

    def close(self):
        if self.httpd:
            self.httpd.shutdown()


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    provider = IdentityProvider(tmp_path_factory.mktemp("idp"))
    yield provider
    provider.close()


@pytest.fixture(scope="module", params=SECURE_MODES)
def fed_server(request, tmp_path_factory, pg_databases, idp):
    """A secure server trusting the test IdP's CA (SSL_CERT_FILE)."""
    factory = ServerFactory(tmp_path_factory, pg_databases)
    try:
        yield factory(request.param, extra_env={"SSL_CERT_FILE": str(idp.ca)})
    finally:
        for server in factory.servers:
            try:
                server.stop()
            finally:
                server.kill()


@pytest.fixture(scope="module")
def iam(fed_server):
    return fed_server.client("iam")


@pytest.fixture(scope="module")
def anonymous_sts(fed_server):
    return boto3.session.Session(region_name="us-east-1").client(
        "sts", endpoint_url=fed_server.endpoint, verify=str(fed_server.ca_bundle),
        config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))


@pytest.fixture(scope="module")
def provider_arn(iam, idp):
    return iam.create_open_id_connect_provider(
        Url=idp.issuer, ClientIDList=[AUD, "other-app"], ThumbprintList=[THUMB])[
        "OpenIDConnectProviderArn"]


@pytest.fixture(scope="module")
def role(iam, idp, provider_arn):
    """A role trusting the provider's tokens for SUB with audience AUD, allowed to list roles."""
    host = idp.ip
    trust = trust_policy({"Federated": provider_arn}, {
        "StringEquals": {f"{host}:aud": AUD, f"{host}:sub": SUB},
        "ForAnyValue:StringEquals": {f"{host}:amr": "mfa"},
    })
    trust = json.loads(trust)
    trust["Statement"][0]["Action"] = "sts:AssumeRoleWithWebIdentity"
    created = iam.create_role(RoleName=unique("web-role"), AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=created["Role"]["RoleName"], PolicyName="read",
                        PolicyDocument=policy_doc(allow("iam:ListRoles")))
    return created["Role"]


def reachable(idp):
    if idp.httpd is None:
        pytest.skip(f"the test IdP cannot listen on {idp.ip}:443: {idp.error}")


def assume(sts, role, token, **kwargs):
    return sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="ci",
                                             WebIdentityToken=token, **kwargs)


def test_rs256_token_from_a_reachable_issuer_assumes_the_role(fed_server, anonymous_sts, idp,
                                                               role, provider_arn):
    reachable(idp)
    got = assume(anonymous_sts, role, idp.rsa.sign(claims(idp.issuer)), DurationSeconds=900)
    account = role["Arn"].split(":")[4]
    assert got["SubjectFromWebIdentityToken"] == SUB
    assert got["Audience"] == AUD
    assert got["Provider"] == provider_arn
    assert got["AssumedRoleUser"]["Arn"] == (
        f"arn:aws:sts::{account}:assumed-role/{role['RoleName']}/ci")
    assert got["AssumedRoleUser"]["AssumedRoleId"] == f"{role['RoleId']}:ci"
    creds = got["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    session = {"AccessKeyId": creds["AccessKeyId"], "SecretAccessKey": creds["SecretAccessKey"],
               "SessionToken": creds["SessionToken"]}
    sts = fed_server.client("sts", access_key=session["AccessKeyId"],
                            secret_key=session["SecretAccessKey"],
                            session_token=session["SessionToken"])
    assert sts.get_caller_identity()["Arn"] == got["AssumedRoleUser"]["Arn"]
    iam = fed_server.client("iam", access_key=session["AccessKeyId"],
                            secret_key=session["SecretAccessKey"],
                            session_token=session["SessionToken"])
    assert any(r["RoleName"] == role["RoleName"] for r in iam.list_roles()["Roles"])


def test_es256_token_is_accepted(anonymous_sts, idp, role):
    reachable(idp)
    got = assume(anonymous_sts, role, idp.ec.sign(claims(idp.issuer, aud=["x", AUD])))
    assert got["Audience"] == AUD


def test_bad_tokens_are_refused_with_aws_errors(anonymous_sts, idp, role):
    reachable(idp)
    refuse = lambda token, code, message, status=400: expect_error(  # noqa: E731
        assume, code, message, status, sts=anonymous_sts, role=role, token=token)
    refuse(idp.rsa.sign(claims(idp.issuer, aud="someone-else")), "InvalidIdentityToken",
           r"^Incorrect token audience$")
    refuse(idp.rsa.sign(claims("https://unknown.example")), "InvalidIdentityToken",
           r"^No OpenIDConnect provider found in your account for https://unknown\.example$")
    past = int(time.time()) - 60
    refuse(idp.rsa.sign(claims(idp.issuer, exp=past, iat=past - 600, nbf=past - 600)),
           "ExpiredTokenException",
           rf"^Token expired: current date/time \d+ must be before the expiration date/time{past}$")
    forged = Signer("rsa-1", "RS256").sign(claims(idp.issuer))
    refuse(forged, "InvalidIdentityToken", r"could not be validated")
    refuse(idp.rsa.sign(claims(idp.issuer), kid="unknown-kid"), "InvalidIdentityToken",
           r"^Couldn't retrieve verification key from your identity provider")
    refuse("not.a.jwt", "InvalidIdentityToken", r"^The ID Token provided is not a valid JWT")
    refuse(idp.rsa.sign(claims(idp.issuer, sub="repo:someone/else")), "AccessDenied",
           NOT_AUTHORIZED, 403)
    refuse(idp.rsa.sign(claims(idp.issuer, amr=["pwd"])), "AccessDenied", NOT_AUTHORIZED, 403)
    expect_error(anonymous_sts.assume_role_with_web_identity, "AccessDenied", NOT_AUTHORIZED, 403,
                 RoleArn=role["Arn"] + "-missing", RoleSessionName="ci",
                 WebIdentityToken=idp.rsa.sign(claims(idp.issuer)))


def test_other_unsigned_calls_stay_refused(anonymous_sts):
    expect_error(anonymous_sts.get_caller_identity, "MissingAuthenticationToken", status=403)


def test_pinned_keys_serve_an_unreachable_issuer(fed_server, iam, anonymous_sts, idp, tmp_path):
    issuer = f"https://{unique('idp').lower()}.rampart.invalid"
    arn = iam.create_open_id_connect_provider(
        Url=issuer, ClientIDList=[AUD], ThumbprintList=[THUMB])["OpenIDConnectProviderArn"]
    trust = json.loads(trust_policy({"Federated": arn}))
    trust["Statement"][0]["Action"] = "sts:AssumeRoleWithWebIdentity"
    role = iam.create_role(RoleName=unique("pinned-role"),
                           AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    token = idp.rsa.sign(claims(issuer))
    expect_error(assume, "IDPCommunicationError", r"could not be reached",
                 sts=anonymous_sts, role=role, token=token)
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [idp.rsa.jwk]}))
    out = fed_server.rampart("iam", "oidc-keys", "set", arn, str(jwks), *fed_server.store_args())
    assert json.loads(out.stdout) == {"pinned": arn}
    got = assume(anonymous_sts, role, token)
    assert got["Provider"] == arn
    # The AWS CLI sends the call unsigned too.
    cli = fed_server.aws("sts", "assume-role-with-web-identity", "--role-arn", role["Arn"],
                         "--role-session-name", "cli", "--web-identity-token", token)
    assert json.loads(cli.stdout)["AssumedRoleUser"]["Arn"].endswith(f"/{role['RoleName']}/cli")
    # A key that is not pinned does not verify; a pinned set is refused for unknown providers.
    expect_error(assume, "InvalidIdentityToken", r"^Couldn't retrieve verification key",
                 sts=anonymous_sts, role=role, token=idp.ec.sign(claims(issuer)))
    missing = fed_server.rampart("iam", "oidc-keys", "set", arn + "x", str(jwks),
                                 *fed_server.store_args(), check=False)
    assert missing.returncode != 0 and "no OpenID Connect provider" in missing.stderr
    cleared = fed_server.rampart("iam", "oidc-keys", "clear", arn, *fed_server.store_args())
    assert json.loads(cleared.stdout) == {"cleared": arn, "found": True}
    expect_error(assume, "IDPCommunicationError", r"could not be reached",
                 sts=anonymous_sts, role=role, token=token)


# ----------------------------------------------------------------------------- GetFederationToken


@pytest.fixture(scope="module")
def federator(iam):
    """An IAM user allowed GetFederationToken and two KMS listings."""
    return create_user_with_key(iam, unique("federator"), policy=policy_doc(
        allow("sts:GetFederationToken"), allow(["kms:ListKeys", "kms:ListAliases"])))


def session_client(server, service, creds):
    return server.client(service, access_key=creds["AccessKeyId"],
                         secret_key=creds["SecretAccessKey"], session_token=creds["SessionToken"])


def test_federation_token_is_narrowed_by_its_session_policy(fed_server, federator):
    sts = fed_server.client_for("sts", federator)
    account = federator["User"]["Arn"].split(":")[4]
    got = sts.get_federation_token(Name="bob", DurationSeconds=900,
                                   Policy=policy_doc(allow("kms:ListKeys")))
    assert got["FederatedUser"] == {"Arn": f"arn:aws:sts::{account}:federated-user/bob",
                                    "FederatedUserId": f"{account}:bob"}
    assert got["PackedPolicySize"] > 0
    creds = got["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert (session_client(fed_server, "sts", creds).get_caller_identity()["Arn"]
            == got["FederatedUser"]["Arn"])
    kms = session_client(fed_server, "kms", creds)
    kms.list_keys()
    expect_error(kms.list_aliases, "AccessDeniedException", r"federated-user/bob", status=400)
    # Session credentials cannot federate again.
    expect_error(session_client(fed_server, "sts", creds).get_federation_token,
                 "AccessDenied", r"^Cannot call GetFederationToken with session credentials$",
                 status=403, Name="carol")


def test_federation_token_without_policy_allows_nothing(fed_server, federator):
    creds = fed_server.client_for("sts", federator).get_federation_token(Name="nobody")[
        "Credentials"]
    expect_error(session_client(fed_server, "kms", creds).list_keys, "AccessDeniedException",
                 status=400)


def test_federation_token_needs_permission(fed_server, iam):
    user = create_user_with_key(iam, unique("plain"), policy=policy_doc(allow("kms:ListKeys")))
    account = user["User"]["Arn"].split(":")[4]
    _, message = expect_error(
        fed_server.client_for("sts", user).get_federation_token, "AccessDenied",
        rf"^User: {re.escape(user['User']['Arn'])} is not authorized to perform: "
        rf"sts:GetFederationToken on resource: arn:aws:sts::{account}:federated-user/x1 "
        r"Encoded authorization failure message: [A-Za-z0-9_-]+$",
        status=403, Name="x1")
    encoded = message.rsplit(" ", 1)[1]
    # The root may decode it; the user, not allowed sts:DecodeAuthorizationMessage, may not.
    decoded = json.loads(fed_server.client("sts").decode_authorization_message(
        EncodedMessage=encoded)["DecodedMessage"])
    assert decoded["allowed"] is False and decoded["explicitDeny"] is False
    assert decoded["context"]["action"] == "sts:GetFederationToken"
    assert decoded["context"]["resource"] == f"arn:aws:sts::{account}:federated-user/x1"
    assert decoded["context"]["principal"]["arn"] == user["User"]["Arn"]
    expect_error(fed_server.client_for("sts", user).decode_authorization_message,
                 "AccessDenied", r"sts:DecodeAuthorizationMessage on resource: \*$", status=403,
                 EncodedMessage=encoded)
    expect_error(fed_server.client("sts").decode_authorization_message,
                 "InvalidAuthorizationMessageException", r"not valid", EncodedMessage=encoded[:-4])
    unchecked = fed_server.client_for("sts", user, parameter_validation=False)
    expect_error(unchecked.get_federation_token, "ValidationError",
                 status=400, Name="x")


def test_outbound_web_identity_tokens_are_disabled(fed_server):
    expect_error(fed_server.client("sts").get_web_identity_token,
                 "OutboundWebIdentityFederationDisabledException",
                 r"^The outbound web identity federation feature is not enabled for this account\.",
                 status=403, Audience=["https://example.com"], SigningAlgorithm="RS256")


def test_unsigned_calls_are_audited_in_the_role_account(fed_server, anonymous_sts, idp, role):
    reachable(idp)
    token = idp.rsa.sign(claims(idp.issuer))
    assume(anonymous_sts, role, token)
    trail = fed_server.client("cloudtrail")

    def recorded():
        events = trail.lookup_events(LookupAttributes=[
            {"AttributeKey": "EventName", "AttributeValue": "AssumeRoleWithWebIdentity"}])["Events"]
        details = [json.loads(e["CloudTrailEvent"]) for e in events]
        ok = [d for d in details if d.get("errorCode") is None]
        assert ok, details
        return ok[0]

    event = eventually(recorded)
    assert event["userIdentity"]["type"] == "Unknown"
    assert "arn" not in event["userIdentity"] and "accessKeyId" not in event["userIdentity"]
    assert token not in json.dumps(event)


def tagging_role(iam, provider_arn, idp, actions: list[str]) -> dict:
    """A role trusting the provider for `actions`, its permissions only for sessions tagged
    Project=Automation."""
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": actions,
        "Condition": {"StringEquals": {f"{idp.ip}:aud": AUD}}}]}
    role = iam.create_role(RoleName=unique("web-tags"),
                           AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="tagged",
                        PolicyDocument=policy_doc(allow("iam:ListRoles", condition={
                            "StringEquals": {"aws:PrincipalTag/Project": "Automation"}})))
    return role


def test_token_session_tags_and_source_identity(fed_server, iam, anonymous_sts, idp,
                                                provider_arn):
    reachable(idp)
    tagged = claims(idp.issuer, **{
        "https://aws.amazon.com/tags": {"principal_tags": {"Project": ["Automation"],
                                                           "Team": ["ci"]},
                                        "transitive_tag_keys": ["Project"]},
        "https://aws.amazon.com/source_identity": "alice"})
    token = idp.rsa.sign(tagged)
    bare = tagging_role(iam, provider_arn, idp, ["sts:AssumeRoleWithWebIdentity"])
    expect_error(assume, "AccessDenied", NOT_AUTHORIZED, 403, sts=anonymous_sts, role=bare,
                 token=token)
    no_identity = tagging_role(iam, provider_arn, idp,
                               ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"])
    expect_error(assume, "AccessDenied", NOT_AUTHORIZED, 403, sts=anonymous_sts,
                 role=no_identity, token=token)
    role = tagging_role(iam, provider_arn, idp, ["sts:AssumeRoleWithWebIdentity",
                                                 "sts:TagSession", "sts:SetSourceIdentity"])
    got = assume(anonymous_sts, role, token)
    assert got["SourceIdentity"] == "alice"
    assert got["PackedPolicySize"] >= 1
    creds = got["Credentials"]
    session = fed_server.client("iam", access_key=creds["AccessKeyId"],
                                secret_key=creds["SecretAccessKey"],
                                session_token=creds["SessionToken"])
    assert any(r["RoleName"] == role["RoleName"] for r in session.list_roles()["Roles"])
    untagged = assume(anonymous_sts, role, idp.rsa.sign(claims(idp.issuer)))["Credentials"]
    plain = fed_server.client("iam", access_key=untagged["AccessKeyId"],
                              secret_key=untagged["SecretAccessKey"],
                              session_token=untagged["SessionToken"])
    expect_error(plain.list_roles, "AccessDenied", None, 403)
    malformed = idp.rsa.sign(claims(idp.issuer, **{
        "https://aws.amazon.com/tags": {"principal_tags": {"Project": ["a", "b"]}}}))
    expect_error(assume, "InvalidIdentityToken", None, 400, sts=anonymous_sts, role=role,
                 token=malformed)

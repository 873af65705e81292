"""ACM's ACME endpoint control plane with boto3 against the real binary (dev/SQLite,
secure/SQLite, secure/PostgreSQL): endpoints created, described, listed, updated and deleted
(with their children); external account bindings whose HMAC key only
GetAcmeExternalAccountBindingCredentials returns and the database never holds in plaintext;
prevalidated domains with the CNAME to create; ACME accounts; idempotency tokens, pagination,
AWS's errors, IAM decisions and the AWS CLI."""

from __future__ import annotations

import base64
import json
import subprocess
import uuid

import pytest

from harness import allow, create_user_with_key, eventually, expect_error, policy_doc, unique

PUBLIC_CA = {"PublicCertificateAuthority": {"AllowedKeyAlgorithms": ["EC_prime256v1", "RSA_2048"]}}
ROLE = "arn:aws:iam::{}:role/AcmeClientRole"


@pytest.fixture(scope="module")
def acm(server):
    return server.client("acm")


@pytest.fixture(scope="module")
def raw_acm(server):
    """A client that leaves validation to the server (botocore checks unions itself)."""
    return server.client("acm", parameter_validation=False)


def _endpoint(acm, **extra) -> str:
    return acm.create_acme_endpoint(AuthorizationBehavior="PRE_APPROVED",
                                    CertificateAuthority=PUBLIC_CA, **extra)["AcmeEndpointArn"]


def _role(arn: str) -> str:
    return ROLE.format(arn.split(":")[4])


def test_endpoints_are_created_described_listed_updated_and_deleted(acm):
    arn = _endpoint(acm, Contact="REQUIRED", Tags=[{"Key": "team", "Value": "pki"}],
                    CertificateTags=[{"Key": "issued-by", "Value": "acme"}])
    assert arn.startswith("arn:aws:acm:us-east-1:") and ":acme-endpoint/" in arn
    endpoint_id = arn.rsplit("/", 1)[1]
    got = acm.describe_acme_endpoint(AcmeEndpointArn=arn)["AcmeEndpoint"]
    assert got["Status"] == "ACTIVE"
    assert got["Contact"] == "REQUIRED"
    assert got["AuthorizationBehavior"] == "PRE_APPROVED"
    assert got["CertificateAuthority"] == PUBLIC_CA
    assert got["CertificateTags"] == [{"Key": "issued-by", "Value": "acme"}]
    assert got["EndpointUrl"] == f"https://acm-acme-enroll.us-east-1.api.aws/{endpoint_id}/directory"
    listed = acm.list_acme_endpoints()["AcmeEndpoints"]
    assert arn in [e["AcmeEndpointArn"] for e in listed]

    acm.update_acme_endpoint(AcmeEndpointArn=arn, Contact="NOT_REQUIRED", CertificateAuthority={
        "PublicCertificateAuthority": {"AllowedKeyAlgorithms": ["EC_secp384r1"]}})
    got = acm.describe_acme_endpoint(AcmeEndpointArn=arn)["AcmeEndpoint"]
    assert got["Contact"] == "NOT_REQUIRED"
    assert got["CertificateAuthority"]["PublicCertificateAuthority"]["AllowedKeyAlgorithms"] == [
        "EC_secp384r1"]
    assert got["UpdatedAt"] >= got["CreatedAt"]

    acm.delete_acme_endpoint(AcmeEndpointArn=arn)
    expect_error(acm.describe_acme_endpoint, "ResourceNotFoundException", arn, AcmeEndpointArn=arn)
    acm.delete_acme_endpoint(AcmeEndpointArn=arn)  # AWS models no ResourceNotFound here
    expect_error(acm.update_acme_endpoint, "ResourceNotFoundException", arn,
                 AcmeEndpointArn=arn, Contact="REQUIRED")


def test_endpoint_requests_are_checked_and_idempotent(acm, raw_acm):
    expect_error(raw_acm.create_acme_endpoint, "ValidationException", "PublicCertificateAuthority",
                 AuthorizationBehavior="PRE_APPROVED", CertificateAuthority={})
    expect_error(acm.create_acme_endpoint, "ValidationException",
                 r"at 'authorizationBehavior' failed to satisfy constraint: Member must satisfy enum value set: \[PRE_APPROVED\]",
                 AuthorizationBehavior="LIVE", CertificateAuthority=PUBLIC_CA)
    expect_error(acm.create_acme_endpoint, "ValidationException", "aws:",
                 AuthorizationBehavior="PRE_APPROVED", CertificateAuthority=PUBLIC_CA,
                 Tags=[{"Key": "aws:reserved", "Value": "x"}])
    expect_error(acm.describe_acme_endpoint, "ValidationException", None,
                 AcmeEndpointArn="arn:aws:acm:us-east-1:111122223333:certificate/abc")
    token = uuid.uuid4().hex
    first = _endpoint(acm, IdempotencyToken=token)
    assert _endpoint(acm, IdempotencyToken=token) == first
    assert _endpoint(acm) != first


def test_endpoints_page(acm):
    made = {_endpoint(acm) for _ in range(3)}
    seen, token = [], None
    while True:
        kwargs = {"NextToken": token} if token else {}
        page = acm.list_acme_endpoints(MaxResults=2, **kwargs)
        assert len(page["AcmeEndpoints"]) <= 2
        seen += [e["AcmeEndpointArn"] for e in page["AcmeEndpoints"]]
        token = page.get("NextToken")
        if not token:
            break
    assert made <= set(seen)
    assert len(seen) == len(set(seen))
    expect_error(acm.list_acme_endpoints, "ValidationException", None, MaxResults=101)


def test_external_account_bindings(server, acm):
    endpoint = _endpoint(acm)
    role = _role(endpoint)
    eab = acm.create_acme_external_account_binding(
        AcmeEndpointArn=endpoint, RoleArn=role, Expiration={"Type": "DAYS", "Value": 7},
        Tags=[{"Key": "k", "Value": "v"}])["ExternalAccountBinding"]
    arn = eab["AcmeExternalAccountBindingArn"]
    assert arn.startswith(endpoint + "/acme-external-account-binding/")
    assert eab["RoleArn"] == role and eab["AcmeEndpointArn"] == endpoint
    assert (eab["ExpiresAt"] - eab["CreatedAt"]).days == 7
    assert "RevokedAt" not in eab and "MacKey" not in eab

    described = acm.describe_acme_external_account_binding(AcmeExternalAccountBindingArn=arn)
    assert described["ExternalAccountBinding"]["AcmeExternalAccountBindingArn"] == arn
    creds = acm.get_acme_external_account_binding_credentials(AcmeExternalAccountBindingArn=arn)
    assert creds["KeyId"] == arn.rsplit("/", 1)[1]
    key = base64.urlsafe_b64decode(creds["MacKey"] + "=" * (-len(creds["MacKey"]) % 4))
    assert len(key) == 32
    again = acm.get_acme_external_account_binding_credentials(AcmeExternalAccountBindingArn=arn)
    assert again["MacKey"] == creds["MacKey"]
    other = acm.create_acme_external_account_binding(AcmeEndpointArn=endpoint, RoleArn=role)
    other_arn = other["ExternalAccountBinding"]["AcmeExternalAccountBindingArn"]
    assert "ExpiresAt" not in other["ExternalAccountBinding"]
    assert acm.get_acme_external_account_binding_credentials(
        AcmeExternalAccountBindingArn=other_arn)["MacKey"] != creds["MacKey"]
    for place, data in _database_bytes(server).items():
        assert key not in data and creds["MacKey"].encode() not in data, f"EAB key in {place}"

    listed = acm.list_acme_external_account_bindings(AcmeEndpointArn=endpoint, MaxResults=1)
    assert len(listed["ExternalAccountBindings"]) == 1 and listed["NextToken"]
    rest = acm.list_acme_external_account_bindings(AcmeEndpointArn=endpoint,
                                                   NextToken=listed["NextToken"])
    assert {b["AcmeExternalAccountBindingArn"] for b in
            listed["ExternalAccountBindings"] + rest["ExternalAccountBindings"]} == {arn, other_arn}

    acm.revoke_acme_external_account_binding(AcmeExternalAccountBindingArn=arn)
    revoked = acm.describe_acme_external_account_binding(AcmeExternalAccountBindingArn=arn)
    assert "RevokedAt" in revoked["ExternalAccountBinding"]
    expect_error(acm.revoke_acme_external_account_binding, "ConflictException", "revoked",
                 AcmeExternalAccountBindingArn=arn)
    acm.delete_acme_external_account_binding(AcmeExternalAccountBindingArn=arn)
    expect_error(acm.describe_acme_external_account_binding, "ResourceNotFoundException", arn,
                 AcmeExternalAccountBindingArn=arn)
    expect_error(acm.get_acme_external_account_binding_credentials, "ResourceNotFoundException",
                 arn, AcmeExternalAccountBindingArn=arn)


def test_binding_requests_are_checked(acm):
    endpoint = _endpoint(acm)
    missing = endpoint.rsplit("/", 1)[0] + "/" + str(uuid.uuid4())
    expect_error(acm.create_acme_external_account_binding, "ResourceNotFoundException", missing,
                 AcmeEndpointArn=missing, RoleArn=_role(endpoint))
    expect_error(acm.create_acme_external_account_binding, "ValidationException", "roleArn",
                 AcmeEndpointArn=endpoint, RoleArn="arn:aws:iam::111122223333:user/bob")
    expect_error(acm.create_acme_external_account_binding, "ValidationException", "365 days",
                 AcmeEndpointArn=endpoint, RoleArn=_role(endpoint),
                 Expiration={"Type": "DAYS", "Value": 400})
    token = uuid.uuid4().hex
    one = acm.create_acme_external_account_binding(
        AcmeEndpointArn=endpoint, RoleArn=_role(endpoint), IdempotencyToken=token)
    two = acm.create_acme_external_account_binding(
        AcmeEndpointArn=endpoint, RoleArn=_role(endpoint), IdempotencyToken=token)
    assert one["ExternalAccountBinding"] == two["ExternalAccountBinding"]
    expect_error(acm.list_acme_external_account_bindings, "ResourceNotFoundException", missing,
                 AcmeEndpointArn=missing)


def test_domain_validations(acm, raw_acm):
    endpoint = _endpoint(acm)
    options = {"DnsPrevalidation": {"DomainScope": {"ExactDomain": "ENABLED",
                                                    "Subdomains": "DISABLED",
                                                    "Wildcards": "DISABLED"}}}
    arn = acm.create_acme_domain_validation(AcmeEndpointArn=endpoint, DomainName="app.example.com",
                                            PrevalidationOptions=options,
                                            Tags=[{"Key": "a", "Value": "b"}])[
        "AcmeDomainValidationArn"]
    assert arn.startswith(endpoint + "/acme-domain-validation/")
    got = acm.describe_acme_domain_validation(AcmeDomainValidationArn=arn)["AcmeDomainValidation"]
    assert got["DomainName"] == "app.example.com"
    assert got["Status"] == "VALIDATING"
    assert got["PrevalidationType"] == "DNS_PREVALIDATION"
    details = got["PrevalidationDetails"]["DnsPrevalidation"]
    assert details["DomainScope"] == options["DnsPrevalidation"]["DomainScope"]
    record = details["ResourceRecord"]
    assert record["Type"] == "CNAME"
    assert record["Name"].endswith(".app.example.com.") and record["Name"].startswith("_")
    assert record["Value"].endswith(".acm-validations.aws.")

    expect_error(acm.create_acme_domain_validation, "ConflictException", "app.example.com",
                 AcmeEndpointArn=endpoint, DomainName="app.example.com",
                 PrevalidationOptions=options)
    expect_error(raw_acm.create_acme_domain_validation, "ValidationException", "DnsPrevalidation",
                 AcmeEndpointArn=endpoint, DomainName="b.example.com", PrevalidationOptions={})
    expect_error(acm.create_acme_domain_validation, "ValidationException", "domainName",
                 AcmeEndpointArn=endpoint, DomainName="Not_A_Domain!", PrevalidationOptions=options)
    second = acm.create_acme_domain_validation(AcmeEndpointArn=endpoint, DomainName="b.example.com",
                                               PrevalidationOptions=options)[
        "AcmeDomainValidationArn"]

    wider = {"DnsPrevalidation": {"DomainScope": {"ExactDomain": "ENABLED",
                                                  "Subdomains": "ENABLED",
                                                  "Wildcards": "ENABLED"}}}
    acm.update_acme_domain_validation(AcmeDomainValidationArn=arn, PrevalidationOptions=wider)
    got = acm.describe_acme_domain_validation(AcmeDomainValidationArn=arn)["AcmeDomainValidation"]
    assert got["PrevalidationDetails"]["DnsPrevalidation"]["DomainScope"]["Wildcards"] == "ENABLED"

    page = acm.list_acme_domain_validations(AcmeEndpointArn=endpoint, MaxResults=1)
    rest = acm.list_acme_domain_validations(AcmeEndpointArn=endpoint, NextToken=page["NextToken"])
    names = [d["DomainName"] for d in page["AcmeDomainValidations"] + rest["AcmeDomainValidations"]]
    assert names == ["app.example.com", "b.example.com"]

    acm.delete_acme_domain_validation(AcmeDomainValidationArn=second)
    expect_error(acm.describe_acme_domain_validation, "ResourceNotFoundException", second,
                 AcmeDomainValidationArn=second)
    acm.delete_acme_endpoint(AcmeEndpointArn=endpoint)
    expect_error(acm.describe_acme_domain_validation, "ResourceNotFoundException", arn,
                 AcmeDomainValidationArn=arn)


def test_acme_resources_are_tagged_with_the_tag_resource_family(acm):
    endpoint = _endpoint(acm, Tags=[{"Key": "team", "Value": "pki"}])
    binding = acm.create_acme_external_account_binding(
        AcmeEndpointArn=endpoint, RoleArn=_role(endpoint), Tags=[{"Key": "k", "Value": "v"}])[
        "ExternalAccountBinding"]["AcmeExternalAccountBindingArn"]
    domain = acm.create_acme_domain_validation(
        AcmeEndpointArn=endpoint, DomainName="tags.example.com",
        PrevalidationOptions={"DnsPrevalidation": {"DomainScope": {
            "ExactDomain": "ENABLED", "Subdomains": "DISABLED", "Wildcards": "DISABLED"}}})[
        "AcmeDomainValidationArn"]
    tags = lambda arn: sorted((t["Key"], t.get("Value")) for t in  # noqa: E731
                              acm.list_tags_for_resource(ResourceArn=arn)["Tags"])
    assert tags(endpoint) == [("team", "pki")]
    assert tags(binding) == [("k", "v")]
    assert tags(domain) == []
    for arn in (endpoint, binding, domain):
        acm.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "test"},
                                                {"Key": "team", "Value": "sec"}])
        acm.untag_resource(ResourceArn=arn, TagKeys=["k"])
    assert tags(endpoint) == [("env", "test"), ("team", "sec")]
    assert tags(binding) == [("env", "test"), ("team", "sec")]
    assert tags(domain) == [("env", "test"), ("team", "sec")]
    expect_error(acm.tag_resource, "ValidationException", "aws:", ResourceArn=endpoint,
                 Tags=[{"Key": "aws:x", "Value": "y"}])
    assert tags(endpoint) == [("env", "test"), ("team", "sec")]
    acm.delete_acme_endpoint(AcmeEndpointArn=endpoint)
    for arn in (endpoint, binding, domain):
        expect_error(acm.list_tags_for_resource, "ResourceNotFoundException", arn,
                     ResourceArn=arn)
        expect_error(acm.tag_resource, "ResourceNotFoundException", arn, ResourceArn=arn,
                     Tags=[{"Key": "a", "Value": "b"}])


def test_accounts_of_an_endpoint_without_registrations(acm):
    endpoint = _endpoint(acm)
    assert acm.list_acme_accounts(AcmeEndpointArn=endpoint)["AcmeAccounts"] == []
    url = "https://acm-acme-enroll.us-east-1.api.aws/x/acct/nobody"
    expect_error(acm.describe_acme_account, "ResourceNotFoundException", "ACME account",
                 AcmeEndpointArn=endpoint, AccountUrl=url)
    expect_error(acm.revoke_acme_account, "ResourceNotFoundException", "ACME account",
                 AcmeEndpointArn=endpoint, AccountUrl=url)


def test_iam_policies_decide(server, acm):
    if server.dev:
        pytest.skip("dev mode does not verify signatures, so callers are not IAM users")
    endpoint = _endpoint(acm)
    user = create_user_with_key(server.client("iam"), unique("acme-reader"), policy_doc(
        allow(["acm:DescribeAcmeEndpoint"], endpoint)))
    reader = server.client_for("acm", user)
    got = eventually(lambda: reader.describe_acme_endpoint(AcmeEndpointArn=endpoint))
    assert got["AcmeEndpoint"]["AcmeEndpointArn"] == endpoint
    expect_error(reader.create_acme_external_account_binding, "AccessDeniedException",
                 "acm:CreateAcmeExternalAccountBinding", AcmeEndpointArn=endpoint,
                 RoleArn=_role(endpoint))
    expect_error(reader.delete_acme_endpoint, "AccessDeniedException", "acm:DeleteAcmeEndpoint",
                 AcmeEndpointArn=endpoint)


def test_the_aws_cli_manages_endpoints(server, acm):
    made = server.aws("acm", "create-acme-endpoint", "--authorization-behavior", "PRE_APPROVED",
                      "--certificate-authority", json.dumps(PUBLIC_CA))
    arn = json.loads(made.stdout)["AcmeEndpointArn"]
    listed = json.loads(server.aws("acm", "list-acme-endpoints").stdout)
    assert arn in [e["AcmeEndpointArn"] for e in listed["AcmeEndpoints"]]
    server.aws("acm", "delete-acme-endpoint", "--acme-endpoint-arn", arn)


def _database_bytes(server) -> dict[str, bytes]:
    if server.postgres:
        dump = subprocess.run(["pg_dump", "--data-only", server.database_url],
                              check=True, capture_output=True, timeout=120)
        return {"pg_dump": dump.stdout}
    return {f.name: f.read_bytes() for f in sorted(server.data_dir.glob("rampart.db*"))}


def _http(server, method: str, url: str, body: bytes | None = None):
    """(status, headers, body) of one unsigned request to the server."""
    import ssl
    import urllib.error
    import urllib.request

    ctx = ssl.create_default_context(cafile=str(server.ca_bundle)) if server.ca_bundle else None
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={"Content-Type": "application/jose+json"})
    try:
        with urllib.request.urlopen(request, context=ctx, timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def test_the_acme_server_answers_directory_nonces_and_problems(server, acm):
    arn = _endpoint(acm)
    base = f"{server.endpoint}/_rampart/acme/{arn.rsplit('/', 1)[1]}"
    status, headers, body = _http(server, "GET", f"{base}/directory")
    assert status == 200
    directory = json.loads(body)
    assert directory["newAccount"] == f"{base}/new-account"
    assert directory["meta"]["externalAccountRequired"] is True
    status, headers, _ = _http(server, "HEAD", directory["newNonce"])
    assert status == 200 and headers["Replay-Nonce"]
    assert headers["Cache-Control"] == "no-store"

    status, headers, body = _http(server, "POST", directory["newAccount"], b"not a jws")
    assert status == 400
    assert headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["type"] == "urn:ietf:params:acme:error:malformed"
    assert headers["Replay-Nonce"]

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    protected = b64(json.dumps({"alg": "ES256", "nonce": "never-issued", "kid": "x",
                                "url": directory["newOrder"]}).encode())
    forged = json.dumps({"protected": protected, "payload": "", "signature": ""}).encode()
    status, _, body = _http(server, "POST", directory["newOrder"], forged)
    assert status == 400
    assert json.loads(body)["type"] == "urn:ietf:params:acme:error:badNonce"

    status, _, body = _http(server, "GET", f"{server.endpoint}/_rampart/acme/{uuid.uuid4()}/directory")
    assert status == 404
    acm.delete_acme_endpoint(AcmeEndpointArn=arn)
    status, _, _ = _http(server, "GET", f"{base}/directory")
    assert status == 404


class _AcmeClient:
    """A minimal RFC 8555 client (ES256 keys from `cryptography`) for what certbot does not
    do: key rollover, deactivation, endpoints that require a contact."""

    def __init__(self, server, directory_url: str):
        from cryptography.hazmat.primitives.asymmetric import ec

        self.server = server
        self.directory = json.loads(_http(server, "GET", directory_url)[2])
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.kid: str | None = None

    @staticmethod
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    @classmethod
    def jwk(cls, key) -> dict:
        numbers = key.public_key().public_numbers()
        return {"kty": "EC", "crv": "P-256", "x": cls.b64(numbers.x.to_bytes(32, "big")),
                "y": cls.b64(numbers.y.to_bytes(32, "big"))}

    @classmethod
    def jws(cls, key, header: dict, payload) -> dict:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        protected = cls.b64(json.dumps({"alg": "ES256", **header}).encode())
        body = "" if payload is None else cls.b64(json.dumps(payload).encode())
        r, s = decode_dss_signature(key.sign(f"{protected}.{body}".encode(),
                                             ec.ECDSA(hashes.SHA256())))
        signature = cls.b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
        return {"protected": protected, "payload": body, "signature": signature}

    def post(self, url: str, payload, key=None, use_jwk=False):
        nonce = _http(self.server, "HEAD", self.directory["newNonce"])[1]["Replay-Nonce"]
        key = key or self.key
        header = {"nonce": nonce, "url": url}
        header.update({"jwk": self.jwk(key)} if use_jwk else {"kid": self.kid})
        status, headers, body = _http(self.server, "POST", url,
                                      json.dumps(self.jws(key, header, payload)).encode())
        return status, headers, json.loads(body) if body else None

    def register(self, kid: str, mac_key: str, contact=None):
        import hashlib
        import hmac

        url = self.directory["newAccount"]
        protected = self.b64(json.dumps({"alg": "HS256", "kid": kid, "url": url}).encode())
        payload = self.b64(json.dumps(self.jwk(self.key)).encode())
        raw_key = base64.urlsafe_b64decode(mac_key + "=" * (-len(mac_key) % 4))
        tag = hmac.new(raw_key, f"{protected}.{payload}".encode(), hashlib.sha256).digest()
        eab = {"protected": protected, "payload": payload, "signature": self.b64(tag)}
        body = {"termsOfServiceAgreed": True, "externalAccountBinding": eab}
        if contact is not None:
            body["contact"] = contact
        status, headers, answer = self.post(url, body, use_jwk=True)
        if status in (200, 201):
            self.kid = headers["Location"]
        return status, answer


def test_acme_accounts_roll_keys_over_and_deactivate(server, acm):
    from cryptography.hazmat.primitives.asymmetric import ec

    arn = _endpoint(acm, Contact="REQUIRED")
    eab = acm.create_acme_external_account_binding(AcmeEndpointArn=arn, RoleArn=_role(arn))
    creds = acm.get_acme_external_account_binding_credentials(
        AcmeExternalAccountBindingArn=eab["ExternalAccountBinding"]["AcmeExternalAccountBindingArn"])
    directory = f"{server.endpoint}/_rampart/acme/{arn.rsplit('/', 1)[1]}/directory"
    client = _AcmeClient(server, directory)
    status, problem = client.register(creds["KeyId"], creds["MacKey"])
    assert status == 400 and problem["type"].endswith(":invalidContact")
    status, account = client.register(creds["KeyId"], creds["MacKey"],
                                       contact=["mailto:pki@example.com"])
    assert status == 201 and account["status"] == "valid"
    described = acm.describe_acme_account(AcmeEndpointArn=arn, AccountUrl=client.kid)
    assert described["AcmeAccount"]["Contacts"] == ["mailto:pki@example.com"]
    old_print = described["AcmeAccount"]["PublicKeyThumbprint"]

    new_key = ec.generate_private_key(ec.SECP256R1())
    url = client.directory["keyChange"]
    inner = client.jws(new_key, {"jwk": client.jwk(new_key), "url": url},
                       {"account": client.kid, "oldKey": client.jwk(client.key)})
    status, _, _ = client.post(url, inner)
    assert status == 200
    status, _, problem = client.post(client.kid, None)
    assert status == 400 and "does not verify" in problem["detail"]
    status, _, got = client.post(client.kid, None, key=new_key)
    assert status == 200 and got["status"] == "valid"
    rolled = acm.describe_acme_account(AcmeEndpointArn=arn, AccountUrl=client.kid)
    assert rolled["AcmeAccount"]["PublicKeyThumbprint"] != old_print

    status, headers, order = client.post(client.directory["newOrder"], {
        "identifiers": [{"type": "dns", "value": "Order.Example.com"}]}, key=new_key)
    assert status == 201 and order["status"] == "pending"
    assert order["identifiers"] == [{"type": "dns", "value": "order.example.com"}]
    status, _, authz = client.post(order["authorizations"][0], None, key=new_key)
    assert status == 200
    assert {c["type"] for c in authz["challenges"]} == {"http-01", "dns-01"}
    status, _, listed = client.post(client.kid + "/orders", None, key=new_key)
    assert status == 200 and listed["orders"] == [headers["Location"]]
    status, _, problem = client.post(order["finalize"], {"csr": "AAAA"}, key=new_key)
    assert status == 403 and problem["type"].endswith(":orderNotReady")
    status, _, problem = client.post(client.directory["newOrder"], {
        "identifiers": [{"type": "ip", "value": "127.0.0.1"}]}, key=new_key)
    assert status == 400 and problem["type"].endswith(":rejectedIdentifier")

    status, _, got = client.post(client.kid, {"status": "deactivated"}, key=new_key)
    assert status == 200 and got["status"] == "deactivated"
    status, _, problem = client.post(client.directory["newOrder"], {
        "identifiers": [{"type": "dns", "value": "x.example.com"}]}, key=new_key)
    assert status == 403 and problem["type"].endswith(":unauthorized")
    listed = acm.list_acme_accounts(AcmeEndpointArn=arn)["AcmeAccounts"]
    assert [a["Status"] for a in listed] == ["DEACTIVATED"]

"""STS AssumeRoleWithSAML through boto3 on secure servers: a SAML 2.0 response signed (signxml,
exclusive C14N, RSA-SHA256) by a test IdP whose certificate is in an IAM SAML provider's
metadata assumes a role, and the credentials work; altered, unsigned, foreign-key, expired,
wrongly addressed and untrusted assertions are refused with AWS's error codes; the trust
policy sees the saml:* condition keys."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import SignatureConstructionMethod, XMLSigner

from harness import allow, expect_error, policy_doc, statement, unique

ISSUER = "https://idp.example.com/saml"
SIGNIN = "https://signin.aws.amazon.com/saml"
AWS_ATTR = "https://aws.amazon.com/SAML/Attributes/"
ORG_DN = "urn:oid:1.3.6.1.4.1.5923.1.1.1.3"
NOT_AUTHORIZED = r"^Not authorized to perform sts:AssumeRoleWithSAML$"
BAD_SIGNATURE = r"^Response signature invalid$"


class Idp:
    """A SAML identity provider: an RSA key and its self-signed certificate."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test idp")])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(days=1))
                     .not_valid_after(now + datetime.timedelta(days=365))
                     .sign(self.key, hashes.SHA256()))

    def metadata(self) -> str:
        der = base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{ISSUER}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
        Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"""

    def sign(self, xml: str) -> bytes:
        """The response with its assertion (ID a1) signed where the placeholder stands."""
        signer = XMLSigner(method=SignatureConstructionMethod.enveloped,
                           signature_algorithm="rsa-sha256", digest_algorithm="sha256",
                           c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
        pem = self.cert.public_bytes(serialization.Encoding.PEM)
        signed = signer.sign(etree.fromstring(xml.encode()), key=self.key, cert=pem,
                             reference_uri="#a1", id_attribute="ID")
        return etree.tostring(signed)


def iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def attribute(name: str, *values: str) -> str:
    items = "".join(f"<saml:AttributeValue>{v}</saml:AttributeValue>" for v in values)
    return f'<saml:Attribute Name="{name}">{items}</saml:Attribute>'


def response(role_arn: str, provider_arn: str, *, issued=None, lifetime=300,
             audience="urn:amazon:webservices", recipient=SIGNIN, session="alice",
             extra_attributes="", session_end=None, signature=True) -> str:
    """A SAML response for `role_arn` via `provider_arn`, its assertion unsigned (a
    placeholder where the signature goes)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    issued = issued or now
    end = iso(issued + datetime.timedelta(seconds=lifetime))
    attributes = attribute(AWS_ATTR + "Role", f"{provider_arn},{role_arn}")
    if session is not None:
        attributes += attribute(AWS_ATTR + "RoleSessionName", session)
    placeholder = ('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"/>'
                   if signature else "")
    authn = (f'<saml:AuthnStatement AuthnInstant="{iso(issued)}" '
             f'SessionNotOnOrAfter="{iso(session_end)}"/>' if session_end else
             f'<saml:AuthnStatement AuthnInstant="{iso(issued)}"/>')
    return f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
    xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="r1" Version="2.0"
    IssueInstant="{iso(issued)}" Destination="{recipient}">
  <saml:Issuer>{ISSUER}</saml:Issuer>
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  <saml:Assertion ID="a1" IssueInstant="{iso(issued)}" Version="2.0">
    <saml:Issuer>{ISSUER}</saml:Issuer>
    {placeholder}
    <saml:Subject>
      <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice-id</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData NotOnOrAfter="{end}" Recipient="{recipient}"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotBefore="{iso(issued - datetime.timedelta(seconds=5))}" NotOnOrAfter="{end}">
      <saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    {authn}
    <saml:AttributeStatement>{attributes}{extra_attributes}</saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>"""


def b64(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.b64encode(raw).decode()


@pytest.fixture(scope="module")
def idp():
    return Idp()


@pytest.fixture(scope="module")
def iam(secure_server):
    return secure_server.client("iam")


@pytest.fixture(scope="module")
def anonymous_sts(secure_server):
    return boto3.session.Session(region_name="us-east-1").client(
        "sts", endpoint_url=secure_server.endpoint, verify=str(secure_server.ca_bundle),
        config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))


@pytest.fixture(scope="module")
def provider(iam, idp):
    name = unique("idp")
    arn = iam.create_saml_provider(Name=name, SAMLMetadataDocument=idp.metadata())[
        "SAMLProviderArn"]
    return {"Arn": arn, "Name": name}


def saml_trust(provider_arn: str, condition: dict | None = None) -> str:
    trust = statement("Allow", ["sts:AssumeRoleWithSAML", "sts:TagSession",
                                "sts:SetSourceIdentity"], None,
                      {"Federated": provider_arn}, condition)
    return policy_doc(trust)


@pytest.fixture(scope="module")
def role(iam, provider):
    """A role trusting the provider for saml:aud = the sign-in endpoint, allowed to list roles."""
    trust = saml_trust(provider["Arn"], {"StringEquals": {"SAML:aud": SIGNIN}})
    created = iam.create_role(RoleName=unique("saml-role"), AssumeRolePolicyDocument=trust)["Role"]
    iam.put_role_policy(RoleName=created["RoleName"], PolicyName="read",
                        PolicyDocument=policy_doc(allow("iam:ListRoles")))
    return created


def assume(sts, role, provider, assertion: str, **kwargs):
    return sts.assume_role_with_saml(RoleArn=role["Arn"], PrincipalArn=provider["Arn"],
                                     SAMLAssertion=assertion, **kwargs)


def test_signed_assertion_assumes_the_role(secure_server, anonymous_sts, idp, provider, role):
    extra = (attribute(AWS_ATTR + "PrincipalTag:team", "blue")
             + attribute(AWS_ATTR + "SourceIdentity", "alice-src"))
    signed = idp.sign(response(role["Arn"], provider["Arn"], extra_attributes=extra))
    got = assume(anonymous_sts, role, provider, b64(signed), DurationSeconds=900)
    account = role["Arn"].split(":")[4]
    assert got["Subject"] == "alice-id"
    assert got["SubjectType"] == "persistent"
    assert got["Issuer"] == ISSUER
    assert got["Audience"] == SIGNIN
    qualifier = hashlib.sha1(f"{ISSUER}{account}/{provider['Name']}".encode()).digest()
    assert got["NameQualifier"] == base64.b64encode(qualifier).decode()
    assert got["SourceIdentity"] == "alice-src"
    assert 0 < got["PackedPolicySize"] <= 100
    session_arn = f"arn:aws:sts::{account}:assumed-role/{role['RoleName']}/alice"
    assert got["AssumedRoleUser"] == {"Arn": session_arn,
                                      "AssumedRoleId": f"{role['RoleId']}:alice"}
    creds = got["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    lasts = creds["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(seconds=800) < lasts <= datetime.timedelta(seconds=900)
    keys = {"access_key": creds["AccessKeyId"], "secret_key": creds["SecretAccessKey"],
            "session_token": creds["SessionToken"]}
    assert secure_server.client("sts", **keys).get_caller_identity()["Arn"] == session_arn
    roles = secure_server.client("iam", **keys).list_roles()["Roles"]
    assert any(r["RoleName"] == role["RoleName"] for r in roles)


def test_session_ends_at_session_not_on_or_after(anonymous_sts, idp, provider, role):
    end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1200)
    signed = idp.sign(response(role["Arn"], provider["Arn"], session_end=end))
    got = assume(anonymous_sts, role, provider, b64(signed))
    assert got["Credentials"]["Expiration"] <= end.replace(microsecond=0)
    assert "PackedPolicySize" not in got


def test_altered_unsigned_and_foreign_assertions_are_refused(anonymous_sts, idp, provider, role):
    refuse = lambda xml, code=None, message=BAD_SIGNATURE: expect_error(  # noqa: E731
        assume, code or "InvalidIdentityToken", message, 400, sts=anonymous_sts, role=role,
        provider=provider, assertion=b64(xml))
    signed = idp.sign(response(role["Arn"], provider["Arn"])).decode()
    altered = signed.replace(">alice<", ">mallory<")
    assert altered != signed
    refuse(altered)
    refuse(response(role["Arn"], provider["Arn"], signature=False))
    refuse(Idp().sign(response(role["Arn"], provider["Arn"])))
    # A second, unsigned assertion beside the signed one (signature wrapping) is not read.
    start = signed.index("<saml:Assertion")
    end = signed.index("</saml:Assertion>") + len("</saml:Assertion>")
    evil = re.sub(r"<ds:Signature.*</ds:Signature>", "", signed[start:end], flags=re.S)
    evil = evil.replace('ID="a1"', 'ID="a2"').replace(">alice<", ">mallory<")
    refuse(signed[:end] + evil + signed[end:], message=r"exactly one assertion")
    expect_error(assume, "InvalidIdentityToken", None, 400, sts=anonymous_sts, role=role,
                 provider=provider, assertion=b64("not xml at all"))


def test_expired_and_misaddressed_assertions_are_refused(anonymous_sts, idp, provider, role):
    def refuse(code, message, status=400, **kwargs):
        signed = idp.sign(response(role["Arn"], provider["Arn"], **kwargs))
        expect_error(assume, code, message, status, sts=anonymous_sts, role=role,
                     provider=provider, assertion=b64(signed))

    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)
    refuse("ExpiredTokenException", r"^Token must be redeemed within 5 minutes of issuance$",
           issued=past, lifetime=120)
    refuse("ExpiredTokenException", r"^Token must be redeemed within 5 minutes of issuance$",
           issued=past, lifetime=3600)
    refuse("InvalidIdentityToken", r"audience", audience="urn:example:someone-else")
    refuse("InvalidIdentityToken", r"recipient", recipient="https://sp.example.com/acs")
    refuse("InvalidIdentityToken", r"^RoleSessionName is required in AuthnResponse$", session=None)
    refuse("InvalidIdentityToken",
           r"^RoleSessionName in AuthnResponse must match \[a-zA-Z_0-9\+=,\.@-\]\{2,64\}$",
           session="a b")
    # A regional sign-in endpoint is a valid recipient, but the trust policy's saml:aud
    # condition names the global one.
    refuse("AccessDenied", NOT_AUTHORIZED, 403,
           recipient="https://us-east-2.signin.aws.amazon.com/saml")


def test_roles_not_trusting_the_provider_are_refused(iam, anonymous_sts, idp, provider, role):
    other = iam.create_saml_provider(Name=unique("other-idp"), SAMLMetadataDocument=idp.metadata())
    untrusting = iam.create_role(RoleName=unique("saml-other"),
                                 AssumeRolePolicyDocument=saml_trust(other["SAMLProviderArn"]))
    target = untrusting["Role"]
    signed = idp.sign(response(target["Arn"], provider["Arn"]))
    expect_error(assume, "AccessDenied", NOT_AUTHORIZED, 403, sts=anonymous_sts, role=target,
                 provider=provider, assertion=b64(signed))
    # The assertion's Role attribute must name the requested role.
    signed = idp.sign(response(role["Arn"], provider["Arn"]))
    expect_error(assume, "AccessDenied", NOT_AUTHORIZED, 403, sts=anonymous_sts, role=target,
                 provider=provider, assertion=b64(signed))
    expect_error(anonymous_sts.assume_role_with_saml, "InvalidIdentityToken",
                 r"^Specified provider doesn't exist\.$", 400, RoleArn=role["Arn"],
                 PrincipalArn=provider["Arn"] + "-missing", SAMLAssertion=b64(signed))


def test_saml_condition_keys_and_session_limits(iam, anonymous_sts, idp, provider):
    trust = saml_trust(provider["Arn"], {
        "StringEquals": {"saml:iss": ISSUER, "saml:sub_type": "persistent"},
        "ForAnyValue:StringLike": {"saml:edupersonorgdn": "o=Example*"},
    })
    keyed = iam.create_role(RoleName=unique("saml-keys"), AssumeRolePolicyDocument=trust)["Role"]
    org = attribute(ORG_DN, "o=Example University")
    signed = idp.sign(response(keyed["Arn"], provider["Arn"], extra_attributes=org))
    assert assume(anonymous_sts, keyed, provider, b64(signed))["Subject"] == "alice-id"
    other_org = attribute(ORG_DN, "o=Elsewhere")
    signed = idp.sign(response(keyed["Arn"], provider["Arn"], extra_attributes=other_org))
    expect_error(assume, "AccessDenied", NOT_AUTHORIZED, 403, sts=anonymous_sts, role=keyed,
                 provider=provider, assertion=b64(signed))
    signed = idp.sign(response(keyed["Arn"], provider["Arn"], extra_attributes=org))
    expect_error(assume, "ValidationError", r"MaxSessionDuration", 400, sts=anonymous_sts,
                 role=keyed, provider=provider, assertion=b64(signed), DurationSeconds=7200)
    bad_policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]})
    expect_error(assume, "MalformedPolicyDocument", None, 400, sts=anonymous_sts, role=keyed,
                 provider=provider, assertion=b64(signed), Policy=bad_policy)

"""IAM instance profiles, OpenID Connect providers and SAML providers through boto3 (and one
AWS CLI call) on a secure server: life cycles, AWS's errors, paging and tags, and the role +
instance profile teardown Terraform drives (ListInstanceProfilesForRole, remove the role,
delete the profile, delete the role)."""

from __future__ import annotations

import base64
import datetime
import json
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from harness import eventually, expect_error, trust_policy, unique

THUMB = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"


@pytest.fixture(scope="module")
def iam(secure_server):
    return secure_server.client("iam")


@pytest.fixture(scope="module")
def account(secure_server):
    return secure_server.client("sts").get_caller_identity()["Account"]


def ec2_trust() -> str:
    return trust_policy({"Service": "ec2.amazonaws.com"})


# ----------------------------------------------------------------------------- instance profiles


def test_role_and_instance_profile_teardown_as_terraform_does(iam, account):
    role, profile = unique("tf-role"), unique("tf-profile")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=ec2_trust())
    created = iam.create_instance_profile(InstanceProfileName=profile, Path="/tf/",
                                          Tags=[{"Key": "env", "Value": "ci"}])["InstanceProfile"]
    assert created["Arn"] == f"arn:aws:iam::{account}:instance-profile/tf/{profile}"
    assert re.fullmatch(r"AIPA[A-Z2-7]{17}", created["InstanceProfileId"])
    assert created["Roles"] == []
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
    got = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == [role]
    assert got["Roles"][0]["Arn"] == f"arn:aws:iam::{account}:role/{role}"
    assert got["Tags"] == [{"Key": "env", "Value": "ci"}]
    expect_error(iam.delete_role, "DeleteConflict",
                 r"^Cannot delete entity, must remove roles from instance profile first\.$",
                 status=409, RoleName=role)
    expect_error(iam.delete_instance_profile, "DeleteConflict",
                 r"^Cannot delete entity, must remove roles from instance profile first\.$",
                 status=409, InstanceProfileName=profile)
    # terraform destroy: the listings, then remove, delete profile, delete role.
    for_role = iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in for_role] == [profile]
    iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=role)
    iam.delete_instance_profile(InstanceProfileName=profile)
    assert iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"] == []
    iam.delete_role(RoleName=role)
    expect_error(iam.get_instance_profile, "NoSuchEntity",
                 rf"^Instance Profile {profile} cannot be found\.$", status=404,
                 InstanceProfileName=profile)


def test_instance_profile_errors_quota_and_tags(iam):
    profile, r1, r2 = unique("p"), unique("r1"), unique("r2")
    for role in (r1, r2):
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=ec2_trust())
    iam.create_instance_profile(InstanceProfileName=profile)
    expect_error(iam.create_instance_profile, "EntityAlreadyExists", status=409,
                 InstanceProfileName=profile)
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=r1)
    expect_error(iam.add_role_to_instance_profile, "LimitExceeded",
                 r"^Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1$", status=409,
                 InstanceProfileName=profile, RoleName=r2)
    expect_error(iam.add_role_to_instance_profile, "NoSuchEntity", status=404,
                 InstanceProfileName=profile, RoleName=unique("ghost"))
    iam.tag_instance_profile(InstanceProfileName=profile,
                             Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.untag_instance_profile(InstanceProfileName=profile, TagKeys=["a"])
    tags = iam.list_instance_profile_tags(InstanceProfileName=profile)["Tags"]
    assert tags == [{"Key": "b", "Value": "2"}]
    iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=r1)
    iam.delete_instance_profile(InstanceProfileName=profile)
    for role in (r1, r2):
        iam.delete_role(RoleName=role)


def test_instance_profiles_page_by_path(iam):
    path = f"/{unique('pg')}/"
    names = sorted(unique(f"ip{i}") for i in range(3))
    for name in names:
        iam.create_instance_profile(InstanceProfileName=name, Path=path)
    first = iam.list_instance_profiles(PathPrefix=path, MaxItems=2)
    assert first["IsTruncated"] is True
    rest = iam.list_instance_profiles(PathPrefix=path, MaxItems=2, Marker=first["Marker"])
    assert rest["IsTruncated"] is False
    seen = [p["InstanceProfileName"] for p in first["InstanceProfiles"] + rest["InstanceProfiles"]]
    assert seen == names
    paged = iam.get_paginator("list_instance_profiles").paginate(PathPrefix=path,
                                                                  PaginationConfig={"PageSize": 1})
    assert [p["InstanceProfileName"] for page in paged for p in page["InstanceProfiles"]] == names
    for name in names:
        iam.delete_instance_profile(InstanceProfileName=name)


def test_aws_cli_lists_instance_profiles(secure_server, iam):
    name = unique("cli")
    iam.create_instance_profile(InstanceProfileName=name)
    proc = secure_server.aws("iam", "get-instance-profile", "--instance-profile-name", name)
    assert json.loads(proc.stdout)["InstanceProfile"]["InstanceProfileName"] == name
    iam.delete_instance_profile(InstanceProfileName=name)


# ----------------------------------------------------------------------------- OIDC providers


def test_oidc_provider_life_cycle(iam, account):
    host = f"{unique('issuer')}.example.com"
    arn = iam.create_open_id_connect_provider(
        Url=f"https://{host}/realm", ClientIDList=["sts.amazonaws.com"], ThumbprintList=[THUMB],
        Tags=[{"Key": "ci", "Value": "gh"}])["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{account}:oidc-provider/{host}/realm"
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="app")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                       ClientID="sts.amazonaws.com")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn,
                                                   ThumbprintList=["b" * 40])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == f"{host}/realm"
    assert got["ClientIDList"] == ["app"]
    assert got["ThumbprintList"] == ["b" * 40]
    assert got["Tags"] == [{"Key": "ci", "Value": "gh"}]
    assert isinstance(got["CreateDate"], datetime.datetime)
    listed = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert {"Arn": arn} in listed
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["ci"])
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"] == []
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)  # idempotent
    expect_error(iam.get_open_id_connect_provider, "NoSuchEntity",
                 rf"^OpenIDConnect Provider not found for arn {re.escape(arn)}$", status=404,
                 OpenIDConnectProviderArn=arn)


def test_oidc_provider_refusals(iam):
    host = f"{unique('dup')}.example.com"
    arn = iam.create_open_id_connect_provider(Url=f"https://{host}")["OpenIDConnectProviderArn"]
    expect_error(iam.create_open_id_connect_provider, "EntityAlreadyExists",
                 rf"^Provider with url https://{re.escape(host)} already exists\.$", status=409,
                 Url=f"https://{host}")
    expect_error(iam.create_open_id_connect_provider, "InvalidInput",
                 r"The URL must begin with https://", Url="http://insecure.example.com")
    expect_error(iam.create_open_id_connect_provider, "InvalidInput",
                 r"^Thumbprint list must contain fewer than 5 entries\.$",
                 Url="https://many.example.com", ThumbprintList=[THUMB] * 6)
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)


# ----------------------------------------------------------------------------- SAML providers


def idp_metadata(entity_id: str) -> str:
    """SAML 2.0 IdP metadata with a fresh self-signed signing certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test idp")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=365))
            .sign(key, hashes.SHA256()))
    der = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}"
    validUntil="2099-01-01T00:00:00Z">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"""


def test_saml_provider_life_cycle(iam, account):
    name = unique("idp")
    document = idp_metadata("https://idp.example.com/metadata")
    arn = iam.create_saml_provider(Name=name, SAMLMetadataDocument=document,
                                   Tags=[{"Key": "k", "Value": "v"}])["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::{account}:saml-provider/{name}"
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == document
    assert got["ValidUntil"].year == 2099
    assert re.fullmatch(r"[A-Z0-9]{22,64}", got["SAMLProviderUUID"])
    assert got["Tags"] == [{"Key": "k", "Value": "v"}]
    listed = iam.list_saml_providers()["SAMLProviderList"]
    assert arn in [p["Arn"] for p in listed]
    newer = idp_metadata("https://idp.example.com/metadata2")
    assert iam.update_saml_provider(SAMLProviderArn=arn,
                                    SAMLMetadataDocument=newer)["SAMLProviderArn"] == arn
    assert iam.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"] == newer
    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "k2", "Value": "v2"}])
    iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["k"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"] == [
        {"Key": "k2", "Value": "v2"}]
    iam.delete_saml_provider(SAMLProviderArn=arn)
    expect_error(iam.get_saml_provider, "NoSuchEntity",
                 rf"^Manifest not found for arn {re.escape(arn)}$", status=404,
                 SAMLProviderArn=arn)


def test_saml_metadata_is_checked(iam):
    padding = "<!--" + "x" * 1000 + "-->"
    not_metadata = f"<root>{padding}</root>"
    expect_error(iam.create_saml_provider, "InvalidInput", r"^Could not parse metadata$",
                 Name=unique("bad"), SAMLMetadataDocument=not_metadata)
    no_cert = idp_metadata("https://idp.example.com/x").replace('use="signing"', 'use="encryption"')
    expect_error(iam.create_saml_provider, "InvalidInput", r"^Could not parse metadata$",
                 Name=unique("bad"), SAMLMetadataDocument=no_cert)
    broken = idp_metadata("https://idp.example.com/x").replace("</md:EntityDescriptor>", "")
    expect_error(iam.create_saml_provider, "InvalidInput", r"^Could not parse metadata$",
                 Name=unique("bad"), SAMLMetadataDocument=broken)


def test_saml_decryption_key_is_audited_without_its_secret(secure_server, iam):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    name = unique("enc")
    created = iam.create_saml_provider(Name=name, AddPrivateKey=pem,
                                       AssertionEncryptionMode="Required",
                                       SAMLMetadataDocument=idp_metadata("https://idp.example.com/e"))
    arn = created["SAMLProviderArn"]
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["AssertionEncryptionMode"] == "Required"
    [listed_key] = got["PrivateKeyList"]
    assert re.fullmatch(r"[A-Z0-9]{22,64}", listed_key["KeyId"])
    request_id = created["ResponseMetadata"]["RequestId"]

    def audited():
        events = {e.get("requestID"): e for e in secure_server.audit_tail(200)}
        event = events[request_id]
        assert event["eventName"] == "CreateSAMLProvider"
        assert "PRIVATE KEY" not in json.dumps(event)
    eventually(audited)
    iam.update_saml_provider(SAMLProviderArn=arn, RemovePrivateKey=listed_key["KeyId"])
    assert "PrivateKeyList" not in iam.get_saml_provider(SAMLProviderArn=arn)
    iam.delete_saml_provider(SAMLProviderArn=arn)

"""ACM PCA permissions, resource policies and audit reports end to end with boto3 on a secure
server (SQLite and PostgreSQL) holding two accounts (A: the bootstrap admin's; B: made with
`rampart account create`): CreatePermission/ListPermissions/DeletePermission and their errors;
PutPolicy/GetPolicy/DeletePolicy; B issuing from A's CA only while A's policy shares it (and
only for the template the policy names, and for B's users only when their own policies allow
too), and listing it under ResourceOwner OTHER_ACCOUNTS meanwhile; an audit report listing an issued and a revoked certificate, read with
`rampart acm-pca audit-report`; and the eight operations over RPC v2 CBOR."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path

import boto3
import botocore.loaders
import botocore.session
import pytest
from botocore.config import Config
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from harness import allow, create_user_with_key, eventually, expect_error, policy_doc, unique

TEMPLATE = "arn:aws:acm-pca:::template/{}/V1"
END_ENTITY = TEMPLATE.format("EndEntityCertificate")
EC_CONFIG = {"KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA"}
ACM = "acm.amazonaws.com"
CSV_HEADER = ("awsAccountId,requestedByServicePrincipal,certificateArn,serial,subject,notBefore,"
              "notAfter,issuedAt,revokedAt,revocationReason,templateArn")


@pytest.fixture(scope="module")
def pca(secure_server):
    return secure_server.client("acm-pca")


@pytest.fixture(scope="module")
def other(secure_server):
    """Account B's root credentials and id."""
    created = secure_server.create_account()
    return created


def _leaf_csr(host: str) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
           .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
           .sign(key, hashes.SHA256()))
    return csr.public_bytes(serialization.Encoding.PEM)


def _active_root(pca, cn: str) -> str:
    root = pca.create_certificate_authority(
        CertificateAuthorityType="ROOT",
        CertificateAuthorityConfiguration={**EC_CONFIG, "Subject": {"CommonName": cn, "Country": "US"}},
    )["CertificateAuthorityArn"]
    csr = pca.get_certificate_authority_csr(CertificateAuthorityArn=root)["Csr"].encode()
    arn = pca.issue_certificate(CertificateAuthorityArn=root, Csr=csr, SigningAlgorithm="SHA256WITHECDSA",
                                TemplateArn=TEMPLATE.format("RootCACertificate"),
                                Validity={"Type": "YEARS", "Value": 5})["CertificateArn"]
    cert = pca.get_certificate(CertificateAuthorityArn=root, CertificateArn=arn)["Certificate"]
    pca.import_certificate_authority_certificate(CertificateAuthorityArn=root, Certificate=cert.encode())
    return root


def _issue(pca, ca: str, host: str, template: str = END_ENTITY) -> str:
    return pca.issue_certificate(CertificateAuthorityArn=ca, Csr=_leaf_csr(host),
                                 SigningAlgorithm="SHA256WITHECDSA", TemplateArn=template,
                                 Validity={"Type": "DAYS", "Value": 30})["CertificateArn"]


def test_permissions_crud_and_errors(pca):
    ca = _active_root(pca, unique("perm-root"))
    account = ca.split(":")[4]
    actions = ["IssueCertificate", "GetCertificate", "ListPermissions"]
    pca.create_permission(CertificateAuthorityArn=ca, Principal=ACM, Actions=actions)
    expect_error(pca.create_permission, "PermissionAlreadyExistsException",
                 "^The designated permission has already been given to the user.$",
                 CertificateAuthorityArn=ca, Principal=ACM, Actions=["GetCertificate"])
    expect_error(pca.create_permission, "ValidationException", "acm.amazonaws.com",
                 CertificateAuthorityArn=ca, Principal="s3.amazonaws.com", Actions=["GetCertificate"])
    pca.create_permission(CertificateAuthorityArn=ca, Principal=ACM, Actions=["GetCertificate"],
                          SourceAccount="000000000123")
    listed = pca.list_permissions(CertificateAuthorityArn=ca)["Permissions"]
    assert [(p["SourceAccount"], p["Actions"]) for p in listed] == [
        (account, actions), ("000000000123", ["GetCertificate"])]
    policy = json.loads(listed[0]["Policy"])
    statement = policy["Statement"][0]
    assert statement["Principal"] == {"Service": ACM} and statement["Resource"] == ca
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": account}}

    first = pca.list_permissions(CertificateAuthorityArn=ca, MaxResults=1)
    assert len(first["Permissions"]) == 1 and first["NextToken"]
    rest = pca.list_permissions(CertificateAuthorityArn=ca, MaxResults=1, NextToken=first["NextToken"])
    assert rest["Permissions"][0]["SourceAccount"] == "000000000123" and "NextToken" not in rest
    expect_error(pca.list_permissions, "InvalidNextTokenException",
                 CertificateAuthorityArn=ca, NextToken="bm9wZQ")

    pca.delete_permission(CertificateAuthorityArn=ca, Principal=ACM)
    expect_error(pca.delete_permission, "ResourceNotFoundException",
                 CertificateAuthorityArn=ca, Principal=ACM)
    assert len(pca.list_permissions(CertificateAuthorityArn=ca)["Permissions"]) == 1
    missing = ca.rsplit("/", 1)[0] + "/00000000-0000-4000-8000-000000000000"
    expect_error(pca.create_permission, "ResourceNotFoundException",
                 CertificateAuthorityArn=missing, Principal=ACM, Actions=["GetCertificate"])

    # A DELETED CA takes no permissions.
    pca.update_certificate_authority(CertificateAuthorityArn=ca, Status="DISABLED")
    pca.delete_certificate_authority(CertificateAuthorityArn=ca)
    expect_error(pca.create_permission, "InvalidStateException",
                 CertificateAuthorityArn=ca, Principal=ACM, Actions=["GetCertificate"])


def _sharing_policy(ca: str, account: str) -> str:
    return policy_doc(
        {"Sid": "read", "Effect": "Allow", "Principal": {"AWS": account},
         "Action": ["acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate",
                    "acm-pca:GetCertificateAuthorityCertificate"], "Resource": ca},
        {"Sid": "issue", "Effect": "Allow", "Principal": {"AWS": account},
         "Action": "acm-pca:IssueCertificate", "Resource": ca,
         "Condition": {"StringEquals": {"acm-pca:TemplateArn": END_ENTITY}}},
    )


def test_policies_share_a_ca_with_another_account(secure_server, pca, other):
    ca = _active_root(pca, unique("shared-root"))
    b_id = other["AccountId"]
    b_pca = secure_server.client_for("acm-pca", other)
    denied = f"is not authorized to perform: acm-pca:IssueCertificate on resource: {ca}"
    expect_error(_issue, "AccessDeniedException", denied, pca=b_pca, ca=ca, host="b.example.com")
    expect_error(pca.get_policy, "ResourceNotFoundException", ca, ResourceArn=ca)
    expect_error(pca.put_policy, "InvalidPolicyException", ResourceArn=ca, Policy="{nope")
    too_much = _sharing_policy(ca, b_id).replace("acm-pca:GetCertificate\"",
                                                 "acm-pca:DeleteCertificateAuthority\"")
    expect_error(pca.put_policy, "InvalidPolicyException", "RAM managed permissions",
                 ResourceArn=ca, Policy=too_much)

    policy = _sharing_policy(ca, b_id)
    pca.put_policy(ResourceArn=ca, Policy=policy)
    assert pca.get_policy(ResourceArn=ca)["Policy"] == policy
    cert_arn = _issue(b_pca, ca, "b.example.com")
    got = b_pca.get_certificate(CertificateAuthorityArn=ca, CertificateArn=cert_arn)
    leaf = x509.load_pem_x509_certificate(got["Certificate"].encode())
    assert leaf.subject.rfc4514_string() == "CN=b.example.com"
    owner = b_pca.describe_certificate_authority(CertificateAuthorityArn=ca)["CertificateAuthority"]
    assert owner["OwnerAccount"] == ca.split(":")[4]
    shared = b_pca.list_certificate_authorities(ResourceOwner="OTHER_ACCOUNTS")["CertificateAuthorities"]
    assert [c["Arn"] for c in shared] == [ca]
    assert all(c["Arn"] != ca for c in pca.list_certificate_authorities(
        ResourceOwner="OTHER_ACCOUNTS")["CertificateAuthorities"])
    # Only the shared template, only the shared actions.
    expect_error(_issue, "AccessDeniedException", pca=b_pca, ca=ca, host="b.example.com",
                 template=TEMPLATE.format("EndEntityClientAuthCertificate"))
    expect_error(b_pca.list_tags, "AccessDeniedException", CertificateAuthorityArn=ca)
    expect_error(b_pca.put_policy, "AccessDeniedException", ResourceArn=ca, Policy=policy)

    # B's users need their own policies too.
    b_iam = secure_server.client_for("iam", other)
    allowed = create_user_with_key(b_iam, unique("issuer"), policy_doc(allow("acm-pca:IssueCertificate")))
    bare = create_user_with_key(b_iam, unique("bare"), policy_doc(allow("kms:ListKeys")))
    eventually(lambda: _issue(secure_server.client_for("acm-pca", allowed), ca, "u.example.com"))
    expect_error(_issue, "AccessDeniedException", pca=secure_server.client_for("acm-pca", bare),
                 ca=ca, host="u.example.com")

    pca.delete_policy(ResourceArn=ca)
    assert b_pca.list_certificate_authorities(ResourceOwner="OTHER_ACCOUNTS")["CertificateAuthorities"] == []
    expect_error(_issue, "AccessDeniedException", pca=b_pca, ca=ca, host="b.example.com")
    expect_error(pca.get_policy, "ResourceNotFoundException", ResourceArn=ca)
    pca.delete_policy(ResourceArn=ca)  # no policy: still a success, as AWS documents


def _report(secure_server, described: dict) -> str:
    proc = secure_server.rampart("acm-pca", "audit-report", *secure_server.store_args(),
                                 "--bucket", described["S3BucketName"], "--key", described["S3Key"])
    return proc.stdout


def test_audit_report_lists_issued_and_revoked_certificates(secure_server, pca):
    ca = _active_root(pca, unique("audited-root"))
    account, ca_id = ca.split(":")[4], ca.rsplit("/", 1)[1]
    kept = _issue(pca, ca, "kept.example.com")
    revoked_arn = _issue(pca, ca, "revoked.example.com")
    pem = pca.get_certificate(CertificateAuthorityArn=ca, CertificateArn=revoked_arn)["Certificate"]
    revoked = x509.load_pem_x509_certificate(pem.encode())
    pca.revoke_certificate(CertificateAuthorityArn=ca, CertificateSerial=format(revoked.serial_number, "x"),
                           RevocationReason="KEY_COMPROMISE")

    made = pca.create_certificate_authority_audit_report(
        CertificateAuthorityArn=ca, S3BucketName="audit-reports", AuditReportResponseFormat="JSON")
    assert made["S3Key"] == f"audit-report/{ca_id}/{made['AuditReportId']}.json"
    described = pca.describe_certificate_authority_audit_report(
        CertificateAuthorityArn=ca, AuditReportId=made["AuditReportId"])
    assert described["AuditReportStatus"] == "SUCCESS"
    assert described["S3BucketName"] == "audit-reports" and described["S3Key"] == made["S3Key"]
    rows = {row["certificateArn"]: row for row in json.loads(_report(secure_server, described))}
    assert set(rows) >= {kept, revoked_arn} and len(rows) == 3  # and the root's own certificate
    gone = rows[revoked_arn]
    serial = format(revoked.serial_number, "x")
    serial = "0" * (len(serial) % 2) + serial
    assert gone["serial"] == ":".join(serial[i:i + 2] for i in range(0, len(serial), 2))
    assert gone["subject"] == "CN=revoked.example.com"
    assert gone["awsAccountId"] == account and gone["templateArn"] == END_ENTITY
    assert gone["revocationReason"] == "KEY_COMPROMISE" and gone["revokedAt"].endswith("+0000")
    assert gone["notAfter"] == revoked.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%S+0000")
    assert "revokedAt" not in rows[kept] and "revocationReason" not in rows[kept]

    # One report per 30 minutes; another CA's report in CSV.
    expect_error(pca.create_certificate_authority_audit_report, "RequestInProgressException",
                 "30 minutes", CertificateAuthorityArn=ca, S3BucketName="audit-reports",
                 AuditReportResponseFormat="CSV")
    other_ca = _active_root(pca, unique("csv-root"))
    _issue(pca, other_ca, "csv.example.com")
    made = pca.create_certificate_authority_audit_report(
        CertificateAuthorityArn=other_ca, S3BucketName="audit-reports", AuditReportResponseFormat="CSV")
    described = pca.describe_certificate_authority_audit_report(
        CertificateAuthorityArn=other_ca, AuditReportId=made["AuditReportId"])
    text = _report(secure_server, described)
    assert text.splitlines()[0] == CSV_HEADER
    lines = list(csv.DictReader(io.StringIO(text)))
    assert {line["subject"] for line in lines} >= {"CN=csv.example.com"} and len(lines) == 2

    expect_error(pca.describe_certificate_authority_audit_report, "ResourceNotFoundException",
                 CertificateAuthorityArn=ca, AuditReportId="11111111-2222-3333-4444-555555555555")
    expect_error(pca.create_certificate_authority_audit_report, "InvalidArgsException",
                 CertificateAuthorityArn=other_ca, S3BucketName="Bad_Bucket", AuditReportResponseFormat="JSON")
    missing = secure_server.rampart("acm-pca", "audit-report", *secure_server.store_args(),
                                    "--bucket", "audit-reports", "--key", "audit-report/none.json",
                                    check=False)
    assert missing.returncode != 0 and "no audit report" in missing.stderr


def _cbor_client(secure_server, tmp: Path):
    """An acm-pca client whose model lists only smithy-rpc-v2-cbor (the pinned botocore
    prefers `json` when a model offers both), so every call goes as CBOR."""
    model = copy.deepcopy(botocore.loaders.Loader().load_service_model("acm-pca", "service-2"))
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    model["metadata"]["protocol"] = "smithy-rpc-v2-cbor"
    target = tmp / "acm-pca" / model["metadata"]["apiVersion"]
    target.mkdir(parents=True, exist_ok=True)
    (target / "service-2.json").write_text(json.dumps(model))
    core = botocore.session.get_session()
    core.get_component("data_loader").search_paths.insert(0, str(tmp))
    ak, sk = secure_server.admin_credentials()
    session = boto3.session.Session(aws_access_key_id=ak, aws_secret_access_key=sk,
                                    region_name="us-east-1", botocore_session=core)
    return session.client("acm-pca", endpoint_url=secure_server.endpoint,
                          verify=str(secure_server.ca_bundle),
                          config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))


def test_the_new_operations_over_cbor(secure_server, pca, tmp_path):
    cbor = _cbor_client(secure_server, tmp_path)
    sent: list[str] = []
    cbor.meta.events.register("before-send.acm-pca",
                              lambda request, **_: sent.append(request.headers.get("Content-Type")))
    ca = _active_root(pca, unique("cbor-root"))
    cbor.create_permission(CertificateAuthorityArn=ca, Principal=ACM, Actions=["IssueCertificate"])
    listed = cbor.list_permissions(CertificateAuthorityArn=ca)["Permissions"]
    assert listed[0]["Actions"] == ["IssueCertificate"]
    assert listed[0]["CreatedAt"].tzinfo is not None
    cbor.put_policy(ResourceArn=ca, Policy=_sharing_policy(ca, "444455556666"))
    assert json.loads(cbor.get_policy(ResourceArn=ca)["Policy"])["Statement"][0]["Sid"] == "read"
    made = cbor.create_certificate_authority_audit_report(
        CertificateAuthorityArn=ca, S3BucketName="cbor-reports", AuditReportResponseFormat="JSON")
    described = cbor.describe_certificate_authority_audit_report(
        CertificateAuthorityArn=ca, AuditReportId=made["AuditReportId"])
    assert described["AuditReportStatus"] == "SUCCESS" and described["CreatedAt"].tzinfo is not None
    expect_error(cbor.delete_permission, "ResourceNotFoundException", CertificateAuthorityArn=ca,
                 Principal=ACM, SourceAccount="000000000999")
    cbor.delete_policy(ResourceArn=ca)
    assert sent and {s if isinstance(s, str) else s.decode() for s in sent} == {"application/cbor"}

"""ACM's RevokeCertificate, the TagResource family, ResendValidationEmail's refusals and the
organization operations, with boto3 against the real binary: a private certificate from an
ACM PCA CA with OCSP is exported, revoked through ACM, and the CA's OCSP responder answers
`revoked` for it; what cannot be revoked is refused; TagResource and AddTagsToCertificate
share one set of tags; the member and inventory operations answer as for an account outside
an AWS Organization; `rampart acm check-expiry` lists certificates near their end."""

from __future__ import annotations

import os

import pytest
from cryptography import x509
from cryptography.x509 import ocsp

from harness import expect_error
from test_acm import TEMPLATE, _certificate
from test_acmpca_revocation import _ocsp_request, _read_ocsp

EC_CONFIG = {"KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA"}


@pytest.fixture(scope="module")
def acm(server):
    return server.client("acm")


@pytest.fixture(scope="module")
def pca(server):
    return server.client("acm-pca")


@pytest.fixture(scope="module")
def ocsp_root(pca):
    """(CA ARN, root PEM) of an ACTIVE EC root CA with OCSP enabled."""
    ca = pca.create_certificate_authority(
        CertificateAuthorityType="ROOT",
        CertificateAuthorityConfiguration={**EC_CONFIG, "Subject": {"CommonName": "ACM Revoking Root"}},
        RevocationConfiguration={"OcspConfiguration": {"Enabled": True}},
    )["CertificateAuthorityArn"]
    csr = pca.get_certificate_authority_csr(CertificateAuthorityArn=ca)["Csr"].encode()
    issued = pca.issue_certificate(CertificateAuthorityArn=ca, Csr=csr, SigningAlgorithm="SHA256WITHECDSA",
                                   TemplateArn=TEMPLATE.format("RootCACertificate"),
                                   Validity={"Type": "YEARS", "Value": 5})["CertificateArn"]
    root_pem = pca.get_certificate(CertificateAuthorityArn=ca, CertificateArn=issued)["Certificate"]
    pca.import_certificate_authority_certificate(CertificateAuthorityArn=ca, Certificate=root_pem.encode())
    return ca, root_pem


def _ocsp_status(server, region: str, leaf_pem: str, root_pem: str):
    nonce = os.urandom(16)
    answer = server.post(f"/_rampart/acm-pca/ocsp/{region}", _ocsp_request(leaf_pem, root_pem, nonce),
                         {"Content-Type": "application/ocsp-request"})
    assert answer.status == 200
    return _read_ocsp(answer.body, root_pem, nonce)


def test_a_private_certificate_revoked_through_acm_is_revoked_at_its_ca(server, acm, ocsp_root):
    ca, root_pem = ocsp_root
    arn = acm.request_certificate(DomainName="revoke.internal", CertificateAuthorityArn=ca,
                                  KeyAlgorithm="EC_prime256v1")["CertificateArn"]
    assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"] == "ISSUED"
    leaf_pem = acm.get_certificate(CertificateArn=arn)["Certificate"]
    region = arn.split(":")[3]
    assert _ocsp_status(server, region, leaf_pem, root_pem).certificate_status == ocsp.OCSPCertStatus.GOOD

    # Only exported certificates can be revoked.
    expect_error(acm.revoke_certificate, "ValidationException", "previously exported",
                 CertificateArn=arn, RevocationReason="KEY_COMPROMISE")
    acm.export_certificate(CertificateArn=arn, Passphrase=b"revoke pass")
    # ACM PCA has no certificate hold.
    expect_error(acm.revoke_certificate, "ValidationException", "CERTIFICATE_HOLD",
                 CertificateArn=arn, RevocationReason="CERTIFICATE_HOLD")
    assert acm.revoke_certificate(CertificateArn=arn, RevocationReason="KEY_COMPROMISE")[
        "CertificateArn"] == arn
    detail = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert detail["Status"] == "REVOKED" and detail["RevocationReason"] == "KEY_COMPROMISE"
    assert "RevokedAt" in detail
    answer = _ocsp_status(server, region, leaf_pem, root_pem)
    assert answer.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert answer.revocation_reason == x509.ReasonFlags.key_compromise
    expect_error(acm.revoke_certificate, "ValidationException", "already been revoked",
                 CertificateArn=arn, RevocationReason="KEY_COMPROMISE")


def test_what_cannot_be_revoked_is_refused(acm):
    cert_pem, key_pem, _, _ = _certificate("norevoke.example.com")
    imported = acm.import_certificate(Certificate=cert_pem, PrivateKey=key_pem)["CertificateArn"]
    expect_error(acm.revoke_certificate, "ValidationException", "imported",
                 CertificateArn=imported, RevocationReason="UNSPECIFIED")
    pending = acm.request_certificate(DomainName="pending-revoke.example.com",
                                      ValidationMethod="DNS")["CertificateArn"]
    expect_error(acm.revoke_certificate, "ValidationException", "PENDING_VALIDATION",
                 CertificateArn=pending, RevocationReason="UNSPECIFIED")
    expect_error(acm.revoke_certificate, "ValidationException", "revocationReason",
                 CertificateArn=pending, RevocationReason="NOT_A_REASON")
    missing = imported.rsplit("/", 1)[0] + "/00000000-0000-4000-8000-000000000000"
    expect_error(acm.revoke_certificate, "ResourceNotFoundException", CertificateArn=missing,
                 RevocationReason="UNSPECIFIED")


def test_tag_resource_shares_the_certificate_tags(acm):
    cert_pem, key_pem, _, _ = _certificate("tagres.example.com")
    arn = acm.import_certificate(Certificate=cert_pem, PrivateKey=key_pem,
                                 Tags=[{"Key": "team", "Value": "edge"}])["CertificateArn"]
    acm.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "core"}])
    expected = [{"Key": "team", "Value": "core"}, {"Key": "env", "Value": "prod"}]
    assert acm.list_tags_for_resource(ResourceArn=arn)["Tags"] == expected
    assert acm.list_tags_for_certificate(CertificateArn=arn)["Tags"] == expected
    acm.untag_resource(ResourceArn=arn, TagKeys=["team", "absent"])
    assert acm.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "prod"}]
    expect_error(acm.tag_resource, "ValidationException", "aws:", ResourceArn=arn,
                 Tags=[{"Key": "aws:owner", "Value": "x"}])
    expect_error(acm.tag_resource, "ServiceQuotaExceededException", ResourceArn=arn,
                 Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert acm.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "prod"}]
    missing = arn.rsplit("/", 1)[0] + "/00000000-0000-4000-8000-000000000000"
    expect_error(acm.list_tags_for_resource, "ResourceNotFoundException", ResourceArn=missing)
    expect_error(acm.tag_resource, "ValidationException", ResourceArn="arn:aws:acm:us-east-1:1:certificate/x",
                 Tags=[{"Key": "a", "Value": "b"}])


def test_resend_validation_email_refuses_what_it_cannot_resend(acm):
    dns = acm.request_certificate(DomainName="resend-dns.example.com", ValidationMethod="DNS")["CertificateArn"]
    expect_error(acm.resend_validation_email, "InvalidDomainValidationOptionsException",
                 CertificateArn=dns, Domain="resend-dns.example.com", ValidationDomain="example.com")
    cert_pem, key_pem, _, _ = _certificate("resend-imported.example.com")
    imported = acm.import_certificate(Certificate=cert_pem, PrivateKey=key_pem)["CertificateArn"]
    expect_error(acm.resend_validation_email, "InvalidStateException", CertificateArn=imported,
                 Domain="resend-imported.example.com", ValidationDomain="example.com")


ORGANIZATION_CALLS = [
    ("delete_member_certificate", {"CertificateArn": "arn:aws:acm:us-east-1:111122223333:certificate/"
                                                     "12345678-1234-1234-1234-123456789012"}),
    ("get_inventory_configuration", {}),
    ("search_inventory", {}),
    ("revoke_member_certificate", {"CertificateArn": "arn:aws:acm:us-east-1:111122223333:certificate/"
                                                     "12345678-1234-1234-1234-123456789012",
                                   "RevocationReason": "SUPERSEDED"}),
]


@pytest.mark.parametrize("operation,params", ORGANIZATION_CALLS, ids=[c[0] for c in ORGANIZATION_CALLS])
def test_organization_operations_answer_as_outside_an_organization(acm, operation, params):
    method = getattr(acm, operation)
    try:
        method(**params)
    except acm.exceptions.ClientError as err:
        if err.response["Error"]["Code"] == "ParamValidationError":
            raise
        assert err.response["Error"]["Code"] == "AccessDeniedException", err.response
        assert "not a member of an organization" in err.response["Error"]["Message"]
    else:
        pytest.fail(f"{operation} succeeded outside an organization")


def test_organization_operations_validate_input_first(acm):
    expect_error(acm.revoke_member_certificate, "ValidationException", "revocationReason",
                 CertificateArn="arn:aws:acm:us-east-1:111122223333:certificate/"
                                "12345678-1234-1234-1234-123456789012",
                 RevocationReason="NOT_A_REASON")


def test_check_expiry_lists_certificates_expiring_within_the_window(server, acm):
    """`rampart acm check-expiry --days N`: AWS Config's acm-certificate-expiration-check."""
    cert_pem, key_pem, _, _ = _certificate("expiring.example.com", days=(-1, 5))
    arn = acm.import_certificate(Certificate=cert_pem, PrivateKey=key_pem)["CertificateArn"]
    caught = server.rampart("acm", "check-expiry", "--days", "10", *server.store_args(), check=False)
    assert caught.returncode == 1, caught.stderr
    line = next(row for row in caught.stdout.splitlines() if arn in row)
    fields = line.split("\t")
    assert fields[0] == "NON_COMPLIANT" and fields[2] == "expiring.example.com" and fields[3] == "ISSUED"
    assert int(fields[5]) in (4, 5)
    assert "NON_COMPLIANT" in caught.stderr
    clear = server.rampart("acm", "check-expiry", "--days", "2", *server.store_args(), check=False)
    assert clear.returncode == 0, clear.stdout + clear.stderr
    assert arn not in clear.stdout

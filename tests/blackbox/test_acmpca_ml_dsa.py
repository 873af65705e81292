"""ACM PCA ML-DSA CA keys end to end with boto3 on a secure server (SQLite and PostgreSQL): a
root of each ML-DSA parameter set self-issued and imported, a leaf for an ECDSA CSR, both
signed under id-ml-dsa-44/65/87 without parameters (RFC 9881) and verified with
`cryptography`'s ML-DSA; a signing algorithm that does not fit the key refused."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from harness import expect_error

TEMPLATE = "arn:aws:acm-pca:::template/{}/V1"
SETS = [("ML_DSA_44", "2.16.840.1.101.3.4.3.17"), ("ML_DSA_65", "2.16.840.1.101.3.4.3.18"),
        ("ML_DSA_87", "2.16.840.1.101.3.4.3.19")]


@pytest.fixture(scope="module")
def pca(secure_server):
    return secure_server.client("acm-pca")


def _issue(pca, ca: str, csr: bytes, template: str, validity: dict, signing: str) -> str:
    arn = pca.issue_certificate(CertificateAuthorityArn=ca, Csr=csr, SigningAlgorithm=signing,
                                TemplateArn=TEMPLATE.format(template),
                                Validity=validity)["CertificateArn"]
    return pca.get_certificate(CertificateAuthorityArn=ca, CertificateArn=arn)["Certificate"]


def _leaf_csr() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "pq.example")]))
           .sign(key, hashes.SHA256()))
    return csr.public_bytes(serialization.Encoding.PEM)


@pytest.mark.parametrize("name,oid", SETS)
def test_ml_dsa_root_and_leaf(pca, name, oid):
    config = {"KeyAlgorithm": name, "SigningAlgorithm": name,
              "Subject": {"CommonName": f"PQ Root {name}"}}
    root = pca.create_certificate_authority(
        CertificateAuthorityType="ROOT", CertificateAuthorityConfiguration=config,
    )["CertificateAuthorityArn"]
    csr = pca.get_certificate_authority_csr(CertificateAuthorityArn=root)["Csr"].encode()
    root_pem = _issue(pca, root, csr, "RootCACertificate", {"Type": "YEARS", "Value": 5}, name)
    pca.import_certificate_authority_certificate(CertificateAuthorityArn=root,
                                                 Certificate=root_pem.encode())
    leaf_pem = _issue(pca, root, _leaf_csr(), "EndEntityCertificate",
                      {"Type": "DAYS", "Value": 30}, name)
    root_cert = x509.load_pem_x509_certificate(root_pem.encode())
    leaf = x509.load_pem_x509_certificate(leaf_pem.encode())
    for cert in (root_cert, leaf):
        assert cert.signature_algorithm_oid.dotted_string == oid
    root_cert.verify_directly_issued_by(root_cert)
    leaf.verify_directly_issued_by(root_cert)
    expect_error(pca.issue_certificate, "InvalidArgsException", CertificateAuthorityArn=root,
                 Csr=_leaf_csr(), SigningAlgorithm="SHA256WITHECDSA",
                 Validity={"Type": "DAYS", "Value": 1})


def test_ml_dsa_needs_its_own_signing_algorithm(pca):
    config = {"KeyAlgorithm": "ML_DSA_65", "SigningAlgorithm": "ML_DSA_44",
              "Subject": {"CommonName": "Mismatch"}}
    expect_error(pca.create_certificate_authority, "InvalidArgsException",
                 CertificateAuthorityType="ROOT", CertificateAuthorityConfiguration=config)

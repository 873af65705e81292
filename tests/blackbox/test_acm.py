"""ACM end to end with boto3: a certificate made with `cryptography` imported (and refused
when its key does not match or its chain is out of order), described, fetched, listed,
tagged, re-imported and deleted; a private certificate requested from an ACM PCA CA made in
the test, its chain verified with `cryptography`, exported with a passphrase and its key
decrypted; a public request pending DNS validation; AWS errors; the AWS CLI; imported keys
never in the database in plaintext."""

from __future__ import annotations

import datetime
import json
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from harness import allow, create_user_with_key, eventually, expect_error, policy_doc, unique

TEMPLATE = "arn:aws:acm-pca:::template/{}/V1"


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Rampart Black Box")])


def _certificate(cn: str, key=None, issuer=None, days=(-1, 90), ca=False):
    """(certificate PEM, key PEM, cert, key) signed by `issuer` (cert, key) or itself."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.timezone.utc)
    issuer_cert, issuer_key = issuer or (None, key)
    builder = (x509.CertificateBuilder()
               .subject_name(_name(cn))
               .issuer_name(issuer_cert.subject if issuer_cert else _name(cn))
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now + datetime.timedelta(days=days[0]))
               .not_valid_after(now + datetime.timedelta(days=days[1]))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(cn), x509.DNSName(f"www.{cn}")]), critical=False)
    cert = builder.sign(issuer_key, hashes.SHA256())
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem, cert, key


@pytest.fixture(scope="module")
def acm(server):
    return server.client("acm")


@pytest.fixture(scope="module")
def pca(server):
    return server.client("acm-pca")


def _active_root(pca) -> str:
    """An ACTIVE ACM PCA root CA (RSA 2048)."""
    ca = pca.create_certificate_authority(
        CertificateAuthorityType="ROOT",
        CertificateAuthorityConfiguration={
            "KeyAlgorithm": "RSA_2048", "SigningAlgorithm": "SHA256WITHRSA",
            "Subject": {"CommonName": "ACM Black Box Root", "Organization": "Rampart"}},
    )["CertificateAuthorityArn"]
    csr = pca.get_certificate_authority_csr(CertificateAuthorityArn=ca)["Csr"]
    issued = pca.issue_certificate(CertificateAuthorityArn=ca, Csr=csr.encode(),
                                   SigningAlgorithm="SHA256WITHRSA",
                                   TemplateArn=TEMPLATE.format("RootCACertificate"),
                                   Validity={"Type": "YEARS", "Value": 5})
    got = pca.get_certificate(CertificateAuthorityArn=ca, CertificateArn=issued["CertificateArn"])
    pca.import_certificate_authority_certificate(CertificateAuthorityArn=ca,
                                                 Certificate=got["Certificate"].encode())
    return ca


def test_import_describe_get_list_tag_reimport_delete(acm):
    cert_pem, key_pem, cert, _ = _certificate("import.example.com")
    arn = acm.import_certificate(Certificate=cert_pem, PrivateKey=key_pem,
                                 Tags=[{"Key": "team", "Value": "edge"}])["CertificateArn"]
    detail = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert detail["Type"] == "IMPORTED" and detail["Status"] == "ISSUED"
    assert detail["KeyAlgorithm"] == "RSA_2048" and detail["SignatureAlgorithm"] == "SHA256WITHRSA"
    assert detail["DomainName"] == "import.example.com"
    assert detail["SubjectAlternativeNames"] == ["import.example.com", "www.import.example.com"]
    assert int(detail["Serial"].replace(":", ""), 16) == cert.serial_number
    assert detail["NotAfter"].timestamp() == pytest.approx(cert.not_valid_after_utc.timestamp())
    got = acm.get_certificate(CertificateArn=arn)
    assert x509.load_pem_x509_certificate(got["Certificate"].encode()) == cert
    listed = acm.list_certificates(CertificateStatuses=["ISSUED"])["CertificateSummaryList"]
    assert arn in [c["CertificateArn"] for c in listed]
    assert acm.list_tags_for_certificate(CertificateArn=arn)["Tags"] == [{"Key": "team", "Value": "edge"}]
    acm.add_tags_to_certificate(CertificateArn=arn, Tags=[{"Key": "env", "Value": "test"}])
    acm.remove_tags_from_certificate(CertificateArn=arn, Tags=[{"Key": "team"}])
    assert acm.list_tags_for_certificate(CertificateArn=arn)["Tags"] == [{"Key": "env", "Value": "test"}]

    # Re-import keeps the ARN; tags are refused on re-import.
    new_pem, new_key, _, _ = _certificate("import.example.com")
    assert acm.import_certificate(CertificateArn=arn, Certificate=new_pem, PrivateKey=new_key)[
        "CertificateArn"] == arn
    expect_error(acm.import_certificate, "ValidationException", "^Tagging is not permitted on re-import.$",
                 CertificateArn=arn, Certificate=new_pem, PrivateKey=new_key,
                 Tags=[{"Key": "a", "Value": "b"}])

    acm.delete_certificate(CertificateArn=arn)
    expect_error(acm.describe_certificate, "ResourceNotFoundException",
                 f"^Could not find certificate {arn} in account", CertificateArn=arn)


def test_imports_are_refused_as_acm_refuses_them(acm):
    cert_pem, _, _, _ = _certificate("mismatch.example.com")
    _, other_key, _, _ = _certificate("other.example.com")
    expect_error(acm.import_certificate, "ValidationException", "does not match",
                 Certificate=cert_pem, PrivateKey=other_key)
    expired_pem, expired_key, _, _ = _certificate("old.example.com", days=(-30, -1))
    expect_error(acm.import_certificate, "ValidationException", "expired",
                 Certificate=expired_pem, PrivateKey=expired_key)
    root_pem, _, root, root_key = _certificate("Chain Root", ca=True)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf_pem, leaf_key_pem, _, _ = _certificate("leaf.example.com", key=leaf_key, issuer=(root, root_key))
    arn = acm.import_certificate(Certificate=leaf_pem, PrivateKey=leaf_key_pem,
                                 CertificateChain=root_pem)["CertificateArn"]
    detail = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert detail["KeyAlgorithm"] == "EC_prime256v1" and detail["Issuer"] == "Rampart Black Box"
    # Not RSA_2048: hidden from the default list, shown when asked for.
    default = [c["CertificateArn"] for c in acm.list_certificates()["CertificateSummaryList"]]
    assert arn not in default
    ec_list = acm.list_certificates(Includes={"keyTypes": ["EC_prime256v1"]})["CertificateSummaryList"]
    assert arn in [c["CertificateArn"] for c in ec_list]
    stranger_pem, _, _, _ = _certificate("Stranger Root", ca=True)
    expect_error(acm.import_certificate, "ValidationException",
                 "The index within the chain of the invalid certificate is: 0",
                 Certificate=leaf_pem, PrivateKey=leaf_key_pem, CertificateChain=stranger_pem)


def test_traditional_key_formats_import(acm):
    """PKCS #1 (`RSA PRIVATE KEY`) and SEC1 (`EC PRIVATE KEY`) keys import like PKCS #8."""
    for key, expected in ((rsa.generate_private_key(public_exponent=65537, key_size=3072), "RSA_3072"),
                          (ec.generate_private_key(ec.SECP521R1()), "EC_secp521r1")):
        cert_pem = _certificate("legacy.example.com", key=key)[0]
        key_pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.TraditionalOpenSSL,
                                    serialization.NoEncryption())
        assert b"-----BEGIN RSA PRIVATE KEY-----" in key_pem or b"-----BEGIN EC PRIVATE KEY-----" in key_pem
        arn = acm.import_certificate(Certificate=cert_pem, PrivateKey=key_pem)["CertificateArn"]
        assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["KeyAlgorithm"] == expected
    encrypted = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"secret"))
    expect_error(acm.import_certificate, "ValidationException", "encrypted",
                 Certificate=cert_pem, PrivateKey=encrypted)


def test_private_certificate_from_a_pca_ca_exports_and_renews(acm, pca):
    ca = _active_root(pca)
    arn = acm.request_certificate(DomainName="svc.internal", SubjectAlternativeNames=["api.internal"],
                                  CertificateAuthorityArn=ca, IdempotencyToken="private1")["CertificateArn"]
    assert acm.request_certificate(DomainName="svc.internal", CertificateAuthorityArn=ca,
                                   IdempotencyToken="private1")["CertificateArn"] == arn
    detail = eventually(lambda: acm.describe_certificate(CertificateArn=arn))["Certificate"]
    assert detail["Type"] == "PRIVATE" and detail["Status"] == "ISSUED"
    assert detail["CertificateAuthorityArn"] == ca
    got = acm.get_certificate(CertificateArn=arn)
    leaf = x509.load_pem_x509_certificate(got["Certificate"].encode())
    root = x509.load_pem_x509_certificate(got["CertificateChain"].encode())
    leaf.verify_directly_issued_by(root)
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["svc.internal", "api.internal"]

    exported = acm.export_certificate(CertificateArn=arn, Passphrase=b"correct horse")
    assert exported["PrivateKey"].startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    key = serialization.load_pem_private_key(exported["PrivateKey"].encode(), password=b"correct horse")
    assert key.public_key().public_numbers() == leaf.public_key().public_numbers()
    with pytest.raises(ValueError):
        serialization.load_pem_private_key(exported["PrivateKey"].encode(), password=b"wrong")
    assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["RenewalEligibility"] == "ELIGIBLE"

    acm.renew_certificate(CertificateArn=arn)
    renewed = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert renewed["RenewalSummary"]["RenewalStatus"] == "SUCCESS"
    assert renewed["Serial"] != detail["Serial"]


def test_public_request_waits_for_dns_validation(acm):
    arn = acm.request_certificate(DomainName="*.pending.example.com", ValidationMethod="DNS",
                                  KeyAlgorithm="EC_prime256v1")["CertificateArn"]
    detail = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert detail["Type"] == "AMAZON_ISSUED" and detail["Status"] == "PENDING_VALIDATION"
    record = detail["DomainValidationOptions"][0]["ResourceRecord"]
    assert record["Type"] == "CNAME" and record["Name"].endswith(".pending.example.com.")
    assert record["Value"].endswith(".acm-validations.aws.")
    expect_error(acm.get_certificate, "RequestInProgressException", CertificateArn=arn)
    expect_error(acm.request_certificate, "InvalidParameterException", DomainName="x.example.com",
                 KeyAlgorithm="RSA_4096")
    expect_error(acm.request_certificate, "ValidationException", "regular expression pattern",
                 DomainName="-bad-.example.com")


def test_errors_as_aws_answers_them(acm):
    cert_pem, key_pem, _, _ = _certificate("noexport.example.com")
    arn = acm.import_certificate(Certificate=cert_pem, PrivateKey=key_pem)["CertificateArn"]
    expect_error(acm.export_certificate, "ValidationException",
                 f"^Certificate ARN: {arn} is not a private certificate$",
                 CertificateArn=arn, Passphrase=b"pass1234")
    bad = arn.rsplit("/", 1)[0] + "/not-a-uuid"
    expect_error(acm.describe_certificate, "InvalidArnException", CertificateArn=bad)
    config = acm.get_account_configuration()
    assert config["ExpiryEvents"]["DaysBeforeExpiry"] in (45, 30)
    acm.put_account_configuration(ExpiryEvents={"DaysBeforeExpiry": 30}, IdempotencyToken="bb1")
    assert acm.get_account_configuration()["ExpiryEvents"]["DaysBeforeExpiry"] == 30


def test_search_and_domain_validations(acm):
    cert_pem, key_pem, _, _ = _certificate("search.example.com")
    arn = acm.import_certificate(Certificate=cert_pem, PrivateKey=key_pem)["CertificateArn"]
    found = acm.search_certificates(FilterStatement={"And": [
        {"Filter": {"X509AttributeFilter": {"Subject": {"CommonName": {
            "Value": "search.example.com", "ComparisonOperator": "EQUALS"}}}}},
        {"Filter": {"AcmCertificateMetadataFilter": {"Type": "IMPORTED"}}},
    ]})["Results"]
    assert [r["CertificateArn"] for r in found] == [arn]
    assert found[0]["X509Attributes"]["Issuer"]["Organization"] == "Rampart Black Box"
    pending = acm.request_certificate(DomainName="dv.example.com", ValidationMethod="DNS",
                                      SubjectAlternativeNames=["www.dv.example.com"])["CertificateArn"]
    summaries = acm.list_certificate_domain_validations(CertificateArn=pending)[
        "DomainValidationSummaryList"]
    assert [s["DomainName"] for s in summaries] == ["dv.example.com", "www.dv.example.com"]
    challenge = summaries[0]["ActiveValidationConfiguration"]["ValidationChallenge"]
    assert challenge["DnsValidationChallenge"]["ResourceRecord"]["Type"] == "CNAME"


def test_the_aws_cli_lists_certificates(server, acm):
    cert_pem, key_pem, _, _ = _certificate("cli.example.com")
    arn = acm.import_certificate(Certificate=cert_pem, PrivateKey=key_pem)["CertificateArn"]
    listed = server.aws("acm", "list-certificates")
    arns = [c["CertificateArn"] for c in json.loads(listed.stdout)["CertificateSummaryList"]]
    assert arn in arns


def test_iam_policies_decide(server, acm):
    if server.dev:
        pytest.skip("dev mode does not verify signatures, so callers are not IAM users")
    arns = []
    for cn in ("iam-one.example.com", "iam-two.example.com"):
        cert_pem, key_pem, _, _ = _certificate(cn)
        arns.append(acm.import_certificate(Certificate=cert_pem, PrivateKey=key_pem)["CertificateArn"])
    user = create_user_with_key(server.client("iam"), unique("acm-reader"), policy_doc(
        allow(["acm:DescribeCertificate"], arns[0])))
    reader = server.client_for("acm", user)
    got = eventually(lambda: reader.describe_certificate(CertificateArn=arns[0]))
    assert got["Certificate"]["CertificateArn"] == arns[0]
    expect_error(reader.describe_certificate, "AccessDeniedException",
                 r"is not authorized to perform: acm:DescribeCertificate on resource: " + arns[1],
                 CertificateArn=arns[1])
    expect_error(reader.delete_certificate, "AccessDeniedException", "acm:DeleteCertificate",
                 CertificateArn=arns[0])
    acm.describe_certificate(CertificateArn=arns[0])


def test_calls_are_audited_without_keys(server, acm, pca):
    ca = _active_root(pca)
    arn = acm.request_certificate(DomainName="audit.internal", CertificateAuthorityArn=ca)["CertificateArn"]
    exported = acm.export_certificate(CertificateArn=arn, Passphrase=b"audit pass")
    cert_pem, key_pem, _, _ = _certificate("audit-import.example.com")
    imported = acm.import_certificate(Certificate=cert_pem, PrivateKey=key_pem)["CertificateArn"]

    def audited():
        events = [e for e in server.audit_tail(300) if e.get("eventSource") == "acm.amazonaws.com"]
        export = [e for e in events if e.get("eventName") == "ExportCertificate"
                  and any(r.get("ARN") == arn for r in e.get("resources") or [])]
        assert export and export[-1]["responseElements"] is None
        assert "passphrase" not in json.dumps(export[-1]["requestParameters"]).lower()
        imports = [e for e in events if e.get("eventName") == "ImportCertificate"
                   and any(r.get("ARN") == imported for r in e.get("resources") or [])]
        assert imports and "privateKey" not in json.dumps(imports[-1]["requestParameters"])
        text = json.dumps(events)
        assert key_pem.decode().splitlines()[1] not in text
        assert exported["PrivateKey"].splitlines()[1] not in text
    eventually(audited)


def _database_bytes(server) -> dict[str, bytes]:
    if server.postgres:
        dump = subprocess.run(["pg_dump", "--data-only", server.database_url],
                              check=True, capture_output=True, timeout=120)
        return {"pg_dump": dump.stdout}
    return {f.name: f.read_bytes() for f in sorted(server.data_dir.glob("rampart.db*"))}


def test_imported_keys_are_not_in_the_database(server, acm):
    _, key_pem, _, key = _certificate("sealed.example.com")
    cert_pem = _certificate("sealed.example.com", key=key)[0]
    acm.import_certificate(Certificate=cert_pem, PrivateKey=key_pem)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    secret = der[-64:-16]
    for place, data in _database_bytes(server).items():
        assert secret not in data, f"an imported private key is in {place}"
        assert key_pem[40:100] not in data, f"an imported private key (PEM) is in {place}"

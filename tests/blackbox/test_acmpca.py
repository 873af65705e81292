"""ACM PCA end to end: a root CA self-issued and imported, a subordinate under it, a leaf from a
`cryptography` CSR that `openssl verify` accepts (hostname checked), revocation, disable and
enable, delete and restore, AWS errors; boto3 over RPC v2 CBOR (checked on the wire) and JSON
1.1 (the pinned botocore's default for acm-pca, and once by hand), the AWS CLI, and CA private
keys never in the database in plaintext."""

from __future__ import annotations

import base64
import copy
import json
import subprocess
import time
from pathlib import Path

import boto3
import botocore.loaders
import botocore.session
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from harness import (
    JSON_11,
    SECURE_SQLITE,
    allow,
    create_user_with_key,
    eventually,
    expect_error,
    policy_doc,
    raw_http,
    unique,
)

TEMPLATE = "arn:aws:acm-pca:::template/{}/V1"
EC_CONFIG = {"KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA"}
# The start of an unencrypted PKCS#8 P-256 private key (version, ecPublicKey, prime256v1,
# ECPrivateKey version 1, 32-byte scalar follows).
P256_PKCS8_PREFIX = bytes.fromhex(
    "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420"
)


def _cbor_session(tmp: Path) -> botocore.session.Session:
    """A botocore session whose acm-pca model lists only smithy-rpc-v2-cbor, so the client
    speaks CBOR (the pinned botocore prefers `json` when a model offers both)."""
    # Through a session's loader, which reads AWS_DATA_PATH (the pinned models) first.
    loader = botocore.session.get_session().get_component("data_loader")
    model = copy.deepcopy(loader.load_service_model("acm-pca", "service-2"))
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    model["metadata"]["protocol"] = "smithy-rpc-v2-cbor"
    target = tmp / "acm-pca" / model["metadata"]["apiVersion"]
    target.mkdir(parents=True, exist_ok=True)
    (target / "service-2.json").write_text(json.dumps(model))
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, str(tmp))
    return session


@pytest.fixture(scope="module")
def wire(server, tmp_path_factory):
    """(cbor client, json client, the Content-Types each sent)."""
    ak, sk = server.admin_credentials()
    config = Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=60)
    verify = str(server.ca_bundle) if server.ca_bundle else False
    seen: dict[str, list[str]] = {"cbor": [], "json": []}
    clients = {}
    for kind, core in (("cbor", _cbor_session(tmp_path_factory.mktemp("models"))),
                       ("json", botocore.session.get_session())):
        session = boto3.session.Session(aws_access_key_id=ak, aws_secret_access_key=sk,
                                        region_name="us-east-1", botocore_session=core)
        client = session.client("acm-pca", endpoint_url=server.endpoint, verify=verify,
                                config=config)

        def record(request, kind=kind, **_):
            value = request.headers.get("Content-Type", "")
            seen[kind].append(value.decode() if isinstance(value, bytes) else value)

        client.meta.events.register("before-send.acm-pca", record)
        clients[kind] = client
    return clients["cbor"], clients["json"], seen


def _create(pca, ca_type: str, cn: str, config: dict = EC_CONFIG, **kwargs) -> str:
    return pca.create_certificate_authority(
        CertificateAuthorityType=ca_type,
        CertificateAuthorityConfiguration={**config, "Subject": {"CommonName": cn, "Country": "US"}},
        **kwargs,
    )["CertificateAuthorityArn"]


def _issue(pca, ca: str, csr: bytes, template: str, validity: dict, signing="SHA256WITHECDSA"):
    arn = pca.issue_certificate(CertificateAuthorityArn=ca, Csr=csr, SigningAlgorithm=signing,
                                TemplateArn=TEMPLATE.format(template), Validity=validity)
    got = pca.get_certificate(CertificateAuthorityArn=ca, CertificateArn=arn["CertificateArn"])
    return got["Certificate"], got.get("CertificateChain")


def _active_root(pca, cn: str) -> tuple[str, str]:
    root = _create(pca, "ROOT", cn)
    status = pca.describe_certificate_authority(CertificateAuthorityArn=root)
    assert status["CertificateAuthority"]["Status"] == "PENDING_CERTIFICATE"
    csr = pca.get_certificate_authority_csr(CertificateAuthorityArn=root)["Csr"]
    cert, chain = _issue(pca, root, csr.encode(), "RootCACertificate", {"Type": "YEARS", "Value": 10})
    assert chain is None
    pca.import_certificate_authority_certificate(CertificateAuthorityArn=root, Certificate=cert.encode())
    ca = pca.describe_certificate_authority(CertificateAuthorityArn=root)["CertificateAuthority"]
    assert ca["Status"] == "ACTIVE" and ca["Type"] == "ROOT"
    return root, cert


def _leaf_csr(host: str) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
           .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
           .sign(key, hashes.SHA256()))
    return csr.public_bytes(serialization.Encoding.PEM)


def _openssl_verify(tmp: Path, root: str, sub: str, leaf: str, host: str) -> subprocess.CompletedProcess:
    for name, pem in (("root", root), ("sub", sub), ("leaf", leaf)):
        (tmp / f"{name}.pem").write_text(pem + "\n")
    return subprocess.run(
        ["openssl", "verify", "-CAfile", str(tmp / "root.pem"), "-untrusted", str(tmp / "sub.pem"),
         "-verify_hostname", host, str(tmp / "leaf.pem")],
        capture_output=True, text=True, timeout=30,
    )


def test_hierarchy_over_cbor_verifies_with_openssl(wire, tmp_path):
    pca, _, seen = wire
    root, root_pem = _active_root(pca, "Rampart Test Root")
    sub = _create(pca, "SUBORDINATE", "Rampart Test Issuing")
    sub_csr = pca.get_certificate_authority_csr(CertificateAuthorityArn=sub)["Csr"]
    sub_pem, chain = _issue(pca, root, sub_csr.encode(), "SubordinateCACertificate_PathLen0",
                            {"Type": "YEARS", "Value": 5})
    assert chain == root_pem
    pca.import_certificate_authority_certificate(
        CertificateAuthorityArn=sub, Certificate=sub_pem.encode(), CertificateChain=root_pem.encode())
    got = pca.get_certificate_authority_certificate(CertificateAuthorityArn=sub)
    assert got["Certificate"] == sub_pem and got["CertificateChain"] == root_pem

    host = "app.example.internal"
    leaf_pem, chain = _issue(pca, sub, _leaf_csr(host), "EndEntityCertificate", {"Type": "DAYS", "Value": 30})
    assert chain == f"{sub_pem}\n{root_pem}"
    ok = _openssl_verify(tmp_path, root_pem, sub_pem, leaf_pem, host)
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stdout + ok.stderr
    wrong = _openssl_verify(tmp_path, root_pem, sub_pem, leaf_pem, "other.example.internal")
    assert wrong.returncode != 0
    leaf = x509.load_pem_x509_certificate(leaf_pem.encode())
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [x509.ExtendedKeyUsageOID.SERVER_AUTH, x509.ExtendedKeyUsageOID.CLIENT_AUTH]

    # Revocation is recorded once.
    serial = format(leaf.serial_number, "x")
    pca.revoke_certificate(CertificateAuthorityArn=sub, CertificateSerial=serial,
                           RevocationReason="KEY_COMPROMISE")
    expect_error(pca.revoke_certificate, "RequestAlreadyProcessedException",
                 CertificateAuthorityArn=sub, CertificateSerial=serial,
                 RevocationReason="KEY_COMPROMISE")

    # Disabled CAs do not issue; enabled again they do.
    pca.update_certificate_authority(CertificateAuthorityArn=sub, Status="DISABLED")
    expect_error(pca.issue_certificate, "InvalidStateException", CertificateAuthorityArn=sub,
                 Csr=_leaf_csr(host), SigningAlgorithm="SHA256WITHECDSA",
                 Validity={"Type": "DAYS", "Value": 1})
    pca.update_certificate_authority(CertificateAuthorityArn=sub, Status="ACTIVE")
    _issue(pca, sub, _leaf_csr(host), "EndEntityCertificate", {"Type": "DAYS", "Value": 1})

    # Every request went as CBOR.
    assert seen["cbor"] and set(seen["cbor"]) == {"application/cbor"}, set(seen["cbor"])


KEY_TYPES = [
    ("RSA_2048", "SHA256WITHRSA"),
    ("RSA_3072", "SHA384WITHRSA"),
    ("RSA_4096", "SHA512WITHRSA"),
    ("EC_secp384r1", "SHA384WITHECDSA"),
    ("EC_secp521r1", "SHA512WITHECDSA"),
]


def test_every_key_type_verifies_with_openssl(server, wire, tmp_path):
    if server.mode != SECURE_SQLITE:
        pytest.skip("the key-type matrix runs once, against secure SQLite")
    pca, _, _ = wire
    for key, signing in KEY_TYPES:
        config = {"KeyAlgorithm": key, "SigningAlgorithm": signing}
        root = _create(pca, "ROOT", f"Root {key}", config)
        csr = pca.get_certificate_authority_csr(CertificateAuthorityArn=root)["Csr"].encode()
        root_pem, _ = _issue(pca, root, csr, "RootCACertificate", {"Type": "YEARS", "Value": 2}, signing)
        pca.import_certificate_authority_certificate(CertificateAuthorityArn=root,
                                                     Certificate=root_pem.encode())
        sub = _create(pca, "SUBORDINATE", f"Sub {key}", config)
        csr = pca.get_certificate_authority_csr(CertificateAuthorityArn=sub)["Csr"].encode()
        sub_pem, _ = _issue(pca, root, csr, "SubordinateCACertificate_PathLen0",
                            {"Type": "YEARS", "Value": 1}, signing)
        pca.import_certificate_authority_certificate(
            CertificateAuthorityArn=sub, Certificate=sub_pem.encode(), CertificateChain=root_pem.encode())
        host = f"{key.lower().replace('_', '-')}.example.internal"
        leaf_pem, _ = _issue(pca, sub, _leaf_csr(host), "EndEntityCertificate",
                             {"Type": "DAYS", "Value": 7}, signing)
        ok = _openssl_verify(tmp_path, root_pem, sub_pem, leaf_pem, host)
        assert ok.returncode == 0, f"{key}: {ok.stdout}{ok.stderr}"


def test_calls_are_audited(server, wire):
    pca, _, _ = wire
    root = _create(pca, "ROOT", "Audited Root")
    pca.describe_certificate_authority(CertificateAuthorityArn=root)

    def audited():
        events = [e for e in server.audit_tail(200) if e.get("eventSource") == "acm-pca.amazonaws.com"]
        created = [e for e in events if e.get("eventName") == "CreateCertificateAuthority"
                   and (e.get("responseElements") or {}).get("certificateAuthorityArn") == root]
        assert created, [e.get("eventName") for e in events]
        described = [e for e in events if e.get("eventName") == "DescribeCertificateAuthority"
                     and any(r.get("ARN") == root for r in e.get("resources") or [])]
        assert described and described[-1]["readOnly"] is True
    eventually(audited)


def test_errors_are_aws_shaped(wire):
    pca, _, _ = wire
    root, _ = _active_root(pca, "Errors Root")
    missing = root.rsplit("/", 1)[0] + "/11111111-2222-3333-4444-555555555555"
    expect_error(pca.describe_certificate_authority, "ResourceNotFoundException",
                 CertificateAuthorityArn=missing)
    expect_error(pca.issue_certificate, "MalformedCSRException", CertificateAuthorityArn=root,
                 Csr=b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
                 SigningAlgorithm="SHA256WITHECDSA", Validity={"Type": "DAYS", "Value": 1})
    expect_error(pca.issue_certificate, "InvalidArgsException", CertificateAuthorityArn=root,
                 Csr=_leaf_csr("a.example"), SigningAlgorithm="SHA256WITHECDSA",
                 Validity={"Type": "YEARS", "Value": 11})
    expect_error(pca.issue_certificate, "InvalidArgsException", CertificateAuthorityArn=root,
                 Csr=_leaf_csr("a.example"), SigningAlgorithm="SHA256WITHRSA",
                 Validity={"Type": "DAYS", "Value": 1})
    expect_error(pca.delete_certificate_authority, "InvalidStateException",
                 CertificateAuthorityArn=root)
    # A CA without a resource policy (test_acmpca_policy.py covers policies).
    expect_error(pca.get_policy, "ResourceNotFoundException", ResourceArn=root)


def test_delete_and_restore(wire):
    pca, _, _ = wire
    pending = _create(pca, "ROOT", "Pending Root")
    pca.delete_certificate_authority(CertificateAuthorityArn=pending)
    expect_error(pca.describe_certificate_authority, "ResourceNotFoundException",
                 CertificateAuthorityArn=pending)
    root, _ = _active_root(pca, "Deleted Root")
    pca.update_certificate_authority(CertificateAuthorityArn=root, Status="DISABLED")
    before = time.time()
    pca.delete_certificate_authority(CertificateAuthorityArn=root, PermanentDeletionTimeInDays=7)
    ca = pca.describe_certificate_authority(CertificateAuthorityArn=root)["CertificateAuthority"]
    assert ca["Status"] == "DELETED"
    until = ca["RestorableUntil"].timestamp()
    assert before + 7 * 86400 - 5 <= until <= time.time() + 7 * 86400 + 5
    pca.restore_certificate_authority(CertificateAuthorityArn=root)
    ca = pca.describe_certificate_authority(CertificateAuthorityArn=root)["CertificateAuthority"]
    assert ca["Status"] == "DISABLED" and "RestorableUntil" not in ca
    expect_error(pca.restore_certificate_authority, "InvalidStateException",
                 CertificateAuthorityArn=root)


def test_json_forms(server, wire):
    _, pca_json, seen = wire
    root = _create(pca_json, "ROOT", "Json Root", Tags=[{"Key": "team", "Value": "pki"}])
    assert pca_json.list_tags(CertificateAuthorityArn=root)["Tags"] == [{"Key": "team", "Value": "pki"}]
    assert seen["json"] and set(seen["json"]) == {JSON_11}
    # One call by hand: X-Amz-Target and application/x-amz-json-1.1, signed with SigV4.
    body = json.dumps({"CertificateAuthorityArn": root}).encode()
    headers = {"Content-Type": JSON_11, "X-Amz-Target": "ACMPrivateCA.DescribeCertificateAuthority"}
    ak, sk = server.admin_credentials()
    req = AWSRequest(method="POST", url=server.endpoint + "/", data=body, headers=headers)
    SigV4Auth(Credentials(ak, sk), "acm-pca", "us-east-1").add_auth(req)
    resp = raw_http(server.endpoint, "POST", "/", dict(req.headers.items()), body, server.ca_bundle)
    assert resp.status == 200, resp.body
    ca = resp.json()["CertificateAuthority"]
    assert ca["Arn"] == root and ca["Status"] == "PENDING_CERTIFICATE"


def test_cli_flow(server, tmp_path):
    if server.mode != SECURE_SQLITE:
        pytest.skip("the CLI flow (2 s per command) runs once, against secure SQLite")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"KeyAlgorithm": "RSA_2048", "SigningAlgorithm": "SHA256WITHRSA",
                                  "Subject": {"CommonName": "CLI Root"}}))
    made = server.aws("acm-pca", "create-certificate-authority", "--certificate-authority-type",
                      "ROOT", "--certificate-authority-configuration", f"file://{config}")
    arn = json.loads(made.stdout)["CertificateAuthorityArn"]
    csr = server.aws("acm-pca", "get-certificate-authority-csr", "--certificate-authority-arn",
                     arn, "--output", "text")
    (tmp_path / "ca.csr").write_text(csr.stdout)
    issued = server.aws("acm-pca", "issue-certificate", "--certificate-authority-arn", arn,
                        "--csr", f"fileb://{tmp_path / 'ca.csr'}", "--signing-algorithm",
                        "SHA256WITHRSA", "--template-arn", TEMPLATE.format("RootCACertificate"),
                        "--validity", "Value=5,Type=YEARS")
    cert_arn = json.loads(issued.stdout)["CertificateArn"]
    got = server.aws("acm-pca", "get-certificate", "--certificate-authority-arn", arn,
                     "--certificate-arn", cert_arn, "--output", "text", "--query", "Certificate")
    (tmp_path / "ca.pem").write_text(got.stdout)
    server.aws("acm-pca", "import-certificate-authority-certificate", "--certificate-authority-arn",
               arn, "--certificate", f"fileb://{tmp_path / 'ca.pem'}")
    described = server.aws("acm-pca", "describe-certificate-authority",
                           "--certificate-authority-arn", arn)
    assert json.loads(described.stdout)["CertificateAuthority"]["Status"] == "ACTIVE"


def test_iam_policies_decide(server, wire):
    if server.dev:
        pytest.skip("dev mode does not verify signatures, so callers are not IAM users")
    pca, _, _ = wire
    root, _ = _active_root(pca, "IAM Root")
    other = _create(pca, "ROOT", "IAM Other")
    user = create_user_with_key(server.client("iam"), unique("pca-reader"), policy_doc(
        allow(["acm-pca:DescribeCertificateAuthority"], root)))
    reader = server.client_for("acm-pca", user)
    got = eventually(lambda: reader.describe_certificate_authority(CertificateAuthorityArn=root))
    assert got["CertificateAuthority"]["Arn"] == root
    expect_error(reader.describe_certificate_authority, "AccessDeniedException",
                 r"is not authorized to perform: acm-pca:DescribeCertificateAuthority on resource: "
                 + other, CertificateAuthorityArn=other)
    expect_error(reader.issue_certificate, "AccessDeniedException",
                 r"acm-pca:IssueCertificate", CertificateAuthorityArn=root,
                 Csr=_leaf_csr("denied.example"), SigningAlgorithm="SHA256WITHECDSA",
                 Validity={"Type": "DAYS", "Value": 1})


def _database_bytes(server) -> dict[str, bytes]:
    if server.postgres:
        dump = subprocess.run(["pg_dump", "--data-only", server.database_url],
                              check=True, capture_output=True, timeout=120)
        return {"pg_dump": dump.stdout}
    return {f.name: f.read_bytes() for f in sorted(server.data_dir.glob("rampart.db*"))}


def test_ca_keys_are_not_in_the_database(server, wire):
    pca, _, _ = wire
    _active_root(pca, "Sealed Root")
    forms = {
        "raw": P256_PKCS8_PREFIX,
        "base64": base64.b64encode(P256_PKCS8_PREFIX[:36]),
        "hex": P256_PKCS8_PREFIX.hex().encode(),
        "pem": b"PRIVATE KEY",
    }
    for place, data in _database_bytes(server).items():
        for form, needle in forms.items():
            assert needle not in data, f"a CA private key ({form}) is in {place}"


def test_issue_returns_the_certificate_when_asked(wire):
    """ReturnValues=CERTIFICATE answers Certificate and CertificateChain with the ARN (CBOR and
    JSON); a repeated IdempotencyToken answers the same certificate; by default only the ARN."""
    cbor, json_client, _seen = wire
    root, root_pem = _active_root(cbor, "Returning Root")
    for client in (cbor, json_client):
        token = unique("ret")
        answers = [client.issue_certificate(
            CertificateAuthorityArn=root, Csr=_leaf_csr("returned.example.com"),
            SigningAlgorithm="SHA256WITHECDSA", TemplateArn=TEMPLATE.format("EndEntityCertificate"),
            Validity={"Type": "DAYS", "Value": 7}, IdempotencyToken=token, ReturnValues="CERTIFICATE")
            for _ in range(2)]
        assert answers[0]["CertificateArn"] == answers[1]["CertificateArn"]
        got = client.get_certificate(CertificateAuthorityArn=root, CertificateArn=answers[0]["CertificateArn"])
        for answer in answers:
            assert answer["Certificate"] == got["Certificate"]
            assert answer["CertificateChain"] == got["CertificateChain"]
        leaf = x509.load_pem_x509_certificate(answers[0]["Certificate"].encode())
        leaf.verify_directly_issued_by(x509.load_pem_x509_certificate(root_pem.encode()))
        plain = client.issue_certificate(
            CertificateAuthorityArn=root, Csr=_leaf_csr("plain.example.com"),
            SigningAlgorithm="SHA256WITHECDSA", Validity={"Type": "DAYS", "Value": 7}, ReturnValues="ARN")
        assert "Certificate" not in plain and "CertificateChain" not in plain


def test_service_affiliated_cas_are_not_downgraded(wire):
    """A service-affiliated CA (AWS IAM for agents and workloads) keeps its usage mode and
    affiliation and is a multi-Region PRIMARY; the usage mode alone is refused (see
    test_acmpca_replicas.py for replicas and associations)."""
    cbor, _json, _seen = wire
    config = {**EC_CONFIG, "Subject": {"CommonName": "Affiliated"}}
    arn = cbor.create_certificate_authority(
        CertificateAuthorityType="ROOT", CertificateAuthorityConfiguration=config,
        UsageMode="SERVICE_AFFILIATED",
        ServiceAffiliation={"ServiceAffiliationCode": "IAM_WORKLOAD_IDENTITY"},
    )["CertificateAuthorityArn"]
    ca = cbor.describe_certificate_authority(CertificateAuthorityArn=arn)["CertificateAuthority"]
    assert ca["UsageMode"] == "SERVICE_AFFILIATED"
    assert ca["ServiceAffiliation"] == {"ServiceAffiliationCode": "IAM_WORKLOAD_IDENTITY"}
    assert ca["MultiRegionConfiguration"] == {"MultiRegionType": "PRIMARY"}
    expect_error(cbor.create_certificate_authority, "InvalidArgsException", "SERVICE_AFFILIATED",
                 CertificateAuthorityType="ROOT", CertificateAuthorityConfiguration=config,
                 UsageMode="SERVICE_AFFILIATED")

"""ACM PCA multi-Region CAs and associations end to end with boto3 on a secure server (SQLite
and PostgreSQL): an IAM_WORKLOAD_IDENTITY root CA (the PRIMARY), replicas in other Regions
(CreateCertificateAuthorityReplica and BatchCreateCertificateAuthorityReplica, ConflictException
and CONFLICT, idempotency tokens, the replica's certificate the primary's, verified with
`openssl verify`, ListCertificateAuthorityReplicas page by page, replicas deleted in their own
Region before the primary), associations (idempotent create and delete, pages, a CA with
associations not deleted), AWS's refusals, and a batch denied whole when one permission is
missing. A replica issues end-entity certificates only for AWS STS (IssueCertificate refuses
them, as AWS does); that path is tested in the crate (`tests/replicas.rs`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness import allow, create_user_with_key, expect_error, policy_doc, unique

TEMPLATE = "arn:aws:acm-pca:::template/{}/V1"
EC_CONFIG = {"KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA"}
WORKLOAD = {"ServiceAffiliationCode": "IAM_WORKLOAD_IDENTITY"}
PROVIDER = "arn:aws:iam::{}:workload-identity-provider/{}"


@pytest.fixture(scope="module")
def pca(secure_server):
    return secure_server.client("acm-pca")


def _in(server, region: str):
    return server.client("acm-pca", region=region)


def _workload_root(pca, cn: str) -> tuple[str, str]:
    root = pca.create_certificate_authority(
        CertificateAuthorityType="ROOT", UsageMode="SERVICE_AFFILIATED",
        ServiceAffiliation=WORKLOAD,
        CertificateAuthorityConfiguration={**EC_CONFIG, "Subject": {"CommonName": cn}},
    )["CertificateAuthorityArn"]
    csr = pca.get_certificate_authority_csr(CertificateAuthorityArn=root)["Csr"]
    arn = pca.issue_certificate(CertificateAuthorityArn=root, Csr=csr.encode(),
                                SigningAlgorithm="SHA256WITHECDSA",
                                TemplateArn=TEMPLATE.format("RootCACertificate"),
                                Validity={"Type": "YEARS", "Value": 10})["CertificateArn"]
    cert = pca.get_certificate(CertificateAuthorityArn=root, CertificateArn=arn)["Certificate"]
    pca.import_certificate_authority_certificate(CertificateAuthorityArn=root,
                                                 Certificate=cert.encode())
    return root, cert


def _in_region(arn: str, region: str) -> str:
    parts = arn.split(":")
    parts[3] = region
    return ":".join(parts)


def _pages(call, **kwargs) -> list[dict]:
    """Every page of a list call, by NextToken (the pinned models carry no paginators)."""
    pages = [call(**kwargs)]
    while pages[-1].get("NextToken"):
        pages.append(call(NextToken=pages[-1]["NextToken"], **kwargs))
    return pages


def _openssl_verify(tmp: Path, root: str, cert: str) -> subprocess.CompletedProcess:
    (tmp / "root.pem").write_text(root + "\n")
    (tmp / "cert.pem").write_text(cert + "\n")
    return subprocess.run(["openssl", "verify", "-CAfile", str(tmp / "root.pem"),
                           str(tmp / "cert.pem")], capture_output=True, text=True, timeout=30)


def test_primary_and_replicas(secure_server, pca, tmp_path):
    root, root_pem = _workload_root(pca, unique("Workload Root"))
    ca = pca.describe_certificate_authority(CertificateAuthorityArn=root)["CertificateAuthority"]
    assert ca["UsageMode"] == "SERVICE_AFFILIATED"
    assert ca["ServiceAffiliation"] == WORKLOAD
    assert ca["MultiRegionConfiguration"] == {"MultiRegionType": "PRIMARY"}

    made = pca.create_certificate_authority_replica(
        CertificateAuthorityArn=root, ReplicaRegion="eu-west-1", IdempotencyToken="first",
        Tags=[{"Key": "team", "Value": "identity"}])["Replica"]
    replica = _in_region(root, "eu-west-1")
    assert made == {"Arn": replica, "Region": "eu-west-1", "Status": "CREATING"}
    again = pca.create_certificate_authority_replica(
        CertificateAuthorityArn=root, ReplicaRegion="eu-west-1", IdempotencyToken="first")
    assert again["Replica"]["Arn"] == replica
    expect_error(pca.create_certificate_authority_replica, "ConflictException",
                 CertificateAuthorityArn=root, ReplicaRegion="eu-west-1", IdempotencyToken="other")
    expect_error(pca.create_certificate_authority_replica, "InvalidArgsException",
                 CertificateAuthorityArn=root, ReplicaRegion="us-east-1")

    # The replica, in its Region: ACTIVE, REPLICA, its own tags, the primary's certificate.
    eu = _in(secure_server, "eu-west-1")
    got = eu.describe_certificate_authority(CertificateAuthorityArn=replica)["CertificateAuthority"]
    assert got["Status"] == "ACTIVE" and got["Serial"] == ca["Serial"]
    assert got["MultiRegionConfiguration"] == {"MultiRegionType": "REPLICA"}
    assert eu.list_tags(CertificateAuthorityArn=replica)["Tags"] == [
        {"Key": "team", "Value": "identity"}]
    replica_pem = eu.get_certificate_authority_certificate(
        CertificateAuthorityArn=replica)["Certificate"]
    assert replica_pem == root_pem
    ok = _openssl_verify(tmp_path, root_pem, replica_pem)
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stdout + ok.stderr
    # Replicas are listed in their Region like any CA.
    listed = eu.list_certificate_authorities()["CertificateAuthorities"]
    assert replica in [c["Arn"] for c in listed]

    # End-entity certificates come from AWS STS only; a replica takes no imported certificate.
    csr = pca.get_certificate_authority_csr(CertificateAuthorityArn=root)["Csr"].encode()
    for client, arn in ((pca, root), (eu, replica)):
        expect_error(client.issue_certificate, "InvalidArgsException", CertificateAuthorityArn=arn,
                     Csr=csr, SigningAlgorithm="SHA256WITHECDSA",
                     Validity={"Type": "DAYS", "Value": 1})
    expect_error(eu.import_certificate_authority_certificate, "InvalidStateException",
                 CertificateAuthorityArn=replica, Certificate=root_pem.encode())

    out = pca.batch_create_certificate_authority_replica(CertificateAuthorityArn=root, Replicas=[
        {"ReplicaRegion": "eu-west-1", "IdempotencyToken": "b1"},
        {"ReplicaRegion": "ap-southeast-2", "IdempotencyToken": "b2"},
        {"ReplicaRegion": "us-west-2", "IdempotencyToken": "b3",
         "Tags": [{"Key": "k", "Value": "v"}]},
    ])
    assert sorted(r["Region"] for r in out["Successful"]) == ["ap-southeast-2", "us-west-2"]
    assert all(r["Status"] == "CREATING" for r in out["Successful"])
    assert [(f["Region"], f["FailureReason"]) for f in out["Failed"]] == [("eu-west-1", "CONFLICT")]
    expect_error(pca.batch_create_certificate_authority_replica, "InvalidArgsException",
                 CertificateAuthorityArn=root, Replicas=[
                     {"ReplicaRegion": "sa-east-1", "IdempotencyToken": "d1"},
                     {"ReplicaRegion": "sa-east-1", "IdempotencyToken": "d2"}])

    pages = _pages(pca.list_certificate_authority_replicas, CertificateAuthorityArn=root,
                   MaxResults=1)
    assert len(pages) == 3
    seen = [(r["Region"], r["Status"], r["Arn"]) for page in pages for r in page["Replicas"]]
    assert seen == [(region, "ACTIVE", _in_region(root, region))
                    for region in ("eu-west-1", "ap-southeast-2", "us-west-2")]
    expect_error(pca.list_certificate_authority_replicas, "InvalidNextTokenException",
                 CertificateAuthorityArn=root, NextToken="not a token")
    expect_error(eu.list_certificate_authority_replicas, "InvalidArgsException",
                 CertificateAuthorityArn=replica)

    # Tear down in AWS's order: each replica (disabled first) in its Region, the primary last.
    pca.update_certificate_authority(CertificateAuthorityArn=root, Status="DISABLED")
    expect_error(pca.delete_certificate_authority, "InvalidStateException",
                 CertificateAuthorityArn=root)
    expect_error(pca.create_certificate_authority_replica, "InvalidStateException",
                 CertificateAuthorityArn=root, ReplicaRegion="ca-central-1")
    for region in ("eu-west-1", "ap-southeast-2", "us-west-2"):
        client, arn = _in(secure_server, region), _in_region(root, region)
        expect_error(client.delete_certificate_authority, "InvalidStateException",
                     CertificateAuthorityArn=arn)
        client.update_certificate_authority(CertificateAuthorityArn=arn, Status="DISABLED")
        client.delete_certificate_authority(CertificateAuthorityArn=arn)
        expect_error(client.describe_certificate_authority, "ResourceNotFoundException",
                     CertificateAuthorityArn=arn)
    assert pca.list_certificate_authority_replicas(CertificateAuthorityArn=root)["Replicas"] == []
    pca.delete_certificate_authority(CertificateAuthorityArn=root, PermanentDeletionTimeInDays=7)
    status = pca.describe_certificate_authority(CertificateAuthorityArn=root)
    assert status["CertificateAuthority"]["Status"] == "DELETED"


def test_replica_refusals(pca):
    general = pca.create_certificate_authority(
        CertificateAuthorityType="ROOT",
        CertificateAuthorityConfiguration={**EC_CONFIG, "Subject": {"CommonName": "General"}},
    )["CertificateAuthorityArn"]
    expect_error(pca.create_certificate_authority_replica, "InvalidArgsException",
                 CertificateAuthorityArn=general, ReplicaRegion="eu-west-1")
    assert pca.list_certificate_authority_replicas(
        CertificateAuthorityArn=general)["Replicas"] == []
    missing = general[: -len("00000000-0000-0000-0000-000000000000")] + \
        "00000000-0000-4000-8000-000000000000"
    expect_error(pca.create_certificate_authority_replica, "ResourceNotFoundException",
                 CertificateAuthorityArn=missing, ReplicaRegion="eu-west-1")
    expect_error(pca.list_certificate_authority_replicas, "ResourceNotFoundException",
                 CertificateAuthorityArn=missing)
    expect_error(pca.create_certificate_authority_replica, "InvalidArnException",
                 CertificateAuthorityArn="arn:aws:acm-pca:us-east-1:111122223333:nothing/x",
                 ReplicaRegion="eu-west-1")
    # A workload CA still waiting for its certificate is not replicated.
    pending = pca.create_certificate_authority(
        CertificateAuthorityType="ROOT", UsageMode="SERVICE_AFFILIATED",
        ServiceAffiliation=WORKLOAD,
        CertificateAuthorityConfiguration={**EC_CONFIG, "Subject": {"CommonName": "Pending"}},
    )["CertificateAuthorityArn"]
    expect_error(pca.create_certificate_authority_replica, "InvalidStateException",
                 CertificateAuthorityArn=pending, ReplicaRegion="eu-west-1")
    # The affiliation turns revocation off, and needs the SERVICE_AFFILIATED usage mode.
    crl = {"CrlConfiguration": {"Enabled": True, "S3BucketName": "crl-bucket"}}
    for extra in ({"UsageMode": "SERVICE_AFFILIATED", "RevocationConfiguration": crl},
                  {"UsageMode": "GENERAL_PURPOSE"},
                  {"UsageMode": "SERVICE_AFFILIATED",
                   "ServiceAffiliation": {"ServiceAffiliationCode": "SOMETHING_ELSE"}}):
        kwargs = {"ServiceAffiliation": WORKLOAD, **extra}
        expect_error(pca.create_certificate_authority, "InvalidArgsException",
                     CertificateAuthorityType="ROOT",
                     CertificateAuthorityConfiguration={**EC_CONFIG,
                                                        "Subject": {"CommonName": "Refused"}},
                     **kwargs)


def test_associations(pca):
    root, _ = _workload_root(pca, unique("Associated Root"))
    account = root.split(":")[4]
    providers = [PROVIDER.format(account, f"provider-{i}") for i in range(5)]
    for arn in providers:
        pca.create_certificate_authority_association(CertificateAuthorityArn=root,
                                                     AssociatedResourceArn=arn)
    first = pca.list_certificate_authority_associations(CertificateAuthorityArn=root)
    created = {a["AssociatedResourceArn"]: a["CreatedAt"] for a in first["Associations"]}
    # Associating again succeeds and changes nothing.
    pca.create_certificate_authority_association(CertificateAuthorityArn=root,
                                                 AssociatedResourceArn=providers[0])
    pages = _pages(pca.list_certificate_authority_associations, CertificateAuthorityArn=root,
                   MaxResults=2)
    assert len(pages) == 3
    listed = [a for page in pages for a in page["Associations"]]
    assert sorted(a["AssociatedResourceArn"] for a in listed) == sorted(providers)
    assert all(a["CertificateAuthorityArn"] == root for a in listed)
    assert {a["AssociatedResourceArn"]: a["CreatedAt"] for a in listed} == created
    assert pages[0]["ServiceAffiliation"] == WORKLOAD

    pca.update_certificate_authority(CertificateAuthorityArn=root, Status="DISABLED")
    expect_error(pca.create_certificate_authority_association, "InvalidStateException",
                 CertificateAuthorityArn=root, AssociatedResourceArn=providers[0] + "-new")
    expect_error(pca.delete_certificate_authority, "InvalidStateException",
                 CertificateAuthorityArn=root)
    for arn in providers + [providers[0]]:  # removing a removed association succeeds
        pca.delete_certificate_authority_association(CertificateAuthorityArn=root,
                                                     AssociatedResourceArn=arn)
    assert pca.list_certificate_authority_associations(
        CertificateAuthorityArn=root)["Associations"] == []
    pca.delete_certificate_authority(CertificateAuthorityArn=root, PermanentDeletionTimeInDays=7)
    expect_error(pca.delete_certificate_authority_association, "InvalidStateException",
                 CertificateAuthorityArn=root, AssociatedResourceArn=providers[0])

    general = pca.create_certificate_authority(
        CertificateAuthorityType="ROOT",
        CertificateAuthorityConfiguration={**EC_CONFIG, "Subject": {"CommonName": "General"}},
    )["CertificateAuthorityArn"]
    expect_error(pca.create_certificate_authority_association, "InvalidArgsException",
                 CertificateAuthorityArn=general, AssociatedResourceArn=providers[0])
    listed = pca.list_certificate_authority_associations(CertificateAuthorityArn=general)
    assert listed["Associations"] == [] and "ServiceAffiliation" not in listed
    expect_error(pca.list_certificate_authority_associations, "InvalidNextTokenException",
                 CertificateAuthorityArn=general, NextToken="bm90IGEgcm93")


def test_batch_is_denied_whole(secure_server, pca):
    root, _ = _workload_root(pca, unique("Denied Root"))
    iam = secure_server.client("iam")
    # May replicate, but not create CAs: every replica needs both.
    key = create_user_with_key(iam, unique("replicator"), policy_doc(
        allow(["acm-pca:CreateCertificateAuthorityReplica",
               "acm-pca:ListCertificateAuthorityReplicas"])))
    user = secure_server.client_for("acm-pca", key)
    expect_error(user.batch_create_certificate_authority_replica, "AccessDeniedException",
                 CertificateAuthorityArn=root, Replicas=[
                     {"ReplicaRegion": "eu-west-1", "IdempotencyToken": "a"},
                     {"ReplicaRegion": "us-west-2", "IdempotencyToken": "b"}])
    assert user.list_certificate_authority_replicas(CertificateAuthorityArn=root)["Replicas"] == []

"""KMS grants through boto3 on every matrix entry: CreateGrant (operations per key type,
constraints, principals, Name idempotency, key states, DryRun), ListGrants and
ListRetirableGrants (filters, paginators), RetireGrant (token or key + grant id, who may
retire), RevokeGrant and GrantTokens on cryptographic operations."""

from __future__ import annotations

import datetime
import re
import uuid

from harness import expect_error

GRANT_ID = re.compile(r"^[0-9a-f]{64}$")


def new_key(kms, **kwargs) -> dict:
    return kms.create_key(**kwargs)["KeyMetadata"]


def account_of(meta: dict) -> str:
    return meta["Arn"].split(":")[4]


def role(meta: dict, name: str) -> str:
    return f"arn:aws:iam::{account_of(meta)}:role/{name}"


def create_grant(kms, key: dict, **kwargs) -> dict:
    kwargs.setdefault("GranteePrincipal", role(key, "app"))
    kwargs.setdefault("Operations", ["Decrypt"])
    return kms.create_grant(KeyId=key["KeyId"], **kwargs)


def test_create_list_and_revoke(kms):
    key = new_key(kms)
    grantee, admin = role(key, "app"), role(key, "admin")
    constraints = {"EncryptionContextSubset": {"Dept": "IT"}}
    out = create_grant(kms, key, RetiringPrincipal=admin, Operations=["Encrypt", "Decrypt"],
                       Constraints=constraints)
    assert GRANT_ID.match(out["GrantId"]), out["GrantId"]
    assert out["GrantToken"]
    grants = kms.list_grants(KeyId=key["Arn"])
    assert grants["Truncated"] is False
    [grant] = grants["Grants"]
    assert grant["KeyId"] == key["Arn"]
    assert grant["GrantId"] == out["GrantId"]
    assert grant["GranteePrincipal"] == grantee
    assert grant["RetiringPrincipal"] == admin
    assert grant["IssuingAccount"] == f"arn:aws:iam::{account_of(key)}:root"
    assert grant["Operations"] == ["Encrypt", "Decrypt"]
    assert grant["Constraints"] == constraints
    assert grant["Name"] == ""
    age = datetime.datetime.now(datetime.timezone.utc) - grant["CreationDate"]
    assert abs(age.total_seconds()) < 300
    kms.revoke_grant(KeyId=key["KeyId"], GrantId=out["GrantId"])
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []
    expect_error(kms.revoke_grant, "NotFoundException", re.escape(out["GrantId"]),
                 KeyId=key["KeyId"], GrantId=out["GrantId"])


def test_named_grant_is_idempotent(kms):
    key = new_key(kms)
    first = create_grant(kms, key, Name="app-decrypt")
    again = create_grant(kms, key, Name="app-decrypt")
    assert first["GrantId"] == again["GrantId"]
    assert first["GrantToken"] != again["GrantToken"]
    other = create_grant(kms, key, Name="app-decrypt", Operations=["Encrypt"])
    assert other["GrantId"] != first["GrantId"]
    names = [g["Name"] for g in kms.list_grants(KeyId=key["KeyId"])["Grants"]]
    assert names == ["app-decrypt", "app-decrypt"]


def test_operations_must_suit_the_key(kms):
    sym = new_key(kms)
    expect_error(create_grant, "ValidationException", r"Grant operation Sign is not valid",
                 kms=kms, key=sym, Operations=["Sign"])
    expect_error(create_grant, "ValidationException",
                 r"^Grants must not contain only the CreateGrant operation\.$",
                 kms=kms, key=sym, Operations=["CreateGrant"])
    signing = new_key(kms, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    create_grant(kms, signing, Operations=["Sign", "Verify", "GetPublicKey", "DescribeKey"])
    expect_error(create_grant, "ValidationException", None, kms=kms, key=signing,
                 Operations=["Encrypt"])
    expect_error(create_grant, "ValidationException", r"(?i)constraint", kms=kms, key=signing,
                 Operations=["Sign"], Constraints={"EncryptionContextEquals": {"a": "b"}})
    mac = new_key(kms, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    create_grant(kms, mac, Operations=["GenerateMac", "VerifyMac"])


def test_grant_errors(kms):
    key = new_key(kms)
    expect_error(create_grant, "InvalidArnException", r"^GranteePrincipal alice is not a valid",
                 kms=kms, key=key, GranteePrincipal="alice")
    alias = "alias/grants-" + uuid.uuid4().hex[:10]
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    expect_error(kms.create_grant, "InvalidArnException",
                 r"^Key Aliases are not supported for this operation\.$", KeyId=alias,
                 GranteePrincipal=role(key, "app"), Operations=["Decrypt"])
    missing = str(uuid.uuid4())
    expect_error(kms.list_grants, "NotFoundException", re.escape(missing), KeyId=missing)
    expect_error(kms.revoke_grant, "InvalidGrantIdException", None, KeyId=key["KeyId"],
                 GrantId="not-a-grant")
    expect_error(create_grant, "DryRunOperationException", r"DryRun option is set", kms=kms,
                 key=key, DryRun=True)
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []
    kms.disable_key(KeyId=key["KeyId"])
    expect_error(create_grant, "DisabledException", rf"^{re.escape(key['Arn'])} is disabled\.$",
                 kms=kms, key=key)
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    expect_error(create_grant, "KMSInvalidStateException", r"is pending deletion\.$", kms=kms,
                 key=key)


def test_list_grants_paginates_and_filters(kms):
    key = new_key(kms)
    ids = sorted(create_grant(kms, key)["GrantId"] for _ in range(5))
    other = create_grant(kms, key, GranteePrincipal=role(key, "other"))["GrantId"]
    paginator = kms.get_paginator("list_grants")
    pages = list(paginator.paginate(KeyId=key["KeyId"], PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    seen = [g["GrantId"] for page in pages for g in page["Grants"]]
    assert sorted(seen) == sorted(ids + [other])
    only = kms.list_grants(KeyId=key["KeyId"], GranteePrincipal=role(key, "other"))["Grants"]
    assert [g["GrantId"] for g in only] == [other]
    one = kms.list_grants(KeyId=key["KeyId"], GrantId=ids[2])["Grants"]
    assert [g["GrantId"] for g in one] == [ids[2]]
    expect_error(kms.list_grants, "InvalidMarkerException", None, KeyId=key["KeyId"],
                 Marker="bm9wZQ")


def test_list_retirable_grants(kms):
    k1, k2 = new_key(kms), new_key(kms)
    retiree = role(k1, "retiree-" + uuid.uuid4().hex[:8])
    ids = {create_grant(kms, k, RetiringPrincipal=retiree)["GrantId"] for k in (k1, k2, k1)}
    create_grant(kms, k2, RetiringPrincipal=role(k1, "someone-else"))
    paginator = kms.get_paginator("list_retirable_grants")
    pages = paginator.paginate(RetiringPrincipal=retiree, PaginationConfig={"PageSize": 1})
    grants = [g for page in pages for g in page["Grants"]]
    assert {g["GrantId"] for g in grants} == ids
    assert {g["KeyId"] for g in grants} == {k1["Arn"], k2["Arn"]}
    assert all(g["RetiringPrincipal"] == retiree for g in grants)
    expect_error(kms.list_retirable_grants, "AccessDeniedException", None,
                 RetiringPrincipal="arn:aws:iam::999999999999:role/elsewhere")


def test_retire_grant_by_token_and_by_id(kms):
    key = new_key(kms)
    by_token = create_grant(kms, key, RetiringPrincipal=role(key, "admin"))
    by_id = create_grant(kms, key)
    # The caller is the account's root: the account a grant is created in may retire it.
    expect_error(kms.retire_grant, "DryRunOperationException", None,
                 GrantToken=by_token["GrantToken"], DryRun=True)
    kms.retire_grant(GrantToken=by_token["GrantToken"])
    kms.retire_grant(KeyId=key["Arn"], GrantId=by_id["GrantId"])
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []
    expect_error(kms.retire_grant, "NotFoundException", None, GrantToken=by_token["GrantToken"])
    expect_error(kms.retire_grant, "InvalidGrantTokenException",
                 r"^The request was rejected because the specified grant token is not valid\.$",
                 GrantToken="garbage")


def test_grant_tokens_on_cryptographic_operations(kms):
    key = new_key(kms)
    token = create_grant(kms, key, Operations=["Encrypt", "Decrypt"])["GrantToken"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"hi", GrantTokens=[token])["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, GrantTokens=[token])["Plaintext"] == b"hi"
    expect_error(kms.encrypt, "InvalidGrantTokenException", None, KeyId=key["KeyId"],
                 Plaintext=b"x", GrantTokens=["not-a-token"])
    expect_error(kms.generate_data_key, "InvalidGrantTokenException", None, KeyId=key["KeyId"],
                 KeySpec="AES_256", GrantTokens=[token, "bad"])


def test_cross_account_retirement_in_dev_mode(dev_server):
    owner = dev_server.client(access_key="111122223333", secret_key="x")
    other = dev_server.client(access_key="444455556666", secret_key="x")
    key = new_key(owner)
    mine = create_grant(owner, key, RetiringPrincipal="arn:aws:iam::444455556666:root")
    theirs = create_grant(owner, key, RetiringPrincipal=role(key, "admin"))
    listed = other.list_retirable_grants(RetiringPrincipal="arn:aws:iam::444455556666:root")
    assert [g["GrantId"] for g in listed["Grants"]] == [mine["GrantId"]]
    expect_error(other.retire_grant, "AccessDeniedException",
                 r"^User: arn:aws:iam::444455556666:root is not authorized to perform: "
                 r"kms:RetireGrant", GrantToken=theirs["GrantToken"])
    other.retire_grant(KeyId=key["Arn"], GrantId=mine["GrantId"])
    left = [g["GrantId"] for g in owner.list_grants(KeyId=key["KeyId"])["Grants"]]
    assert left == [theirs["GrantId"]]

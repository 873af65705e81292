"""The authorization scenarios of issue 4, end to end with boto3 on a secure server holding two
accounts (A: the bootstrap admin's; B: made with `rampart account create` while the server
runs): a role that may Encrypt but not Decrypt; a Deny on kms:Decrypt conditioned on the
encryption context; a grant that lets B's role decrypt with A's key until it is retired;
AssumeRole across accounts with an ExternalId; A's key used from B only when both A's key
policy and B's identity policy allow it; and CloudTrail LookupEvents showing who did what,
denied calls included, in each account's own trail."""

from __future__ import annotations

import json
import random
import re

import pytest
from botocore.exceptions import ClientError

from harness import (
    SECURE_SQLITE,
    allow,
    create_role,
    create_user_with_key,
    deny,
    eventually,
    expect_error,
    policy_doc,
    run_rampart,
    statement,
    trust_policy,
    unique,
)

ASSUME_ANY = policy_doc(allow("sts:AssumeRole"))


class Account:
    """One account's root clients and id."""

    def __init__(self, server, creds: dict | None):
        self.server = server
        self.creds = creds
        self.iam = self.client("iam")
        self.kms = self.client("kms")
        self.ct = self.client("cloudtrail")
        self.id = self.client("sts").get_caller_identity()["Account"]
        self.root = f"arn:aws:iam::{self.id}:root"

    def client(self, service: str):
        if self.creds is None:
            return self.server.client(service)
        return self.server.client_for(service, self.creds)

    def user(self, prefix: str, policy: str | None = ASSUME_ANY) -> dict:
        return create_user_with_key(self.iam, unique(prefix), policy=policy)

    def key(self, policy: str | None = None) -> dict:
        kwargs = {"Policy": policy} if policy else {}
        return self.kms.create_key(Description="scenario", **kwargs)["KeyMetadata"]


@pytest.fixture(scope="module")
def a(secure_server):
    return Account(secure_server, None)


@pytest.fixture(scope="module")
def b(secure_server):
    created = secure_server.create_account()
    assert re.fullmatch(r"\d{12}", created["AccountId"]), created
    account = Account(secure_server, created)
    assert account.id == created["AccountId"]
    return account


def session(server, user: dict, role: dict, name: str | None = None, **kwargs) -> dict:
    """Role session credentials for `user` (retried while IAM changes propagate)."""
    sts = server.client_for("sts", user)
    out = eventually(lambda: sts.assume_role(RoleArn=role["Arn"],
                                             RoleSessionName=name or unique("s"), **kwargs))
    return out["Credentials"]


def default_key_policy(account_id: str, *extra: dict) -> str:
    root = statement("Allow", "kms:*", "*", {"AWS": f"arn:aws:iam::{account_id}:root"})
    return policy_doc(root, *extra)


def not_authorized(principal_arn: str, action: str, resource: str, why: str) -> str:
    """AWS's AccessDenied message; `why` is e.g. "because no identity-based policy allows the
    kms:Decrypt action" or "with an explicit deny in an identity-based policy"."""
    return (rf"^User: {re.escape(principal_arn)} is not authorized to perform: {action} on "
            rf"resource: {re.escape(resource)} {why}$")


def test_second_account_from_the_cli(secure_server, a, b):
    """`rampart account create` while the server runs: the new root key works at once, the
    account is separate, and an existing id is refused."""
    assert b.id != a.id
    assert b.kms.list_keys()["Keys"] == []
    proc = secure_server.rampart("account", "create", *secure_server.store_args(),
                                 "--account-id", b.id, check=False)
    assert proc.returncode != 0 and "already exists" in proc.stderr, proc
    account_id = f"55{random.randrange(10**10):010d}"
    proc = secure_server.rampart("account", "create", *secure_server.store_args(),
                                 "--account-id", account_id)
    lines = proc.stdout.splitlines()
    assert lines[0] == f"[{account_id}]"
    assert re.fullmatch(r"aws_access_key_id = AKIA[A-Z2-7]{16}", lines[1]), lines
    assert re.fullmatch(r"aws_secret_access_key = \S{40}", lines[2]), lines


def test_account_create_unseals_like_serve(make_server):
    """Passphrase seal: RAMPART_PASSPHRASE is needed (and checked); a Shamir seal, which only
    a running server collects, is refused with a clear error."""
    passphrase = "account create passphrase"
    server = make_server(SECURE_SQLITE, start=False, extra_args=["--seal", "passphrase"])
    server.start(env={"RAMPART_PASSPHRASE": passphrase})
    args = ("account", "create", *server.store_args())
    missing = server.rampart(*args, check=False)
    assert missing.returncode != 0 and "RAMPART_PASSPHRASE" in missing.stderr, missing
    wrong = server.rampart(*args, check=False,
                           env={"RAMPART_PASSPHRASE": "not the passphrase at all"})
    assert wrong.returncode != 0 and not wrong.stdout, wrong
    created = server.create_account(env={"RAMPART_PASSPHRASE": passphrase})
    who = server.client_for("sts", created).get_caller_identity()
    assert who["Account"] == created["AccountId"]
    assert who["Arn"] == f"arn:aws:iam::{created['AccountId']}:root"
    shamir = make_server(SECURE_SQLITE, start=False)
    run_rampart("operator", "init", *shamir.store_args(), "--shares", "3", "--threshold", "2")
    refused = shamir.rampart("account", "create", *shamir.store_args(), check=False)
    assert refused.returncode != 0 and "Shamir" in refused.stderr, refused


# ----------------------------------------------------------------------------- scenarios


def test_role_may_encrypt_but_not_decrypt(secure_server, a):
    key = a.key()
    role = create_role(a.iam, unique("encrypt-only"), trust_policy({"AWS": a.root}),
                       policy=policy_doc(allow(["kms:Encrypt", "kms:DescribeKey"], key["Arn"])))
    name = unique("enc")
    kms = secure_server.client_for("kms", session(secure_server, a.user("encryptor"), role, name))
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"payroll")["CiphertextBlob"]
    arn = f"arn:aws:sts::{a.id}:assumed-role/{role['RoleName']}/{name}"
    expect_error(kms.decrypt, "AccessDeniedException",
                 not_authorized(arn, "kms:Decrypt", key["Arn"],
                                "because no identity-based policy allows the kms:Decrypt action"),
                 400, CiphertextBlob=blob)
    expect_error(kms.generate_data_key, "AccessDeniedException", None, 400,
                 KeyId=key["KeyId"], KeySpec="AES_256")
    assert a.kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"payroll"


def test_deny_decrypt_by_encryption_context(secure_server, a):
    key = a.key()
    policy = policy_doc(
        allow(["kms:Encrypt", "kms:Decrypt"], key["Arn"]),
        deny("kms:Decrypt", key["Arn"],
             {"StringEquals": {"kms:EncryptionContext:tenant": "blocked"}}),
    )
    user = a.user("ctx", policy=policy)
    kms = secure_server.client_for("kms", user)
    blocked = eventually(lambda: kms.encrypt(KeyId=key["KeyId"], Plaintext=b"b",
                                             EncryptionContext={"tenant": "blocked"}))
    open_ = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"o", EncryptionContext={"tenant": "open"})
    expect_error(kms.decrypt, "AccessDeniedException",
                 not_authorized(user["User"]["Arn"], "kms:Decrypt", key["Arn"],
                                "with an explicit deny in an identity-based policy"),
                 400, CiphertextBlob=blocked["CiphertextBlob"],
                 EncryptionContext={"tenant": "blocked"})
    out = kms.decrypt(CiphertextBlob=open_["CiphertextBlob"], EncryptionContext={"tenant": "open"})
    assert out["Plaintext"] == b"o"


def test_grant_lets_another_accounts_role_decrypt_until_retired(secure_server, a, b):
    key = a.key()
    blob = a.kms.encrypt(KeyId=key["KeyId"], Plaintext=b"shared")["CiphertextBlob"]
    role = create_role(b.iam, unique("grantee"), trust_policy({"AWS": b.root}),
                       policy=policy_doc(allow(["kms:Decrypt", "kms:RetireGrant"], key["Arn"])))
    kms = secure_server.client_for("kms", session(secure_server, b.user("grantee-user"), role))
    expect_error(kms.decrypt, "AccessDeniedException", None, 400,
                 CiphertextBlob=blob, KeyId=key["Arn"])
    grant = a.kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=role["Arn"],
                               RetiringPrincipal=role["Arn"], Operations=["Decrypt"])
    listed = a.kms.list_grants(KeyId=key["KeyId"])["Grants"]
    assert [g["GranteePrincipal"] for g in listed] == [role["Arn"]]
    out = eventually(lambda: kms.decrypt(CiphertextBlob=blob, KeyId=key["Arn"]))
    assert out["Plaintext"] == b"shared"
    assert out["KeyId"] == key["Arn"]
    kms.retire_grant(KeyId=key["Arn"], GrantId=grant["GrantId"])
    assert a.kms.list_grants(KeyId=key["KeyId"])["Grants"] == []

    def denied():
        expect_error(kms.decrypt, "AccessDeniedException", None, 400,
                     CiphertextBlob=blob, KeyId=key["Arn"])

    eventually(denied)


def test_assume_role_across_accounts_with_external_id(secure_server, a, b):
    key = a.key()
    role = create_role(a.iam, unique("partner"),
                       trust_policy({"AWS": b.root},
                                    {"StringEquals": {"sts:ExternalId": "b-partner-7"}}),
                       policy=policy_doc(allow(["kms:ListKeys", "kms:DescribeKey"])))
    allowed = b.user("partner-user", policy=policy_doc(allow("sts:AssumeRole", role["Arn"])))
    name = unique("partner")
    creds = session(secure_server, allowed, role, name, ExternalId="b-partner-7")
    who = secure_server.client_for("sts", creds).get_caller_identity()
    assert who["Account"] == a.id
    assert who["Arn"] == f"arn:aws:sts::{a.id}:assumed-role/{role['RoleName']}/{name}"
    keys = secure_server.client_for("kms", creds).list_keys()["Keys"]
    assert key["KeyId"] in [k["KeyId"] for k in keys], "the session works in account A"
    sts = secure_server.client_for("sts", allowed)
    refused = (rf"^User: {re.escape(allowed['User']['Arn'])} is not authorized to perform: "
               rf"sts:AssumeRole on resource: {re.escape(role['Arn'])}$")
    for wrong in ({"ExternalId": "b-partner-8"}, {}):
        expect_error(sts.assume_role, "AccessDenied", refused, 403,
                     RoleArn=role["Arn"], RoleSessionName="denied", **wrong)
    # B's user needs B's permission too, trust policy or not.
    unallowed = secure_server.client_for("sts", b.user("no-perm", policy=None))
    expect_error(unallowed.assume_role, "AccessDenied", None, 403, RoleArn=role["Arn"],
                 RoleSessionName="denied", ExternalId="b-partner-7")


def test_cross_account_key_needs_both_policies(secure_server, a, b):
    role = create_role(b.iam, unique("cross"), trust_policy({"AWS": b.root}))
    shared = a.key(default_key_policy(a.id, statement(
        "Allow", ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "*", {"AWS": role["Arn"]})))
    private = a.key()
    name = unique("cross")
    kms = secure_server.client_for("kms", session(secure_server, b.user("cross-user"), role, name))
    arn = f"arn:aws:sts::{b.id}:assumed-role/{role['RoleName']}/{name}"
    # The key policy allows B's role, B's identity policy does not (yet).
    expect_error(kms.encrypt, "AccessDeniedException",
                 not_authorized(arn, "kms:Encrypt", shared["Arn"],
                                "because no identity-based policy allows the kms:Encrypt action"),
                 400, KeyId=shared["Arn"], Plaintext=b"x")
    b.iam.put_role_policy(RoleName=role["RoleName"], PolicyName="use-a-keys",
                          PolicyDocument=policy_doc(allow(["kms:Encrypt", "kms:Decrypt"],
                                                          [shared["Arn"], private["Arn"]])))
    blob = eventually(lambda: kms.encrypt(KeyId=shared["Arn"], Plaintext=b"both"))
    assert blob["KeyId"] == shared["Arn"]
    out = kms.decrypt(CiphertextBlob=blob["CiphertextBlob"], KeyId=shared["Arn"])
    assert out["Plaintext"] == b"both"
    # B's identity policy allows, A's key policy does not.
    expect_error(kms.encrypt, "AccessDeniedException",
                 not_authorized(arn, "kms:Encrypt", private["Arn"],
                                "because no resource-based policy allows the kms:Encrypt action"),
                 400, KeyId=private["Arn"], Plaintext=b"x")
    # Another account's key is named by its ARN: a bare key id is looked up in B.
    expect_error(kms.encrypt, "NotFoundException", None, 400, KeyId=shared["KeyId"],
                 Plaintext=b"x")


def test_cross_account_decrypt_without_key_id(secure_server, a, b):
    """A symmetric ciphertext names its key: Decrypt needs no KeyId, across accounts too."""
    role = create_role(b.iam, unique("blob-reader"), trust_policy({"AWS": b.root}),
                       policy=policy_doc(allow("kms:Decrypt", "*")))
    key = a.key(default_key_policy(a.id, statement("Allow", "kms:Decrypt", "*",
                                                   {"AWS": role["Arn"]})))
    blob = a.kms.encrypt(KeyId=key["KeyId"], Plaintext=b"named")["CiphertextBlob"]
    kms = secure_server.client_for("kms", session(secure_server, b.user("blob-user"), role))
    out = eventually(lambda: kms.decrypt(CiphertextBlob=blob))
    assert out["Plaintext"] == b"named"
    assert out["KeyId"] == key["Arn"]


# ----------------------------------------------------------------------------- CloudTrail


def lookup(ct, key: str, value: str, want, timeout: float = 5.0) -> list[dict]:
    """Events of a LookupEvents by one attribute, polled until `want(events)` holds."""
    def check():
        events = ct.lookup_events(LookupAttributes=[{"AttributeKey": key,
                                                     "AttributeValue": value}])["Events"]
        assert want(events), f"lookup {key}={value} never satisfied: {events}"
        return events

    return eventually(check, timeout)


def record(event: dict) -> dict:
    return json.loads(event["CloudTrailEvent"])


def request_id(response: dict) -> str:
    return response["ResponseMetadata"]["RequestId"]


def failed_request_id(call, **kwargs) -> str:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"
    return request_id(err.value.response)


def test_trail_shows_who_did_what_including_denials(secure_server, a):
    key = a.key()
    blob = a.kms.encrypt(KeyId=key["KeyId"], Plaintext=b"t")["CiphertextBlob"]
    user = a.user("auditee", policy=policy_doc(allow("kms:DescribeKey", key["Arn"])))
    name = user["User"]["UserName"]
    kms = secure_server.client_for("kms", user)
    ok = request_id(eventually(lambda: kms.describe_key(KeyId=key["KeyId"])))
    denied = failed_request_id(kms.decrypt, CiphertextBlob=blob)
    denied_list = failed_request_id(kms.list_keys)
    wanted = {ok, denied, denied_list}
    events = lookup(a.ct, "Username", name,
                    lambda es: wanted <= {record(e)["requestID"] for e in es})
    by_request = {record(e)["requestID"]: e for e in events}
    for rid in wanted:
        event = by_request[rid]
        assert event["Username"] == name
        assert event["AccessKeyId"] == user["AccessKeyId"]
        identity = record(event)["userIdentity"]
        assert identity == {"type": "IAMUser", "principalId": user["User"]["UserId"],
                            "arn": user["User"]["Arn"], "accountId": a.id,
                            "accessKeyId": user["AccessKeyId"], "userName": name}
    assert "errorCode" not in record(by_request[ok])
    for rid, action in ((denied, "kms:Decrypt"), (denied_list, "kms:ListKeys")):
        rec = record(by_request[rid])
        assert rec["errorCode"] == "AccessDeniedException", rec
        assert rec["errorMessage"].startswith(
            f"User: {user['User']['Arn']} is not authorized to perform: {action}"), rec
    assert by_request[denied]["EventName"] == "Decrypt"
    by_key = lookup(a.ct, "AccessKeyId", user["AccessKeyId"],
                    lambda es: wanted <= {record(e)["requestID"] for e in es})
    assert {record(e)["requestID"] for e in by_key} == wanted


def test_trail_names_role_sessions(secure_server, a):
    role = create_role(a.iam, unique("trailed"), trust_policy({"AWS": a.root}),
                       policy=policy_doc(allow("kms:ListKeys")))
    name = unique("trail-session")
    creds = session(secure_server, a.user("trail-user"), role, name)
    rid = request_id(secure_server.client_for("kms", creds).list_keys())
    events = lookup(a.ct, "Username", name,
                    lambda es: rid in {record(e)["requestID"] for e in es})
    event = next(e for e in events if record(e)["requestID"] == rid)
    assert event["AccessKeyId"] == creds["AccessKeyId"]
    identity = record(event)["userIdentity"]
    assert identity["type"] == "AssumedRole"
    assert identity["principalId"] == f"{role['RoleId']}:{name}"
    assert identity["arn"] == f"arn:aws:sts::{a.id}:assumed-role/{role['RoleName']}/{name}"
    assert identity["accessKeyId"] == creds["AccessKeyId"]
    issuer = identity["sessionContext"]["sessionIssuer"]
    assert issuer == {"type": "Role", "principalId": role["RoleId"], "arn": role["Arn"],
                      "accountId": a.id, "userName": role["RoleName"]}
    attributes = identity["sessionContext"]["attributes"]
    assert attributes["mfaAuthenticated"] == "false"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", attributes["creationDate"])
    by_role_name = lookup(a.ct, "Username", role["RoleName"], lambda es: True)
    assert rid not in {record(e)["requestID"] for e in by_role_name}, \
        "a session's user name is its session name, not the role's name"


def test_cross_account_use_is_in_both_trails(secure_server, a, b):
    role = create_role(b.iam, unique("trail-cross"), trust_policy({"AWS": b.root}),
                       policy=policy_doc(allow("kms:Encrypt", "*")))
    key = a.key(default_key_policy(a.id, statement("Allow", "kms:Encrypt", "*",
                                                   {"AWS": role["Arn"]})))
    name = unique("xacct")
    creds = session(secure_server, b.user("xacct-user"), role, name)
    kms = secure_server.client_for("kms", creds)
    rid = request_id(eventually(lambda: kms.encrypt(KeyId=key["Arn"], Plaintext=b"x")))

    def one(ct, account):
        events = lookup(ct, "ResourceName", key["Arn"],
                        lambda es: rid in {record(e)["requestID"] for e in es})
        mine = [e for e in events if record(e)["requestID"] == rid]
        assert len(mine) == 1, f"account {account} sees {len(mine)} copies"
        return mine[0]

    theirs, ours = one(b.ct, b.id), one(a.ct, a.id)
    caller_rec, owner_rec = record(theirs), record(ours)
    assert caller_rec["recipientAccountId"] == b.id
    assert caller_rec["userIdentity"]["type"] == "AssumedRole"
    assert theirs["Username"] == name
    assert owner_rec["recipientAccountId"] == a.id
    assert owner_rec["userIdentity"] == {"type": "AWSAccount",
                                         "principalId": caller_rec["userIdentity"]["principalId"],
                                         "accountId": b.id}
    assert "Username" not in ours
    assert caller_rec["eventID"] != owner_rec["eventID"]
    assert caller_rec["sharedEventID"] == owner_rec["sharedEventID"]
    for rec in (caller_rec, owner_rec):
        assert {"accountId": a.id, "type": "AWS::KMS::Key", "ARN": key["Arn"]} in rec["resources"]
    # Neither account's lookups show the other's copy.
    assert not [e for e in lookup(b.ct, "EventId", owner_rec["eventID"], lambda es: True)]
    assert not [e for e in lookup(a.ct, "EventId", caller_rec["eventID"], lambda es: True)]


def test_cross_account_assume_role_is_in_the_roles_account_trail(secure_server, a, b):
    role = create_role(a.iam, unique("audited-partner"), trust_policy({"AWS": b.root}))
    user = b.user("assumer", policy=policy_doc(allow("sts:AssumeRole", role["Arn"])))
    sts = secure_server.client_for("sts", user)
    rid = request_id(eventually(lambda: sts.assume_role(RoleArn=role["Arn"],
                                                        RoleSessionName="audited")))
    events = lookup(a.ct, "EventName", "AssumeRole",
                    lambda es: rid in {record(e)["requestID"] for e in es})
    rec = next(record(e) for e in events if record(e)["requestID"] == rid)
    assert rec["eventSource"] == "sts.amazonaws.com"
    assert rec["userIdentity"] == {"type": "AWSAccount", "principalId": user["User"]["UserId"],
                                   "accountId": b.id}
    assert {"accountId": a.id, "type": "AWS::IAM::Role", "ARN": role["Arn"]} in rec["resources"]
    theirs = lookup(b.ct, "Username", user["User"]["UserName"],
                    lambda es: rid in {record(e)["requestID"] for e in es})
    assert any(record(e)["userIdentity"]["type"] == "IAMUser" for e in theirs)

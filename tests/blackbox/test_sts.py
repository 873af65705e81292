"""STS through boto3 on a secure server: AssumeRole with an ExternalId (wrong or missing ones
denied), session credentials that sign requests as the assumed role, DurationSeconds limits
(the role's MaxSessionDuration, role chaining), session policies that narrow the role,
GetSessionToken, forged or incomplete session tokens refused, and an expired session token
answered ExpiredToken (the server restarted 20 minutes ahead under libfaketime)."""

from __future__ import annotations

import ctypes.util
import datetime
import glob
import re
from unittest import mock

import pytest
from botocore.exceptions import ClientError

from harness import (
    SECURE_SQLITE,
    allow,
    create_role,
    create_user_with_key,
    eventually,
    expect_error,
    policy_doc,
    trust_policy,
    unique,
)

INVALID_TOKEN = r"^The security token included in the request is invalid\.?$"
EXPIRED_TOKEN = r"^The security token included in the request is expired\.?$"
KMS_ALL = policy_doc(allow("kms:*"))
EXTERNAL_ID = "tenant-42-external"


@pytest.fixture(scope="module")
def iam(secure_server):
    return secure_server.client("iam")


@pytest.fixture(scope="module")
def account(secure_server):
    return secure_server.client("sts").get_caller_identity()["Account"]


@pytest.fixture(scope="module")
def caller(iam):
    """An IAM user allowed to call sts:AssumeRole on any role."""
    return create_user_with_key(iam, unique("caller"), policy=policy_doc(allow("sts:AssumeRole")))


@pytest.fixture(scope="module")
def ext_role(iam, caller):
    """A role trusting `caller` only with the ExternalId, allowed kms:*."""
    return create_role(
        iam, unique("ext-role"),
        trust_policy({"AWS": caller["User"]["Arn"]},
                     {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}),
        policy=KMS_ALL,
    )


@pytest.fixture(scope="module")
def open_role(iam, account):
    """A role trusting the account (so any principal its identity policies allow), kms:*,
    sessions up to 12 hours."""
    return create_role(iam, unique("open-role"),
                       trust_policy({"AWS": f"arn:aws:iam::{account}:root"}),
                       policy=policy_doc(allow("kms:*"), allow("sts:AssumeRole")),
                       MaxSessionDuration=43200)


@pytest.fixture(scope="module")
def caller_sts(secure_server, caller):
    return secure_server.client_for("sts", caller, parameter_validation=False)


def assume(sts, role: dict, session: str | None = None, **kwargs) -> dict:
    return eventually(lambda: sts.assume_role(RoleArn=role["Arn"],
                                              RoleSessionName=session or unique("s"), **kwargs))


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


# ----------------------------------------------------------------------------- AssumeRole


def test_external_id_is_required_and_checked(caller_sts, caller, ext_role):
    denied = (rf"^User: {re.escape(caller['User']['Arn'])} is not authorized to perform: "
              rf"sts:AssumeRole on resource: {re.escape(ext_role['Arn'])}$")
    ok = assume(caller_sts, ext_role, ExternalId=EXTERNAL_ID)
    assert ok["Credentials"]["AccessKeyId"].startswith("ASIA")
    expect_error(caller_sts.assume_role, "AccessDenied", denied, 403, RoleArn=ext_role["Arn"],
                 RoleSessionName="wrong", ExternalId="tenant-43-external")
    expect_error(caller_sts.assume_role, "AccessDenied", denied, 403, RoleArn=ext_role["Arn"],
                 RoleSessionName="missing")


def test_session_credentials_sign_as_the_assumed_role(secure_server, caller_sts, ext_role,
                                                      account):
    session = unique("ci-run")
    before = now()
    out = assume(caller_sts, ext_role, session, ExternalId=EXTERNAL_ID, DurationSeconds=900)
    creds, user = out["Credentials"], out["AssumedRoleUser"]
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", creds["AccessKeyId"]), creds["AccessKeyId"]
    assert len(creds["SecretAccessKey"]) == 40
    assert creds["SessionToken"]
    lifetime = (creds["Expiration"] - before).total_seconds()
    assert 890 <= lifetime <= 960, creds["Expiration"]
    role_name = ext_role["RoleName"]
    assert user["Arn"] == f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}"
    assert user["AssumedRoleId"] == f"{ext_role['RoleId']}:{session}"
    assert "PackedPolicySize" not in out
    who = secure_server.client_for("sts", creds).get_caller_identity()
    assert who == {**who, "Account": account, "Arn": user["Arn"], "UserId": user["AssumedRoleId"]}
    kms = secure_server.client_for("kms", creds)
    key = kms.create_key(Description="made by a role session")["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"hello")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"hello"


def test_assume_role_denials(secure_server, iam, caller_sts, account, open_role, ext_role):
    # A role that does not exist is an AccessDenied, not a NoSuchEntity.
    missing = f"arn:aws:iam::{account}:role/{unique('missing')}"
    expect_error(caller_sts.assume_role, "AccessDenied",
                 rf"not authorized to perform: sts:AssumeRole on resource: {re.escape(missing)}$",
                 403, RoleArn=missing, RoleSessionName="s1")
    # A user the trust policy does not name.
    stranger = create_user_with_key(iam, unique("stranger"),
                                    policy=policy_doc(allow("sts:AssumeRole")))
    stranger_sts = secure_server.client_for("sts", stranger)
    expect_error(stranger_sts.assume_role, "AccessDenied", None, 403, RoleArn=ext_role["Arn"],
                 RoleSessionName="s1", ExternalId=EXTERNAL_ID)
    # The trust policy names the account: the caller's identity policy must allow it too.
    nobody = create_user_with_key(iam, unique("no-assume"))
    nobody_sts = secure_server.client_for("sts", nobody)
    expect_error(nobody_sts.assume_role, "AccessDenied", None, 403, RoleArn=open_role["Arn"],
                 RoleSessionName="s1")
    eventually(lambda: stranger_sts.assume_role(RoleArn=open_role["Arn"], RoleSessionName="s1"))
    # The root user cannot assume roles.
    root_sts = secure_server.client("sts")
    expect_error(root_sts.assume_role, "AccessDenied", None, 403, RoleArn=open_role["Arn"],
                 RoleSessionName="s1")


def test_duration_limits(secure_server, iam, caller_sts, ext_role, open_role, account):
    expect_error(caller_sts.assume_role, "ValidationError",
                 r"Member must have value greater than or equal to 900", 400,
                 RoleArn=open_role["Arn"], RoleSessionName="short", DurationSeconds=899)
    expect_error(caller_sts.assume_role, "ValidationError",
                 r"^The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                 r"role\.$", 400, RoleArn=ext_role["Arn"], RoleSessionName="long",
                 ExternalId=EXTERNAL_ID, DurationSeconds=3601)
    long = assume(caller_sts, open_role, DurationSeconds=43200)["Credentials"]
    assert (long["Expiration"] - now()).total_seconds() > 43000
    expect_error(caller_sts.assume_role, "ValidationError", None, 400, RoleArn=open_role["Arn"],
                 RoleSessionName="too-long", DurationSeconds=43201)
    # Role chaining: a role session assuming another role gets at most one hour.
    chained = create_role(iam, unique("chained"),
                          trust_policy({"AWS": open_role["Arn"]}), policy=KMS_ALL,
                          MaxSessionDuration=43200)
    first = secure_server.client_for("sts", long, parameter_validation=False)
    expect_error(first.assume_role, "ValidationError",
                 r"^The requested DurationSeconds exceeds the 1 hour session limit for roles "
                 r"assumed by role chaining\.$", 400, RoleArn=chained["Arn"],
                 RoleSessionName="chain", DurationSeconds=3601)
    second = assume(first, chained, "chain", DurationSeconds=3600)
    assert second["AssumedRoleUser"]["Arn"] == (
        f"arn:aws:sts::{account}:assumed-role/{chained['RoleName']}/chain")


def test_session_names_are_validated(caller_sts, open_role):
    expect_error(caller_sts.assume_role, "ValidationError", r"roleSessionName", 400,
                 RoleArn=open_role["Arn"], RoleSessionName="has spaces")
    expect_error(caller_sts.assume_role, "ValidationError", r"roleSessionName", 400,
                 RoleArn=open_role["Arn"], RoleSessionName="x")


def test_session_policy_narrows_the_role(secure_server, iam, caller_sts, open_role):
    narrow = policy_doc(allow("kms:ListKeys"))
    out = assume(caller_sts, open_role, Policy=narrow)
    assert isinstance(out.get("PackedPolicySize"), int) and 0 < out["PackedPolicySize"] <= 100
    kms = secure_server.client_for("kms", out["Credentials"])
    kms.list_keys()
    expect_error(kms.create_key, "AccessDeniedException",
                 r"because no session policy allows the kms:CreateKey action", 400)
    managed = iam.create_policy(PolicyName=unique("session-managed"),
                                PolicyDocument=policy_doc(allow("kms:DescribeKey")))["Policy"]
    by_arn = assume(caller_sts, open_role, PolicyArns=[{"arn": managed["Arn"]}])
    kms2 = secure_server.client_for("kms", by_arn["Credentials"])
    expect_error(kms2.list_keys, "AccessDeniedException", None, 400)
    # A session policy cannot grant what the role lacks.
    wide = assume(caller_sts, open_role, Policy=policy_doc(allow(["kms:*", "iam:*"])))
    wide_iam = secure_server.client_for("iam", wide["Credentials"])
    expect_error(wide_iam.list_users, "AccessDenied", None, 403)
    expect_error(caller_sts.assume_role, "MalformedPolicyDocument", None, 400,
                 RoleArn=open_role["Arn"], RoleSessionName="bad", Policy="{not json")


# ----------------------------------------------------------------------------- GetSessionToken


def test_get_session_token_of_a_user(secure_server, iam, caller):
    sts = secure_server.client_for("sts", caller, parameter_validation=False)
    out = eventually(lambda: sts.get_session_token(DurationSeconds=900))["Credentials"]
    assert out["AccessKeyId"].startswith("ASIA")
    who = secure_server.client_for("sts", out).get_caller_identity()
    assert who["Arn"] == caller["User"]["Arn"]
    assert who["UserId"] == caller["User"]["UserId"]
    expect_error(sts.get_session_token, "ValidationError", None, 400, DurationSeconds=899)
    # The session carries the user's permissions: no KMS for this user.
    expect_error(secure_server.client_for("kms", out).list_keys, "AccessDeniedException",
                 None, 400)


# ----------------------------------------------------------------------------- forged tokens


def _tamper(token: str) -> str:
    middle = len(token) // 2
    flipped = "A" if token[middle] != "A" else "B"
    return token[:middle] + flipped + token[middle + 1:]


def test_forged_and_missing_session_tokens(secure_server, caller_sts, open_role):
    creds = assume(caller_sts, open_role)["Credentials"]
    forged = {**creds, "SessionToken": _tamper(creds["SessionToken"])}
    expect_error(secure_server.client_for("sts", forged).get_caller_identity,
                 "InvalidClientTokenId", INVALID_TOKEN, 403)
    expect_error(secure_server.client_for("kms", forged).list_keys,
                 "UnrecognizedClientException", INVALID_TOKEN, 400)
    # A temporary key id signed without its token.
    bare = {k: v for k, v in creds.items() if k != "SessionToken"}
    expect_error(secure_server.client_for("sts", bare).get_caller_identity,
                 "InvalidClientTokenId", INVALID_TOKEN, 403)
    # Another session's token with this session's key.
    other = assume(caller_sts, open_role)["Credentials"]
    swapped = {**creds, "SessionToken": other["SessionToken"]}
    with pytest.raises(ClientError) as err:
        secure_server.client_for("sts", swapped).get_caller_identity()
    assert err.value.response["Error"]["Code"] in ("InvalidClientTokenId",
                                                    "SignatureDoesNotMatch")
    # A garbage token.
    junk = {**creds, "SessionToken": "FwoGZXIvYXdzEJr//////////wEaDM" + "x" * 200}
    expect_error(secure_server.client_for("sts", junk).get_caller_identity,
                 "InvalidClientTokenId", INVALID_TOKEN, 403)


# ----------------------------------------------------------------------------- expiry


def _libfaketime() -> str | None:
    found = glob.glob("/usr/lib/*/faketime/libfaketime.so.1") or glob.glob(
        "/usr/lib/faketime/libfaketime.so.1")
    return found[0] if found else (ctypes.util.find_library("faketime") or None)


def _expect_expired(call, code: str):
    with pytest.raises(ClientError) as err:
        call()
    error = err.value.response["Error"]
    assert error["Code"] == code, error
    assert re.search(EXPIRED_TOKEN, error["Message"]), error
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 403)


def test_expired_session_token(make_server):
    """A 15-minute session used 20 minutes later (server under libfaketime +20m, requests
    signed with the shifted clock) is ExpiredToken; the same request before expiry worked."""
    lib = _libfaketime()
    if lib is None:
        pytest.skip("libfaketime is not installed (apt-get install faketime)")
    server = make_server(SECURE_SQLITE)
    iam = server.client("iam")
    account = server.client("sts").get_caller_identity()["Account"]
    user = create_user_with_key(iam, unique("expiring"), policy=policy_doc(allow("sts:AssumeRole")))
    role = create_role(iam, unique("short"), trust_policy({"AWS": f"arn:aws:iam::{account}:root"}),
                       policy=KMS_ALL)
    sts = server.client_for("sts", user)
    creds = assume(sts, role, DurationSeconds=900)["Credentials"]
    server.client_for("sts", creds).get_caller_identity()
    server.stop()
    server.start(env={"LD_PRELOAD": lib, "FAKETIME": "+20m",
                      "FAKETIME_DONT_FAKE_MONOTONIC": "1", "FAKETIME_NO_CACHE": "1"})
    later = (now() + datetime.timedelta(minutes=20)).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=later):
        _expect_expired(server.client_for("sts", creds).get_caller_identity, "ExpiredToken")
        _expect_expired(server.client_for("kms", creds).list_keys, "ExpiredTokenException")
        # Long-term keys still work at that time.
        server.client_for("sts", user).get_caller_identity()

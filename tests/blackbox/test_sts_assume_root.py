"""STS AssumeRoot and GetDelegatedAccessToken through boto3.

AssumeRoot, on a secure server (TLS + SigV4; SQLite and PostgreSQL): an organization made of a
management account and a member account (`rampart account create --management-account`), and
an account outside it. An IAM user of the management account allowed `sts:AssumeRoot`
(resource the member's root, condition `sts:TaskPolicyArn`) gets a 15-minute root session of
the member, which GetCallerIdentity names as the member's root and whose root-task policy lets
it audit the root's credentials and nothing else; callers without the permission, root users,
targets outside the organization and bad input are refused.

GetDelegatedAccessToken: a partner's delegation request accepted and sent by a customer user
yields a trade-in token (`rampart iam delegation-token`, standing in for the SNS delivery) that
only the partner exchanges, for a federated session of the approver in the customer account
narrowed by the request's policy template (an AWS managed policy); on a `--dev` server whose
clock passes the delegation period, the token has expired."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from harness import allow, expect_error, policy_doc, run_rampart, unique

TASK = "arn:aws:iam::aws:policy/root-task/"
AUDIT = TASK + "IAMAuditRootUserCredentials"
PASSWORD = TASK + "IAMCreateRootUserPassword"


def member_of(server, management: str) -> dict:
    """A new account in the organization `management` manages, with its root key."""
    proc = run_rampart("account", "create", *server.store_args(), "--json",
                       "--management-account", management, env=server.extra_env)
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def org(secure_server):
    """STS clients of the management account's users and roots, and the account ids."""
    management = secure_server.create_account()
    member = member_of(secure_server, management["AccountId"])
    outsider = secure_server.create_account()
    iam = secure_server.client_for("iam", management)
    root_arn = f"arn:aws:iam::{member['AccountId']}:root"
    policies = {
        "auditor": policy_doc(allow("sts:AssumeRoot", root_arn,
                                    {"StringEquals": {"sts:TaskPolicyArn": AUDIT}})),
        "anywhere": policy_doc(allow("sts:AssumeRoot")),
        "nobody": None,
    }
    sts = {}
    for name, doc in policies.items():
        iam.create_user(UserName=name)
        if doc:
            iam.put_user_policy(UserName=name, PolicyName="root", PolicyDocument=doc)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        sts[name] = secure_server.client_for("sts", key)
    sts["root"] = secure_server.client_for("sts", management)
    sts["unchecked"] = secure_server.client_for("sts", management, parameter_validation=False)
    member_iam = secure_server.client_for("iam", member)
    member_iam.create_user(UserName="member-user")
    return {**sts, "member_iam": member_iam, "member": member["AccountId"],
            "member_key": member["AccessKeyId"], "outsider": outsider["AccountId"],
            "root_arn": root_arn,
            "management": management["AccountId"], "server": secure_server}


def test_the_root_session_audits_the_member_root(org):
    before = dt.datetime.now(dt.timezone.utc)
    out = org["auditor"].assume_root(TargetPrincipal=org["member"], TaskPolicyArn={"arn": AUDIT})
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and "SourceIdentity" not in out
    lifetime = (creds["Expiration"] - before).total_seconds()
    assert 895 <= lifetime <= 905
    server = org["server"]
    me = server.client_for("sts", creds).get_caller_identity()
    assert (me["Account"], me["Arn"], me["UserId"]) == (org["member"], org["root_arn"],
                                                         org["member"])
    iam = server.client_for("iam", creds)
    keys = iam.list_access_keys()["AccessKeyMetadata"]
    assert org["member_key"] in [k["AccessKeyId"] for k in keys]
    assert "Users" in iam.get_account_summary()["SummaryMap"]
    explicit = r"with an explicit deny in an identity-based policy$"
    expect_error(iam.create_user, "AccessDenied",
                 rf"^User: {org['root_arn']} is not authorized to perform: iam:CreateUser .*"
                 + explicit, 403, UserName="not-allowed")
    expect_error(iam.list_users, "AccessDenied", explicit, 403)
    # The task reaches the root user's credentials only, not an IAM user's.
    expect_error(iam.list_access_keys, "AccessDenied", explicit, 403, UserName="member-user")
    users = org["member_iam"].list_users()["Users"]
    assert "not-allowed" not in [u["UserName"] for u in users]


def test_root_arn_target_and_a_shorter_session(org):
    before = dt.datetime.now(dt.timezone.utc)
    out = org["anywhere"].assume_root(TargetPrincipal=org["root_arn"],
                                      TaskPolicyArn={"arn": PASSWORD}, DurationSeconds=300)
    lifetime = (out["Credentials"]["Expiration"] - before).total_seconds()
    assert 295 <= lifetime <= 305
    iam = org["server"].client_for("iam", out["Credentials"])
    # IAMCreateRootUserPassword allows no listing of the root's keys.
    expect_error(iam.list_access_keys, "AccessDenied", r"explicit deny", 403)
    sts = org["server"].client_for("sts", out["Credentials"])
    expect_error(sts.assume_root, "AccessDenied", r"^Root users may not call AssumeRoot", 403,
                 TargetPrincipal=org["member"], TaskPolicyArn={"arn": AUDIT})


def test_callers_that_may_not(org):
    resource = org["root_arn"]
    message = (rf"^User: arn:aws:iam::{org['management']}:user/{{}} is not authorized to "
               rf"perform: sts:AssumeRoot on resource: {{}}$")
    expect_error(org["nobody"].assume_root, "AccessDenied",
                 message.format("nobody", resource), 403,
                 TargetPrincipal=org["member"], TaskPolicyArn={"arn": AUDIT})
    # The condition names the audit task only.
    expect_error(org["auditor"].assume_root, "AccessDenied",
                 message.format("auditor", resource), 403,
                 TargetPrincipal=org["member"], TaskPolicyArn={"arn": PASSWORD})
    # Allowed everywhere, but the target is not a member of the caller's organization.
    outsider = f"arn:aws:iam::{org['outsider']}:root"
    expect_error(org["anywhere"].assume_root, "AccessDenied",
                 message.format("anywhere", outsider), 403,
                 TargetPrincipal=org["outsider"], TaskPolicyArn={"arn": AUDIT})
    # Nor is the management account itself.
    expect_error(org["anywhere"].assume_root, "AccessDenied", r"sts:AssumeRoot", 403,
                 TargetPrincipal=org["management"], TaskPolicyArn={"arn": AUDIT})
    expect_error(org["root"].assume_root, "AccessDenied", r"^Root users may not call AssumeRoot",
                 403, TargetPrincipal=org["member"], TaskPolicyArn={"arn": AUDIT})


def test_validation(org):
    sts = org["unchecked"]
    expect_error(sts.assume_root, "ValidationError",
                 r"Value '901' at 'durationSeconds' failed to satisfy constraint: Member must "
                 r"have value less than or equal to 900", 400,
                 TargetPrincipal=org["member"], TaskPolicyArn={"arn": AUDIT}, DurationSeconds=901)
    expect_error(sts.assume_root, "ValidationError", r"TaskPolicyArn", 400,
                 TargetPrincipal=org["member"],
                 TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/AdministratorAccess"})
    expect_error(sts.assume_root, "ValidationError", r"TargetPrincipal", 400,
                 TargetPrincipal="not-an-account", TaskPolicyArn={"arn": AUDIT})
    expect_error(sts.assume_root, "ValidationError", r"taskPolicyArn", 400,
                 TargetPrincipal=org["member"])


# ----------------------------------------------------------------------------- delegation

KMS_POWER_USER = "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser"


def delegation_request(partner, customer_id: str, template: str = KMS_POWER_USER) -> str:
    return partner.create_delegation_request(
        OwnerAccountId=customer_id, Description="Set up keys",
        Permissions={"PolicyTemplateArn": template}, RequestorWorkflowId=unique("wf"),
        NotificationChannel="arn:aws:sns:us-east-1:111122223333:partner-topic",
        SessionDuration=3600)["DelegationRequestId"]


def trade_in_token(server, request_id: str, check: bool = True):
    proc = run_rampart("iam", "delegation-token", "--request-id", request_id,
                       *server.store_args(), env=server.extra_env, check=check)
    return json.loads(proc.stdout)["TradeInToken"] if check else proc


@pytest.fixture(scope="module")
def delegation(secure_server):
    partner, customer, stranger = (secure_server.create_account() for _ in range(3))
    customer_iam = secure_server.client_for("iam", customer)
    customer_iam.create_user(UserName="approver")
    customer_iam.put_user_policy(
        UserName="approver", PolicyName="delegation",
        PolicyDocument=policy_doc(allow(["iam:*DelegationRequest*", "iam:SendDelegationToken",
                                         "kms:*"])))
    key = customer_iam.create_access_key(UserName="approver")["AccessKey"]
    return {"server": secure_server, "customer_id": customer["AccountId"],
            "partner_iam": secure_server.client_for("iam", partner),
            "partner_sts": secure_server.client_for("sts", partner),
            "stranger_sts": secure_server.client_for("sts", stranger),
            "approver": secure_server.client_for("iam", key)}


def finalized(delegation, template: str = KMS_POWER_USER) -> str:
    rid = delegation_request(delegation["partner_iam"], delegation["customer_id"], template)
    approver = delegation["approver"]
    approver.associate_delegation_request(DelegationRequestId=rid)
    approver.accept_delegation_request(DelegationRequestId=rid)
    approver.send_delegation_token(DelegationRequestId=rid)
    return rid


def test_the_partner_trades_the_token_for_the_approver_session(delegation):
    server, customer = delegation["server"], delegation["customer_id"]
    rid = finalized(delegation)
    token = trade_in_token(server, rid)
    out = delegation["partner_sts"].get_delegated_access_token(TradeInToken=token)
    assert out["AssumedPrincipal"] == f"arn:aws:iam::{customer}:user/approver"
    assert "PackedPolicySize" not in out
    period = delegation["approver"].get_delegation_request(
        DelegationRequestId=rid)["DelegationRequest"]["ExpirationTime"]
    assert abs((out["Credentials"]["Expiration"] - period).total_seconds()) < 1
    creds = out["Credentials"]
    me = server.client_for("sts", creds).get_caller_identity()
    assert me["Account"] == customer
    assert me["Arn"] == f"arn:aws:sts::{customer}:federated-user/{rid[:32]}"
    kms = server.client_for("kms", creds)
    key_id = kms.create_key(Description="made by the partner")["KeyMetadata"]["KeyId"]
    # The approver may schedule deletions; the delegated template does not allow it.
    expect_error(kms.schedule_key_deletion, "AccessDeniedException", r"kms:ScheduleKeyDeletion",
                 400, KeyId=key_id, PendingWindowInDays=7)
    # The token can be traded again during the period, by the partner only.
    delegation["partner_sts"].get_delegated_access_token(TradeInToken=token)
    invalid = r"^The trade-in token is not valid\.$"
    expect_error(delegation["stranger_sts"].get_delegated_access_token, "InvalidParameterValue",
                 invalid, 400, TradeInToken=token)
    expect_error(delegation["partner_sts"].get_delegated_access_token, "InvalidParameterValue",
                 invalid, 400, TradeInToken=token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    expect_error(delegation["partner_sts"].get_delegated_access_token, "InvalidParameterValue",
                 invalid, 400, TradeInToken="not-a-token")


def test_no_token_before_it_is_sent_and_unknown_templates_allow_nothing(delegation):
    server, approver = delegation["server"], delegation["approver"]
    rid = delegation_request(delegation["partner_iam"], delegation["customer_id"])
    approver.associate_delegation_request(DelegationRequestId=rid)
    approver.accept_delegation_request(DelegationRequestId=rid)
    proc = trade_in_token(server, rid, check=False)
    assert proc.returncode != 0 and "no trade-in token" in proc.stderr
    approver.reject_delegation_request(DelegationRequestId=rid)
    assert trade_in_token(server, rid, check=False).returncode != 0

    rid = finalized(delegation, "arn:aws:iam::aws:policy-template/ExamplePartnerAccess")
    out = delegation["partner_sts"].get_delegated_access_token(
        TradeInToken=trade_in_token(server, rid))
    kms = server.client_for("kms", out["Credentials"])
    expect_error(kms.create_key, "AccessDeniedException",
                 r"federated-user/.* is not authorized to perform: kms:CreateKey", 400)


def test_the_token_expires_with_the_delegation_period(dev_server):
    partner_id, customer_id = "111111111111", "222222222222"
    partner = dev_server.client("iam", access_key=partner_id, secret_key="x")
    customer = dev_server.client("iam", access_key=customer_id, secret_key="x")
    rid = delegation_request(partner, customer_id)
    for step in (customer.associate_delegation_request, customer.accept_delegation_request,
                 customer.send_delegation_token):
        step(DelegationRequestId=rid)
    token = trade_in_token(dev_server, rid)
    sts = dev_server.client("sts", access_key=partner_id, secret_key="x")
    out = sts.get_delegated_access_token(TradeInToken=token)
    assert out["AssumedPrincipal"] == f"arn:aws:iam::{customer_id}:root"
    body = json.dumps({"advance_seconds": 3601}).encode()
    resp = dev_server.post("/_rampart/clock", body, headers={"Content-Type": "application/json"})
    assert resp.status == 200, (resp.status, resp.body)
    expect_error(sts.get_delegated_access_token, "ExpiredTradeInTokenException",
                 r"expired", 400, TradeInToken=token)

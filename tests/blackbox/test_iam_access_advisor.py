"""IAM access advisor (service last accessed data) through boto3 on a secure server (TLS +
SigV4; SQLite and PostgreSQL), in an account of its own: a user, a role session and a group
member call KMS, IAM and STS (one IAM call denied); the reports on the user, role, group and
managed policy list the services their policies grant with the last attempt read from the
audit trail, tracked IAM actions at ACTION_LEVEL, the entities of group and policy reports,
paging, ListPoliciesGrantingServiceAccess, and AWS's errors."""

from __future__ import annotations

import json
import time

import pytest

from harness import allow, expect_error, policy_doc


@pytest.fixture(scope="module")
def setup(secure_server):
    """The account, its root IAM client and the entities, with the calls they made."""
    root = secure_server.create_account()
    account = root["AccountId"]
    iam = secure_server.client_for("iam", root)
    user_policy = policy_doc(allow(["kms:*", "iam:List*", "iam:GetUser", "sts:AssumeRole"]))
    iam.create_user(UserName="adv-user")
    iam.put_user_policy(UserName="adv-user", PolicyName="own", PolicyDocument=user_policy)
    key = iam.create_access_key(UserName="adv-user")["AccessKey"]
    policy_arn = iam.create_policy(
        PolicyName="adv-sts", PolicyDocument=policy_doc(allow("sts:GetCallerIdentity")),
    )["Policy"]["Arn"]
    iam.create_group(GroupName="adv-group")
    iam.attach_group_policy(GroupName="adv-group", PolicyArn=policy_arn)
    iam.add_user_to_group(GroupName="adv-group", UserName="adv-user")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName="adv-role", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName="adv-role", PolicyName="kms-read",
                        PolicyDocument=policy_doc(allow("kms:ListKeys")))
    time.sleep(1)
    as_user = lambda svc, region="eu-west-1": secure_server.client_for(svc, key, region=region)
    as_user("kms").list_keys()
    as_user("iam").list_users()
    as_user("iam").get_user(UserName="adv-user")
    expect_error(as_user("iam").create_user, "AccessDenied", None, 403, UserName="nope")
    as_user("sts").get_caller_identity()
    creds = as_user("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/adv-role",
                                       RoleSessionName="s1")["Credentials"]
    secure_server.client_for("kms", creds, region="ap-south-1").list_keys()
    return {"iam": iam, "account": account, "policy_arn": policy_arn,
            "user_arn": f"arn:aws:iam::{account}:user/adv-user",
            "role_arn": f"arn:aws:iam::{account}:role/adv-role",
            "group_arn": f"arn:aws:iam::{account}:group/adv-group"}


def report(iam, arn: str, granularity: str, ready) -> dict:
    """Generates reports on `arn` until `ready(report)` holds (the trail is written shortly
    after read-only calls answer), at most ten seconds."""
    deadline = time.time() + 10
    while True:
        job = iam.generate_service_last_accessed_details(Arn=arn, Granularity=granularity)
        assert len(job["JobId"]) == 36
        got = iam.get_service_last_accessed_details(JobId=job["JobId"])
        got["JobId"] = job["JobId"]
        if ready(got) or time.time() > deadline:
            return got
        time.sleep(0.5)


def by_namespace(got: dict) -> dict:
    return {s["ServiceNamespace"]: s for s in got["ServicesLastAccessed"]}


def test_user_report_at_action_level(setup):
    iam = setup["iam"]
    got = report(iam, setup["user_arn"], "ACTION_LEVEL",
                 lambda r: all("LastAuthenticated" in s for s in r["ServicesLastAccessed"]))
    assert got["JobStatus"] == "COMPLETED" and got["JobType"] == "ACTION_LEVEL"
    assert got["JobCompletionDate"] >= got["JobCreationDate"]
    services = by_namespace(got)
    assert list(services) == ["iam", "kms", "sts"]
    kms = services["kms"]
    assert kms["ServiceName"] == "AWS Key Management Service"
    assert kms["LastAuthenticatedEntity"] == setup["user_arn"]
    assert kms["LastAuthenticatedRegion"] == "eu-west-1"
    assert kms["TotalAuthenticatedEntities"] == 1
    assert "TrackedActionsLastAccessed" not in kms
    tracked = {a["ActionName"]: a for a in services["iam"]["TrackedActionsLastAccessed"]}
    assert set(tracked) == {"GetUser", "ListUsers"}, "CreateUser was denied: not granted"
    assert tracked["ListUsers"]["LastAccessedEntity"] == setup["user_arn"]
    assert services["sts"]["LastAuthenticatedEntity"] == setup["user_arn"]

    first = iam.get_service_last_accessed_details(JobId=got["JobId"], MaxItems=2)
    assert first["IsTruncated"] and len(first["ServicesLastAccessed"]) == 2
    rest = iam.get_service_last_accessed_details(JobId=got["JobId"], Marker=first["Marker"])
    assert [s["ServiceNamespace"] for s in rest["ServicesLastAccessed"]] == ["sts"]
    assert rest["IsTruncated"] is False

    entities = iam.get_service_last_accessed_details_with_entities(
        JobId=got["JobId"], ServiceNamespace="kms")["EntityDetailsList"]
    assert [e["EntityInfo"]["Arn"] for e in entities] == [setup["user_arn"]]
    assert entities[0]["EntityInfo"]["Type"] == "USER" and "LastAuthenticated" in entities[0]


def test_role_report_counts_its_sessions(setup):
    iam = setup["iam"]
    got = report(iam, setup["role_arn"], "SERVICE_LEVEL",
                 lambda r: "LastAuthenticated" in r["ServicesLastAccessed"][0])
    assert got["JobType"] == "SERVICE_LEVEL"
    [kms] = got["ServicesLastAccessed"]
    assert kms["ServiceNamespace"] == "kms"
    assert kms["LastAuthenticatedEntity"] == setup["role_arn"]
    assert kms["LastAuthenticatedRegion"] == "ap-south-1"


def test_group_and_policy_reports_list_their_entities(setup):
    iam = setup["iam"]
    ready = lambda r: "LastAuthenticated" in r["ServicesLastAccessed"][0]
    group = report(iam, setup["group_arn"], "SERVICE_LEVEL", ready)
    [sts] = group["ServicesLastAccessed"]
    assert sts["ServiceNamespace"] == "sts"
    assert sts["LastAuthenticatedEntity"] == setup["user_arn"]
    members = iam.get_service_last_accessed_details_with_entities(
        JobId=group["JobId"], ServiceNamespace="sts")
    assert members["JobStatus"] == "COMPLETED"
    [member] = members["EntityDetailsList"]
    assert member["EntityInfo"]["Name"] == "adv-user" and member["EntityInfo"]["Type"] == "USER"
    assert member["LastAuthenticated"] == sts["LastAuthenticated"]

    policy = report(iam, setup["policy_arn"], "SERVICE_LEVEL", ready)
    assert [s["ServiceNamespace"] for s in policy["ServicesLastAccessed"]] == ["sts"]
    holders = iam.get_service_last_accessed_details_with_entities(
        JobId=policy["JobId"], ServiceNamespace="sts")["EntityDetailsList"]
    assert [(e["EntityInfo"]["Name"], e["EntityInfo"]["Type"]) for e in holders] == [
        ("adv-group", "GROUP")]


def test_policies_granting_service_access(setup):
    iam = setup["iam"]
    got = iam.list_policies_granting_service_access(
        Arn=setup["user_arn"], ServiceNamespaces=["kms", "sts", "s3"])
    assert got["IsTruncated"] is False
    entries = {e["ServiceNamespace"]: e["Policies"] for e in got["PoliciesGrantingServiceAccess"]}
    assert entries["kms"] == [{"PolicyName": "own", "PolicyType": "INLINE",
                               "EntityType": "USER", "EntityName": "adv-user"}]
    assert {p["PolicyName"] for p in entries["sts"]} == {"own", "adv-sts"}
    managed = [p for p in entries["sts"] if p["PolicyType"] == "MANAGED"]
    assert managed == [{"PolicyName": "adv-sts", "PolicyType": "MANAGED",
                        "PolicyArn": setup["policy_arn"]}]
    assert entries["s3"] == []
    role = iam.list_policies_granting_service_access(
        Arn=setup["role_arn"], ServiceNamespaces=["kms"])["PoliciesGrantingServiceAccess"]
    assert role[0]["Policies"][0]["EntityType"] == "ROLE"


def test_errors(setup):
    iam, account = setup["iam"], setup["account"]
    expect_error(iam.generate_service_last_accessed_details, "NoSuchEntity",
                 r"^The user with name ghost cannot be found\.$", 404,
                 Arn=f"arn:aws:iam::{account}:user/ghost")
    expect_error(iam.generate_service_last_accessed_details, "InvalidInput", None, 400,
                 Arn=f"arn:aws:iam::{account}:server-certificate/x")
    expect_error(iam.generate_service_last_accessed_details, "InvalidInput", None, 400,
                 Arn="arn:aws:iam::999999999999:user/adv-user")
    expect_error(iam.get_service_last_accessed_details, "NoSuchEntity", None, 404,
                 JobId="00000000-0000-4000-8000-000000000000")
    expect_error(iam.list_policies_granting_service_access, "InvalidInput", None, 400,
                 Arn=setup["policy_arn"], ServiceNamespaces=["kms"])
    expect_error(iam.list_policies_granting_service_access, "NoSuchEntity", None, 404,
                 Arn=f"arn:aws:iam::{account}:role/ghost", ServiceNamespaces=["kms"])

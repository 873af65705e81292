"""IAM temporary delegation requests through boto3 on a secure server (TLS + SigV4; SQLite and
PostgreSQL), across three accounts of their own (a partner, the targeted customer, a
stranger): the lifecycle UNASSIGNED → ASSIGNED → PENDING_APPROVAL → ACCEPTED → FINALIZED and
the rejection path, who sees and may change a request (visibility by account, the owner's
default permission, OnlySendByOwner), ListDelegationRequests, the errors for steps the
lifecycle does not allow, duplicate workflows, unknown ids and bad input;
GetHumanReadableSummary (no summary generator: NOT_AVAILABLE) and the Organizations access
report of an account outside an organization."""

from __future__ import annotations

import pytest

from harness import allow, expect_error, policy_doc, unique

PERMISSIONS = {
    "PolicyTemplateArn": "arn:aws:iam::aws:policy-template/ExamplePartnerAccess",
    "Parameters": [{"Name": "bucketName", "Type": "string", "Values": ["reports"]},
                   {"Name": "sourceAddresses", "Type": "stringList",
                    "Values": ["10.0.0.1", "a+b @c:d"]}],
}


@pytest.fixture(scope="module")
def accounts(secure_server):
    """IAM clients of the partner, customer and stranger roots, and two customer users
    allowed the delegation actions."""
    partner, customer, stranger = (secure_server.create_account() for _ in range(3))
    iam = {name: secure_server.client_for("iam", acct)
           for name, acct in (("partner", partner), ("customer", customer),
                              ("stranger", stranger))}
    users = {}
    for name in ("dlg-owner", "dlg-admin", "dlg-nobody"):
        iam["customer"].create_user(UserName=name)
        if name != "dlg-nobody":
            iam["customer"].put_user_policy(
                UserName=name, PolicyName="delegation",
                PolicyDocument=policy_doc(allow(["iam:*DelegationRequest*",
                                                 "iam:SendDelegationToken"])))
        key = iam["customer"].create_access_key(UserName=name)["AccessKey"]
        users[name] = secure_server.client_for("iam", key)
    unchecked = secure_server.client_for("iam", partner, parameter_validation=False)
    return {**iam, **users, "unchecked": unchecked, "partner_id": partner["AccountId"],
            "customer_id": customer["AccountId"]}


def create(iam, **extra) -> str:
    args = {"Description": "Read the reports bucket", "Permissions": PERMISSIONS,
            "RequestorWorkflowId": unique("workflow-"), "SessionDuration": 3600,
            "NotificationChannel": "arn:aws:sns:us-east-1:111122223333:partner-topic", **extra}
    out = iam.create_delegation_request(**args)
    assert "ConsoleDeepLink" not in out
    return out["DelegationRequestId"]


def get(iam, request_id: str) -> dict:
    return iam.get_delegation_request(DelegationRequestId=request_id)["DelegationRequest"]


def test_approval_path(accounts):
    partner, customer = accounts["partner"], accounts["customer"]
    rid = create(partner, OwnerAccountId=accounts["customer_id"], RequestMessage="please",
                 RedirectUrl="https://partner.example/done")
    got = get(customer, rid)
    assert got["State"] == "UNASSIGNED" and got["RequestorId"] == accounts["partner_id"]
    assert got["OwnerAccountId"] == accounts["customer_id"] and "OwnerId" not in got
    assert got["Permissions"] == PERMISSIONS and got["SessionDuration"] == 3600
    assert got["RequestMessage"] == "please" and got["OnlySendByOwner"] is False
    listed = customer.list_delegation_requests()["DelegationRequests"]
    assert rid not in [r["DelegationRequestId"] for r in listed]

    customer.associate_delegation_request(DelegationRequestId=rid)
    got = get(customer, rid)
    root_arn = f"arn:aws:iam::{accounts['customer_id']}:root"
    assert got["State"] == "ASSIGNED" and got["OwnerId"] == root_arn
    listed = customer.list_delegation_requests(OwnerId=root_arn)["DelegationRequests"]
    assert rid in [r["DelegationRequestId"] for r in listed]

    customer.update_delegation_request(DelegationRequestId=rid, Notes="for the admin")
    got = get(customer, rid)
    assert got["State"] == "PENDING_APPROVAL" and got["Notes"] == "for the admin"
    customer.accept_delegation_request(DelegationRequestId=rid)
    assert get(customer, rid)["ApproverId"] == root_arn
    customer.send_delegation_token(DelegationRequestId=rid)
    got = get(partner, rid)
    assert got["State"] == "FINALIZED"
    assert (got["ExpirationTime"] - got["UpdatedTime"]).total_seconds() == 3600
    expect_error(customer.reject_delegation_request, "InvalidInput",
                 r"RejectDelegationRequest is not allowed .* in state FINALIZED", 400,
                 DelegationRequestId=rid)


def test_rejection_and_steps_out_of_order(accounts):
    partner, customer = accounts["partner"], accounts["customer"]
    rid = create(partner)
    for call in (customer.accept_delegation_request, customer.send_delegation_token,
                 customer.update_delegation_request):
        expect_error(call, "InvalidInput", r"in state UNASSIGNED", 400, DelegationRequestId=rid)
    customer.associate_delegation_request(DelegationRequestId=rid)
    got = get(customer, rid)
    assert got["OwnerAccountId"] == accounts["customer_id"] and got["State"] == "ASSIGNED"
    expect_error(customer.associate_delegation_request, "InvalidInput", r"in state ASSIGNED",
                 400, DelegationRequestId=rid)
    expect_error(customer.send_delegation_token, "InvalidInput", r"in state ASSIGNED", 400,
                 DelegationRequestId=rid)
    customer.accept_delegation_request(DelegationRequestId=rid)
    customer.reject_delegation_request(DelegationRequestId=rid, Notes="changed our mind")
    got = get(customer, rid)
    assert got["State"] == "REJECTED" and got["RejectionReason"] == "changed our mind"
    expect_error(customer.send_delegation_token, "InvalidInput", r"in state REJECTED", 400,
                 DelegationRequestId=rid)
    # Once owned by the customer, the stranger no longer sees it.
    expect_error(accounts["stranger"].get_delegation_request, "NoSuchEntity", rid, 404,
                 DelegationRequestId=rid)


def test_visibility_and_permissions(accounts):
    partner, stranger = accounts["partner"], accounts["stranger"]
    rid = create(partner, OwnerAccountId=accounts["customer_id"], OnlySendByOwner=True)
    message = rf"^The delegation request with id {rid} cannot be found\.$"
    for call in (stranger.get_delegation_request, stranger.associate_delegation_request):
        expect_error(call, "NoSuchEntity", message, 404, DelegationRequestId=rid)
    expect_error(partner.associate_delegation_request, "InvalidInput",
                 r"not assigned to account", 400, DelegationRequestId=rid)
    expect_error(accounts["dlg-nobody"].get_delegation_request, "AccessDenied", None, 403,
                 DelegationRequestId=rid)

    owner, admin = accounts["dlg-owner"], accounts["dlg-admin"]
    owner.associate_delegation_request(DelegationRequestId=rid)
    admin.accept_delegation_request(DelegationRequestId=rid)
    got = get(accounts["customer"], rid)
    assert got["OwnerId"].endswith(":user/dlg-owner")
    assert got["ApproverId"].endswith(":user/dlg-admin")
    expect_error(admin.send_delegation_token, "AccessDenied", r"Only the owner", 403,
                 DelegationRequestId=rid)
    assert get(owner, rid)["State"] == "ACCEPTED"
    owner.send_delegation_token(DelegationRequestId=rid)
    assert get(owner, rid)["State"] == "FINALIZED"


def test_create_errors(accounts):
    partner = accounts["partner"]
    workflow = unique("workflow-dup-")
    create(partner, RequestorWorkflowId=workflow)
    expect_error(create, "EntityAlreadyExists", workflow, 409, iam=partner,
                 RequestorWorkflowId=workflow)
    unchecked = accounts["unchecked"]
    expect_error(create, "ValidationError", r"sessionDuration", 400, iam=unchecked,
                 SessionDuration=60)
    expect_error(create, "ValidationError", r"notificationChannel", 400, iam=unchecked,
                 NotificationChannel="not a channel!")
    expect_error(partner.get_delegation_request, "NoSuchEntity", None, 404,
                 DelegationRequestId="dr-00000000000000000000000000000000")


def test_list_pages(accounts):
    customer = accounts["customer"]
    for _ in range(3):
        customer.associate_delegation_request(DelegationRequestId=create(accounts["partner"]))
    everything = customer.list_delegation_requests()["DelegationRequests"]
    assert len(everything) >= 3
    first = customer.list_delegation_requests(MaxItems=2)
    assert first["isTruncated"] is True and len(first["DelegationRequests"]) == 2
    rest = customer.list_delegation_requests(Marker=first["Marker"], MaxItems=1000)
    ids = [r["DelegationRequestId"] for r in first["DelegationRequests"] + rest["DelegationRequests"]]
    assert ids == [r["DelegationRequestId"] for r in everything]
    assert accounts["stranger"].list_delegation_requests()["DelegationRequests"] == []


def test_human_readable_summary(accounts):
    rid = create(accounts["partner"])
    arn = f"arn:aws:iam::{accounts['partner_id']}:delegation-request/{rid}"
    got = accounts["customer"].get_human_readable_summary(EntityArn=arn, Locale="en-US")
    assert got["SummaryState"] == "NOT_AVAILABLE" and got["Locale"] == "en-US"
    assert "SummaryContent" not in got
    expect_error(accounts["customer"].get_human_readable_summary, "InvalidInput",
                 r"delegation requests only", 400,
                 EntityArn=f"arn:aws:iam::{accounts['customer_id']}:user/dlg-owner")
    expect_error(accounts["customer"].get_human_readable_summary, "NoSuchEntity", None, 404,
                 EntityArn=arn.replace(rid, "dr-00000000000000000000000000000000"))


def test_organizations_access_report(accounts):
    iam = accounts["customer"]
    expect_error(iam.generate_organizations_access_report, "OrganizationNotFoundException",
                 r"^The request was rejected because no organization is associated with your "
                 r"account\.$", EntityPath="o-a1b2c3d4e5/r-f6g7h8i9j0example")
    job = "00000000-0000-4000-8000-000000000000"
    expect_error(iam.get_organizations_access_report, "NoSuchEntity",
                 rf"^No such job exists with id {job}\.$", 404, JobId=job)
    expect_error(accounts["unchecked"].generate_organizations_access_report, "ValidationError",
                 r"entityPath", 400, EntityPath="not-an-organizations-path")

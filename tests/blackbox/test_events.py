"""EventBridge through boto3 against the real binary: buses (the implicit default, custom ones,
paging, delete rules), rules (patterns, schedules, states, update in place, delete with
targets), targets (limits, input settings), PutEvents (per-entry errors, sizes), tags,
permissions and cross-account PutEvents judged by the bus policy, and a table of AWS's
documented event-pattern examples checked through TestEventPattern.

What routed events do at their targets is the delivery job's (tested with it); the outbox
items PutEvents writes are checked by the crate's Rust tests."""

from __future__ import annotations

import json
import uuid

import pytest

from harness import create_user_with_key, eventually, expect_error

ACCOUNT_RE = r"\d{12}"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def events(server):
    return server.client("events")


# ------------------------------------------------------------------------------------ buses


def test_the_default_bus_exists_and_custom_buses_have_a_lifecycle(events):
    default = events.describe_event_bus()
    assert default["Name"] == "default"
    assert default["Arn"].endswith(":event-bus/default")
    expect_error(events.delete_event_bus, "ValidationException",
                 "^Cannot delete event bus default.$", Name="default")
    expect_error(events.create_event_bus, "ResourceAlreadyExistsException",
                 "Event bus default already exists.", Name="default")

    name = unique("bus")
    created = events.create_event_bus(Name=name, Description="orders",
                                      Tags=[{"Key": "team", "Value": "a"}])
    assert created["EventBusArn"].endswith(f":event-bus/{name}")
    assert created["Description"] == "orders"
    described = events.describe_event_bus(Name=created["EventBusArn"])
    assert described["Name"] == name and described["Description"] == "orders"
    assert "CreationTime" in described and "LastModifiedTime" in described
    expect_error(events.create_event_bus, "ResourceAlreadyExistsException",
                 f"Event bus {name} already exists.", Name=name)
    tags = events.list_tags_for_resource(ResourceARN=created["EventBusArn"])["Tags"]
    assert tags == [{"Key": "team", "Value": "a"}]
    updated = events.update_event_bus(Name=name, Description="renamed")
    assert updated["Description"] == "renamed"

    events.put_rule(Name="r", EventBusName=name, EventPattern='{"source": ["a"]}')
    expect_error(events.delete_event_bus, "ValidationException",
                 "^EventBus can't be deleted since it has rules.$", Name=name)
    events.delete_rule(Name="r", EventBusName=name)
    events.delete_event_bus(Name=name)
    events.delete_event_bus(Name=name)  # deleting a missing bus succeeds, as in AWS
    expect_error(events.describe_event_bus, "ResourceNotFoundException",
                 f"Event bus {name} does not exist.", Name=name)


def test_list_event_buses_pages_by_prefix(events):
    prefix = unique("page")
    names = [f"{prefix}-{i}" for i in range(3)]
    for name in names:
        events.create_event_bus(Name=name)
    first = events.list_event_buses(NamePrefix=prefix, Limit=2)
    assert [b["Name"] for b in first["EventBuses"]] == names[:2]
    rest = events.list_event_buses(NamePrefix=prefix, Limit=2, NextToken=first["NextToken"])
    assert [b["Name"] for b in rest["EventBuses"]] == names[2:]
    assert "NextToken" not in rest
    everything = [b["Name"] for b in events.list_event_buses()["EventBuses"]]
    assert "default" in everything
    for name in names:
        events.delete_event_bus(Name=name)


# ------------------------------------------------------------------------------------ rules


def test_rules_with_patterns_schedules_and_states(events):
    name = unique("rule")
    arn = events.put_rule(Name=name, EventPattern='{"source": ["shop"]}',
                          Description="d", State="DISABLED")["RuleArn"]
    assert arn.endswith(f":rule/{name}")
    rule = events.describe_rule(Name=name)
    assert (rule["State"], rule["EventBusName"], rule["Description"]) == ("DISABLED", "default", "d")
    assert json.loads(rule["EventPattern"]) == {"source": ["shop"]}
    events.enable_rule(Name=name)
    assert events.describe_rule(Name=name)["State"] == "ENABLED"
    events.disable_rule(Name=name)
    assert events.describe_rule(Name=name)["State"] == "DISABLED"

    events.put_targets(Rule=name, Targets=[{"Id": "t1", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}])
    events.put_rule(Name=name, ScheduleExpression="rate(1 hour)",
                    State="ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
    rule = events.describe_rule(Name=name)
    assert rule["ScheduleExpression"] == "rate(1 hour)" and "EventPattern" not in rule
    assert rule["State"] == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    assert len(events.list_targets_by_rule(Rule=name)["Targets"]) == 1, "update keeps targets"
    assert events.list_rule_names_by_target(
        TargetArn="arn:aws:sqs:us-east-1:123456789012:q")["RuleNames"] == [name]

    expect_error(events.delete_rule, "ValidationException",
                 "Rule can't be deleted since it has targets.", Name=name)
    events.delete_rule(Name=name, Force=True)
    expect_error(events.describe_rule, "ResourceNotFoundException",
                 f"Rule {name} does not exist on EventBus default.", Name=name)


@pytest.mark.parametrize("expression", [
    "rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(5 weeks)", "rate(5)",
    "cron(0 10 * * * *)", "cron(0 10 ? * ? *)", "cron(0 10 * *)", "cron(60 10 * * ? *)",
    "cron(0 10 * 13 ? *)", "every day",
])
def test_schedule_expressions_aws_refuses(events, expression):
    expect_error(events.put_rule, "ValidationException",
                 r"^Parameter ScheduleExpression is not valid\.$",
                 Name=unique("bad"), ScheduleExpression=expression)


def test_rule_input_errors(events):
    bus = unique("bus")
    events.create_event_bus(Name=bus)
    expect_error(events.put_rule, "ValidationException",
                 "ScheduleExpression is supported only on the default event bus.",
                 Name="s", EventBusName=bus, ScheduleExpression="rate(5 minutes)")
    expect_error(events.put_rule, "ValidationException",
                 r"Parameter\(s\) EventPattern or ScheduleExpression must be specified.",
                 Name="s", EventBusName=bus)
    expect_error(events.put_rule, "InvalidEventPatternException",
                 Name="s", EventBusName=bus, EventPattern='{"source": "not-a-list"}')
    expect_error(events.put_rule, "ResourceNotFoundException",
                 "Event bus nope-bus does not exist.",
                 Name="s", EventBusName="nope-bus", EventPattern='{"source": ["a"]}')
    assert events.list_rules(EventBusName=bus)["Rules"] == [], "refused rules change nothing"
    events.delete_event_bus(Name=bus)


def test_list_rules_pages_by_prefix(events):
    bus = unique("bus")
    events.create_event_bus(Name=bus)
    for i in range(3):
        events.put_rule(Name=f"r{i}", EventBusName=bus, EventPattern='{"source": ["a"]}')
    events.put_rule(Name="other", EventBusName=bus, EventPattern='{"source": ["a"]}')
    first = events.list_rules(EventBusName=bus, NamePrefix="r", Limit=2)
    assert [r["Name"] for r in first["Rules"]] == ["r0", "r1"]
    assert first["Rules"][0]["Arn"].endswith(f":rule/{bus}/r0")
    rest = events.list_rules(EventBusName=bus, NamePrefix="r", NextToken=first["NextToken"])
    assert [r["Name"] for r in rest["Rules"]] == ["r2"]
    for name in ["r0", "r1", "r2", "other"]:
        events.delete_rule(Name=name, EventBusName=bus)
    events.delete_event_bus(Name=bus)


# ---------------------------------------------------------------------------------- targets


def test_targets_limit_and_input_settings(events):
    name = unique("rule")
    events.put_rule(Name=name, EventPattern='{"source": ["a"]}')
    targets = [{"Id": f"t{i}", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"} for i in range(5)]
    assert events.put_targets(Rule=name, Targets=targets)["FailedEntryCount"] == 0
    expect_error(events.put_targets, "LimitExceededException",
                 "The requested resource exceeds the maximum number allowed.",
                 Rule=name, Targets=[{"Id": "t5", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}])
    # Re-putting an existing id replaces it.
    events.put_targets(Rule=name, Targets=[{
        "Id": "t0", "Arn": "arn:aws:sqs:us-east-1:123456789012:q2",
        "InputTransformer": {"InputPathsMap": {"s": "$.source"}, "InputTemplate": '{"s": <s>}'},
        "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 120}}])
    listed = {t["Id"]: t for t in events.list_targets_by_rule(Rule=name)["Targets"]}
    assert listed["t0"]["Arn"].endswith(":q2")
    assert listed["t0"]["InputTransformer"]["InputTemplate"] == '{"s": <s>}'
    assert listed["t0"]["RetryPolicy"]["MaximumRetryAttempts"] == 2
    expect_error(events.put_targets, "ValidationException", Rule=name, Targets=[
        {"Id": "x", "Arn": "arn:aws:sqs:us-east-1:123456789012:q", "Input": "{}", "InputPath": "$.a"}])
    expect_error(events.put_targets, "ValidationException", Rule=name, Targets=[
        {"Id": "x", "Arn": "not-an-arn"}])
    expect_error(events.put_targets, "ResourceNotFoundException",
                 "Rule nope does not exist on EventBus default.",
                 Rule="nope", Targets=[{"Id": "x", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}])
    out = events.remove_targets(Rule=name, Ids=[f"t{i}" for i in range(5)])
    assert out["FailedEntryCount"] == 0
    assert events.list_targets_by_rule(Rule=name)["Targets"] == []
    events.delete_rule(Name=name)


# -------------------------------------------------------------------------------- PutEvents


def test_put_events_reports_each_entry(events):
    out = events.put_events(Entries=[
        {"Source": "shop", "DetailType": "Order", "Detail": '{"a": 1}'},
        {"DetailType": "Order", "Detail": "{}"},
        {"Source": "shop", "Detail": "{}"},
        {"Source": "shop", "DetailType": "Order"},
        {"Source": "shop", "DetailType": "Order", "Detail": "[1, 2]"},
        {"Source": "shop", "DetailType": "Order", "Detail": "{", "EventBusName": "default"},
        {"Source": "shop", "DetailType": "Order", "Detail": "{}", "EventBusName": "no-such-bus"},
    ])
    entries = out["Entries"]
    assert out["FailedEntryCount"] == 6
    assert len(entries[0]["EventId"]) == 36 and "ErrorCode" not in entries[0]
    assert [e.get("ErrorCode") for e in entries[1:]] == [
        "InvalidArgument", "InvalidArgument", "InvalidArgument",
        "MalformedDetail", "MalformedDetail", "ResourceNotFoundException"]
    assert entries[1]["ErrorMessage"] == \
        "Parameter Source is not valid. Reason: Source is a required argument."
    assert entries[2]["ErrorMessage"] == \
        "Parameter DetailType is not valid. Reason: DetailType is a required argument."
    assert entries[4]["ErrorMessage"] == "Detail is malformed."


def test_put_events_request_limits(events):
    entry = {"Source": "s", "DetailType": "d", "Detail": "{}"}
    expect_error(events.put_events, "ValidationException", Entries=[entry] * 11)
    big = json.dumps({"x": "y" * 200_000})
    expect_error(events.put_events, "ValidationException",
                 Entries=[{**entry, "Detail": big}, {**entry, "Detail": big}])
    # Just under 256 KB by AWS's rule (Source + DetailType + Detail + Resources + 14 for Time).
    detail = json.dumps({"x": "y" * (256 * 1024 - 2 - 14 - 9)})
    ok = events.put_events(Entries=[{**entry, "Detail": detail, "Time": 1_700_000_000}])
    assert ok["FailedEntryCount"] == 0


# ----------------------------------------------------------------------------- permissions


def test_permissions_build_the_bus_policy(events):
    bus = unique("bus")
    arn = events.create_event_bus(Name=bus)["EventBusArn"]
    events.put_permission(EventBusName=bus, Action="events:PutEvents",
                          Principal="111122223333", StatementId="one")
    events.put_permission(EventBusName=bus, Action="events:PutEvents", Principal="*",
                          StatementId="org", Condition={
                              "Type": "StringEquals", "Key": "aws:PrincipalOrgID",
                              "Value": "o-1234567890"})
    policy = json.loads(events.describe_event_bus(Name=bus)["Policy"])
    sids = {s["Sid"]: s for s in policy["Statement"]}
    assert sids["one"]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert sids["one"]["Resource"] == arn and sids["one"]["Action"] == "events:PutEvents"
    assert sids["org"]["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-1234567890"}}
    events.put_permission(EventBusName=bus, Action="events:PutEvents",
                          Principal="444455556666", StatementId="one")
    policy = json.loads(events.describe_event_bus(Name=bus)["Policy"])
    ones = [s for s in policy["Statement"] if s["Sid"] == "one"]
    assert [s["Principal"] for s in ones] == [{"AWS": "arn:aws:iam::444455556666:root"}], \
        "a statement id put again replaces its statement"
    expect_error(events.put_permission, "ValidationException", EventBusName=bus,
                 Action="events:PutRule", Principal="111122223333", StatementId="two")
    events.remove_permission(EventBusName=bus, StatementId="one")
    expect_error(events.remove_permission, "ResourceNotFoundException", EventBusName=bus,
                 StatementId="one")
    events.remove_permission(EventBusName=bus, RemoveAllPermissions=True)
    assert "Policy" not in events.describe_event_bus(Name=bus)
    events.delete_event_bus(Name=bus)


def test_tags_on_rules(events):
    bus = unique("bus")
    events.create_event_bus(Name=bus)
    arn = events.put_rule(Name="r", EventBusName=bus, EventPattern='{"source": ["a"]}',
                          Tags=[{"Key": "a", "Value": "1"}])["RuleArn"]
    assert arn.endswith(f":rule/{bus}/r")
    events.tag_resource(ResourceARN=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    tags = {t["Key"]: t["Value"] for t in events.list_tags_for_resource(ResourceARN=arn)["Tags"]}
    assert tags == {"a": "3", "b": "2"}
    events.untag_resource(ResourceARN=arn, TagKeys=["a"])
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    missing = arn.replace(":rule/", ":rule/") + "x"
    expect_error(events.list_tags_for_resource, "ResourceNotFoundException", ResourceARN=missing)
    events.delete_rule(Name="r", EventBusName=bus)
    events.delete_event_bus(Name=bus)


def test_cross_account_put_events_follows_the_bus_policy(secure_server):
    owner = secure_server.client("events")
    other = secure_server.create_account()
    sender = secure_server.client_for("events", other)
    bus = unique("shared")
    arn = owner.create_event_bus(Name=bus)["EventBusArn"]
    entry = {"Source": "partner", "DetailType": "d", "Detail": "{}", "EventBusName": arn}
    denied = sender.put_events(Entries=[entry])
    assert denied["FailedEntryCount"] == 1
    assert denied["Entries"][0]["ErrorCode"] == "AccessDeniedException"
    owner.put_permission(EventBusName=bus, Action="events:PutEvents",
                         Principal=other["AccountId"], StatementId="partner")
    allowed = sender.put_events(Entries=[entry])
    assert allowed["FailedEntryCount"] == 0, allowed
    owner.remove_permission(EventBusName=bus, StatementId="partner")
    assert sender.put_events(Entries=[entry])["FailedEntryCount"] == 1
    # The other account cannot manage the bus either.
    expect_error(sender.put_rule, "AccessDeniedException", Name="r", EventBusName=arn,
                 EventPattern='{"source": ["a"]}')


def test_operations_are_authorized_as_events_actions_on_their_arns(secure_server):
    iam = secure_server.client("iam")
    name = unique("evuser")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["events:PutRule", "events:DescribeRule"],
        "Resource": "arn:aws:events:*:*:rule/allowed-*"}]})
    user = create_user_with_key(iam, name, policy)
    events = secure_server.client_for("events", user)
    rule = unique("allowed")
    eventually(lambda: events.put_rule(Name=rule, EventPattern='{"source": ["a"]}'))
    assert events.describe_rule(Name=rule)["Name"] == rule
    expect_error(events.put_rule, "AccessDeniedException",
                 r"is not authorized to perform: events:PutRule on resource: "
                 r"arn:aws:events:us-east-1:\d{12}:rule/other",
                 Name="other", EventPattern='{"source": ["a"]}')
    expect_error(events.delete_rule, "AccessDeniedException", Name=rule)
    expect_error(events.list_event_buses, "AccessDeniedException")
    secure_server.client("events").delete_rule(Name=rule)


# ------------------------------------------------------------------ documented pattern table

EVENT = {
    "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
    "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {
        "instance-id": "i-1234567890abcdef0", "state": "terminated",
        "c-count": 5, "d-count": 3, "x-limit": 301.8,
        "source-ip": "10.0.0.123", "eventName": "PutObject",
        "filename": "image.png", "location": {"city": "Seattle", "zip": "98101"},
        "tags": ["prod", "web"], "empty": None, "flag": False,
        "object": {"key": "dir/file.txt"},
    },
}

PATTERNS = [
    # exact and nested
    ("exact source", {"source": ["aws.ec2"]}, True),
    ("exact miss", {"source": ["aws.s3"]}, False),
    ("nested exact", {"detail": {"location": {"city": ["Seattle"]}}}, True),
    ("any of several", {"detail": {"state": ["running", "terminated"]}}, True),
    ("array field matches any element", {"detail": {"tags": ["web"]}}, True),
    ("resources array", {"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]}, True),
    ("null value", {"detail": {"empty": [None]}}, True),
    ("boolean value", {"detail": {"flag": [False]}}, True),
    ("numbers match by value", {"detail": {"c-count": [5.0]}}, True),
    ("all fields must match", {"source": ["aws.ec2"], "detail": {"state": ["running"]}}, False),
    # prefix / suffix
    ("prefix", {"detail": {"instance-id": [{"prefix": "i-123"}]}}, True),
    ("prefix miss", {"detail": {"instance-id": [{"prefix": "i-999"}]}}, False),
    ("prefix ignore case", {"detail": {"eventName": [{"prefix": {"equals-ignore-case": "put"}}]}}, True),
    ("suffix", {"detail": {"filename": [{"suffix": ".png"}]}}, True),
    ("suffix ignore case", {"detail": {"filename": [{"suffix": {"equals-ignore-case": ".PNG"}}]}}, True),
    # anything-but
    ("anything-but value", {"detail": {"state": [{"anything-but": "running"}]}}, True),
    ("anything-but list", {"detail": {"state": [{"anything-but": ["stopped", "terminated"]}]}}, False),
    ("anything-but number", {"detail": {"c-count": [{"anything-but": [1, 2, 3]}]}}, True),
    ("anything-but prefix", {"detail": {"state": [{"anything-but": {"prefix": "term"}}]}}, False),
    ("anything-but suffix", {"detail": {"filename": [{"anything-but": {"suffix": ".txt"}}]}}, True),
    ("anything-but wildcard", {"detail": {"object": {"key": [{"anything-but": {"wildcard": "dir/*"}}]}}}, False),
    ("anything-but ignore case", {"detail": {"state": [{"anything-but": {"equals-ignore-case": ["TERMINATED"]}}]}}, False),
    # numeric
    ("numeric range", {"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}, True),
    ("numeric bounds", {"detail": {"d-count": [{"numeric": ["<", 10]}], "x-limit": [{"numeric": ["=", 301.8]}]}}, True),
    ("numeric miss", {"detail": {"c-count": [{"numeric": [">=", 6]}]}}, False),
    # exists
    ("exists true", {"detail": {"state": [{"exists": True}]}}, True),
    ("exists false", {"detail": {"missing-field": [{"exists": False}]}}, True),
    ("exists false on present", {"detail": {"state": [{"exists": False}]}}, False),
    # cidr
    ("cidr", {"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}, True),
    ("cidr miss", {"detail": {"source-ip": [{"cidr": "10.0.1.0/24"}]}}, False),
    # equals-ignore-case
    ("equals-ignore-case", {"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]}, True),
    # wildcard
    ("wildcard", {"detail": {"object": {"key": [{"wildcard": "dir/*.txt"}]}}}, True),
    ("wildcard miss", {"detail": {"object": {"key": [{"wildcard": "other/*"}]}}}, False),
    # $or
    ("$or one branch", {"detail": {"$or": [{"c-count": [{"numeric": [">", 10]}]}, {"d-count": [3]}]}}, True),
    ("$or no branch", {"detail": {"$or": [{"c-count": [1]}, {"d-count": [1]}]}}, False),
    ("$or top level", {"$or": [{"source": ["aws.s3"]}, {"detail-type": ["EC2 Instance State-change Notification"]}]}, True),
]


@pytest.mark.parametrize("what,pattern,expected", PATTERNS, ids=[p[0] for p in PATTERNS])
def test_documented_patterns(events, what, pattern, expected):
    out = events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(EVENT))
    assert out["Result"] is expected, what

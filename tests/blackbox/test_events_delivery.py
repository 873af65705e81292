"""EventBridge delivery resources through boto3: connections (API key, Basic, OAuth client
credentials), API destinations, archives and replays, their errors and IAM checks; connection
secrets never in the database files or a Describe answer; `rampart events dead-letters`."""

from __future__ import annotations

import json
import subprocess
import time
import uuid

from harness import create_user_with_key, eventually, expect_error


def _database_bytes(server) -> bytes:
    if server.postgres:
        dump = subprocess.run(["pg_dump", "--data-only", server.database_url],
                              check=True, capture_output=True, timeout=120)
        return dump.stdout
    return b"".join(f.read_bytes() for f in sorted(server.data_dir.glob("rampart.db*")))


def _account(server) -> str:
    return server.client("sts").get_caller_identity()["Account"]


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _api_key_connection(events, name: str, secret: str = "key-value") -> dict:
    return events.create_connection(
        Name=name, AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": secret}})


def test_connections_crud(server):
    events = server.client("events")
    name = _name("conn")
    created = _api_key_connection(events, name)
    assert created["ConnectionState"] == "AUTHORIZED"
    assert created["ConnectionArn"].startswith(f"arn:aws:events:us-east-1:{_account(server)}:connection/{name}/")
    described = events.describe_connection(Name=name)
    assert described["AuthorizationType"] == "API_KEY"
    assert described["AuthParameters"]["ApiKeyAuthParameters"] == {"ApiKeyName": "x-api-key"}
    assert described["SecretArn"].startswith(
        f"arn:aws:secretsmanager:us-east-1:{_account(server)}:secret:events!connection/{name}/")
    assert events.deauthorize_connection(Name=name)["ConnectionState"] == "DEAUTHORIZING"
    assert events.describe_connection(Name=name)["ConnectionState"] == "DEAUTHORIZED"
    updated = events.update_connection(
        Name=name, AuthParameters={"ApiKeyAuthParameters": {"ApiKeyValue": "new-value"}})
    assert updated["ConnectionState"] == "AUTHORIZED"
    names = [c["Name"] for c in events.list_connections(NamePrefix=name)["Connections"]]
    assert names == [name]
    assert events.delete_connection(Name=name)["ConnectionState"] == "DELETING"
    expect_error(events.describe_connection, "ResourceNotFoundException",
                 f"^Failed to describe the connection\\(s\\). Connection '{name}' does not exist.$",
                 Name=name)


def test_oauth_connections_authorize_only_with_a_token(server):
    events = server.client("events")
    name = _name("oauth")
    # Nothing listens on port 9: the token request fails to connect (a failure a retry may
    # fix), so the connection stays AUTHORIZING; it is never AUTHORIZED without a token.
    created = events.create_connection(
        Name=name, AuthorizationType="OAUTH_CLIENT_CREDENTIALS",
        AuthParameters={"OAuthParameters": {
            "AuthorizationEndpoint": "https://127.0.0.1:9/token", "HttpMethod": "POST",
            "ClientParameters": {"ClientID": "cid", "ClientSecret": "csecret"}}})
    assert created["ConnectionState"] == "AUTHORIZING"
    time.sleep(0.3)  # the server's delivery loop has made its token request by now
    described = events.describe_connection(Name=name)
    assert described["ConnectionState"] == "AUTHORIZING"
    assert "LastAuthorizedTime" not in described
    events.delete_connection(Name=name)


def test_connection_errors(server):
    events = server.client("events")
    name = _name("dup")
    _api_key_connection(events, name)
    expect_error(_api_key_connection, "ResourceAlreadyExistsException",
                 f"^Connection {name} already exists.$", events=events, name=name)
    expect_error(events.create_connection, "ValidationException", "BasicAuthParameters",
                 Name=_name("wrong"), AuthorizationType="BASIC",
                 AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "a", "ApiKeyValue": "b"}})
    raw = server.client("events", parameter_validation=False)
    expect_error(raw.create_connection, "ValidationException", "[Nn]ame",
                 Name="n" * 65, AuthorizationType="BASIC", AuthParameters={})
    expect_error(events.delete_connection, "ResourceNotFoundException", Name=_name("none"))


def test_api_destinations_crud_and_errors(server):
    events = server.client("events")
    conn = _api_key_connection(events, _name("c"))["ConnectionArn"]
    name = _name("dest")
    created = events.create_api_destination(
        Name=name, ConnectionArn=conn, InvocationEndpoint="https://example.com/orders/*",
        HttpMethod="POST")
    assert created["ApiDestinationState"] == "ACTIVE"
    assert f":api-destination/{name}/" in created["ApiDestinationArn"]
    described = events.describe_api_destination(Name=name)
    assert described["InvocationRateLimitPerSecond"] == 300
    assert described["ConnectionArn"] == conn
    events.update_api_destination(Name=name, InvocationRateLimitPerSecond=7, HttpMethod="PUT")
    described = events.describe_api_destination(Name=name)
    assert (described["InvocationRateLimitPerSecond"], described["HttpMethod"]) == (7, "PUT")
    listed = events.list_api_destinations(ConnectionArn=conn)["ApiDestinations"]
    assert [d["Name"] for d in listed] == [name]
    expect_error(events.create_api_destination, "ResourceAlreadyExistsException", Name=name,
                 ConnectionArn=conn, InvocationEndpoint="https://example.com/", HttpMethod="POST")
    ghost = f"arn:aws:events:us-east-1:{_account(server)}:connection/ghost/00000000"
    expect_error(events.create_api_destination, "ResourceNotFoundException", Name=_name("d"),
                 ConnectionArn=ghost, InvocationEndpoint="https://example.com/", HttpMethod="POST")
    events.delete_api_destination(Name=name)
    expect_error(events.describe_api_destination, "ResourceNotFoundException",
                 f"An api-destination '{name}' does not exist.", Name=name)


def test_connection_secrets_never_reach_the_database_or_answers(server):
    events = server.client("events")
    secrets = [f"apikey-{uuid.uuid4().hex}", f"password-{uuid.uuid4().hex}",
               f"clientsecret-{uuid.uuid4().hex}", f"header-{uuid.uuid4().hex}"]
    _api_key_connection(events, _name("s1"), secrets[0])
    events.create_connection(
        Name=_name("s2"), AuthorizationType="BASIC",
        AuthParameters={"BasicAuthParameters": {"Username": "u", "Password": secrets[1]},
                        "InvocationHttpParameters": {"HeaderParameters": [
                            {"Key": "x-s", "Value": secrets[3], "IsValueSecret": True}]}})
    oauth = _name("s3")
    events.create_connection(
        Name=oauth, AuthorizationType="OAUTH_CLIENT_CREDENTIALS",
        AuthParameters={"OAuthParameters": {
            "AuthorizationEndpoint": "https://127.0.0.1:9/token", "HttpMethod": "POST",
            "ClientParameters": {"ClientID": "cid", "ClientSecret": secrets[2]}}})
    answers = json.dumps([events.describe_connection(Name=c["Name"])
                          for c in events.list_connections()["Connections"]], default=str)
    data = _database_bytes(server)
    for secret in secrets:
        assert secret not in answers
        assert secret.encode() not in data, f"{secret} found in the database"


def test_operations_need_events_permissions(server):
    if server.dev:
        return
    iam = server.client("iam")
    name = _name("allowed")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "events:DescribeConnection",
        "Resource": f"arn:aws:events:us-east-1:{_account(server)}:connection/{name}"}]})
    user = create_user_with_key(iam, _name("u"), policy)
    _api_key_connection(server.client("events"), name)
    limited = server.client_for("events", user)
    eventually(lambda: limited.describe_connection(Name=name))
    expect_error(limited.create_connection, "AccessDeniedException",
                 "is not authorized to perform: events:CreateConnection on resource: "
                 f"arn:aws:events:us-east-1:{_account(server)}:connection/x",
                 Name="x", AuthorizationType="BASIC",
                 AuthParameters={"BasicAuthParameters": {"Username": "u", "Password": "p"}})
    expect_error(limited.list_api_destinations, "AccessDeniedException", "events:ListApiDestinations")


def test_dead_letters_command_prints_json_lines(server):
    out = server.rampart("events", "dead-letters", *server.store_args(),
                         "--account", _account(server)).stdout
    for line in out.splitlines():
        record = json.loads(line)
        assert {"rule", "targetId", "eventId", "reason", "attempts", "time"} <= record.keys()
    redriven = server.rampart("events", "dead-letters", *server.store_args(), "--redrive",
                              "--account", _account(server)).stdout
    assert json.loads(redriven)["redriven"] >= 0


def test_archives_and_replays_crud_and_errors(server):
    events = server.client("events")
    account = _account(server)
    bus = f"arn:aws:events:us-east-1:{account}:event-bus/default"
    name = _name("arch")
    created = events.create_archive(ArchiveName=name, EventSourceArn=bus,
                                    EventPattern='{"source": ["orders"]}', RetentionDays=2)
    assert created["ArchiveArn"] == f"arn:aws:events:us-east-1:{account}:archive/{name}"
    assert created["State"] == "ENABLED"
    described = events.describe_archive(ArchiveName=name)
    assert (described["EventCount"], described["SizeBytes"], described["RetentionDays"]) == (0, 0, 2)
    expect_error(events.create_archive, "ResourceAlreadyExistsException",
                 f"^Archive {name} already exists.$", ArchiveName=name, EventSourceArn=bus)
    expect_error(events.create_archive, "InvalidEventPatternException", ArchiveName=_name("p"),
                 EventSourceArn=bus, EventPattern='{"source": "x"}')
    # AWS's managed rule: visible, carries the archive's pattern without replayed events, and
    # cannot be changed or deleted by the user.
    rule = events.describe_rule(Name=f"Events-Archive-{name}")
    assert rule["ManagedBy"] and rule["State"] == "ENABLED"
    assert json.loads(rule["EventPattern"]) == {"source": ["orders"],
                                                "replay-name": [{"exists": False}]}
    expect_error(events.disable_rule, "ManagedRuleException", Name=f"Events-Archive-{name}")
    expect_error(events.delete_rule, "ManagedRuleException",
                 f"^Events-Archive-{name} is a managed rule. Set 'force' parameter to true to override.$",
                 Name=f"Events-Archive-{name}")
    events.update_archive(ArchiveName=name, RetentionDays=5, EventPattern='{"source": ["billing"]}')
    assert events.describe_archive(ArchiveName=name)["RetentionDays"] == 5
    rule = events.describe_rule(Name=f"Events-Archive-{name}")
    assert json.loads(rule["EventPattern"])["source"] == ["billing"]
    assert name in [a["ArchiveName"] for a in events.list_archives(NamePrefix=name)["Archives"]]
    replay = _name("replay")
    started = events.start_replay(ReplayName=replay, EventSourceArn=created["ArchiveArn"],
                                  EventStartTime=1_767_225_600, EventEndTime=1_767_225_700,
                                  Destination={"Arn": bus})
    assert started["State"] == "STARTING"
    expect_error(events.start_replay, "ValidationException",
                 "EventStartTime must be before EventEndTime", ReplayName=_name("r"),
                 EventSourceArn=created["ArchiveArn"], EventStartTime=1_767_225_700,
                 EventEndTime=1_767_225_600, Destination={"Arn": bus})
    # The replay job (a cluster job, each runner tick) finds the archive empty and completes it.
    eventually(lambda: _assert_state(events, replay, "COMPLETED"), timeout=10)
    expect_error(events.cancel_replay, "IllegalStatusException", ReplayName=replay)
    events.delete_archive(ArchiveName=name)
    expect_error(events.describe_archive, "ResourceNotFoundException",
                 f"^Archive {name} does not exist.$", ArchiveName=name)
    expect_error(events.describe_rule, "ResourceNotFoundException", Name=f"Events-Archive-{name}")


def _assert_state(events, replay: str, state: str) -> None:
    assert events.describe_replay(ReplayName=replay)["State"] == state

"""Secrets Manager through the AWS CLI (v1) against a secure-mode server (TLS, SigV4): the
commands users script with, their JSON output and their errors (exit status 255 from CLI v1 and the
error code and message on stderr, as the CLI prints AWS's)."""

from __future__ import annotations

import json
import uuid

import pytest

from conftest import _module_server
from harness import SECURE_SQLITE


@pytest.fixture(scope="module", params=[SECURE_SQLITE])
def cli_server(request, tmp_path_factory, pg_databases):
    """One secure-mode server on SQLite for this module (the CLI costs ~1 s a call)."""
    yield from _module_server(request, tmp_path_factory, pg_databases)


def aws_json(server, *args: str) -> dict:
    return json.loads(server.aws("secretsmanager", *args).stdout or "{}")


def test_secret_lifecycle_through_the_cli(cli_server):
    name = f"cli{uuid.uuid4().hex[:8]}/db"
    made = aws_json(cli_server, "create-secret", "--name", name, "--secret-string",
                    '{"user":"app","password":"p1"}', "--description", "app db")
    assert made["Name"] == name and made["ARN"].startswith("arn:aws:secretsmanager:us-east-1:")
    got = aws_json(cli_server, "get-secret-value", "--secret-id", name)
    assert json.loads(got["SecretString"]) == {"user": "app", "password": "p1"}
    assert got["VersionStages"] == ["AWSCURRENT"] and got["VersionId"] == made["VersionId"]
    put = aws_json(cli_server, "put-secret-value", "--secret-id", name, "--secret-string", "p2")
    versions = aws_json(cli_server, "list-secret-version-ids", "--secret-id", name)["Versions"]
    assert {v["VersionId"]: v["VersionStages"] for v in versions} == {
        made["VersionId"]: ["AWSPREVIOUS"], put["VersionId"]: ["AWSCURRENT"]}
    described = aws_json(cli_server, "describe-secret", "--secret-id", made["ARN"])
    assert described["Description"] == "app db" and "DeletedDate" not in described
    listed = aws_json(cli_server, "list-secrets", "--filters", f"Key=name,Values={name}")
    assert [s["Name"] for s in listed["SecretList"]] == [name]
    deleted = aws_json(cli_server, "delete-secret", "--secret-id", name,
                       "--recovery-window-in-days", "7")
    assert deleted["Name"] == name and "DeletionDate" in deleted
    assert aws_json(cli_server, "restore-secret", "--secret-id", name)["Name"] == name
    aws_json(cli_server, "delete-secret", "--secret-id", name, "--force-delete-without-recovery")


def test_cli_errors_carry_aws_codes_and_messages(cli_server):
    proc = cli_server.aws("secretsmanager", "get-secret-value", "--secret-id",
                          f"cli{uuid.uuid4().hex[:8]}/none", check=False)
    assert proc.returncode == 255
    assert ("An error occurred (ResourceNotFoundException) when calling the GetSecretValue "
            "operation: Secrets Manager can't find the specified secret.") in proc.stderr
    name = f"cli{uuid.uuid4().hex[:8]}/dup"
    aws_json(cli_server, "create-secret", "--name", name, "--secret-string", "v")
    proc = cli_server.aws("secretsmanager", "create-secret", "--name", name, "--secret-string",
                          "v", check=False)
    assert proc.returncode == 255 and "(ResourceExistsException)" in proc.stderr
    proc = cli_server.aws("secretsmanager", "delete-secret", "--secret-id", name,
                          "--recovery-window-in-days", "3", check=False)
    assert proc.returncode == 255 and "(InvalidParameterException)" in proc.stderr


def test_random_password_through_the_cli(cli_server):
    out = aws_json(cli_server, "get-random-password", "--password-length", "24",
                   "--exclude-punctuation")
    assert len(out["RandomPassword"]) == 24 and out["RandomPassword"].isalnum()

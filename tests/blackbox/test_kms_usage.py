"""KMS usage metering through the real binary: requests made with boto3 show up in
`rampart usage` once the server flushes (every ~5 s, and at a clean SIGTERM), per account and per
key, with key-months and the estimated charge at AWS's list prices."""

from __future__ import annotations

import json
import time

import pytest

from harness import ALL_MODES, run_rampart

PER_REQUEST = 0.03 / 10_000


def usage(server, *args: str, check: bool = True):
    return run_rampart("usage", *server.store_args(), *args, check=check)


def usage_json(server, *args: str) -> dict:
    return json.loads(usage(server, "--json", *args).stdout)


def key_line(report: dict, key_id: str) -> dict | None:
    return next((k for k in report["keys"] if k["key_id"] == key_id), None)


def wait_for(server, key_id: str, requests: int, timeout: float = 15.0) -> dict:
    """Polls `rampart usage` until the key shows `requests` (the server flushes every ~5 s)."""
    deadline = time.monotonic() + timeout
    report: dict = {}
    while time.monotonic() < deadline:
        report = usage_json(server)
        line = key_line(report, key_id)
        if line and line["requests"] >= requests:
            return report
        time.sleep(0.5)
    raise AssertionError(f"usage of {key_id} never reached {requests}: {report}")


def check_charges(report: dict) -> None:
    for row in report["keys"] + report["accounts"]:
        expected = row["key_months"] * 1.0 + row["requests"] * PER_REQUEST
        assert row["charge_usd"] == pytest.approx(expected, abs=1e-12), row


@pytest.mark.parametrize("mode", ALL_MODES)
def test_requests_and_charge_while_running_and_after_sigterm(make_server, mode):
    server = make_server(mode)
    kms = server.client()
    meta = kms.create_key(Description="metered")["KeyMetadata"]
    key_id, account = meta["KeyId"], meta["AWSAccountId"]
    n = 25
    for i in range(n):
        kms.encrypt(KeyId=key_id, Plaintext=b"metered %d" % i)
    for _ in range(3):
        kms.list_keys()

    report = wait_for(server, key_id, 1 + n)
    line = key_line(report, key_id)
    assert line["requests"] == 1 + n
    assert line["account"] == account and line["region"] == "us-east-1"
    assert 0 < line["key_months"] < 0.01, "one key, a few seconds old: one started hour"
    keyless = key_line(report, "-")
    assert keyless is not None and keyless["requests"] >= 3
    totals = {a["account"]: a for a in report["accounts"]}
    assert totals[account]["requests"] == sum(
        k["requests"] for k in report["keys"] if k["account"] == account
    )
    check_charges(report)

    # Requests made right before a clean shutdown are flushed by it.
    for _ in range(7):
        kms.describe_key(KeyId=key_id)
    assert server.stop() == 0
    after = usage_json(server)
    assert key_line(after, key_id)["requests"] == 1 + n + 7
    check_charges(after)

    text = usage(server, "--by-key").stdout
    rows = [line.split() for line in text.splitlines()]
    assert any(r[:2] == [account, str(after["accounts"][0]["requests"])] for r in rows), text
    assert any(r and r[0] == "TOTAL" for r in rows), text
    assert any(key_id in r for r in rows), text
    assert "$0.03 per 10,000 requests" in text


def test_usage_filters_and_bad_arguments(make_server):
    server = make_server("dev-sqlite")
    kms = server.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.describe_key(KeyId=key_id)
    assert server.stop() == 0
    current = usage_json(server)
    assert key_line(current, key_id)["requests"] == 2
    account = current["accounts"][0]["account"]
    assert usage_json(server, "--account", account)["accounts"][0]["account"] == account
    other = usage_json(server, "--account", "999999999999")
    assert other["keys"] == [] and other["accounts"] == []
    old = usage_json(server, "--month", "2000-01")
    assert old["month"] == "2000-01" and old["keys"] == []
    bad = usage(server, "--month", "2024-13", check=False)
    assert bad.returncode != 0
    assert "YYYY-MM" in bad.stderr

#!/usr/bin/env python3
"""Side-by-side Secrets Manager benchmark: Rampart (TLS, SigV4, audit, each value sealed under a
KMS data key and opened through KMS as the caller) vs moto_server, one client (wrk) per run, the
same signed request replayed.

Operations (issue 13's targets, each >= 100x moto's req/s): GetSecretValue of one secret, and
BatchGetSecretValue of 20 secrets by SecretIdList. Server CPU per request is read from /proc as
in kms_bench.py.
"""
import json

import boto3

from kms_bench import REGION, signed as signed_json
from side_by_side import run


def signed(server, target, body):
    """Headers and body of one SigV4-signed Secrets Manager request."""
    return signed_json(server, target, body, service="secretsmanager", prefix="secretsmanager")


def client(server):
    return boto3.client(
        "secretsmanager", endpoint_url=server.endpoint, region_name=REGION,
        aws_access_key_id=server.creds[0], aws_secret_access_key=server.creds[1],
        verify=server.verify or False)


def workloads(server):
    sm = client(server)
    sm.create_secret(Name="bench/one", SecretString=json.dumps({"user": "app", "password": "x" * 24}))
    names = [f"bench/batch/s{i:02}" for i in range(20)]
    for i, n in enumerate(names):
        sm.create_secret(Name=n, SecretString=f"value {i}")
    assert len(sm.batch_get_secret_value(SecretIdList=names)["SecretValues"]) == 20
    made = {
        "GetSecretValue": ("GetSecretValue", {"SecretId": "bench/one"}),
        "BatchGetSecretValue (20 secrets)": ("BatchGetSecretValue", {"SecretIdList": names}),
    }
    return {label: signed(server, op, json.dumps(body)) for label, (op, body) in made.items()}


if __name__ == "__main__":
    run(workloads)

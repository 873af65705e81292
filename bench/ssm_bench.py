#!/usr/bin/env python3
"""Side-by-side Parameter Store benchmark: Rampart (TLS, SigV4, audit, SecureString through KMS)
vs moto_server, one client (wrk) per run, same signed request replayed.

Operations (issue 12's targets, each >= 100x moto's req/s): GetParameter of a SecureString
WithDecryption, GetParametersByPath over 100 parameters (MaxResults 10, one page), and
PutParameter (Overwrite, String) of one parameter (concurrent overwrites of one parameter
conflict: AWS's TooManyUpdates) and of 64 parameters in turn (each wrk thread cycles through 64
pre-signed requests). Server CPU per request is read from /proc as in kms_bench.py.
"""
import json

import boto3

from kms_bench import REGION, signed as signed_json
from side_by_side import run


def signed(server, target, body):
    """Headers and body of one SigV4-signed SSM request."""
    return signed_json(server, target, body, service="ssm", prefix="AmazonSSM")


def ssm_client(server):
    return boto3.client(
        "ssm", endpoint_url=server.endpoint, region_name=REGION,
        aws_access_key_id=server.creds[0], aws_secret_access_key=server.creds[1],
        verify=server.verify or False)


def workloads(server):
    ssm = ssm_client(server)
    ssm.put_parameter(Name="/bench/secure", Value="s3cr3t-value", Type="SecureString")
    for i in range(100):
        ssm.put_parameter(Name=f"/bench/tree/p{i:03}", Value=f"value {i}", Type="String")
    made = {
        "GetParameter SecureString WithDecryption":
            ("GetParameter", {"Name": "/bench/secure", "WithDecryption": True}),
        "GetParametersByPath (100 parameters, page of 10)":
            ("GetParametersByPath", {"Path": "/bench/tree", "MaxResults": 10}),
        "PutParameter String Overwrite":
            ("PutParameter", {"Name": "/bench/put", "Value": "v", "Type": "String",
                              "Overwrite": True}),
    }
    out = {label: signed(server, op, json.dumps(body)) for label, (op, body) in made.items()}
    many = [signed(server, "PutParameter", json.dumps(
        {"Name": f"/bench/many/p{i:02}", "Value": "v", "Type": "String", "Overwrite": True}))
        for i in range(64)]
    out["PutParameter String Overwrite, 64 parameters in turn"] = many
    return out


if __name__ == "__main__":
    run(workloads)

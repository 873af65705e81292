#!/usr/bin/env python3
"""Side-by-side Parameter Store benchmark: Rampart (TLS, SigV4, audit, SecureString through KMS)
vs moto_server, one client (wrk) per run, same signed request replayed.

Operations (issue 12's targets, each >= 100x moto's req/s): GetParameter of a SecureString
WithDecryption, GetParametersByPath over 100 parameters (MaxResults 10, one page), and
PutParameter (Overwrite, String) of one parameter (concurrent overwrites of one parameter
conflict: AWS's TooManyUpdates) and of 64 parameters in turn (each wrk thread cycles through 64
pre-signed requests). Server CPU per request is read from /proc as in kms_bench.py.
"""
import argparse, json, shutil, sys, tempfile

import boto3

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from kms_bench import REGION, make_servers, run_wrk, start


def signed(server, target, body):
    """Headers and body of one SigV4-signed SSM request."""
    req = AWSRequest(method="POST", url=server.endpoint + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"AmazonSSM.{target}"})
    SigV4Auth(Credentials(*server.creds), "ssm", REGION).add_auth(req)
    return dict(req.headers.items()), body


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


def cycling_script(requests):
    """A wrk script whose every thread cycles through `requests` from a random start."""
    lines = ["local reqs = {}", "local i = 0", "init = function(args)"]
    for headers, body in requests:
        kept = {k: v for k, v in headers.items() if k.lower() not in ("host", "content-length")}
        table = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in kept.items())
        lines.append(f'  reqs[#reqs + 1] = wrk.format("POST", "/", {{{table}}}, {json.dumps(body)})')
    lines += ["  i = math.random(#reqs)", "end",
              "request = function()", "  i = i % #reqs + 1", "  return reqs[i]", "end"]
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--servers", default="rampart,moto")
    p.add_argument("--moto", default=shutil.which("moto_server") or "moto_server")
    p.add_argument("--rustack", default="")
    p.add_argument("--conns", default="1,16")
    args = p.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for server in make_servers(args, workdir):
            try:
                start(server)
                for op, request in workloads(server).items():
                    many = isinstance(request, list)
                    headers, body = request[0] if many else request
                    script = cycling_script(request) if many else None
                    for conns in map(int, args.conns.split(",")):
                        r = run_wrk(server, headers, body, conns, min(conns, 2), args.seconds,
                                    script)
                        results.append({"server": server.name, "op": op, "conns": conns, **r})
                        print(f"{server.name:30} {op:48} c={conns:<3} {r['rps']:>9.0f} req/s "
                              f"cpu={r['cpu_us']:.1f}µs err={r['errors']}", file=sys.stderr)
            finally:
                server.stop()
    print("| server | operation | connections | req/s | p50 | p99 | server CPU µs/req | non-2xx |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['server']} | {r['op']} | {r['conns']} | {r['rps']:.0f} | {r['p50']} | {r['p99']} "
              f"| {r['cpu_us']:.1f} | {r['errors']} |")


if __name__ == "__main__":
    main()

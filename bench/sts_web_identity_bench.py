#!/usr/bin/env python3
"""STS AssumeRoleWithWebIdentity benchmark (issue 15's target: >= 5,000 calls per second per
core with an RS256 JWT).

The release binary in secure mode (TLS, audit on, SQLite durable): an OIDC provider and a role
that trusts it are made through IAM, the provider's JWKS (one RSA 2048 key) is pinned with
`rampart iam oidc-keys set`, and wrk replays one unsigned AssumeRoleWithWebIdentity request
(query protocol, an RS256 ID token valid for an hour) at each connection count. Every call
verifies the token's signature and claims, evaluates the role's trust policy, seals new session
credentials and writes its CloudTrail record. Calls per second per core = 1e6 / server CPU µs per
call (server CPU read from /proc as in kms_bench.py).
"""
import base64
import json
import os
import subprocess
import sys
import time
import urllib.parse

import boto3
import botocore
from botocore.config import Config
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kms_bench import REGION, ROOT
from side_by_side import run

ISSUER = "https://issuer.bench.example"
AUDIENCE = "bench-client"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_b64(n: int) -> str:
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def token_and_jwks() -> tuple[str, dict]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.public_key().public_numbers()
    jwks = {"keys": [{"kty": "RSA", "kid": "bench", "use": "sig", "alg": "RS256",
                      "n": int_b64(numbers.n), "e": int_b64(numbers.e)}]}
    now = int(time.time())
    header = {"alg": "RS256", "kid": "bench", "typ": "JWT"}
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "bench-subject", "iat": now,
              "exp": now + 3600}
    signing_input = (b64url(json.dumps(header).encode()) + "." +
                     b64url(json.dumps(claims).encode()))
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url(signature), jwks


def iam_client(server):
    return boto3.client("iam", endpoint_url=server.endpoint, region_name=REGION,
                        aws_access_key_id=server.creds[0], aws_secret_access_key=server.creds[1],
                        verify=server.verify or False, config=Config(retries={"max_attempts": 0}))


def trusting_role(iam) -> tuple[str, str]:
    """The provider's ARN and a role that trusts its tokens for our audience."""
    provider = iam.create_open_id_connect_provider(
        Url=ISSUER, ClientIDList=[AUDIENCE], ThumbprintList=["0" * 40])["OpenIDConnectProviderArn"]
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"issuer.bench.example:aud": AUDIENCE}}}]}
    role = iam.create_role(RoleName="bench-web-identity",
                           AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    return provider, role


def pin_keys(server, provider: str, jwks: dict):
    path = os.path.join(server.data, "bench-jwks.json")
    with open(path, "w") as f:
        json.dump(jwks, f)
    binary = os.path.join(ROOT, "target", "release", "rampart")
    subprocess.run([binary, "iam", "oidc-keys", "set", provider, path, "--data-dir", server.data],
                   check=True, capture_output=True)


def workloads(server):
    token, jwks = token_and_jwks()
    provider, role = trusting_role(iam_client(server))
    pin_keys(server, provider, jwks)
    body = urllib.parse.urlencode({
        "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": role,
        "RoleSessionName": "bench", "WebIdentityToken": token})
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    sts = boto3.client("sts", endpoint_url=server.endpoint, region_name=REGION,
                       verify=server.verify or False)
    sts.meta.events.register("choose-signer.sts.*", lambda **_: botocore.UNSIGNED)
    answer = sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="bench",
                                               WebIdentityToken=token)
    print("check:", answer["AssumedRoleUser"]["Arn"], file=sys.stderr)
    return {"AssumeRoleWithWebIdentity (RS256 JWT)": (headers, body)}


if __name__ == "__main__":
    run(workloads)

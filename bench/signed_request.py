#!/usr/bin/env python3
"""Writes a wrk script replaying one SigV4-signed KMS request against a running Rampart.

Usage: signed_request.py DIR PORT [SCHEME]. Reads DIR/data/credentials, creates a key, signs one
request (OP env: Encrypt of 4 KiB, the default, or GenerateDataKey) for localhost:PORT and writes
DIR/enc.lua; also writes DIR/size, the byte size of an Encrypt response body for that key.
Shared by cpu_per_request.sh and floor.sh.
"""
import base64, json, os, re, sys

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

d, port = sys.argv[1], sys.argv[2]
scheme = sys.argv[3] if len(sys.argv) > 3 else "https"
t = open(f"{d}/data/credentials").read()
ak = re.search(r"aws_access_key_id = (\S+)", t).group(1)
sk = re.search(r"aws_secret_access_key = (\S+)", t).group(1)
ep = f"{scheme}://localhost:{port}"
kms = boto3.client("kms", endpoint_url=ep, region_name="us-east-1", aws_access_key_id=ak,
                   aws_secret_access_key=sk, verify=f"{d}/data/tls/ca.pem")
key = kms.create_key()["KeyMetadata"]["KeyId"]
op = os.environ.get("OP", "Encrypt")
if op == "Encrypt":
    body = json.dumps({"KeyId": key, "Plaintext": base64.b64encode(os.urandom(4096)).decode()})
else:
    body = json.dumps({"KeyId": key, "KeySpec": "AES_256"})
req = AWSRequest(method="POST", url=ep + "/", data=body, headers={
    "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"TrentService.{op}"})
SigV4Auth(Credentials(ak, sk), "kms", "us-east-1").add_auth(req)
lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}"]
for k, v in req.headers.items():
    if k.lower() in ("host", "content-length"):
        continue
    lines.append(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}")
open(f"{d}/enc.lua", "w").write("\n".join(lines) + "\n")
resp = kms.encrypt(KeyId=key, Plaintext=os.urandom(4096))
out = {"CiphertextBlob": base64.b64encode(resp["CiphertextBlob"]).decode(),
       "KeyId": resp["KeyId"], "EncryptionAlgorithm": resp["EncryptionAlgorithm"]}
open(f"{d}/size", "w").write(str(len(json.dumps(out))))

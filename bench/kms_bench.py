#!/usr/bin/env python3
"""Side-by-side KMS load benchmark: Rampart vs moto_server vs Rustack, one client (wrk).

For each server: create a key with boto3, SigV4-sign one request per operation with botocore,
replay it with wrk, and read the server's CPU time (utime+stime from /proc/<pid>/stat) before and
after each run. Rampart runs in secure mode: TLS, real SigV4 verification, audit on.
Prints a Markdown table (req/s, p50/p99 latency, server CPU µs per request).
"""
import argparse, base64, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLK_TCK = os.sysconf("SC_CLK_TCK")
REGION = "us-east-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, verify, timeout=60):
    import urllib.request, ssl
    ctx = ssl.create_default_context(cafile=verify) if verify else None
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1, context=ctx)
            return
        except Exception as exc:  # noqa: BLE001 - any failure means "not up yet"
            if getattr(exc, "code", None):
                return
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def cpu_seconds(pid):
    """utime+stime of pid and all its threads, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class Server:
    def __init__(self, name, cmd, endpoint, creds, verify=None, env=None, health="/"):
        self.name, self.cmd, self.endpoint, self.creds, self.verify = name, cmd, endpoint, creds, verify
        self.env, self.health, self.proc = env, health, None

    def start(self):
        self.proc = subprocess.Popen(self.cmd, env={**os.environ, **(self.env or {})},
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def client(self):
        return boto3.client("kms", endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=self.creds[0], aws_secret_access_key=self.creds[1],
                            verify=self.verify or False, config=Config(retries={"max_attempts": 0}))


def signed(server, target, body, creds=None, service="kms", prefix="TrentService"):
    """Headers and body of one SigV4-signed AWS JSON 1.1 request (`<prefix>.<target>`)."""
    url = server.endpoint + "/"
    req = AWSRequest(method="POST", url=url, data=body, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"{prefix}.{target}"})
    SigV4Auth(Credentials(*(creds or server.creds)), service, REGION).add_auth(req)
    return dict(req.headers.items()), body


def wrk_script(headers, body):
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}"]
    for k, v in headers.items():
        if k.lower() in ("host", "content-length"):
            continue
        lines.append(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}")
    return "\n".join(lines) + "\n"


def run_wrk(server, headers, body, conns, threads, seconds, script_text=None):
    """wrk replaying one request (or running `script_text`, a whole wrk Lua script)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script_text or wrk_script(headers, body))
        script = f.name
    before = cpu_seconds(server.proc.pid)
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{seconds}s",
                          "--latency", "-s", script, server.endpoint + "/"],
                         capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(server.proc.pid) - before
    os.unlink(script)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"), "requests": total,
            "errors": int(non2xx.group(1)) if non2xx else 0,
            "cpu_us": cpu / total * 1e6 if total else float("nan")}


def b64(data):
    return base64.b64encode(data).decode()


def symmetric_workloads(kms, server):
    key = kms.create_key(Description="bench")["KeyMetadata"]["KeyId"]
    plaintext = os.urandom(4096)
    blob = kms.encrypt(KeyId=key, Plaintext=plaintext)["CiphertextBlob"]
    return {
        "Encrypt 4 KiB": ("Encrypt", {"KeyId": key, "Plaintext": b64(plaintext)}),
        "Decrypt": ("Decrypt", {"CiphertextBlob": b64(blob)}),
        "GenerateDataKey": ("GenerateDataKey", {"KeyId": key, "KeySpec": "AES_256"}),
    }


def signing_workloads(kms, server):
    """Sign (ECC P-256, RSA-2048), Verify (P-256) and GenerateMac (HMAC_256) on 64-byte messages."""
    message = os.urandom(64)
    out = {}
    for label, spec, alg in (("ECC P-256", "ECC_NIST_P256", "ECDSA_SHA_256"),
                             ("RSA-2048", "RSA_2048", "RSASSA_PSS_SHA_256")):
        key = kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        ask = {"KeyId": key, "Message": b64(message), "MessageType": "RAW", "SigningAlgorithm": alg}
        out[f"Sign {label}"] = ("Sign", ask)
        if spec == "ECC_NIST_P256":
            signature = kms.sign(KeyId=key, Message=message, MessageType="RAW",
                                 SigningAlgorithm=alg)["Signature"]
            out[f"Verify {label}"] = ("Verify", {**ask, "Signature": b64(signature)})
    key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    out["GenerateMac HMAC_256"] = ("GenerateMac", {"KeyId": key, "Message": b64(message),
                                                    "MacAlgorithm": "HMAC_SHA_256"})
    return out


def identity_policy(account, key_arn):
    """Ten statements, as a service team's role policy might have: the one that matters
    (kms:Encrypt on the key, with conditions) among others on other services and keys."""
    other = f"arn:aws:kms:{REGION}:{account}:key/00000000-0000-0000-0000-00000000000"
    statements = [
        {"Sid": "S3Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": ["arn:aws:s3:::team-bucket", "arn:aws:s3:::team-bucket/*"]},
        {"Sid": "Logs", "Effect": "Allow", "Action": "logs:*", "Resource": "*"},
        {"Sid": "OtherKeys", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
         "Resource": [f"{other}{i}" for i in range(5)]},
        {"Sid": "Ssm", "Effect": "Allow", "Action": "ssm:GetParameter*",
         "Resource": f"arn:aws:ssm:{REGION}:{account}:parameter/team/*"},
        {"Sid": "Secrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
         "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}}},
        {"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"},
        {"Sid": "Describe", "Effect": "Allow", "Action": ["kms:Describe*", "kms:List*"], "Resource": "*"},
        {"Sid": "Sqs", "Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
         "Resource": f"arn:aws:sqs:{REGION}:{account}:team-*"},
        {"Sid": "TlsOnly", "Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}, "Null": {"aws:SourceVpce": "true"}}},
        {"Sid": "UseKey", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": key_arn,
         "Condition": {"StringEquals": {"aws:RequestedRegion": REGION},
                       "IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "10.0.0.0/8"]}}},
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def key_policy(account, user_arn):
    """Five statements in the shape of AWS's console-made key policies."""
    root = f"arn:aws:iam::{account}:root"
    admin = f"arn:aws:iam::{account}:role/KeyAdmin"
    return json.dumps({"Version": "2012-10-17", "Id": "key-consolepolicy-3", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": root},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "Allow access for Key Administrators", "Effect": "Allow", "Principal": {"AWS": admin},
         "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                    "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
                    "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
                    "kms:CancelKeyDeletion"], "Resource": "*"},
        {"Sid": "Allow use of the key", "Effect": "Allow", "Principal": {"AWS": user_arn},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                    "kms:DescribeKey"], "Resource": "*"},
        {"Sid": "Allow attachment of persistent resources", "Effect": "Allow",
         "Principal": {"AWS": user_arn}, "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
         "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
        {"Sid": "Deny plaintext transport", "Effect": "Deny", "Principal": "*", "Action": "kms:*",
         "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ]})


def policy_workloads(kms, server):
    """Encrypt 4 KiB as the account root with the default key policy (no identity policies),
    and as an IAM user under a 10-statement identity policy and a 5-statement key policy."""
    iam = boto3.client("iam", endpoint_url=server.endpoint, region_name=REGION,
                       aws_access_key_id=server.creds[0], aws_secret_access_key=server.creds[1],
                       verify=server.verify or False)
    account = boto3.client("sts", endpoint_url=server.endpoint, region_name=REGION,
                           aws_access_key_id=server.creds[0], aws_secret_access_key=server.creds[1],
                           verify=server.verify or False).get_caller_identity()["Account"]
    user = iam.create_user(UserName="bench-user")["User"]
    plain_key = kms.create_key(Description="bench default policy")["KeyMetadata"]["KeyId"]
    key = kms.create_key(Description="bench 5-statement policy", BypassPolicyLockoutSafetyCheck=True,
                         Policy=key_policy(account, user["Arn"]))["KeyMetadata"]
    iam.put_user_policy(UserName="bench-user", PolicyName="team",
                        PolicyDocument=identity_policy(account, key["Arn"]))
    made = iam.create_access_key(UserName="bench-user")["AccessKey"]
    user_creds = (made["AccessKeyId"], made["SecretAccessKey"])
    plaintext = os.urandom(4096)
    boto3.client("kms", endpoint_url=server.endpoint, region_name=REGION, aws_access_key_id=user_creds[0],
                 aws_secret_access_key=user_creds[1], verify=server.verify or False,
                 config=Config(retries={"max_attempts": 8})).encrypt(KeyId=key["KeyId"], Plaintext=plaintext)
    return {
        "Encrypt 4 KiB root, default policy": ("Encrypt", {"KeyId": plain_key, "Plaintext": b64(plaintext)}),
        "Encrypt 4 KiB user, 5+10 statements": ("Encrypt", {"KeyId": key["KeyId"], "Plaintext": b64(plaintext)},
                                                user_creds),
    }


WORKLOAD_SETS = {"symmetric": symmetric_workloads, "signing": signing_workloads,
                 "policy": policy_workloads}


def workloads(server, sets):
    """Signed requests per operation; a set the server cannot create keys for is skipped."""
    kms = server.client()
    out = {}
    for name in sets:
        try:
            made = WORKLOAD_SETS[name](kms, server)
        except Exception as exc:  # noqa: BLE001 - the server lacks the feature: report and skip
            print(f"{server.name}: skipping {name} workloads: {exc}", file=sys.stderr)
            continue
        for label, (target, body, *creds) in made.items():
            out[label] = signed(server, target, json.dumps(body), *creds)
    return out


def make_servers(args, workdir):
    servers = []
    binary = os.path.join(ROOT, "target", "release", "rampart")
    for name, plain in (("rampart", False), ("rampart-http", True)):
        if name not in args.servers.split(","):
            continue
        port, data = free_port(), os.path.join(workdir, name)
        scheme, label = ("http", "HTTP") if plain else ("https", "TLS")
        cmd = [binary, "serve", "--data-dir", data, "--listen", f"127.0.0.1:{port}"]
        s = Server(f"Rampart ({label}, SigV4, audit)", cmd + (["--plain-http"] if plain else []),
                   f"{scheme}://localhost:{port}", None, env={"RAMPART_LOG": "warn"}, health="/health")
        s.data = data
        servers.append(s)
    if "moto" in args.servers:
        port = free_port()
        servers.append(Server("moto_server", [args.moto, "-p", str(port)], f"http://127.0.0.1:{port}",
                              ("AKIDEXAMPLE", "secret"), health="/moto-api/"))
    if "rustack" in args.servers:
        port = free_port()
        servers.append(Server("Rustack", [args.rustack], f"http://127.0.0.1:{port}",
                              ("AKIDEXAMPLE", "secret"), env={"GATEWAY_LISTEN": f"127.0.0.1:{port}",
                                                              "LOG_LEVEL": "warn"}, health="/_localstack/health"))
    return servers


def start(server):
    server.start()
    if hasattr(server, "data"):
        cred_file = os.path.join(server.data, "credentials")
        deadline = time.time() + 60
        while not os.path.exists(cred_file) and time.time() < deadline:
            time.sleep(0.1)
        text = open(cred_file).read()
        server.creds = (re.search(r"aws_access_key_id = (\S+)", text).group(1),
                        re.search(r"aws_secret_access_key = (\S+)", text).group(1))
        if server.endpoint.startswith("https"):
            server.verify = os.path.join(server.data, "tls", "ca.pem")
    wait_http(server.endpoint + server.health, server.verify)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--servers", default="rampart,rampart-http,moto,rustack")
    p.add_argument("--moto", default=shutil.which("moto_server") or "moto_server")
    p.add_argument("--rustack", default=shutil.which("rustack") or "/opt/rustack/bin/rustack")
    p.add_argument("--json", help="also write raw results here")
    p.add_argument("--sets", default="symmetric,signing",
                   help="workload sets: symmetric (Encrypt/Decrypt/GenerateDataKey), signing, "
                        "policy (Encrypt as root vs as a user under 5+10 policy statements)")
    p.add_argument("--conns", default="1,4,16", help="client connections per run")
    args = p.parse_args()
    # (connections, wrk threads): 1 and 4 clients, plus the reference 16 connections.
    shapes = [(c, min(c, 2)) for c in map(int, args.conns.split(","))]
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for server in make_servers(args, workdir):
            try:
                start(server)
                for op, (headers, body) in workloads(server, args.sets.split(",")).items():
                    for conns, threads in shapes:
                        r = run_wrk(server, headers, body, conns, threads, args.seconds)
                        results.append({"server": server.name, "op": op, "conns": conns, **r})
                        print(f"{server.name:30} {op:16} c={conns:<3} {r['rps']:>10.0f} req/s "
                              f"p50={r['p50']} p99={r['p99']} cpu={r['cpu_us']:.1f}µs err={r['errors']}",
                              file=sys.stderr)
            finally:
                server.stop()
    print("| server | operation | connections | req/s | p50 | p99 | server CPU µs/req | non-2xx |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['server']} | {r['op']} | {r['conns']} | {r['rps']:.0f} | {r['p50']} | {r['p99']} "
              f"| {r['cpu_us']:.1f} | {r['errors']} |")
    if args.json:
        json.dump(results, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()

"""Runs the real `rampart` binary for the black-box tests and talks to it.

`Server` starts `rampart serve` on a free port with a temporary data dir (SQLite) or a fresh
PostgreSQL database, waits for the "Rampart listening on" banner, and builds boto3 clients, raw
signed HTTP requests, AWS CLI environments and `rampart` sub-commands against it.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import re
import select
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("RAMPART_BIN", str(REPO / "target" / "debug" / "rampart")))
AWS_CLI = Path(sys.executable).parent / "aws"
# boto3 and the AWS CLI read the service models Rampart is generated from (xtask/models, botocore
# as pinned in xtask/models/PINNED) ahead of the ones they ship with, so operations newer than the
# installed botocore (the newest awscli v1 on PyPI pins an older botocore) are callable.
MODELS = str(REPO / "xtask" / "models")
os.environ["AWS_DATA_PATH"] = MODELS

DEV_SQLITE = "dev-sqlite"
SECURE_SQLITE = "secure-sqlite"
SECURE_POSTGRES = "secure-postgres"
ALL_MODES = [DEV_SQLITE, SECURE_SQLITE, SECURE_POSTGRES]
SECURE_MODES = [SECURE_SQLITE, SECURE_POSTGRES]
SQLITE_MODES = [DEV_SQLITE, SECURE_SQLITE]

PG_ENV = "RAMPART_TEST_POSTGRES_URL"
BANNER = re.compile(r"Rampart listening on (https?)://[^\s:]+:(\d+)")
START_TIMEOUT = 30.0

JSON_11 = "application/x-amz-json-1.1"


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The test process environment without any AWS_* / RAMPART_* settings of the caller."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "RAMPART_"))
    }
    env.setdefault("RAMPART_LOG", "info")
    env["AWS_DATA_PATH"] = MODELS
    if extra:
        env.update(extra)
    return env


# ----------------------------------------------------------------------------- PostgreSQL


def postgres_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def _with_database(url: str, database: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + database))


def _psql(url: str, sql: str) -> None:
    subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
        check=True,
        capture_output=True,
        timeout=60,
    )


class PostgresDatabases:
    """Creates one fresh database per server lifetime; drops them all at the end."""

    def __init__(self) -> None:
        self.admin_url = postgres_admin_url()
        self.created: list[str] = []

    def create(self) -> str:
        if not self.admin_url:
            raise RuntimeError(f"{PG_ENV} is not set")
        name = "rampart_bb_" + uuid.uuid4().hex[:16]
        _psql(self.admin_url, f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return _with_database(self.admin_url, name)

    def drop_all(self) -> None:
        for name in self.created:
            try:
                _psql(self.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except (subprocess.SubprocessError, OSError):
                pass
        self.created.clear()


# ----------------------------------------------------------------------------- raw HTTP


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body.decode("utf-8"))

    @property
    def error_type(self) -> str | None:
        try:
            return self.json().get("__type")
        except ValueError:
            return None


def raw_http(
    endpoint: str,
    method: str,
    path: str,
    headers: dict[str, str] | list[tuple[str, str]],
    body: bytes,
    ca_bundle: Path | None,
    timeout: float = 30.0,
) -> RawResponse:
    """One HTTP/1.1 request over a fresh connection (`Connection: close`). `headers` may be a
    list of (name, value) pairs, to send a name more than once.

    Writing and reading are interleaved on one thread (non-blocking socket + select), so a
    server that answers early (e.g. 413 for an oversize body) and stops reading is still heard.
    """
    url = urllib.parse.urlsplit(endpoint)
    host, port = url.hostname, url.port
    sock = socket.create_connection((host, port), timeout=timeout)
    if url.scheme == "https":
        ctx = ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)
        sock = ctx.wrap_socket(sock, server_hostname=host)
    lines = [f"{method} {path} HTTP/1.1", f"Host: {url.netloc}"]
    pairs = headers.items() if isinstance(headers, dict) else headers
    for name, value in pairs:
        if name.lower() in ("host", "content-length", "connection"):
            continue
        lines.append(f"{name}: {value}")
    lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    try:
        data = _exchange(sock, head + body, timeout)
    finally:
        sock.close()
    return _parse_response(data)


_RETRY = (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError, InterruptedError)


def _exchange(sock: socket.socket, request: bytes, timeout: float) -> bytes:
    sock.setblocking(False)
    pending = memoryview(request)
    received = bytearray()
    deadline = time.monotonic() + timeout
    can_write = True
    while not _complete(received):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        writers = [sock] if can_write and len(pending) else []
        readable, writable, _ = select.select([sock], writers, [], min(remaining, 1.0))
        buffered = isinstance(sock, ssl.SSLSocket) and sock.pending() > 0
        if readable or buffered:
            try:
                chunk = sock.recv(65536)
            except _RETRY:
                chunk = None
            except OSError:
                break  # reset after (part of) the response: parse what arrived
            if chunk == b"":
                break
            if chunk:
                received += chunk
        if writable:
            try:
                sent = sock.send(pending[:65536])
                pending = pending[sent:]
            except _RETRY:
                pass
            except OSError:
                can_write = False  # the server stopped reading; keep listening
    return bytes(received)


def _complete(data: bytes) -> bool:
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return False
    match = re.search(rb"(?im)^content-length:\s*(\d+)", data[:end])
    return bool(match) and len(data) - end - 4 >= int(match.group(1))


def _parse_response(data: bytes) -> RawResponse:
    end = data.find(b"\r\n\r\n")
    if end < 0:
        raise AssertionError(f"no HTTP response received (got {len(data)} bytes: {data[:200]!r})")
    head = data[:end].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = data[end + 4 :]
    if "content-length" in headers:
        body = body[: int(headers["content-length"])]
    return RawResponse(status, headers, body)


# ----------------------------------------------------------------------------- the server


@dataclass
class Server:
    """One `rampart serve` process (restartable on the same data dir / database)."""

    mode: str
    data_dir: Path
    database_url: str | None = None
    extra_args: list[str] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)
    dev_flag: bool = True  # pass --dev in dev mode (False: dev mode comes from a config file)
    proc: subprocess.Popen | None = None
    port: int | None = None
    scheme: str | None = None
    stdout_lines: list[str] = field(default_factory=list)
    starts: int = 0

    @property
    def dev(self) -> bool:
        return self.mode.startswith("dev")

    @property
    def postgres(self) -> bool:
        return self.mode.endswith("postgres")

    @property
    def endpoint(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def ca_bundle(self) -> Path | None:
        return None if self.dev else self.data_dir / "tls" / "ca.pem"

    @property
    def stderr_path(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.stderr.log"

    def store_args(self) -> list[str]:
        args = ["--data-dir", str(self.data_dir)]
        if self.database_url:
            args += ["--database-url", self.database_url]
        return args

    # -- lifecycle

    def start(self, env: dict[str, str] | None = None, expect_ready: bool = True) -> "Server":
        assert BINARY.exists(), f"{BINARY} is missing: run `cargo build -p rampart` (or set RAMPART_BIN)"
        args = [str(BINARY), "serve", *self.store_args(), "--listen", "127.0.0.1:0"]
        if self.dev and self.dev_flag:
            args.append("--dev")
        args += self.extra_args
        full_env = clean_env({**self.extra_env, **(env or {})})
        stderr = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL, env=full_env
        )
        stderr.close()
        self.starts += 1
        self.stdout_lines = []
        ready = threading.Event()
        threading.Thread(target=self._read_stdout, args=(self.proc, ready), daemon=True).start()
        if not ready.wait(START_TIMEOUT) or self.port is None:
            code = self.proc.poll()
            self.kill()
            raise AssertionError(
                f"rampart did not print its banner within {START_TIMEOUT}s (exit {code}).\n"
                f"stdout: {self.stdout_lines}\nstderr tail:\n{self.stderr_tail()}"
            )
        if expect_ready:
            self.wait_healthy()
        return self

    def _read_stdout(self, proc: subprocess.Popen, ready: threading.Event) -> None:
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.stdout_lines.append(line)
            match = BANNER.search(line)
            if match and not ready.is_set():
                self.scheme, self.port = match.group(1), int(match.group(2))
                ready.set()
        ready.set()

    def wait_healthy(self, timeout: float = 15.0) -> dict:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                resp = self.get("/health")
                if resp.status == 200:
                    return resp.json()
                last = resp.status
            except (OSError, AssertionError) as err:
                last = err
            time.sleep(0.1)
        raise AssertionError(f"/health not answering 200 within {timeout}s: {last}")

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM and wait; returns the exit code (kills and fails if it hangs)."""
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"rampart did not exit within {timeout}s of SIGTERM")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self, env: dict[str, str] | None = None, expect_ready: bool = True) -> "Server":
        self.stop()
        return self.start(env=env, expect_ready=expect_ready)

    def alive(self) -> bool:
        return bool(self.proc) and self.proc.poll() is None

    def stderr_tail(self, lines: int = 40) -> str:
        try:
            text = self.stderr_path.read_text("utf-8", "replace")
        except OSError:
            return "(no stderr)"
        return "\n".join(text.splitlines()[-lines:])

    # -- credentials

    def admin_credentials(self) -> tuple[str, str]:
        if self.dev:
            return ("test", "test")
        path = self.data_dir / "credentials"
        text = path.read_text()
        key = re.search(r"(?m)^aws_access_key_id\s*=\s*(\S+)", text)
        secret = re.search(r"(?m)^aws_secret_access_key\s*=\s*(\S+)", text)
        assert key and secret, f"credentials file malformed: {path}"
        return key.group(1), secret.group(1)

    # -- clients

    def client(
        self,
        service: str = "kms",
        region: str = "us-east-1",
        access_key: str | None = None,
        secret_key: str | None = None,
        retries: int = 1,
        session_token: str | None = None,
        parameter_validation: bool = True,
    ):
        ak, sk = self.admin_credentials()
        session = boto3.session.Session(
            aws_access_key_id=access_key or ak,
            aws_secret_access_key=secret_key or sk,
            aws_session_token=session_token,
            region_name=region,
        )
        config = Config(
            retries={"total_max_attempts": retries, "mode": "standard"},
            connect_timeout=10,
            read_timeout=30,
            parameter_validation=parameter_validation,
        )
        return session.client(
            service,
            endpoint_url=self.endpoint,
            verify=str(self.ca_bundle) if self.ca_bundle else False,
            config=config,
        )

    def client_for(self, service: str, creds: dict, region: str = "us-east-1", **kwargs):
        """A client signing with `creds`: STS `Credentials` (AccessKeyId, SecretAccessKey,
        SessionToken) or an IAM `AccessKey` / `create_account` result (no token)."""
        return self.client(
            service,
            region=region,
            access_key=creds["AccessKeyId"],
            secret_key=creds["SecretAccessKey"],
            session_token=creds.get("SessionToken"),
            **kwargs,
        )

    def create_account(self, account_id: str | None = None,
                       env: dict[str, str] | None = None) -> dict:
        """`rampart account create --json` on this server's store (it may be running):
        {"AccountId", "AccessKeyId", "SecretAccessKey"} of the new account's root key."""
        args = ["account", "create", *self.store_args(), "--json"]
        if account_id:
            args += ["--account-id", account_id]
        proc = run_rampart(*args, env={**self.extra_env, **(env or {})})
        return json.loads(proc.stdout)

    def get(self, path: str) -> RawResponse:
        return raw_http(self.endpoint, "GET", path, {}, b"", self.ca_bundle)

    def post(self, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> RawResponse:
        return raw_http(self.endpoint, "POST", path, headers or {}, body, self.ca_bundle)

    def kms_raw(
        self,
        target: str | None,
        body: bytes | str,
        sign: bool = True,
        region: str = "us-east-1",
        access_key: str | None = None,
        secret_key: str | None = None,
        content_type: str = JSON_11,
        signed_at: "datetime.datetime | None" = None,
        signed_body: bytes | None = None,
    ) -> RawResponse:
        """A KMS request built by hand: `target` is the whole X-Amz-Target value (or None).

        `signed_at` signs with another clock (naive UTC); `signed_body` signs a different body
        than the one sent (to test tampering)."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = {"Content-Type": content_type}
        if target is not None:
            headers["X-Amz-Target"] = target
        if sign:
            ak, sk = self.admin_credentials()
            data = body if signed_body is None else signed_body
            req = AWSRequest(method="POST", url=self.endpoint + "/", data=data, headers=headers)
            signer = SigV4Auth(Credentials(access_key or ak, secret_key or sk), "kms", region)
            if signed_at is None:
                signer.add_auth(req)
            else:
                with mock.patch("botocore.auth.get_current_datetime", return_value=signed_at):
                    signer.add_auth(req)
            headers = dict(req.headers.items())
        return raw_http(self.endpoint, "POST", "/", headers, body, self.ca_bundle)

    # -- the AWS CLI and rampart sub-commands

    def cli_env(self, region: str = "us-east-1") -> dict[str, str]:
        config = self.data_dir.parent / f"{self.data_dir.name}.aws-config"
        config.write_text("[default]\n")
        env = clean_env(
            {
                "AWS_CONFIG_FILE": str(config),
                "AWS_DEFAULT_REGION": region,
                "AWS_PAGER": "",
                "AWS_EC2_METADATA_DISABLED": "true",
            }
        )
        if self.dev:
            env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
        else:
            env["AWS_SHARED_CREDENTIALS_FILE"] = str(self.data_dir / "credentials")
            env["AWS_CA_BUNDLE"] = str(self.ca_bundle)
        return env

    def aws(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        assert AWS_CLI.exists(), f"AWS CLI not found at {AWS_CLI}"
        cmd = [str(AWS_CLI), *args, "--endpoint-url", self.endpoint]
        proc = subprocess.run(cmd, env=self.cli_env(), capture_output=True, text=True, timeout=120)
        if check:
            assert proc.returncode == 0, f"{cmd} failed ({proc.returncode}): {proc.stderr}"
        return proc

    def rampart(self, *args: str, check: bool = True, env: dict[str, str] | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess:
        return run_rampart(*args, check=check, env=env, timeout=timeout)

    def audit_tail(self, n: int = 50) -> list[dict]:
        proc = run_rampart("audit", "tail", *self.store_args(), "-n", str(n))
        return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]

    def unseal(self, secret: str, check: bool = True) -> subprocess.CompletedProcess:
        args = ["operator", "unseal", "--secret", secret, "--endpoint", self.endpoint]
        if self.ca_bundle:
            args += ["--ca-bundle", str(self.ca_bundle)]
        return run_rampart(*args, check=check)


def run_rampart(*args: str, check: bool = True, env: dict[str, str] | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess:
    assert BINARY.exists(), f"{BINARY} is missing: run `cargo build -p rampart` (or set RAMPART_BIN)"
    cmd = [str(BINARY), *args]
    proc = subprocess.run(cmd, env=clean_env(env), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    if check:
        assert proc.returncode == 0, (
            f"{' '.join(cmd)} failed ({proc.returncode})\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
        )
    return proc


# ----------------------------------------------------------------------------- helpers


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def error_of(excinfo) -> tuple[str, str]:
    """(code, message) of a botocore ClientError caught by pytest.raises."""
    err = excinfo.value.response.get("Error", {})
    return err.get("Code", ""), err.get("Message", "")


def expect_error(call, code: str, message: str | None = None, status: int = 400, **kwargs):
    """Runs `call(**kwargs)`, asserting a ClientError with `code`, HTTP `status` and a message
    matching the regex `message` (searched, case-sensitive). Returns (code, message)."""
    from botocore.exceptions import ClientError

    try:
        result = call(**kwargs)
    except ClientError as err:
        got_code = err.response.get("Error", {}).get("Code", "")
        got_message = err.response.get("Error", {}).get("Message", "")
        got_status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        assert got_code == code, f"expected {code}, got {got_code}: {got_message!r}"
        assert got_status == status, f"{code}: expected HTTP {status}, got {got_status}"
        if message is not None:
            assert re.search(message, got_message), (
                f"{code} message {got_message!r} does not match {message!r}"
            )
        return got_code, got_message
    raise AssertionError(f"expected {code}, but the call succeeded: {result!r}")


# ----------------------------------------------------------------------------- IAM / STS helpers


def unique(prefix: str) -> str:
    """A name no other test of the module uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def policy_doc(*statements: dict) -> str:
    """An IAM policy document (JSON text) holding `statements`."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def statement(effect: str, action, resource="*", principal=None, condition=None) -> dict:
    out: dict = {"Effect": effect, "Action": action}
    if principal is not None:
        out["Principal"] = principal
    if resource is not None:
        out["Resource"] = resource
    if condition is not None:
        out["Condition"] = condition
    return out


def allow(action, resource="*", condition=None) -> dict:
    return statement("Allow", action, resource, condition=condition)


def deny(action, resource="*", condition=None) -> dict:
    return statement("Deny", action, resource, condition=condition)


def trust_policy(principal: dict, condition: dict | None = None) -> str:
    """A role trust policy letting `principal` (e.g. {"AWS": arn}) call sts:AssumeRole."""
    return policy_doc(statement("Allow", "sts:AssumeRole", None, principal, condition))


def eventually(check, timeout: float = 5.0, interval: float = 0.1):
    """Calls `check()` until it returns without raising an AssertionError or ClientError
    (IAM changes reach the caches of a running server within about a second, like AWS's
    eventual consistency), then returns its result; the last failure is re-raised."""
    from botocore.exceptions import ClientError

    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except (AssertionError, ClientError):
            if time.monotonic() > deadline:
                raise
            time.sleep(interval)


def create_user_with_key(iam, name: str, policy: str | None = None, path: str = "/") -> dict:
    """Creates user `name` (with inline policy `policy`, if any) and an access key; returns
    {"User": ..., "AccessKeyId": ..., "SecretAccessKey": ...}."""
    user = iam.create_user(UserName=name, Path=path)["User"]
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"User": user, "AccessKeyId": key["AccessKeyId"],
            "SecretAccessKey": key["SecretAccessKey"]}


def create_role(iam, name: str, trust: str, policy: str | None = None, **kwargs) -> dict:
    """Creates role `name` with trust policy `trust` (and inline policy `policy`)."""
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust, **kwargs)["Role"]
    if policy is not None:
        iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=policy)
    return role


def run_together(calls) -> list[dict]:
    """Runs the callables in threads released together by a barrier; the `Error` payloads of
    the ClientErrors they raised (empty when every call succeeded)."""
    from botocore.exceptions import ClientError

    errors: list[dict] = []
    barrier = threading.Barrier(len(calls))

    def run(call) -> None:
        barrier.wait()
        try:
            call()
        except ClientError as err:
            errors.append(err.response["Error"])

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors

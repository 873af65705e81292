"""Secrets Manager's built-in database rotators end to end through boto3: RotateSecret with a
RotationLambdaARN naming one of AWS's rotation templates rotates the password on a real
PostgreSQL or MariaDB server (single user; PostgreSQL alternating users, which clones the user),
and afterwards the new password logs in and the old one does not.

Needs RAMPART_TEST_POSTGRES_URL and RAMPART_TEST_MARIADB_URL (scripts/test.sh sets both, and
makes PostgreSQL ask for the password on loopback TCP logins to the database
rampart_password_login, which the secrets name as their dbname); without them the module is skipped. Logins are checked with the psql and mariadb/mysql
command-line clients."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.parse
import uuid

import pytest

from harness import eventually

PG_URL = os.environ.get("RAMPART_TEST_POSTGRES_URL")
MARIADB_URL = os.environ.get("RAMPART_TEST_MARIADB_URL")
PASSWORD_DB = "rampart_password_login"
ROTATION_WAIT = 60.0

pytestmark = pytest.mark.skipif(
    not (PG_URL and MARIADB_URL),
    reason="RAMPART_TEST_POSTGRES_URL and RAMPART_TEST_MARIADB_URL are needed",
)


def fresh_name() -> str:
    return "rbb" + uuid.uuid4().hex[:6]


def lambda_arn(secret_arn: str, template: str) -> str:
    account = secret_arn.split(":")[4]
    return f"arn:aws:lambda:us-east-1:{account}:function:{template}"


class Postgres:
    """The PostgreSQL server of RAMPART_TEST_POSTGRES_URL, through psql."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        parts = urllib.parse.urlsplit(admin_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 5432

    def admin(self, sql: str) -> None:
        subprocess.run(["psql", self.admin_url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
                       check=True, capture_output=True, timeout=30)

    def secret(self, user: str, password: str) -> dict:
        return {"engine": "postgres", "host": self.host, "port": self.port,
                "username": user, "password": password, "dbname": PASSWORD_DB}

    def create_user(self, user: str, password: str, superuser: bool = False) -> None:
        extra = " SUPERUSER" if superuser else ""
        self.admin(f"CREATE ROLE {user} LOGIN{extra} PASSWORD '{password}'")

    def drop_user(self, user: str) -> None:
        # DROP OWNED also revokes what the role was granted on databases.
        self.admin(f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{user}') "
                   f"THEN EXECUTE 'DROP OWNED BY {user}'; END IF; END $$")
        self.admin(f"DROP ROLE IF EXISTS {user}")

    def can_login(self, user: str, password: str) -> bool:
        dsn = f"host={self.host} port={self.port} user={user} dbname={PASSWORD_DB} connect_timeout=5"
        env = dict(os.environ, PGPASSWORD=password)
        done = subprocess.run(["psql", dsn, "-Atqc", "select 1"], env=env,
                              capture_output=True, timeout=30)
        return done.returncode == 0

    def is_member(self, member: str, role: str) -> bool:
        sql = f"select pg_has_role('{member}', '{role}', 'MEMBER')"
        done = subprocess.run(["psql", self.admin_url, "-Atqc", sql],
                              check=True, capture_output=True, text=True, timeout=30)
        return done.stdout.strip() == "t"


class MariaDb:
    """The MariaDB server of RAMPART_TEST_MARIADB_URL, through the mariadb (or mysql) client."""

    def __init__(self, admin_url: str) -> None:
        parts = urllib.parse.urlsplit(admin_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 3306
        self.admin_user = urllib.parse.unquote(parts.username or "root")
        self.admin_password = urllib.parse.unquote(parts.password or "")
        self.cli = shutil.which("mariadb") or shutil.which("mysql")
        assert self.cli, "no mariadb/mysql client installed"

    def run(self, user: str, password: str, sql: str) -> subprocess.CompletedProcess:
        env = dict(os.environ, MYSQL_PWD=password)
        return subprocess.run(
            [self.cli, "--protocol=tcp", "-h", self.host, "-P", str(self.port),
             "-u", user, "--connect-timeout=5", "-e", sql],
            env=env, capture_output=True, timeout=30)

    def admin(self, sql: str) -> None:
        done = self.run(self.admin_user, self.admin_password, sql)
        assert done.returncode == 0, done.stderr

    def secret(self, user: str, password: str) -> dict:
        return {"engine": "mariadb", "host": self.host, "port": self.port,
                "username": user, "password": password}

    def create_user(self, user: str, password: str) -> None:
        self.admin(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'")

    def drop_user(self, user: str) -> None:
        self.admin(f"DROP USER IF EXISTS '{user}'@'%'")

    def can_login(self, user: str, password: str) -> bool:
        return self.run(user, password, "select 1").returncode == 0


@pytest.fixture(scope="module")
def sm(server):
    return server.client("secretsmanager")


@pytest.fixture
def users():
    """Database users made by a test, dropped after it: (db, name) pairs."""
    made: list[tuple[object, str]] = []
    yield made
    for db, user in reversed(made):
        db.drop_user(user)


def make_user(db, users, password: str, **kwargs) -> str:
    user = fresh_name()
    db.create_user(user, password, **kwargs)
    users.append((db, user))
    assert not db.can_login(user, "not-the-password"), (
        f"{user} logs in with a wrong password: run scripts/test.sh, which makes PostgreSQL "
        f"ask for the password on loopback TCP logins to {PASSWORD_DB}")
    return user


def rotate_and_wait(sm, secret_id: str, template: str) -> dict:
    """RotateSecret with the template's function and 30-day rules, then waits for AWSCURRENT
    to move to the version RotateSecret answered; the new AWSCURRENT secret JSON."""
    before = sm.get_secret_value(SecretId=secret_id)["VersionId"]
    arn = sm.describe_secret(SecretId=secret_id)["ARN"]
    out = sm.rotate_secret(SecretId=secret_id, RotationLambdaARN=lambda_arn(arn, template),
                           RotationRules={"AutomaticallyAfterDays": 30})
    token = out["VersionId"]
    assert token != before

    def moved():
        got = sm.get_secret_value(SecretId=secret_id)
        assert got["VersionId"] == token, sm.describe_secret(SecretId=secret_id)
        return json.loads(got["SecretString"])

    current = eventually(moved, timeout=ROTATION_WAIT, interval=0.25)
    previous = sm.get_secret_value(SecretId=secret_id, VersionStage="AWSPREVIOUS")
    assert previous["VersionId"] == before
    return current


def test_postgres_single_user(sm, users):
    pg = Postgres(PG_URL)
    user = make_user(pg, users, "Old-Passw0rd-1")
    name = f"rot/{fresh_name()}"
    sm.create_secret(Name=name, SecretString=json.dumps(pg.secret(user, "Old-Passw0rd-1")))
    current = rotate_and_wait(sm, name, "SecretsManagerRDSPostgreSQLRotationSingleUser")
    assert current["username"] == user and current["password"] != "Old-Passw0rd-1"
    assert pg.can_login(user, current["password"])
    assert not pg.can_login(user, "Old-Passw0rd-1")
    desc = sm.describe_secret(SecretId=name)
    assert desc["RotationEnabled"] is True
    assert desc["RotationLambdaARN"].endswith(":function:SecretsManagerRDSPostgreSQLRotationSingleUser")


def test_mariadb_single_user(sm, users):
    db = MariaDb(MARIADB_URL)
    user = make_user(db, users, "Old-Passw0rd-1")
    name = f"rot/{fresh_name()}"
    sm.create_secret(Name=name, SecretString=json.dumps(db.secret(user, "Old-Passw0rd-1")))
    current = rotate_and_wait(sm, name, "SecretsManagerRDSMariaDBRotationSingleUser")
    assert current["username"] == user and current["password"] != "Old-Passw0rd-1"
    assert db.can_login(user, current["password"])
    assert not db.can_login(user, "Old-Passw0rd-1")


def test_postgres_alternating_users(sm, users):
    pg = Postgres(PG_URL)
    master = make_user(pg, users, "Master-Passw0rd", superuser=True)
    user = make_user(pg, users, "Old-Passw0rd-1")
    users.append((pg, f"{user}_clone"))  # dropped first: it is a member of the user
    master_arn = sm.create_secret(Name=f"rot/{fresh_name()}",
                                  SecretString=json.dumps(pg.secret(master, "Master-Passw0rd")))["ARN"]
    name = f"rot/{fresh_name()}"
    secret = dict(pg.secret(user, "Old-Passw0rd-1"), masterarn=master_arn)
    sm.create_secret(Name=name, SecretString=json.dumps(secret))
    template = "SecretsManagerRDSPostgreSQLRotationMultiUser"

    first = rotate_and_wait(sm, name, template)
    assert first["username"] == f"{user}_clone" and first["masterarn"] == master_arn
    assert pg.can_login(first["username"], first["password"])
    assert pg.is_member(first["username"], user)
    assert pg.can_login(user, "Old-Passw0rd-1")  # the replaced user works until its turn

    second = rotate_and_wait(sm, name, template)
    assert second["username"] == user
    assert pg.can_login(user, second["password"])
    assert not pg.can_login(user, "Old-Passw0rd-1")

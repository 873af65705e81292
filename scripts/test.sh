#!/usr/bin/env bash
# The one test command (README and .ci/run call exactly this):
#   PostgreSQL up + fresh `rampart_test` database, MariaDB up (the built-in rotators rotate
#   passwords on both), cargo fmt/clippy/test (the store suite runs on
#   SQLite and PostgreSQL), then the black-box pytest suite (two workers) against the `rampart`
#   binary of that same dev build: one build of the dependency graph serves the unit tests and the
#   black-box suite (a separate release build cost ~12 minutes of a ~40-minute run on 2 cores).
# Idempotent; fails fast; works as root on a fresh Debian machine and on a developer machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

step() { printf '\n==> [%s] %s\n' "$(date +%T)" "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

PG_HOST=127.0.0.1
PG_PORT=5432
PG_DB=rampart_test

# ------------------------------------------------------------------ 1. PostgreSQL
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -q
    as_root apt-get install -y -q "$@"
}

pg_ready() { command -v pg_isready >/dev/null && pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }

start_postgres() {
    if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
        step "Installing PostgreSQL (apt-get)"
        apt_install postgresql
    fi
    pg_ready && return 0
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    step "Starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 60); do pg_ready && return 0; sleep 0.5; done
    die "PostgreSQL did not come up on $PG_HOST:$PG_PORT"
}

# Sets PG_BASE (postgres://user[:password]@host:port) that works over TCP on loopback.
pg_credentials() {
    PG_BASE="postgres://postgres@$PG_HOST:$PG_PORT"
    if psql "$PG_BASE/postgres" -Atqc 'select 1' >/dev/null 2>&1; then return 0; fi
    # A fresh install asks for a password on TCP: give the postgres role one (via the socket).
    step "Setting a password for the postgres role (loopback TCP needs one here)"
    local password=rampart-test
    as_root runuser -u postgres -- psql -q -c "ALTER ROLE postgres PASSWORD '$password'"
    PG_BASE="postgres://postgres:$password@$PG_HOST:$PG_PORT"
    psql "$PG_BASE/postgres" -Atqc 'select 1' >/dev/null || die "cannot connect to PostgreSQL as postgres"
}

step "PostgreSQL"
pg_ready || start_postgres
pg_credentials
psql -v ON_ERROR_STOP=1 -q "$PG_BASE/postgres" <<SQL
DROP DATABASE IF EXISTS $PG_DB WITH (FORCE);
CREATE DATABASE $PG_DB OWNER postgres;
SQL
# Databases left behind by an interrupted black-box run.
for stale in $(psql -Atq "$PG_BASE/postgres" -c "select datname from pg_database where datname like 'rampart_bb_%'"); do
    psql -q "$PG_BASE/postgres" -c "DROP DATABASE IF EXISTS \"$stale\" WITH (FORCE)"
done
export RAMPART_TEST_POSTGRES_URL="$PG_BASE/$PG_DB"
echo "RAMPART_TEST_POSTGRES_URL points at database $PG_DB on $PG_HOST:$PG_PORT"

# The built-in rotator tests need PostgreSQL to check passwords: logins to the database
# rampart_password_login over loopback TCP ask for the password, whatever pg_hba.conf trusts
# for other databases (a trusted login would take any old password). The lines go first in
# pg_hba.conf, once.
PG_PASSWORD_DB=rampart_password_login
pg_password_logins() {
    if [ -z "$(psql -Atq "$PG_BASE/postgres" -c "select 1 from pg_database where datname = '$PG_PASSWORD_DB'")" ]; then
        psql -q "$PG_BASE/postgres" -c "CREATE DATABASE $PG_PASSWORD_DB"
    fi
    local hba
    hba=$(psql -Atq "$PG_BASE/postgres" -c 'show hba_file')
    as_root grep -q "^host $PG_PASSWORD_DB " "$hba" && return 0
    step "pg_hba.conf: password logins on loopback to the database $PG_PASSWORD_DB"
    local lines
    lines=$(printf 'host %s all 127.0.0.1/32 scram-sha-256\nhost %s all ::1/128 scram-sha-256' \
        "$PG_PASSWORD_DB" "$PG_PASSWORD_DB")
    as_root sh -c 'content=$(cat "$1"); printf "%s\n%s\n" "$2" "$content" > "$1"' _ "$hba" "$lines"
    psql -q "$PG_BASE/postgres" -Atc 'select pg_reload_conf()' >/dev/null
}
pg_password_logins

# ------------------------------------------------------------------ 1b. MariaDB
# The built-in MySQL/MariaDB rotators are tested against a real MariaDB on loopback TCP.
MY_HOST=127.0.0.1
MY_PORT=3306

my_ready() { (exec 3<>"/dev/tcp/$MY_HOST/$MY_PORT") 2>/dev/null; }
my_client() { command -v mariadb || command -v mysql; }

start_mariadb() {
    if [ ! -x /usr/sbin/mariadbd ] && [ ! -x /usr/sbin/mysqld ]; then
        step "Installing MariaDB (apt-get)"
        apt_install mariadb-server
    fi
    my_ready && return 0
    step "Starting MariaDB"
    as_root service mariadb start >/dev/null 2>&1 || {
        as_root mkdir -p /run/mysqld
        as_root chown mysql:mysql /run/mysqld
        as_root sh -c 'nohup mysqld_safe >/dev/null 2>&1 &'
    }
    for _ in $(seq 1 60); do my_ready && return 0; sleep 0.5; done
    die "MariaDB did not come up on $MY_HOST:$MY_PORT"
}

# Sets MY_URL (mysql://user[:password]@host:port) of an administrator that works over TCP.
my_credentials() {
    local cli
    cli=$(my_client) || die "no MariaDB client (mariadb/mysql) found"
    MY_URL="mysql://root@$MY_HOST:$MY_PORT"
    "$cli" --protocol=tcp -h "$MY_HOST" -P "$MY_PORT" -uroot -e 'select 1' >/dev/null 2>&1 && return 0
    # A fresh install lets root in by the unix socket only: make an admin with a password.
    step "Creating the rampart_test MariaDB administrator (via the socket)"
    local user=rampart_test password=rampart-test host
    for host in 127.0.0.1 localhost; do
        as_root "$cli" -e "CREATE USER IF NOT EXISTS '$user'@'$host' IDENTIFIED BY '$password';
            ALTER USER '$user'@'$host' IDENTIFIED BY '$password';
            GRANT ALL PRIVILEGES ON *.* TO '$user'@'$host' WITH GRANT OPTION"
    done
    MY_URL="mysql://$user:$password@$MY_HOST:$MY_PORT"
    "$cli" --protocol=tcp -h "$MY_HOST" -P "$MY_PORT" -u"$user" -p"$password" -e 'select 1' \
        >/dev/null || die "cannot connect to MariaDB as $user"
}

step "MariaDB"
my_ready || start_mariadb
my_credentials
export RAMPART_TEST_MARIADB_URL="$MY_URL"
echo "RAMPART_TEST_MARIADB_URL points at $MY_HOST:$MY_PORT"

# ------------------------------------------------------------------ 2. Rust checks and tests
command -v cargo >/dev/null || die "cargo not found: install the Rust toolchain pinned in rust-toolchain.toml"
# rampart-geoip's full-database test reads Debian's tor-geoipdb files (2.7 MB package). Only the
# files are extracted: installing the package would bring the tor daemon along. Without them
# (no apt, offline) that test says it skipped.
tor_geoipdb() {
    local dir=$1 tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && { apt-get download -q tor-geoipdb >/dev/null 2>&1 \
        || { as_root apt-get update -q >/dev/null && apt-get download -q tor-geoipdb >/dev/null; }; }) \
        && dpkg-deb -x "$tmp"/tor-geoipdb_*.deb "$tmp/x" \
        && mkdir -p "$dir" && cp "$tmp/x/usr/share/tor/geoip" "$tmp/x/usr/share/tor/geoip6" "$dir/"
    local status=$?
    rm -rf "$tmp"
    return $status
}
GEOIP_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/rampart/tor-geoipdb"
if [ ! -s "$GEOIP_DIR/geoip6" ]; then
    step "Debian's tor-geoipdb files into $GEOIP_DIR (apt-get download)"
    tor_geoipdb "$GEOIP_DIR" || echo "tor-geoipdb not available: the full geography database test will skip"
fi
export RAMPART_TEST_GEOIP_DIR="$GEOIP_DIR"

step "cargo fmt --all -- --check"
cargo fmt --all -- --check
step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
step "cargo test --workspace (store suite on SQLite and PostgreSQL)"
cargo test --workspace

# ------------------------------------------------------------------ 3. The binary under test
# The dev-profile binary from the build above (debug assertions and overflow checks on, so the
# black-box suite is stricter than a release binary would be); benchmarks build release.
step "cargo build -p rampart"
cargo build -p rampart
export RAMPART_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/rampart"

# ------------------------------------------------------------------ 4. Test tools
# libfaketime: black-box tests restart a server in the future (24 h import-token expiry).
if ! ls /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 >/dev/null 2>&1; then
    step "Installing libfaketime (apt-get)"
    apt_install faketime
fi
# openssl: the KMS Recipient tests open CMS envelopes with `openssl cms`.
command -v openssl >/dev/null || { step "Installing openssl (apt-get)"; apt_install openssl; }

# ------------------------------------------------------------------ 5. Python venv
step "Python venv (.venv) from tests/blackbox/requirements.txt"
REQ=tests/blackbox/requirements.txt
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv 2>/dev/null || { apt_install python3-venv && rm -rf .venv && python3 -m venv .venv; }
fi
STAMP=.venv/.requirements.sha256
want=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -r "$REQ"
    echo "$want" > "$STAMP"
else
    echo "up to date"
fi

# ------------------------------------------------------------------ 6. Protocol conformance
# botocore's own serializers and parsers against the generated restJson1 (API Gateway) and
# RPC v2 CBOR / awsJson (ACM PCA) codecs, through the protocol-echo binary (a few seconds).
step "pytest tests/conformance (restJson1, RPC v2 CBOR and awsJson round trips with botocore)"
cargo build -q -p rampart-conformance --bin protocol-echo
RAMPART_PROTOCOL_ECHO="${CARGO_TARGET_DIR:-$ROOT/target}/debug/protocol-echo" \
    .venv/bin/python -m pytest -q tests/conformance

# ------------------------------------------------------------------ 7. Black-box suite
command -v curl >/dev/null || { step "Installing curl (apt-get)"; apt_install curl; }
# Two workers (pytest-xdist), a test module's tests on one worker so its servers are shared.
step "pytest tests/blackbox (dev/SQLite, secure/SQLite, secure/PostgreSQL), 2 workers"
exec .venv/bin/python -m pytest tests/blackbox -n 2 --dist loadscope

"""Fixtures: a `rampart serve` per test module and mode (dev/SQLite, secure/SQLite,
secure/PostgreSQL), plus a factory for tests that manage their own servers."""

from __future__ import annotations

import pytest

from harness import (
    ALL_MODES,
    PG_ENV,
    SECURE_MODES,
    DEV_SQLITE,
    PostgresDatabases,
    Server,
    postgres_admin_url,
)


@pytest.fixture(scope="session")
def pg_databases():
    dbs = PostgresDatabases()
    yield dbs
    dbs.drop_all()


def _require_backend(mode: str) -> None:
    if mode.endswith("postgres") and not postgres_admin_url():
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL matrix entry skipped")


class ServerFactory:
    """Creates servers (each with its own data dir and, for PostgreSQL, its own database)."""

    def __init__(self, tmp_path_factory, pg_databases):
        self.tmp = tmp_path_factory
        self.pg = pg_databases
        self.servers: list[Server] = []

    def __call__(self, mode: str, start: bool = True, **kwargs) -> Server:
        _require_backend(mode)
        data_dir = self.tmp.mktemp(mode) / "data"
        database_url = self.pg.create() if mode.endswith("postgres") else None
        server = Server(mode, data_dir, database_url, **kwargs)
        self.servers.append(server)
        if start:
            server.start()
        return server

    def close(self) -> None:
        for server in self.servers:
            server.kill()


@pytest.fixture
def make_server(tmp_path_factory, pg_databases):
    factory = ServerFactory(tmp_path_factory, pg_databases)
    yield factory
    factory.close()


def _module_server(request, tmp_path_factory, pg_databases):
    factory = ServerFactory(tmp_path_factory, pg_databases)
    try:
        yield factory(request.param)
    finally:
        for server in factory.servers:
            try:
                server.stop()
            finally:
                server.kill()


@pytest.fixture(scope="module", params=ALL_MODES)
def server(request, tmp_path_factory, pg_databases):
    """A running server shared by a module's tests, once per matrix entry."""
    yield from _module_server(request, tmp_path_factory, pg_databases)


@pytest.fixture(scope="module", params=SECURE_MODES)
def secure_server(request, tmp_path_factory, pg_databases):
    """A running secure-mode server (TLS + SigV4), on SQLite and on PostgreSQL."""
    yield from _module_server(request, tmp_path_factory, pg_databases)


@pytest.fixture(scope="module", params=[DEV_SQLITE])
def dev_server(request, tmp_path_factory, pg_databases):
    """A running `--dev` server on SQLite."""
    yield from _module_server(request, tmp_path_factory, pg_databases)


@pytest.fixture
def kms(server):
    return server.client()

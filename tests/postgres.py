"""A throwaway PostgreSQL server for the test session (initdb into a temp dir, 127.0.0.1 on
a free port, fsync off), and a fresh database per test that asks for one.

Skipped when no PostgreSQL binaries are installed, except in CI (``CI=true``), where a
missing server is an error: ``.ci/run`` installs it.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from core.ports import free_port


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str = "postgres"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname=database, autocommit=True
        )


def postgres_bindir() -> Path | None:
    """Where initdb/pg_ctl live: PATH first, then Debian's /usr/lib/postgresql/<v>/bin."""
    if found := shutil.which("initdb"):
        return Path(found).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(candidates[-1]).parent if candidates else None


def _as_postgres_user() -> list[str]:
    """initdb and postgres refuse to run as root: drop to the `postgres` user there."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail("running as root but there is no 'postgres' user to run PostgreSQL as")
    return ["runuser", "-u", "postgres", "--"]


def _run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"{cmd[0:4]} failed:\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bindir = postgres_bindir()
    if bindir is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but no PostgreSQL binaries found (apt-get install postgresql)")
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    prefix = _as_postgres_user()
    root = Path(tempfile.mkdtemp(prefix="casusregie-pg-"))
    if prefix:
        shutil.chown(root, user="postgres")
    data = root / "data"
    port = free_port()
    _run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
          "-E", "UTF8", "--locale=C", "--no-sync"])
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    _run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", options,
          "-l", str(root / "postgres.log"), "-w", "-t", "30", "start"])
    try:
        yield PostgresServer(host="127.0.0.1", port=port)
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "-w", "stop"], check=False, capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database on the session's server; dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with postgres_server.connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = postgres_server.url(name)
    yield url
    from db.engine import engine_for

    engine_for(url).dispose()
    with postgres_server.connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

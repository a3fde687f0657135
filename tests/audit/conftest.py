"""The audit tests reuse the API fixtures (app, users of every role, worker) and the
workflow harness fixture ``start``; ``cli_env`` points the CLI at the test server."""

import pytest
from sqlalchemy.engine import Engine

from core.config import get_settings
from tests.api.conftest import api, tokens  # noqa: F401  (fixtures)
from tests.workflows.conftest import start  # noqa: F401  (fixture)


@pytest.fixture
def engine(any_engine: Engine) -> Engine:
    """Every test here runs on SQLite and on PostgreSQL (tests/conftest.py)."""
    return any_engine


@pytest.fixture
def cli_env(env, monkeypatch) -> None:
    """The CLI (run in-process) connects to the time-skipping server the tests use."""
    monkeypatch.setenv("CASUSREGIE_TEMPORAL_ADDRESS", env.client.service_client.config.target_host)
    get_settings.cache_clear()

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from tests.workflows.harness import CaseDriver, case_input, running_worker, start_case


@pytest.fixture
def engine(any_engine: Engine) -> Engine:
    """Every test here runs on SQLite and on PostgreSQL (tests/conftest.py)."""
    return any_engine


@pytest.fixture
async def start(env, engine, task_queue) -> AsyncIterator[Callable[..., Awaitable[CaseDriver]]]:
    """``await start(entry=..., oco=..., **CaseInput overrides)`` -> a driven case."""
    async with running_worker(env, engine, task_queue) as client:

        async def _start(**kwargs: Any) -> CaseDriver:
            return await start_case(client, env, engine, task_queue, case_input(**kwargs))

        yield _start

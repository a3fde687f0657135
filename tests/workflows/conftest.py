from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from tests.workflows.harness import CaseDriver, case_input, finish, running_worker, start_case


@pytest.fixture
async def start(env, engine, task_queue) -> AsyncIterator[Callable[..., Awaitable[CaseDriver]]]:
    """``await start(entry=..., oco=..., **CaseInput overrides)`` -> a driven case.

    Cases still open at the end are terminated (see ``finish``)."""
    drivers: list[CaseDriver] = []
    async with running_worker(env, engine, task_queue) as client:
        async def _start(**kwargs: Any) -> CaseDriver:
            driver = await start_case(client, env, engine, task_queue, case_input(**kwargs))
            drivers.append(driver)
            return driver
        yield _start
        for driver in drivers:
            await finish(driver)

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from temporalio.service import RPCError

from tests.workflows.harness import CaseDriver, case_input, running_worker, start_case


@pytest.fixture
async def start(env, engine, task_queue) -> AsyncIterator[Callable[..., Awaitable[CaseDriver]]]:
    """``await start(entry=..., oco=..., **CaseInput overrides)`` -> a driven case.

    Cases still open at the end are terminated: the time-skipping server is shared by
    the session, and a left-over timer without a worker would stall later time skips."""
    drivers: list[CaseDriver] = []
    async with running_worker(env, engine, task_queue) as client:
        async def _start(**kwargs: Any) -> CaseDriver:
            driver = await start_case(client, env, engine, task_queue, case_input(**kwargs))
            drivers.append(driver)
            return driver
        yield _start
        for driver in drivers:
            with contextlib.suppress(RPCError):
                await driver.handle.terminate("test finished")

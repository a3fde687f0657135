"""A long case continues as new (Temporal suggests it when the history grows) and keeps
everything: phase, open tasks, participants and the audit sequence; an update that
arrives while the case hands over is answered, with the read model written.

On the real dev server (no timers need skipping here), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.registry import build_activities
from audit.history import fetch_runs
from audit.replay import OK, replay
from core.config import get_settings
from core.temporal import connect_client
from tests.audit.commands import patch_ids
from tests.workflows.hand_over import hand_over_replayer, suggest_once
from tests.workflows.harness import (
    PROVIDER,
    CaseDriver,
    GatedNotifications,
    activities_with_gated_notifications,
    case_input,
    start_case,
)
from workflows.case_workflow import DRAIN_WRITES_UPDATES, CaseWorkflow

ROUNDS = 20  # the concurrent-update race, repeated on each database
SYNC_WAIT = 5.0  # the case's bounded read-model wait: an update stuck in it fails


@asynccontextmanager
async def worker_on(
    dev_server: str, engine: Engine, task_queue: str, activities: list[Callable[..., Any]]
) -> AsyncIterator[Client]:
    client = await connect_client(get_settings(), address=dev_server)
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[CaseWorkflow],
            activities=activities,
            activity_executor=executor,
            # unsandboxed, so the stand-in reaches the workflow class the worker runs
            workflow_runner=UnsandboxedWorkflowRunner(),
        ):
            yield client


@pytest.fixture(autouse=True)
def continue_as_new_in_phase_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CaseWorkflow, "_should_continue_as_new", suggest_once)


async def run_id(case: CaseDriver) -> str:
    # a started handle has no run_id (it follows the chain): ask the server
    return (await case.handle.describe()).run_id


async def new_run(case: CaseDriver, first_run: str) -> str:
    for _ in range(200):
        current = await run_id(case)
        if current != first_run:
            return current
        await asyncio.sleep(0.05)
    raise AssertionError("the case did not continue as new")


async def start(client: Client, engine: Engine, task_queue: str) -> CaseDriver:
    inp = case_input(entry="care_not_suitable", sync_wait_seconds=SYNC_WAIT)
    return await start_case(client, None, engine, task_queue, inp)  # type: ignore[arg-type]


async def claim_answered(case: CaseDriver) -> None:
    """Claim the task of the new phase: answered at once, read model written."""
    asked = time.monotonic()
    result = await case.claim("first_registration_round", PROVIDER)
    assert result.read_model_synced, "the update waited out its sync wait"
    assert time.monotonic() - asked < SYNC_WAIT
    assert result.task is not None and result.task.claimed_by == PROVIDER


async def finish_in_the_new_run(case: CaseDriver, first_run: str) -> None:
    """The new run carries the phase, the claim and the audit sequence to the end."""
    await new_run(case, first_run)
    state = await case.state()
    assert state.phase == "search_other_provider"
    [task] = [t for t in state.open_tasks if t.key == "first_registration_round"]
    assert task.claimed_by == PROVIDER
    await case.assert_read_model_matches()
    result = await case.complete("first_registration_round", "placed", placed_at="Zorg West")
    assert result.outcome == "placed" and result.read_model_synced
    await case.assert_read_model_matches()
    actions = case.audit_actions()  # ordered by seq, which carried over
    assert actions.count("case_started") == 1 and actions.count("task_claimed") == 1
    assert actions[-1] == "case_closed"
    assert (await case.handle.result()).outcome == "placed"


async def test_case_continues_as_new_with_its_state(dev_server, engine, task_queue):
    async with worker_on(
        dev_server, engine, task_queue, build_activities(engine, get_settings())
    ) as client:
        case = await start(client, engine, task_queue)
        first_run = await run_id(case)
        await case.complete("establish_place_not_suitable", "not_suitable", note="n")
        await new_run(case, first_run)
        await claim_answered(case)
        await finish_in_the_new_run(case, first_run)


async def test_update_during_the_hand_over_is_answered_before_it(dev_server, engine, task_queue):
    """Deterministic: the run has decided to continue as new and waits for its
    notifications when the claim arrives; it must write the claim and answer it instead
    of waiting for the update to finish (which waited for the write: deadlock)."""
    notifications = GatedNotifications(engine)
    activities = activities_with_gated_notifications(notifications, engine)
    async with worker_on(dev_server, engine, task_queue, activities) as client:
        case = await start(client, engine, task_queue)
        first_run = await run_id(case)
        await case.complete("establish_place_not_suitable", "not_suitable", note="n")
        # the update returned after the run decided to hand over; it is draining now
        await claim_answered(case)
        assert await run_id(case) == first_run  # answered by the old run, before the hand-over
        notifications.gate.set()
        await finish_in_the_new_run(case, first_run)
        # the new path is marked in the history and replays strictly
        runs = await fetch_runs(client, case.case_id)
        assert DRAIN_WRITES_UPDATES in await patch_ids(runs[0])
        verdicts = [v async for v in replay([(r, "live") for r in runs], hand_over_replayer())]
        assert [(v.verdict, v.error) for v in verdicts] == [(OK, None), (OK, None)]


async def test_update_racing_the_hand_over_is_never_stuck(dev_server, engine, task_queue):
    """The race as it happens, ``ROUNDS`` cases at once: the next update follows the one
    that triggers the hand-over at once, and lands in the draining run or in the new one
    (the server then retries it there)."""

    async def one_round() -> str:
        case = await start(client, engine, task_queue)
        first_run = await run_id(case)
        await case.complete("establish_place_not_suitable", "not_suitable", note="n")
        await claim_answered(case)
        await finish_in_the_new_run(case, first_run)
        return case.case_id

    async with worker_on(
        dev_server, engine, task_queue, build_activities(engine, get_settings())
    ) as client:
        case_ids = await asyncio.gather(*(one_round() for _ in range(ROUNDS)))
        # whichever way each race went, its history replays strictly
        runs = [run for case_id in case_ids for run in await fetch_runs(client, case_id)]
        verdicts = [v async for v in replay([(r, "live") for r in runs], hand_over_replayer())]
        assert [(v.verdict, v.error) for v in verdicts] == [(OK, None)] * 2 * ROUNDS

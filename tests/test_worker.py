"""The worker process on a real dev server: it runs cases (workflow + read-model
activity), registers search attributes idempotently, makes the daily digest's schedule,
and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import ScheduleActionStartWorkflow

from core.config import Settings
from core.search_attributes import ensure_search_attributes
from core.temporal import connect_client
from domain.messages import workflow_id_for
from tests.workflows.harness import case_input, insert_case_row
from worker import digest_schedule_id, ensure_digest_schedule
from workflows.case_workflow import CaseWorkflow

ROOT = Path(__file__).resolve().parent.parent
KEYWORD = IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD


@pytest.fixture
def worker_process(
    dev_server: str, engine: Engine, task_queue: str, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen, Path]]:
    """``casusregie worker`` in its own process (a signal goes to it, never to pytest), on
    the test's database (same ``CASUSREGIE_DATA_DIR``); yields it and its JSON log."""
    env = {
        **os.environ,
        "CASUSREGIE_TEMPORAL_ADDRESS": dev_server,
        "CASUSREGIE_TASK_QUEUE": task_queue,
        "CASUSREGIE_LOG_JSON": "true",
    }
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "worker"], cwd=ROOT, env=env, stderr=log
        )
    try:
        yield proc, log_path
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def logged_events(path: Path) -> list[str]:
    return [json.loads(line)["event"] for line in path.read_text().splitlines()]


async def test_worker_process_runs_a_case_and_stops_on_sigterm(
    worker_process: tuple[subprocess.Popen, Path], dev_server: str, engine: Engine, task_queue: str
) -> None:
    proc, log_path = worker_process
    client = await connect_client(Settings(temporal_address=dev_server, task_queue=task_queue))
    inp = case_input()
    insert_case_row(engine, inp)
    handle = await client.start_workflow(
        CaseWorkflow.run, inp, id=workflow_id_for(inp.case_id), task_queue=task_queue
    )
    try:
        assert await handle.execute_update(CaseWorkflow.sync_read_model)
        # the worker made the daily digest's schedule for its task queue
        digest = client.get_schedule_handle(f"notification-digest-{task_queue}")
        assert (await digest.describe()).schedule.spec.time_zone_name == "Europe/Amsterdam"
        await digest.delete()
        state = await handle.query(CaseWorkflow.state)
        assert state.phase == "dossierhouder_search" and state.open_tasks
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(proc.wait, 30) == 0
        events = logged_events(log_path)
        assert events.index("worker_stopping") < events.index("worker_stopped")
    finally:
        await handle.terminate()


async def test_search_attributes_are_registered_once(dev_server: str) -> None:
    client = await connect_client(Settings(temporal_address=dev_server))
    wanted = {"CasusregieTestRegion": KEYWORD}
    first = await ensure_search_attributes(client, wanted)
    assert await ensure_search_attributes(client, wanted) == []
    assert first in ([], ["CasusregieTestRegion"])  # [] if an earlier run registered it
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace)
    )
    assert listed.custom_attributes["CasusregieTestRegion"] == KEYWORD


async def test_the_daily_digest_schedule_is_made_once_and_kept_up_to_date(
    dev_server: str, task_queue: str
) -> None:
    settings = Settings(temporal_address=dev_server, task_queue=task_queue)
    client = await connect_client(settings)
    await ensure_digest_schedule(client, settings)
    # another worker (or a restart) with another hour: the one schedule is updated
    await ensure_digest_schedule(client, settings.model_copy(update={"digest_hour": 18}))
    handle = client.get_schedule_handle(digest_schedule_id(settings))
    try:
        described = await handle.describe()
        spec, action = described.schedule.spec, described.schedule.action
        assert [(r.start, r.end) for r in spec.calendars[0].hour] == [(18, 18)]
        assert [(r.start, r.end) for r in spec.calendars[0].minute] == [(0, 0)]
        assert spec.time_zone_name == "Europe/Amsterdam"
        assert isinstance(action, ScheduleActionStartWorkflow)
        assert action.workflow == "NotificationDigestWorkflow"
        assert action.task_queue == task_queue
    finally:
        await handle.delete()

"""The worker process logic on a real dev server: it runs cases (workflow + read-model
activity), registers search attributes idempotently, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal

from sqlalchemy.engine import Engine
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest

from core.config import Settings
from core.search_attributes import ensure_search_attributes
from core.temporal import connect_client
from domain.messages import workflow_id_for
from tests.workflows.harness import case_input, insert_case_row
from worker import run_worker
from workflows.case_workflow import CaseWorkflow

KEYWORD = IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD


async def test_worker_runs_a_case_and_stops_on_sigterm(
    dev_server: str, engine: Engine, task_queue: str
) -> None:
    settings = Settings(temporal_address=dev_server, task_queue=task_queue)
    worker = asyncio.create_task(run_worker(settings, engine=engine))
    client = await connect_client(settings)
    inp = case_input()
    insert_case_row(engine, inp)
    handle = await client.start_workflow(
        CaseWorkflow.run, inp, id=workflow_id_for(inp.case_id), task_queue=task_queue
    )
    try:
        assert await handle.execute_update(CaseWorkflow.sync_read_model)
        state = await handle.query(CaseWorkflow.state)
        assert state.phase == "dossierhouder_search" and state.open_tasks
        assert not worker.done()
        os.kill(os.getpid(), signal.SIGTERM)  # the handler run_worker installed
        await asyncio.wait_for(worker, timeout=20)
    finally:
        await handle.terminate()
        worker.cancel()


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

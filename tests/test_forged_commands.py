"""Authenticated commands (issue 13, item 1): whoever reaches the Temporal frontend but
holds no key cannot act on a case. A plain-JSON ``case_action`` withdraw sent with the
real ``temporal`` CLI is rejected, leaves no trace in the timeline, and the case stays
open and keeps working."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.config import Settings
from core.temporal import connect_client
from db.models import AuditEvent, Case
from domain.messages import workflow_id_for
from tests.workflows.harness import COORDINATOR, case_input, insert_case_row
from worker import run_worker
from workflows.case_workflow import CaseWorkflow

TEMPORAL_CLI = Path(sys.executable).parent / "temporal"


def forged_withdraw(address: str, workflow_id: str) -> subprocess.CompletedProcess[str]:
    body = {
        "action": "withdraw",
        "actor": {
            "user_id": "u-mallory",
            "name": "Mallory",
            "role": "coordinator",
            "org": COORDINATOR.org,
        },
        "note": "ingetrokken door Mallory",
        "data": {},
    }
    return subprocess.run(
        [str(TEMPORAL_CLI), "workflow", "update", "execute", "--address", address,
         "--namespace", "default", "--workflow-id", workflow_id, "--name", "case_action",
         "--input", json.dumps(body)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


async def test_plain_payload_through_the_temporal_cli_cannot_withdraw_a_case(
    dev_server: str, engine: Engine, task_queue: str
) -> None:
    settings = Settings(temporal_address=dev_server, task_queue=task_queue)
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, engine=engine, stop=stop))
    client = await connect_client(settings)
    inp = case_input(zorgkantoor_org=COORDINATOR.org)
    insert_case_row(engine, inp)
    workflow_id = workflow_id_for(inp.case_id)
    handle = await client.start_workflow(
        CaseWorkflow.run, inp, id=workflow_id, task_queue=task_queue
    )
    try:
        assert await handle.execute_update(CaseWorkflow.sync_read_model)
        with Session(engine) as session:
            events_before = len(
                session.exec(select(AuditEvent).where(AuditEvent.case_id == inp.case_id)).all()
            )

        forged = await asyncio.to_thread(forged_withdraw, dev_server, workflow_id)
        assert forged.returncode != 0, forged.stdout
        assert "Mallory" not in forged.stdout + forged.stderr  # nothing echoed back either

        # the workflow goes on: a real update is accepted, the case is open, and the
        # timeline holds no withdrawal
        assert await handle.execute_update(CaseWorkflow.sync_read_model)
        state = await handle.query(CaseWorkflow.state)
        assert state.status == "open"
        with Session(engine) as session:
            events = session.exec(select(AuditEvent).where(AuditEvent.case_id == inp.case_id)).all()
            case = session.get(Case, inp.case_id)
        assert len(events) == events_before
        assert "withdrawn" not in {e.action for e in events} and "case_closed" not in {
            e.action for e in events
        }
        assert case is not None and case.status == "open"
        history = await handle.fetch_history()
        assert not any(e.HasField("workflow_execution_update_accepted_event_attributes")
                       and e.workflow_execution_update_accepted_event_attributes
                       .accepted_request.input.name == "case_action"
                       for e in history.events)  # fmt: skip
    finally:
        stop.set()
        await handle.terminate()
        await asyncio.wait_for(worker, timeout=30)

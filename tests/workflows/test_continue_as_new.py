"""A long case continues as new (Temporal suggests it when the history grows) and keeps
everything: phase, open tasks, participants and the audit sequence."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from temporalio import workflow
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.registry import build_activities
from core.config import get_settings
from core.temporal import connect_client
from tests.workflows.harness import case_input, start_case
from workflows.case_workflow import CaseWorkflow


async def test_case_continues_as_new_with_its_state(dev_server, engine, task_queue, monkeypatch):
    """On the real dev server: no timers need skipping here."""

    def suggest_once(self) -> bool:  # stands in for is_continue_as_new_suggested()
        first_run = workflow.info().continued_run_id is None  # deterministic on replay
        return first_run and self._engine.state.phase == "search_other_provider"

    # unsandboxed, so the stand-in reaches the workflow class the worker runs
    monkeypatch.setattr(CaseWorkflow, "_should_continue_as_new", suggest_once)
    client = await connect_client(get_settings(), address=dev_server)
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[CaseWorkflow],
            activities=build_activities(engine, get_settings()),
            activity_executor=executor,
            workflow_runner=UnsandboxedWorkflowRunner(),
        ):
            case = await start_case(
                client, None, engine, task_queue, case_input(entry="care_not_suitable")
            )
            first_run = case.handle.run_id
            await case.complete("establish_place_not_suitable", "not_suitable", note="n")
            case.handle = client.get_workflow_handle_for(CaseWorkflow.run, case.handle.id)
            for _ in range(100):  # the new run starts right after the update returned
                if (await case.handle.describe()).run_id != first_run:
                    break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the case did not continue as new")
            state = await case.state()
            assert state.phase == "search_other_provider"
            assert "first_registration_round" in {t.key for t in state.open_tasks}
            result = await case.complete(
                "first_registration_round", "placed", placed_at="Zorg West"
            )
            assert result.outcome == "placed"
            await case.assert_read_model_matches()
            actions = case.audit_actions()  # ordered by seq, which carried over
            assert actions.count("case_started") == 1 and actions[-1] == "case_closed"
            assert (await case.handle.result()).outcome == "placed"

"""Continue-as-new on demand, for tests: a stand-in for Temporal's suggestion and a
strict replayer that knows the stand-in.

Workers and replayers that use the stand-in run unsandboxed, so a monkeypatched
``CaseWorkflow._should_continue_as_new`` reaches the class they run."""

from __future__ import annotations

from temporalio import workflow
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from audit.divergence import ActivityRecorder
from audit.replay import CaseReplayer, replay_converter
from core.config import get_settings
from workflows.case_workflow import CaseWorkflow


def suggest_once(self: CaseWorkflow) -> bool:
    """Stands in for ``is_continue_as_new_suggested()``: once, on entering phase 2."""
    first_run = workflow.info().continued_run_id is None  # deterministic on replay
    return first_run and self._engine.state.phase == "search_other_provider"


def hand_over_replayer() -> CaseReplayer:
    """A strict replayer for histories made with the stand-in (patch it in first)."""
    recorder, converter = ActivityRecorder(), replay_converter(get_settings())
    replayer = Replayer(
        workflows=[CaseWorkflow],
        data_converter=converter,
        interceptors=[recorder],
        workflow_runner=UnsandboxedWorkflowRunner(),
    )
    return CaseReplayer(replayer, converter, recorder)

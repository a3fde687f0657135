"""The versioning example of docs/versioning.md, ``progress-report-interval-v2``: the
first progress report of a plan of action is due after 7 days instead of the case's
14. The golden history recorded before the change still replays (strictly: the code
writes exactly what was written), because the change is guarded by
``workflow.patched``; new cases record the patch marker and take the new interval."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from audit.divergence import ActivityRecorder
from audit.history import decode_history, load_histories
from audit.reconcile import APPLY_CHANGES
from audit.replay import (
    DIVERGED,
    ERROR,
    NONDETERMINISTIC,
    OK,
    CaseReplayer,
    make_replayer,
    replay,
    replay_converter,
)
from core.config import get_settings
from core.temporal import data_converter
from tests.audit.commands import patch_ids
from tests.audit.scenarios import SCENARIOS, no_solution, to_meeting
from tests.workflows.hand_over import hand_over_replayer, suggest_once
from workflows.case_workflow import (
    DRAIN_WRITES_UPDATES,
    OUTBOX_WITH_READ_MODEL,
    READ_MODEL_LOCAL,
    CaseWorkflow,
)
from workflows.engine import PROGRESS_REPORT_V2
from workflows.registry import WORKFLOWS

GOLDEN = Path(__file__).resolve().parent.parent / "histories"
PRE_CHANGE = GOLDEN / "missed_progress_report_placed.json"
# recorded on the code before drain-writes-waiting-updates-v2 (commit 1b229c7) with the
# scenario of test_continue_as_new.py::test_update_during_the_hand_over_is_answered_before_it
# (time-skipping server, sync wait 1 s): the claim gave up waiting (read_model_synced
# false), then the case continued as new and was placed in its second run
PRE_PATCH_HAND_OVER = GOLDEN / "pre_patch" / "update_during_hand_over.json"
# recorded on the code before outbox-with-read-model-v1 (commit eecd49c: the read model
# written by the local activity, the outbox by its own activity) with the scenario
# no_dossierhouder_declined_twice_escalated_placed: a case running when the change lands
PRE_OUTBOX = GOLDEN / "pre_patch" / "before_outbox_with_read_model.json"


async def _first_report_period(history: WorkflowHistory) -> timedelta:
    decoded = await decode_history(history, data_converter(get_settings()))
    for event in decoded.events:
        attrs = event.activity_task_scheduled_event_attributes
        if (
            event.HasField("activity_task_scheduled_event_attributes")
            and attrs.activity_type.name == APPLY_CHANGES
        ):
            [batch] = [json.loads(p.data) for p in attrs.input.payloads]
            for task in batch["tasks"]:
                if task["key"] == "report_progress":
                    return _parse(task["due_at"]) - _parse(task["created_at"])
    raise AssertionError("no progress report in the history")


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_pre_change_history_replays_strictly_with_the_patched_code():
    [history] = load_histories(PRE_CHANGE)
    assert PROGRESS_REPORT_V2 not in await patch_ids(history)
    assert await _first_report_period(history) == timedelta(days=14)
    verdicts = [
        v async for v in replay([(history, "golden")], make_replayer(get_settings(), WORKFLOWS))
    ]
    assert [(v.verdict, v.error) for v in verdicts] == [(OK, None)]


async def test_without_the_guard_the_pre_change_history_diverges(monkeypatch):
    """What the patch prevents: the new interval applied to a case that started before."""
    # every patch on but the read model's (a local activity for an activity would be
    # nondeterministic before anything diverges)
    monkeypatch.setattr(workflow, "patched", lambda patch_id: patch_id != READ_MODEL_LOCAL)
    recorder, converter = ActivityRecorder(), replay_converter(get_settings())
    unguarded = CaseReplayer(
        Replayer(
            workflows=[CaseWorkflow],
            data_converter=converter,
            interceptors=[recorder],
            workflow_runner=UnsandboxedWorkflowRunner(),
        ),
        converter,
        recorder,
    )
    [history] = load_histories(PRE_CHANGE)
    [verdict] = [v async for v in replay([(history, "golden")], unguarded)]
    assert verdict.verdict == DIVERGED
    assert "due_at" in verdict.error


async def test_new_cases_record_the_patch_and_take_the_new_interval(start):
    case = await start(**SCENARIOS["missed_progress_report_placed"].inputs)
    await to_meeting(case)
    await no_solution(case)
    await case.complete("evaluate_meeting", "continue_with_plan")
    report = await case.open_task("report_progress")
    assert report.due_at - report.created_at == timedelta(days=7)
    await case.complete("report_progress", "progress", note="Plan loopt")
    second = await case.open_task("report_progress")
    assert second.due_at - second.created_at == timedelta(days=14)

    history = await case.handle.fetch_history()
    assert PROGRESS_REPORT_V2 in await patch_ids(history)
    verdicts = [
        v async for v in replay([(history, "new")], make_replayer(get_settings(), WORKFLOWS))
    ]
    assert [v.verdict for v in verdicts] == [OK]


async def test_pre_patch_hand_over_replays_strictly_with_the_patched_code(monkeypatch):
    """A case whose update waited out the drain before the fix keeps its path."""
    monkeypatch.setattr(CaseWorkflow, "_should_continue_as_new", suggest_once)
    runs = load_histories(PRE_PATCH_HAND_OVER)
    assert len(runs) == 2  # continued as new once
    assert not [r for r in runs if DRAIN_WRITES_UPDATES in await patch_ids(r)]
    verdicts = [v async for v in replay([(r, "pre-patch") for r in runs], hand_over_replayer())]
    assert [(v.verdict, v.error) for v in verdicts] == [(OK, None), (OK, None)]


async def test_without_the_guard_the_pre_patch_hand_over_is_nondeterministic(monkeypatch):
    """What the patch prevents: the drain writing the update's change at once (an
    activity where the history has the update's timer running out)."""
    monkeypatch.setattr(CaseWorkflow, "_should_continue_as_new", suggest_once)
    real = workflow.patched
    monkeypatch.setattr(workflow, "patched", lambda pid: pid == DRAIN_WRITES_UPDATES or real(pid))
    runs = load_histories(PRE_PATCH_HAND_OVER)
    verdicts = [v async for v in replay([(r, "pre-patch") for r in runs], hand_over_replayer())]
    assert [v.verdict for v in verdicts] == [NONDETERMINISTIC, OK]


async def test_case_running_before_the_outbox_patch_replays_strictly():
    """Its batches went to the local write and its notifications to the enqueue activity:
    the patched code takes that path again for it."""
    [history] = load_histories(PRE_OUTBOX)
    assert await patch_ids(history) >= {READ_MODEL_LOCAL}
    assert OUTBOX_WITH_READ_MODEL not in await patch_ids(history)
    verdicts = [
        v async for v in replay([(history, "pre-patch")], make_replayer(get_settings(), WORKFLOWS))
    ]
    assert [(v.verdict, v.error) for v in verdicts] == [(OK, None)]


async def test_without_the_guard_the_case_running_before_the_outbox_patch_breaks(monkeypatch):
    """What the patch prevents: the outbox written inside the read-model write of a case
    whose history has the write and the enqueue activity apart (the recorded result of
    the write does not decode as the new activity's: the case's workflow task fails)."""
    monkeypatch.setattr(workflow, "patched", lambda patch_id: True)
    [history] = load_histories(PRE_OUTBOX)
    verdicts = [
        v async for v in replay([(history, "pre-patch")], make_replayer(get_settings(), WORKFLOWS))
    ]
    assert [v.verdict for v in verdicts] == [ERROR]

"""The replayer tells a compatible code change from a breaking one, and
``casusregie replay`` reports per run and exits non-zero on any failure."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

from temporalio.worker import Worker

from audit.divergence import local_activity_marker
from audit.history import decode_history, load_histories
from audit.replay import DIVERGED, NONDETERMINISTIC, OK, make_replayer, replay
from cli.main import run
from core.config import get_settings
from core.temporal import data_converter
from domain.messages import APPLY_CHANGES
from tests.audit.scenarios import SCENARIOS
from tests.audit.standin_workflows import (
    NAME,
    Before,
    NewStepUnguarded,
    NewStepWithPatch,
    NewValueUnguarded,
    NewValueWithPatch,
    record,
)
from tests.workflows.harness import encrypted_client
from workflows.registry import WORKFLOWS

GOLDEN = Path(__file__).resolve().parent.parent / "histories"


async def test_replay_tells_patched_from_unguarded_changes(env, task_queue, engine):
    # (engine: the case keys of the workflow "case-<task queue>" live in the database)
    client = encrypted_client(env)
    async with Worker(client, task_queue=task_queue, workflows=[Before], activities=[record]):
        handle = await client.start_workflow(NAME, id=f"case-{task_queue}", task_queue=task_queue)
        await env.sleep(timedelta(days=1, minutes=1))  # explicit: not reliant on auto-skipping
        assert await handle.result() == "klaar"
    history = await handle.fetch_history()
    verdicts = {}
    for code in (Before, NewStepUnguarded, NewStepWithPatch, NewValueUnguarded, NewValueWithPatch):
        replayer = make_replayer(get_settings(), workflows=[code])
        [verdicts[code.__name__]] = [v async for v in replay([(history, "test")], replayer)]
    assert {name: v.verdict for name, v in verdicts.items()} == {
        "Before": OK,
        "NewStepUnguarded": NONDETERMINISTIC,
        "NewStepWithPatch": OK,
        "NewValueUnguarded": DIVERGED,
        "NewValueWithPatch": OK,
    }
    assert verdicts["NewStepUnguarded"].case_id == task_queue
    assert verdicts["NewValueUnguarded"].error == (
        "activity #1 (record): argument differs at [0].due_days"
    )
    # Temporal itself checks only the commands: without strict replay this passes
    lenient = make_replayer(get_settings(), workflows=[NewValueUnguarded], strict=False)
    assert [v.verdict async for v in replay([(history, "test")], lenient)] == [OK]


async def test_strict_replay_notices_a_changed_read_model_batch():
    [history] = load_histories(GOLDEN / "withdrawn.json")
    decoded = await decode_history(history, data_converter(get_settings()))
    for event in decoded.events:
        if event.HasField("activity_task_scheduled_event_attributes"):
            payload = event.activity_task_scheduled_event_attributes.input.payloads[0]
            batch = json.loads(payload.data)
            batch["phase"] = "plan_of_action"
            payload.data = json.dumps(batch).encode()
            break
    [verdict] = [
        v async for v in replay([(decoded, "test")], make_replayer(get_settings(), WORKFLOWS))
    ]
    assert verdict.verdict == DIVERGED
    assert verdict.error == "activity #1 (apply_changes): argument differs at [0].phase"


def _tampered(path: Path, out: Path) -> Path:
    """The history as if the workflow had called another activity: a breaking change."""
    doc = json.loads(path.read_text())
    for event in doc["events"]:
        attrs = event.get("activityTaskScheduledEventAttributes")
        if attrs:
            attrs["activityType"]["name"] = "renamed_activity"
            break
    out.write_text(json.dumps(doc))
    return out


async def test_cli_replays_files_and_closed_cases(start, tmp_path, cli_env, capsys):
    golden = GOLDEN / "withdrawn.json"
    code = await asyncio.to_thread(run, ["replay", "--file", str(golden)])
    out = capsys.readouterr().out
    assert code == 0 and "ok" in out and "case golden-withdrawn" in out

    bad = _tampered(golden, tmp_path / "tampered.json")
    code = await asyncio.to_thread(run, ["replay", "--file", str(golden), "--file", str(bad)])
    out = capsys.readouterr().out
    assert code == 1
    assert "NONDETERMINISTIC case golden-withdrawn run" in out and str(bad) in out
    assert "1 ok, 1 failed" in out

    case = await start(**SCENARIOS["withdrawn"].inputs)
    await SCENARIOS["withdrawn"].drive(case)
    await case.handle.result()
    code = await asyncio.to_thread(run, ["replay"])
    out = capsys.readouterr().out
    assert code == 0 and f"case {case.case_id}" in out and "1 ok, 0 failed" in out
    code = await asyncio.to_thread(run, ["replay", "--case", "does-not-exist"])
    assert code == 1 and "UNAVAILABLE" in capsys.readouterr().out


async def test_read_model_batches_of_the_local_activity_are_compared_strictly(start):
    """New cases write their read model with a local activity (``write_read_model``, or
    ``write_read_model_and_outbox`` for a batch that notifies): its marker keeps the
    batch (in its result), encrypted, and strict replay compares the replayed code's
    batches with those."""
    case = await start()
    await case.complete("decide_dossierhouder", "accepted")
    history = await case.handle.fetch_history()
    markers = [e for e in history.events if local_activity_marker(e)]
    assert markers, "the read model is written by the local activity"
    assert not [
        e
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
        and e.activity_task_scheduled_event_attributes.activity_type.name == APPLY_CHANGES
    ]
    result = markers[0].marker_recorded_event_attributes.details["result"].payloads[0]
    assert result.metadata["encoding"] == b"binary/encrypted"
    replayer = make_replayer(get_settings(), WORKFLOWS)
    [verdict] = [v async for v in replay([(history, "test")], replayer)]
    assert (verdict.verdict, verdict.error) == (OK, None)

    decoded = await decode_history(history, data_converter(get_settings()))
    for event in decoded.events:
        if local_activity_marker(event):
            payload = event.marker_recorded_event_attributes.details["result"].payloads[0]
            written = json.loads(payload.data)  # the start notifies: the batch with its outbox
            written["batch"]["changes"]["phase"] = "plan_of_action"
            payload.data = json.dumps(written).encode()
            break
    [verdict] = [v async for v in replay([(decoded, "test")], replayer)]
    assert verdict.verdict == DIVERGED
    assert verdict.error == (
        "local activity #1 (write_read_model_and_outbox): argument differs at [0].changes.phase"
    )

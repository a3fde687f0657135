"""Every saved history in tests/histories replays against the current workflow code, and
is still what its scenario produces.

A replay failure means a workflow change would break cases that are running: guard the
change with ``workflow.patched`` (docs/versioning.md) instead of regenerating."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audit.history import ENCRYPTED, load_histories
from audit.replay import OK, make_replayer, replay
from core.config import get_settings
from tests.audit.commands import command_sequence
from tests.audit.scenarios import SCENARIOS, play
from workflows.case_workflow import OUTBOX_WITH_READ_MODEL, READ_MODEL_LOCAL
from workflows.engine import PROGRESS_REPORT_V2, TASK_CONTEXT_KEPT
from workflows.registry import WORKFLOWS

HISTORIES = Path(__file__).resolve().parent.parent / "histories"
FILES = sorted(HISTORIES.glob("*.json"))
# Patches the golden histories predate, on purpose: a golden history is the promise that
# cases started before a change still replay, so it is not re-recorded when a patch is
# added (only in step 3 of its lifecycle, docs/versioning.md). A re-recording differs from
# the file by these patches' markers only; a new patch goes here with its reason.
# (drain-writes-waiting-updates-v2 is not here: no scenario takes its new path.)
RECORDED_BEFORE = {
    TASK_CONTEXT_KEPT: "every history with a completion was recorded before it",
    PROGRESS_REPORT_V2: "missed_progress_report_placed shows the 14-day first report",
    READ_MODEL_LOCAL: "the files keep the regular read-model activity of earlier cases",
    OUTBOX_WITH_READ_MODEL: "the files keep the enqueue activity of earlier cases",
}


def test_every_scenario_has_a_golden_history() -> None:
    assert {f.stem for f in FILES} >= set(SCENARIOS)


def test_golden_histories_keep_payloads_encrypted() -> None:
    for path in FILES:
        doc = json.loads(path.read_text())
        assert doc["payloads"] == ENCRYPTED
        assert "Gesprekken lopen" not in path.read_text()  # motivations are not plaintext
        started = doc["events"][0]["workflowExecutionStartedEventAttributes"]
        encoding = started["input"]["payloads"][0]["metadata"]["encoding"]
        assert encoding == "YmluYXJ5L2VuY3J5cHRlZA=="  # base64 of binary/encrypted


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
async def test_golden_history_replays(path: Path) -> None:
    pairs = [(h, str(path)) for h in load_histories(path)]
    verdicts = [v async for v in replay(pairs, make_replayer(get_settings(), WORKFLOWS))]
    assert [(v.verdict, v.error) for v in verdicts] == [(OK, None)] * len(pairs)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_scenario_still_records_its_golden_history(start, name: str) -> None:
    """Regenerated from the current code (the script's way, live), each scenario gives
    the commands of its file, apart from the markers of RECORDED_BEFORE."""
    case = await start(**SCENARIOS[name].inputs)
    await play(name, case)
    live = await command_sequence(await case.handle.fetch_history())
    [golden] = load_histories(HISTORIES / f"{name}.json")
    recorded = await command_sequence(golden)
    assert recorded.patches <= live.patches, "a patch was removed: re-record (step 3)"
    newer = live.patches - recorded.patches
    assert newer <= set(RECORDED_BEFORE), f"document why the file predates {newer}"
    live = live.without_patches(newer)
    if READ_MODEL_LOCAL in newer:
        live, recorded = live.net_timers(), recorded.net_timers()
    assert live == recorded

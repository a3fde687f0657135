"""Every saved history in tests/histories replays against the current workflow code.

A failure here means a workflow change would break cases that are running: guard the
change with ``workflow.patched`` (docs/versioning.md) instead of regenerating."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audit.history import ENCRYPTED, load_histories
from audit.replay import OK, make_replayer, replay
from core.config import get_settings
from tests.audit.scenarios import SCENARIOS
from workflows.registry import WORKFLOWS

HISTORIES = Path(__file__).resolve().parent.parent / "histories"
FILES = sorted(HISTORIES.glob("*.json"))


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

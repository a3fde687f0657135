"""A golden history recorded today (payloads under per-case data keys) carries its case
key wrapped by the tests' key ring, and replays from the file alone: no database row."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from audit.history import load_histories
from audit.replay import OK, make_replayer, replay
from core.config import get_settings
from workflows.registry import WORKFLOWS

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_golden_histories.py"


async def test_a_new_golden_history_replays_from_the_file_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the script points CASUSREGIE_DATABASE_URL at its own database (os.environ): through
    # monkeypatch it is absent again after this test, or it leaks into later tests (the
    # module-scoped `casusregie up` of test_schemathesis.py then used that database)
    monkeypatch.setenv("CASUSREGIE_DATABASE_URL", "")  # records "absent" for the undo
    monkeypatch.delenv("CASUSREGIE_DATABASE_URL")
    spec = importlib.util.spec_from_file_location("make_golden_histories", SCRIPT)
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out = tmp_path / "out"
    out.mkdir()
    [path] = await script.record(["withdrawn"], out)
    doc = json.loads(path.read_text())
    assert doc["payloads"] == "encrypted" and set(doc["case_key"]) == {"kek_id", "wrapped_key"}
    assert doc["case_key"]["kek_id"] == "test-1"
    started = doc["events"][0]["workflowExecutionStartedEventAttributes"]
    key_id = started["input"]["payloads"][0]["metadata"]["encryption-key-id"]
    assert key_id  # base64 of "case:golden-withdrawn"

    # elsewhere: a fresh data dir, no database with the case's key
    fresh = tmp_path / "elsewhere"
    fresh.mkdir()
    monkeypatch.setenv("CASUSREGIE_DATA_DIR", str(fresh))
    monkeypatch.delenv("CASUSREGIE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    copy = fresh / "withdrawn.json"
    shutil.copyfile(path, copy)
    pairs = [(h, str(copy)) for h in load_histories(copy)]
    verdicts = [v async for v in replay(pairs, make_replayer(get_settings(), WORKFLOWS))]
    assert [(v.verdict, v.error) for v in verdicts] == [(OK, None)]

"""History export documents: payloads decrypted for auditors, readable values added,
and a decoded export still replays."""

from __future__ import annotations

import asyncio
import json
import zipfile
from pathlib import Path

from audit.history import DECODED, decode_history, history_document, load_histories
from audit.replay import OK, make_replayer, replay
from cli.main import run
from core.config import get_settings
from core.temporal import data_converter
from tests.audit.scenarios import SCENARIOS
from workflows.registry import WORKFLOWS

GOLDEN = Path(__file__).resolve().parent.parent / "histories"


def _values(node, key="decoded"):
    if isinstance(node, dict):
        if key in node:
            yield node[key]
        for value in node.values():
            yield from _values(value, key)
    elif isinstance(node, list):
        for item in node:
            yield from _values(item, key)


async def test_decoded_export_is_readable_and_still_replays(tmp_path) -> None:
    source = GOLDEN / "missed_progress_report_placed.json"
    assert "Gesprekken lopen" not in source.read_text()
    [history] = load_histories(source)
    decoded = await decode_history(history, data_converter(get_settings()))
    doc = history_document("golden-missed_progress_report_placed", [decoded], payloads=DECODED)

    values = list(_values(doc["events"]))
    requests = [
        e["workflowExecutionUpdateAcceptedEventAttributes"]["acceptedRequest"]
        for e in doc["events"]
        if e["eventType"] == "EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED"
    ]
    completion = next(r["input"] for r in requests if r["input"]["name"] == "complete_task")
    assert completion["args"]["payloads"][0]["decoded"]["actor"]["role"] == "aanbieder"
    notes = [v.get("note") for v in values if isinstance(v, dict)]
    assert "Gesprekken lopen" in notes  # the motivation, decrypted
    batches = [v for v in values if isinstance(v, dict) and "events" in v and "tasks" in v]
    assert any(e["action"] == "deadline_missed" for b in batches for e in b["events"])

    path = tmp_path / "decoded.json"
    path.write_text(json.dumps(doc))
    pairs = [(h, str(path)) for h in load_histories(path)]
    verdicts = [v async for v in replay(pairs, make_replayer(get_settings(), WORKFLOWS))]
    assert [v.verdict for v in verdicts] == [OK]


async def test_cli_exports_history_and_dossier(start, cli_env, tmp_path, capsys) -> None:
    case = await start(**SCENARIOS["care_ended_with_bridging"].inputs)
    await SCENARIOS["care_ended_with_bridging"].drive(case)
    out = tmp_path / "h.json"
    assert await asyncio.to_thread(run, ["history", "export", case.case_id, "-o", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert (doc["case_id"], doc["payloads"]) == (case.case_id, "decoded")
    assert "Logeeropvang bij Stichting Oost" in out.read_text()
    code = await asyncio.to_thread(
        run, ["history", "export", case.case_id, "-o", str(out), "--encrypted"]
    )
    assert code == 0 and "Logeeropvang" not in out.read_text()

    bundle = tmp_path / "d.zip"
    code = await asyncio.to_thread(
        run, ["history", "dossier", case.case_id, "-o", str(bundle), "--no-replay"]
    )
    assert code == 0
    with zipfile.ZipFile(bundle) as zf:
        names = {n.split("/", 1)[1] for n in zf.namelist()}
        html = zf.read(f"dossier-{case.case_id}/tijdlijn.html").decode()
    assert "replay.json" not in names and "audit-log.csv" in names
    assert "Overbruggingszorg vastgelegd" in html
    assert await asyncio.to_thread(run, ["history", "dossier", "nope", "-o", str(bundle)]) == 1
    capsys.readouterr()

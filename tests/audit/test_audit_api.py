"""The auditor's endpoints over HTTP: history (decoded or encrypted), dossier bundle,
replay verdict and read-model check; who may see them."""

from __future__ import annotations

import io
import json
import zipfile

from sqlmodel import Session

from audit.history import load_histories
from db.models import Task
from tests.api.test_pages import sign_in

MOTIVATION = "Geen plek op de gesloten afdeling"


async def _case_with_a_motivated_decision(api) -> str:
    case = await api.start_case()
    task = await api.open_task(case["id"], "decide_dossierhouder", user="aanbieder")
    r = await api.as_(
        "aanbieder",
        "POST",
        f"/api/tasks/{task['id']}/complete",
        json={"outcome": "declined", "note": MOTIVATION, "data": {"reason_code": "no_capacity"}},
    )
    assert r.status_code == 200, r.text
    return case["id"]


async def test_auditor_gets_decoded_history_dossier_replay_and_check(api, tmp_path):
    case_id = await _case_with_a_motivated_decision(api)

    r = await api.as_("auditor", "GET", f"/api/cases/{case_id}/history")
    assert r.status_code == 200, r.text
    doc = r.json()
    assert (doc["case_id"], doc["payloads"]) == (case_id, "decoded")
    assert doc["events"][0]["eventType"] == "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED"
    assert MOTIVATION in r.text  # the update's argument, decrypted for the auditor
    started = doc["events"][0]["workflowExecutionStartedEventAttributes"]
    assert started["input"]["payloads"][0]["decoded"]["case_id"] == case_id

    raw = await api.as_(
        "coordinator", "GET", f"/api/cases/{case_id}/history", params={"payloads": "encrypted"}
    )
    assert raw.status_code == 200 and raw.json()["payloads"] == "encrypted"
    assert MOTIVATION not in raw.text
    path = tmp_path / "history.json"
    path.write_text(raw.text)
    assert load_histories(path)[0].run_id == doc["run_id"]

    r = await api.as_("auditor", "GET", f"/api/cases/{case_id}/replay")
    assert r.status_code == 200
    assert r.json()["ok"] and [v["verdict"] for v in r.json()["runs"]] == ["ok"]

    r = await api.as_("auditor", "GET", f"/api/cases/{case_id}/verify")
    assert r.status_code == 200
    assert r.json()["ok"] and r.json()["compared_with"] == "workflow", r.json()

    r = await api.as_("auditor", "GET", f"/api/cases/{case_id}/dossier")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert f'filename="dossier-{case_id}.zip"' in r.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        files = {name.split("/", 1)[1]: zf.read(name).decode() for name in zf.namelist()}
    assert set(files) == {
        "LEESMIJ.txt",
        "history.json",
        "audit-log.json",
        "audit-log.csv",
        "tijdlijn.html",
        "replay.json",
    }
    log = json.loads(files["audit-log.json"])
    completed = next(e for e in log if e["action"] == "task_completed")
    assert (completed["motivation"], completed["role"]) == (MOTIVATION, "aanbieder")
    assert (completed["before"], completed["after"]) == (
        {"status": "open"},
        {"status": "done", "outcome": "declined"},
    )
    assert files["audit-log.csv"].splitlines()[0].startswith("seq,at,actor")
    assert MOTIVATION in files["audit-log.csv"]
    html = files["tijdlijn.html"]
    assert "Tijdlijn casus" in html and "Taak afgerond" in html and MOTIVATION in html
    assert "Besluiten over dossierhouderschap" in html and "geslaagd" in html
    assert json.loads(files["replay.json"])[0]["verdict"] == "ok"


async def test_only_auditors_and_own_coordinators_see_histories(api):
    case = await api.start_case()
    for user, status in (
        ("aanbieder", 403),
        ("zorgkantoor", 403),
        ("oco", 403),
        ("coordinator_other", 404),
        ("coordinator", 200),
    ):
        r = await api.as_(user, "GET", f"/api/cases/{case['id']}/replay")
        assert r.status_code == status, (user, r.text)
    r = await api.as_("auditor", "GET", "/api/cases/no-such-case/history")
    assert r.status_code == 404


async def test_verify_over_http_reports_a_corrupted_task(api, engine):
    case = await api.start_case()
    task = await api.open_task(case["id"], "decide_dossierhouder")
    with Session(engine) as session:
        row = session.get(Task, task["id"])
        row.status = "done"
        session.add(row)
        session.commit()
    r = await api.as_("auditor", "GET", f"/api/cases/{case['id']}/verify")
    body = r.json()
    assert not body["ok"]
    assert body["differences"] == [
        {
            "kind": "task",
            "ref": task["id"],
            "field": "status",
            "read_model": "done",
            "workflow": "open",
        }
    ]


async def test_audit_page_shows_verdicts_and_downloads(api):
    case_id = await _case_with_a_motivated_decision(api)
    await sign_in(api, "auditor")
    r = await api.http.get(f"/cases/{case_id}/controle")
    assert r.status_code == 200, r.text
    assert "Volgt alles uit de regels van het stappenplan?" in r.text
    assert "De geschiedenis volgt uit de regels van het stappenplan." in r.text
    assert "Het overzicht klopt met" in r.text
    assert "replay" not in r.text.lower() and "leesmodel" not in r.text  # no developer words
    r = await api.http.get(f"/cases/{case_id}/controle/dossier.zip")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    r = await api.http.get(f"/cases/{case_id}/controle/history.json")
    assert r.status_code == 200 and MOTIVATION in r.text

    api.http.cookies.clear()
    await sign_in(api, "aanbieder")
    r = await api.http.get(f"/cases/{case_id}/controle")
    assert r.status_code == 403

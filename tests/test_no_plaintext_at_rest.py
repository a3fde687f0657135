"""Nothing readable at rest (issue 13, item 4): one case on the real stack (``casusregie
up``: Temporal dev server on SQLite, worker, API) with distinctive strings in every free
text and identifying field; then the raw bytes of the application database (and its
WAL), the Temporal database (and its WAL), the Temporal log, the processes' logs and
the mail sink are searched: zero hits, while the API still shows them to those who may
read them."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.test_end_to_end import add_user
from tests.test_up import descendants, running_up, stop_and_check_no_orphans

SECRETS = {
    "client_ref": "CR-QXJ-58213",
    "summary": "Samenvatting-QXJ-Wildebeest",
    "note": "Notitie-QXJ-Axolotl",
    "notice": "Opzegreden-QXJ-Kameleon",
    "contribution": "Bijdrage-QXJ-Pelikaan",
    "link": "https://dossier.example/QXJ-Narwal",
    "stagnation": "Stagnatie-QXJ-Okapi",
    "withdrawal": "Intrekking-QXJ-Tapir",
    "wanted_care": "Gewenstezorg-QXJ-Gnoe",
    "wanted_location": "Locatie-QXJ-Wombat",
    "document": "https://dossier.example/QXJ-Zeekoe/woonprofiel",
    "signal_ref": "CR-QXJ-60417",
    "signal_note": "Signaal-QXJ-Lori",
}


def _files(data: Path, tmp_path: Path) -> list[Path]:
    found = [
        *data.glob("casusregie.db*"),
        *data.glob("temporal.db*"),
        data / "temporal.log",
        tmp_path / "up.err",
        *(data / "mail").rglob("*"),
    ]
    return [p for p in found if p.is_file()]


def _hits(files: list[Path], extra: dict[str, bytes]) -> list[str]:
    hits = []
    blobs = {str(p): p.read_bytes() for p in files} | extra
    for name, blob in blobs.items():
        for label, secret in SECRETS.items():
            for form in (secret.encode(), secret.encode("utf-16-le")):
                if form in blob:
                    hits.append(f"{label} in {name}")
    return hits


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
def test_free_text_and_identifying_values_are_nowhere_in_plaintext(tmp_path: Path) -> None:
    with running_up(tmp_path) as (proc, _banner, api_port):
        data = tmp_path / "data"
        users = {
            "coordinator": add_user(
                data, "--name", "Carla", "--role", "coordinator",
                "--org", "Zorgkantoor Groningen", "--region", "Groningen",
            ),
            "provider": add_user(
                data, "--name", "Petra", "--role", "aanbieder", "--org", "Zorggroep Noord"
            ),
            "oco": add_user(data, "--name", "Olaf", "--role", "oco", "--org", "MEE Groningen"),
        }  # fmt: skip
        with httpx.Client(base_url=f"http://127.0.0.1:{api_port}", timeout=30) as http:

            def call(user: str, method: str, path: str, **kwargs) -> dict:
                r = http.request(
                    method, path, headers={"Authorization": f"Bearer {users[user]}"}, **kwargs
                )
                assert r.is_success, (path, r.text)
                return r.json()

            case = call(
                "coordinator",
                "POST",
                "/api/cases",
                json={
                    "client_ref": SECRETS["client_ref"],
                    "sector": "GZ",
                    "region": "Groningen",
                    "entry": "care_not_suitable",
                    "provider_org": "Zorggroep Noord",
                    "oco_org": "MEE Groningen",
                    "summary": SECRETS["summary"],
                    "case_data": {"urgency": "high", "wanted_care": SECRETS["wanted_care"]},
                },
            )
            case_id = case["id"]
            call(
                "provider",
                "POST",
                "/api/signals",
                json={
                    "kind": "early_information",
                    "mode": "sparring",
                    "sector": "GZ",
                    "region": "Groningen",
                    "client_ref": SECRETS["signal_ref"],
                    "provider_org": "Zorggroep Noord",
                    "note": SECRETS["signal_note"],
                },
            )
            for action, action_data in (
                ("update_case_data", {"wanted_location": SECRETS["wanted_location"]}),
                (
                    "add_document",
                    {
                        "kind": "woonprofiel",
                        "date": "2026-11-01",
                        "holder_org": "Zorggroep Noord",
                        "url": SECRETS["document"],
                    },
                ),
            ):
                call(
                    "coordinator",
                    "POST",
                    f"/api/cases/{case_id}/actions",
                    json={"action": action, "data": action_data},
                )
            end = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
            call(
                "provider",
                "POST",
                f"/api/cases/{case_id}/actions",
                json={
                    "action": "give_notice",
                    "data": {"reason": SECRETS["notice"], "intended_end": end},
                },
            )
            call(
                "provider",
                "POST",
                f"/api/cases/{case_id}/actions",
                json={
                    "action": "signal_stagnation",
                    "note": f"{SECRETS['stagnation']} zie {SECRETS['link']}",
                },
            )
            detail = call("coordinator", "GET", f"/api/cases/{case_id}")
            supported = [t for t in detail["open_tasks"] if "oco" in t["supports"]]
            assert supported, [t["key"] for t in detail["open_tasks"]]
            call(
                "oco",
                "POST",
                f"/api/cases/{case_id}/actions",
                json={
                    "action": "add_contribution",
                    "note": SECRETS["contribution"],
                    "data": {"task_id": supported[0]["id"]},
                },
            )
            mine = call("provider", "GET", "/api/tasks")["items"]
            task = next(t for t in mine if t["case_id"] == case_id)
            call(
                "provider",
                "POST",
                f"/api/tasks/{task['id']}/complete",
                json={"outcome": task["allowed_outcomes"][0], "note": SECRETS["note"]},
            )
            call(
                "coordinator",
                "POST",
                f"/api/cases/{case_id}/withdraw",
                json={"reason": SECRETS["withdrawal"]},
            )

            # those who may read see every value again
            seen = str(call("coordinator", "GET", f"/api/cases/{case_id}"))
            seen += str(call("coordinator", "GET", f"/api/cases/{case_id}/timeline"))
            seen += http.get(
                f"/api/cases/{case_id}/history",
                headers={"Authorization": f"Bearer {users['coordinator']}"},
            ).text
            seen += str(call("provider", "GET", "/api/signals"))
            for label in SECRETS.keys() - {"note", "link", "stagnation"}:
                assert SECRETS[label] in seen, label

            running = _hits(_files(data, tmp_path), {})  # while running: WAL files exist
        children = descendants(proc.pid)
        stop_and_check_no_orphans(proc, children)
        rest = proc.stdout.read() if proc.stdout else ""  # after the stop: EOF
    stopped = _hits(_files(tmp_path / "data", tmp_path), {"up stdout": rest.encode()})
    assert running == [] and stopped == [], running + stopped
    searched = {p.name for p in _files(tmp_path / "data", tmp_path)}
    assert {"casusregie.db", "temporal.db", "temporal.log", "up.err"} <= searched
    # the control: what is not sealed (organisation names, ids) is found by this search
    data = tmp_path / "data"
    database = b"".join(p.read_bytes() for p in data.glob("casusregie.db*"))
    assert b"Zorggroep Noord" in database and case_id.encode() in database
    assert case_id.encode() in b"".join(p.read_bytes() for p in data.glob("temporal.db*"))

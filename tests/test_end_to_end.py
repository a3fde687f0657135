"""One case over HTTP on the real stack (``casusregie up``: Temporal dev server, worker,
API), from start to ``placed``, as a coordinator and a provider would drive it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.test_up import ROOT, descendants, running_up, stop_and_check_no_orphans


def add_user(data_dir: Path, *args: str) -> str:
    env = {**os.environ, "CASUSREGIE_DATA_DIR": str(data_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "cli.main", "user", "add", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
def test_case_from_start_to_placed_over_http(tmp_path: Path) -> None:
    with running_up(tmp_path) as (proc, _banner, api_port):
        data = tmp_path / "data"
        coordinator = add_user(
            data,
            "--name",
            "Carla",
            "--role",
            "coordinator",
            "--org",
            "Zorgkantoor Groningen",
            "--region",
            "Groningen",
        )
        provider = add_user(
            data, "--name", "Petra", "--role", "aanbieder", "--org", "Zorggroep Noord"
        )
        with httpx.Client(base_url=f"http://127.0.0.1:{api_port}", timeout=30) as http:

            def call(token: str, method: str, path: str, **kwargs) -> dict:
                r = http.request(
                    method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs
                )
                assert r.is_success, r.text
                return r.json()

            case = call(
                coordinator,
                "POST",
                "/api/cases",
                json={
                    "client_ref": "CR-E2E",
                    "sector": "GZ",
                    "region": "Groningen",
                    "entry": "no_dossierhouder",
                    "provider_org": "Zorggroep Noord",
                    "decision_days": 10,
                    "summary": "vertrouwelijk",
                },
            )
            assert case["phase"] == "dossierhouder_search"

            inbox = call(provider, "GET", "/api/tasks")["items"]
            decision = next(t for t in inbox if t["key"] == "decide_dossierhouder")
            assert decision["case_id"] == case["id"] and decision["due_at"]
            done = call(
                provider,
                "POST",
                f"/api/tasks/{decision['id']}/complete",
                json={"outcome": "accepted", "note": "Wij nemen het dossier"},
            )
            arrange = next(t for t in done["opened"] if t["key"] == "arrange_care")
            call(
                provider,
                "POST",
                f"/api/tasks/{arrange['id']}/complete",
                json={"outcome": "placed", "data": {"placed_at": "Zorggroep Noord"}},
            )

            closed = call(coordinator, "GET", f"/api/cases/{case['id']}")
            assert (closed["status"], closed["phase"], closed["outcome"]) == (
                "closed",
                "closed",
                "placed",
            )
            events = call(coordinator, "GET", f"/api/cases/{case['id']}/timeline")
            actions = [e["action"] for e in events]
            assert actions[0] == "case_started" and "case_closed" in actions
            # step plan v2: the placement leaves the zorgkantoor an evaluation
            assert events[-1]["detail"]["key"] == "evaluate_placement"
            assert [t["key"] for t in call(coordinator, "GET", "/api/tasks")["items"]] == [
                "evaluate_placement"
            ]
        stop_and_check_no_orphans(proc, descendants(proc.pid))

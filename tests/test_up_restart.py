"""``casusregie up`` keeps the stack up: SIGKILL of the worker leaves the API running, the
supervisor restarts the worker, and a completion (retried with its Idempotency-Key, as a
client does on 503) succeeds within 15 s of the kill."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.test_end_to_end import add_user
from tests.test_up import alive, descendants, running_up, stop_and_check_no_orphans

RECOVERY_BUDGET_S = 15.0


def child_running(up_pid: int, command: str) -> int:
    """The pid of ``casusregie <command>`` among up's children."""
    for pid in descendants(up_pid):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"cli.main" in argv and command.encode() in argv and alive(pid):
            return pid
    raise AssertionError(f"no {command} process under up")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
def test_killed_worker_is_restarted_and_a_completion_succeeds_within_15_s(
    tmp_path: Path,
) -> None:
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
            case = http.post(
                "/api/cases",
                headers={"Authorization": f"Bearer {coordinator}"},
                json={
                    "client_ref": "CR-KILL",
                    "sector": "GZ",
                    "region": "Groningen",
                    "entry": "no_dossierhouder",
                    "provider_org": "Zorggroep Noord",
                },
            )
            assert case.status_code == 201, case.text
            task = next(t for t in case.json()["open_tasks"] if t["key"] == "decide_dossierhouder")
            api_pid, worker_pid = child_running(proc.pid, "api"), child_running(proc.pid, "worker")

            os.kill(worker_pid, signal.SIGKILL)
            killed = time.monotonic()
            headers = {"Authorization": f"Bearer {provider}", "Idempotency-Key": "kill-1"}
            attempts = []
            while time.monotonic() - killed < RECOVERY_BUDGET_S:
                r = http.post(
                    f"/api/tasks/{task['id']}/complete",
                    headers=headers,
                    json={"outcome": "accepted"},
                    timeout=RECOVERY_BUDGET_S,
                )
                attempts.append(r.status_code)
                if r.status_code != 503:
                    break
                time.sleep(0.2)
            recovered = time.monotonic() - killed
            assert r.status_code == 200, (attempts, r.text)
            assert recovered < RECOVERY_BUDGET_S, recovered
            print(f"completion after worker kill: {recovered:.1f} s, answers {attempts}")

            assert alive(api_pid) and child_running(proc.pid, "api") == api_pid
            assert child_running(proc.pid, "worker") != worker_pid
        stop_and_check_no_orphans(proc, descendants(proc.pid))
    events = [
        json.loads(line)
        for line in (tmp_path / "up.err").read_text().splitlines()
        if line.startswith("{")
    ]
    crashed = [e for e in events if e.get("event") == "child_crashed_restarting"]
    assert [e["process"] for e in crashed] == ["worker"]
    assert any(e.get("event") == "restarted" and e["process"] == "worker" for e in events)

"""End to end: ``casusregie up`` (what ``make run`` runs) on free ports with its own data
dir starts the dev server, worker and API; /healthz is ok; SIGTERM stops all of them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from core.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 90


def descendants(pid: int) -> set[int]:
    """All live descendants of ``pid`` (Linux /proc)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for_line(proc: subprocess.Popen, marker: str, timeout: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break  # stdout closed: up exited
        lines.append(line)
        if marker in line:
            return lines
    raise AssertionError(f"no {marker!r} from casusregie up; stdout: {''.join(lines)}")


@contextmanager
def running_up(tmp_path: Path, **overrides: str) -> Iterator[tuple[subprocess.Popen, str, int]]:
    """``casusregie up`` on free ports; yields (process, banner, api port) once healthy.
    The API's port is 0: ``up`` binds one at once and reports it (a port picked here and
    bound later could be taken meanwhile, e.g. by one of Temporal's own connections)."""
    env = {
        **os.environ,
        "CASUSREGIE_DATA_DIR": str(tmp_path / "data"),
        "CASUSREGIE_API_PORT": "0",
        "CASUSREGIE_TEMPORAL_PORT": str(free_port()),
        "CASUSREGIE_TEMPORAL_UI_PORT": str(free_port()),
        "CASUSREGIE_LOG_JSON": "true",
        **overrides,
    }
    for own in ("CASUSREGIE_TEMPORAL_ADDRESS", "CASUSREGIE_DATABASE_URL"):  # its own, in data
        if own not in overrides:
            env.pop(own, None)
    with open(tmp_path / "up.err", "w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "up"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        try:
            try:
                banner = "".join(wait_for_line(proc, "Ctrl-C", START_TIMEOUT))
            except AssertionError:
                proc.kill()
                raise AssertionError((tmp_path / "up.err").read_text()[-4000:]) from None
            match = re.search(r"Web app and API: http://127\.0\.0\.1:(\d+)/", banner)
            assert match, banner
            yield proc, banner, int(match.group(1))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def healthz(api_port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{api_port}/healthz", timeout=5) as r:
        assert r.status == 200
        return json.load(r)


def stop_and_check_no_orphans(proc: subprocess.Popen, children: set[int]) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    assert not [pid for pid in children if alive(pid)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
def test_up_starts_healthy_stack_and_sigterm_stops_everything(tmp_path: Path) -> None:
    with running_up(tmp_path) as (proc, banner, api_port):
        assert f"http://127.0.0.1:{api_port}" in banner and "user add" in banner
        assert healthz(api_port) == {"status": "ok", "temporal": "ok", "db": "ok", "worker": "ok"}
        children = descendants(proc.pid)
        assert len(children) == 3, children  # temporal, worker, api
        assert (tmp_path / "data" / "temporal.db").exists()
        stop_and_check_no_orphans(proc, children)
        assert (tmp_path / "data" / "temporal.log").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
def test_up_with_temporal_address_starts_no_dev_server(tmp_path: Path, dev_server: str) -> None:
    with running_up(tmp_path, CASUSREGIE_TEMPORAL_ADDRESS=dev_server) as (proc, banner, port):
        assert f"external cluster at {dev_server}" in banner
        assert healthz(port)["temporal"] == "ok"
        children = descendants(proc.pid)
        assert len(children) == 2, children  # worker and api only
        assert not (tmp_path / "data" / "temporal.db").exists()
        stop_and_check_no_orphans(proc, children)

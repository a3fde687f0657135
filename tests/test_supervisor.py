"""The supervisor behind ``casusregie up``: a dying child is noticed, the others are
stopped in reverse order, and a child that ignores SIGTERM is killed after its timeout."""

from __future__ import annotations

import signal
import subprocess
import sys

from structlog.testing import capture_logs

from cli.process import spawn
from cli.supervisor import Supervisor

IGNORE_TERM = (
    "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('ready', flush=True); time.sleep(60)"
)


def test_dead_child_is_reported_and_the_rest_stopped_in_reverse_order() -> None:
    sup = Supervisor()
    for name in ("temporal", "worker", "api"):
        sup.add(name, spawn(["sleep", "60"]), stop_timeout=5)
    procs = {c.name: c.proc for c in sup.children}
    procs["worker"].kill()
    dead = sup.watch(interval=0.05)
    assert dead is not None and dead.name == "worker"
    with capture_logs() as logs:
        sup.stop_all()
    assert [e["process"] for e in logs if e["event"] == "stopping"] == ["api", "temporal"]
    assert procs["api"].returncode == -signal.SIGTERM
    assert procs["temporal"].returncode == -signal.SIGTERM
    assert sup.children == []


def test_stop_request_ends_watch_and_stubborn_child_is_killed() -> None:
    sup = Supervisor()
    stubborn = spawn([sys.executable, "-c", IGNORE_TERM], stdout=subprocess.PIPE, text=True)
    assert stubborn.stdout.readline().strip() == "ready"  # its SIGTERM handler is set
    sup.add("stubborn", stubborn, stop_timeout=0.3)
    sup.stop_requested.set()
    assert sup.watch(interval=0.05) is None
    sup.stop_all()
    assert stubborn.returncode == -signal.SIGKILL

"""The supervisor behind ``casusregie up``: a dying child is noticed, the others are
stopped in reverse order, a child that ignores SIGTERM is killed after its timeout, a
crashed child is restarted with backoff, and repeated crashes make it give up."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from functools import partial

from structlog.testing import capture_logs

from cli.process import spawn
from cli.supervisor import RestartPolicy, Supervisor

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


def _watch_in_background(sup: Supervisor) -> tuple[threading.Thread, list]:
    returned: list = []
    thread = threading.Thread(target=lambda: returned.append(sup.watch(interval=0.02)))
    thread.start()
    return thread, returned


def test_crashed_child_is_restarted_with_backoff_and_logged() -> None:
    sup = Supervisor(policy=RestartPolicy(first_delay=0.2, max_crashes=5, window=10))
    start = partial(spawn, ["sleep", "60"])
    sup.add("worker", start(), stop_timeout=5, restart=start)
    first = sup.children[0].proc
    with capture_logs() as logs:
        thread, returned = _watch_in_background(sup)
        first.kill()
        deadline = time.monotonic() + 10
        while sup.children[0].restarts == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        # Checked while the watcher still runs: the parent-death signal is tied to the
        # thread that spawned the child, so the restarted child gets SIGTERM once this
        # test's watch thread ends (``casusregie up`` watches from its main thread).
        child = sup.children[0]
        assert child.restarts == 1 and child.proc.pid != first.pid and child.proc.poll() is None
        sup.stop_requested.set()
        thread.join(5)
    assert returned == [None]  # stopped on request, not given up
    crashed = next(e for e in logs if e["event"] == "child_crashed_restarting")
    assert crashed["process"] == "worker" and crashed["exit_code"] == -signal.SIGKILL
    assert crashed["restart_in_s"] == 0.2
    assert any(e["event"] == "restarted" for e in logs)
    sup.stop_all()


def test_gives_up_after_repeated_crashes_in_a_short_window() -> None:
    policy = RestartPolicy(first_delay=0.01, max_delay=0.05, max_crashes=3, window=30)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [0.01, 0.02, 0.04, 0.05]
    sup = Supervisor(policy=policy)
    start = partial(spawn, [sys.executable, "-c", "raise SystemExit(3)"])
    sup.add("api", start(), stop_timeout=5, restart=start)
    with capture_logs() as logs:
        thread, returned = _watch_in_background(sup)
        thread.join(20)
    assert [c.name for c in returned] == ["api"]
    assert sup.children[0].restarts == 2 and len(sup.children[0].crashes) == 3
    assert logs[-1]["event"] == "giving_up" and logs[-1]["exit_code"] == 3
    sup.stop_all()

"""A small process supervisor for ``casusregie up``: children started in order, watched,
restarted with backoff when they crash, and stopped in reverse order (API, worker, then
Temporal) with a deadline each.

A child that crashes ``max_crashes`` times within ``window`` seconds is not restarted
again: ``watch`` returns it and ``up`` stops everything and exits non-zero, so a child
that cannot run (bad configuration, port taken) does not restart forever."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog

from cli.process import stop

log = structlog.get_logger("casusregie.up")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


@dataclass(frozen=True)
class RestartPolicy:
    first_delay: float = 0.5  # seconds before the first restart; doubles per crash
    max_delay: float = 30.0
    max_crashes: int = 5  # crashes within ``window`` after which we give up
    window: float = 60.0

    def delay(self, crashes: int) -> float:
        return float(min(self.max_delay, self.first_delay * 2 ** max(crashes - 1, 0)))


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]
    stop_timeout: float
    start: Callable[[], subprocess.Popen[bytes]] | None = None  # None: never restarted
    crashes: list[float] = field(default_factory=list)  # monotonic times, recent ones
    restart_at: float | None = None  # a restart is scheduled for this moment
    restarts: int = 0


@dataclass
class Supervisor:
    children: list[Child] = field(default_factory=list)
    stop_requested: threading.Event = field(default_factory=threading.Event)
    policy: RestartPolicy = field(default_factory=RestartPolicy)

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT/SIGHUP only set a flag; the main loop then stops everything."""
        for sig in STOP_SIGNALS:
            signal.signal(sig, lambda signum, _frame: self._request_stop(signum))

    def _request_stop(self, signum: int) -> None:
        if not self.stop_requested.is_set():
            log.info("stop_requested", signal=signal.Signals(signum).name)
        self.stop_requested.set()

    def add(
        self,
        name: str,
        proc: subprocess.Popen[bytes],
        stop_timeout: float = 15.0,
        restart: Callable[[], subprocess.Popen[bytes]] | None = None,
    ) -> None:
        """Watch ``proc``; with ``restart`` (how to start it again) a crash restarts it."""
        log.info("started", process=name, pid=proc.pid)
        self.children.append(Child(name, proc, stop_timeout, start=restart))

    def dead_child(self) -> Child | None:
        return next((c for c in self.children if c.proc.poll() is not None), None)

    def healthy(self) -> bool:
        """No child has died and no stop was asked for (used to abort start-up waits)."""
        return self.dead_child() is None and not self.stop_requested.is_set()

    def watch(self, interval: float = 0.2) -> Child | None:
        """Block until a stop is requested (returns None) or a child dies that is not
        restarted, or crashed too often (returns it). Crashed children are restarted."""
        while not self.stop_requested.wait(interval):
            for child in self.children:
                if child.restart_at is not None:
                    if time.monotonic() >= child.restart_at and not self._restart(child):
                        return child
                elif child.proc.poll() is not None and not self._schedule_restart(child):
                    return child
        return None

    def _schedule_restart(self, child: Child) -> bool:
        """Plan the restart of a child that just died; False when it must not restart."""
        now = time.monotonic()
        child.crashes = [t for t in child.crashes if now - t <= self.policy.window] + [now]
        code = child.proc.returncode
        if child.start is None:
            log.error("child_died", process=child.name, exit_code=code)
            return False
        if len(child.crashes) >= self.policy.max_crashes:
            log.error(
                "giving_up",
                process=child.name,
                exit_code=code,
                crashes=len(child.crashes),
                window_s=self.policy.window,
            )
            return False
        delay = self.policy.delay(len(child.crashes))
        log.warning(
            "child_crashed_restarting",
            process=child.name,
            exit_code=code,
            restart_in_s=delay,
            crashes_in_window=len(child.crashes),
        )
        child.restart_at = now + delay
        return True

    def _restart(self, child: Child) -> bool:
        """Start the child again; False when it cannot and must not be tried again."""
        assert child.start is not None
        child.restart_at = None
        try:
            child.proc = child.start()
        except OSError as err:  # counts as another crash
            log.error("restart_failed", process=child.name, error=str(err))
            return self._schedule_restart(child)
        child.restarts += 1
        log.info("restarted", process=child.name, pid=child.proc.pid, restarts=child.restarts)
        return True

    def stop_all(self) -> None:
        """Stop children in reverse start order; SIGKILL whoever overstays its timeout."""
        for child in reversed(self.children):
            code = stop(child.proc, child.name, timeout=child.stop_timeout)
            log.info("stopped", process=child.name, exit_code=code)
        self.children.clear()


def http_ok(url: str, timeout: float = 2.0) -> dict[str, Any] | None:
    """The JSON body of a 200 response, or None."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (our own http URL)
            if response.status == 200:
                body: dict[str, Any] = json.loads(response.read() or b"{}")
                return body
    except (urllib.error.URLError, OSError, ValueError):
        pass
    return None


def wait_until(
    check: Callable[[], bool], timeout: float, alive: Callable[[], bool], interval: float = 0.2
) -> bool:
    """Poll ``check`` until true; False on timeout or as soon as ``alive()`` is false."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        if check():
            return True
        time.sleep(interval)
    return False

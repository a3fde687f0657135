"""A tiny process supervisor for ``casusregie up``: children started in order, watched,
and stopped in reverse order (API, worker, then Temporal) with a deadline each."""

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


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]
    stop_timeout: float


@dataclass
class Supervisor:
    children: list[Child] = field(default_factory=list)
    stop_requested: threading.Event = field(default_factory=threading.Event)

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT/SIGHUP only set a flag; the main loop then stops everything."""
        for sig in STOP_SIGNALS:
            signal.signal(sig, lambda signum, _frame: self._request_stop(signum))

    def _request_stop(self, signum: int) -> None:
        if not self.stop_requested.is_set():
            log.info("stop_requested", signal=signal.Signals(signum).name)
        self.stop_requested.set()

    def add(self, name: str, proc: subprocess.Popen[bytes], stop_timeout: float = 15.0) -> None:
        log.info("started", process=name, pid=proc.pid)
        self.children.append(Child(name, proc, stop_timeout))

    def dead_child(self) -> Child | None:
        return next((c for c in self.children if c.proc.poll() is not None), None)

    def healthy(self) -> bool:
        """No child has died and no stop was asked for (used to abort start-up waits)."""
        return self.dead_child() is None and not self.stop_requested.is_set()

    def watch(self, interval: float = 0.2) -> Child | None:
        """Block until a stop is requested (returns None) or a child dies (returns it)."""
        while not self.stop_requested.wait(interval):
            if (dead := self.dead_child()) is not None:
                return dead
        return None

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

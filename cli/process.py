"""Child processes that never outlive their parent: own session (so a terminal's Ctrl-C
reaches only the supervisor, which stops them in order), parent-death signal on Linux
(so even ``kill -9`` of the supervisor leaves no orphans), and a stop with a deadline."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from typing import Any

import structlog

log = structlog.get_logger(__name__)


def _pdeathsig_prefix() -> list[str]:
    # setpriv (util-linux) sets PR_SET_PDEATHSIG and execs the command (same pid);
    # safer than preexec_fn in a process that already runs threads.
    if sys.platform.startswith("linux") and (setpriv := shutil.which("setpriv")):
        return [setpriv, "--pdeathsig", "TERM", "--"]
    return []


def spawn(args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*_pdeathsig_prefix(), *args], start_new_session=True, **kwargs)


def stop(proc: subprocess.Popen[bytes], name: str, timeout: float = 15.0) -> int | None:
    """SIGTERM, wait up to ``timeout`` s, then SIGKILL. Returns the exit code."""
    if proc.poll() is not None:
        return proc.returncode
    log.info("stopping", process=name, pid=proc.pid)
    try:
        proc.send_signal(signal.SIGTERM)
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        log.warning("did not stop in time, killing", process=name, pid=proc.pid)
        proc.kill()
        return proc.wait(10)
    except ProcessLookupError:
        return proc.poll()


def python_command(*args: str) -> list[str]:
    """Run our own CLI in a child with the same interpreter (``python -m cli.main ...``)."""
    return [sys.executable, "-m", "cli.main", *args]


def child_env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(overrides)
    return env

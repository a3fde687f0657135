"""One writer at a time on a SQLite database, handed over without SQLite's long sleeps.

SQLite lets one connection write at a time. A connection that finds the database
locked waits in its busy handler, which sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50
and then 100 ms between tries: the lock is usually free again after a millisecond or
two, but the waiter sleeps on. With a worker's activity threads (and the simulator's
worker processes) all writing, the threads slept more than they worked and the cores
stood idle a quarter of the time (docs/benchmarks.md, "Caseload simulator").

The gate queues the writers instead: a connection takes it just before its first
statement that writes (before SQLite's implicit ``BEGIN``), and gives it back when its
transaction ends (commit, rollback, or closing). Within a process a lock, between
processes an exclusive ``flock`` on ``<database>.write-gate``, tried every millisecond (a
blocking ``flock`` cannot time out). Reads never wait for it (WAL: readers do not block
writers, nor writers readers). A writer that cannot get the gate within the busy timeout
fails as it would have failed on SQLite's lock.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# statements that only read (or set a connection's options) never take the gate
_READS = ("SELECT", "PRAGMA", "EXPLAIN")
# between tries for another process's file lock
_POLL_SECONDS = 0.001


class WriteGate:
    """The gate of one database file: a lock per process, a file lock between them."""

    def __init__(self, database: Path, timeout: float) -> None:
        self.path = database.with_name(database.name + ".write-gate")
        self.timeout = timeout
        self._lock = threading.Lock()
        self._fd: int | None = None
        self.connection_class = type("GatedConnection", (GatedConnection,), {"gate": self})

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        if not self._lock.acquire(timeout=self.timeout):
            raise sqlite3.OperationalError("database is locked (write gate: this process)")
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._lock_file(deadline)
        except BaseException:
            self._lock.release()
            raise

    def _lock_file(self, deadline: float) -> None:
        assert self._fd is not None
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise sqlite3.OperationalError(
                        "database is locked (write gate: another process)"
                    ) from None
                time.sleep(_POLL_SECONDS)

    def release(self) -> None:
        assert self._fd is not None
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._lock.release()


class GatedCursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> GatedCursor:
        return self._through_gate(super().execute, sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> GatedCursor:
        return self._through_gate(super().executemany, sql, seq_of_parameters)

    def _through_gate(
        self, run: Callable[[str, Any], sqlite3.Cursor], sql: str, parameters: Any
    ) -> GatedCursor:
        gated = self.connection
        assert isinstance(gated, GatedConnection)
        gated.before(sql)
        try:
            run(sql, parameters)
            return self
        finally:
            gated.after()


class GatedConnection(sqlite3.Connection):
    """A sqlite3 connection that passes the gate before it writes: the ``factory`` of
    ``sqlite3.connect`` is a subclass with its ``gate`` (``WriteGate.connection_class``)."""

    gate: WriteGate | None = None
    _holding = False

    def cursor(self, factory: Any = GatedCursor) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        # sqlite3's own ``Connection.execute`` makes its cursor without ``cursor()``
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Any:
        return self.cursor().executemany(sql, seq_of_parameters)

    def before(self, sql: str) -> None:
        writes = not sql.lstrip()[:7].upper().startswith(_READS)
        if writes and self.gate is not None and not self._holding:
            self.gate.acquire()
            self._holding = True

    def after(self) -> None:
        """A statement that wrote outside a transaction (or failed before one began)
        leaves nothing to wait for."""
        if self._holding and not self.in_transaction:
            self._give_back()

    def _give_back(self) -> None:
        if self._holding:
            self._holding = False
            assert self.gate is not None
            self.gate.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._give_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._give_back()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._give_back()


_gates: dict[Path, WriteGate] = {}
_gates_lock = threading.Lock()


def gate_for(database: str, timeout: float) -> WriteGate:
    """The process's gate of a database file (one per file, whatever the engine); its
    ``connection_class`` is the ``factory`` for ``sqlite3.connect``."""
    path = Path(database).resolve()
    with _gates_lock:
        gate = _gates.get(path)
        if gate is None:
            gate = _gates[path] = WriteGate(path, timeout)
        return gate

"""The floor of ``bench/e2e.py``: the bare Temporal Python SDK doing a case's work.

One workflow per case (sandboxed, the SDK's default data converter). A case starts with
an update-with-start whose activity writes two rows (the case and its first task) to a
SQLite read model (WAL); each step is one update running one activity that writes two
rows (the task done; the next task, or the case closed after the last step).
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

RAW_QUEUE = "raw-floor"
ACTIVITY_THREADS = 16  # as worker.py


@dataclass
class RawWrite:
    case_id: str
    step: int  # 0: the start; 1..steps: completing task <step>
    steps: int


_local = threading.local()


def _raw_db(path: str) -> sqlite3.Connection:
    conn: sqlite3.Connection | None = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode=wal")
        conn.execute("PRAGMA synchronous=normal")
        _local.conn = conn
    return conn


def raw_schema(path: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=wal")
    conn.executescript(
        """
        CREATE TABLE IF NOT EXISTS rcase (id TEXT PRIMARY KEY, status TEXT, step INTEGER,
                                          updated_at TEXT);
        CREATE TABLE IF NOT EXISTS rtask (id TEXT PRIMARY KEY, case_id TEXT, status TEXT,
                                          updated_at TEXT);
        CREATE INDEX IF NOT EXISTS ix_rtask_case ON rtask (case_id, status);
        """
    )
    conn.close()


class RawActivities:
    def __init__(self, db: str) -> None:
        self.db = db

    @activity.defn(name="raw_write_rows")
    def write_rows(self, w: RawWrite) -> str:
        """Two rows in one transaction (idempotent: upserts)."""
        conn = _raw_db(self.db)
        now = datetime.now(UTC).isoformat()
        task = f"{w.case_id}:t{w.step + 1}"
        conn.execute("BEGIN IMMEDIATE")
        try:
            if w.step == 0:
                conn.execute(
                    "INSERT OR REPLACE INTO rcase VALUES (?, 'open', 0, ?)", (w.case_id, now)
                )
            else:
                conn.execute(
                    "UPDATE rtask SET status='done', updated_at=? WHERE id=?",
                    (now, f"{w.case_id}:t{w.step}"),
                )
            if w.step < w.steps:
                conn.execute(
                    "INSERT OR REPLACE INTO rtask VALUES (?, ?, 'open', ?)",
                    (task, w.case_id, now),
                )
            else:
                conn.execute(
                    "UPDATE rcase SET status='closed', step=?, updated_at=? WHERE id=?",
                    (w.step, now, w.case_id),
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return task


@workflow.defn(name="RawCase")
class RawCase:
    @workflow.init
    def __init__(self, case_id: str, steps: int) -> None:
        self.case_id, self.steps, self.step = case_id, steps, 0

    @workflow.run
    async def run(self, case_id: str, steps: int) -> int:
        await workflow.wait_condition(
            lambda: self.step >= self.steps and workflow.all_handlers_finished()
        )
        return self.step

    async def _write(self, step: int) -> str:
        return await workflow.execute_activity(
            "raw_write_rows",
            RawWrite(self.case_id, step, self.steps),
            result_type=str,
            start_to_close_timeout=timedelta(seconds=30),
        )

    @workflow.update
    async def start(self) -> str:
        return await self._write(0)

    @workflow.update
    async def complete(self, task_id: str) -> str:
        if task_id != f"{self.case_id}:t{self.step + 1}":
            raise ApplicationError("not the open task", non_retryable=True)
        self.step += 1
        return await self._write(self.step)


async def raw_worker(address: str, db: str) -> None:
    """Run the floor's worker until SIGTERM."""
    client = await Client.connect(address)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    with ThreadPoolExecutor(ACTIVITY_THREADS) as executor:
        async with Worker(
            client,
            task_queue=RAW_QUEUE,
            workflows=[RawCase],
            activities=[RawActivities(db).write_rows],
            activity_executor=executor,
            max_concurrent_activities=ACTIVITY_THREADS,
        ):
            print("raw worker ready", flush=True)
            await stop.wait()

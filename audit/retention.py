"""Retention: crypto-shredding of cases closed longer than ``CASUSREGIE_RETENTION_DAYS``
(``casusregie retention apply``; AVG storage limitation).

A case is due when it is closed (``status == "closed"``) since before the cut-off
(``phase_since`` of the closed phase), has no open task, and its workflow no longer
runs. Shredding destroys the case's data key (``db/case_keys.py``) and its keyed
search hash: its Temporal payloads and sealed columns become unreadable noise, while
the rows (phases, dates, actions, counts) stay for reflection and the replay verdict
of the case is "shredded". Nothing is decrypted or rewritten to do so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from db.case_keys import store_for
from db.models import Case, Task
from domain.messages import workflow_id_for
from domain.vocabulary import CaseStatus


@dataclass
class RetentionReport:
    cutoff: datetime
    shredded: list[str] = field(default_factory=list)
    still_running: list[str] = field(default_factory=list)


def due_cases(engine: Engine, cutoff: datetime) -> list[str]:
    open_tasks = select(Task.case_id).where(Task.status == "open")
    with Session(engine) as session:
        return list(
            session.exec(
                select(Case.id)
                .where(
                    Case.status == CaseStatus.CLOSED,
                    col(Case.shredded_at).is_(None),
                    col(Case.phase_since) < cutoff,
                    col(Case.id).not_in(open_tasks),
                )
                .order_by(col(Case.phase_since))
            )
        )


async def _running(client: Client, case_id: str) -> bool:
    try:
        described = await client.get_workflow_handle(workflow_id_for(case_id)).describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:  # already removed by Temporal's retention
            return False
        raise
    return described.status == WorkflowExecutionStatus.RUNNING


async def apply_retention(
    engine: Engine, client: Client, days: int, now: datetime, *, dry_run: bool = False
) -> RetentionReport:
    report = RetentionReport(cutoff=now - timedelta(days=days))
    for case_id in due_cases(engine, report.cutoff):
        if await _running(client, case_id):
            report.still_running.append(case_id)
            continue
        if not dry_run:
            shred_case(engine, case_id, now)
        report.shredded.append(case_id)
    if report.shredded and not dry_run:
        _purge_freed_pages(engine)
    return report


def shred_case(engine: Engine, case_id: str, now: datetime) -> None:
    store = store_for(engine)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA secure_delete=ON")  # overwrite the old key's bytes
        store.shred(conn, case_id)
        conn.execute(
            update(Case)
            .where(col(Case.id) == case_id)
            .values(shredded_at=now, client_ref_hash=None, updated_at=now)
        )
    store.forget(case_id)
    store.remember(case_id, None)


def _purge_freed_pages(engine: Engine) -> None:
    """SQLite keeps old page images in the WAL: checkpoint and truncate it so the
    destroyed keys are not left on disk (PostgreSQL: see docs/security.md, VACUUM)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))

"""Retention: crypto-shredding of cases closed longer than ``CASUSREGIE_RETENTION_DAYS``
(``casusregie retention apply``; AVG storage limitation).

A case is due when it is closed (``status == "closed"``) since before the cut-off
(``phase_since`` of the closed phase), has no open task, and its workflow no longer
runs. Shredding destroys the case's data key (``db/case_keys.py``) and its keyed
search hash: its Temporal payloads and sealed columns become unreadable noise, while
the rows (phases, dates, actions, counts) stay for reflection and the replay verdict
of the case is "shredded". Nothing is decrypted or rewritten to do so.

Early signals belong to no case key: their client reference and texts (under the key
ring) are **erased** instead: a signal whose case was shredded, or one assessed without
a case (advice given, not needed) before the cut-off, keeps its row (counts) and loses
its text. Their workflows carry ids and the assessment's text under the key ring;
Temporal's namespace retention removes those histories after they close.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from core.crypto import encrypt_text
from db.case_keys import store_for
from db.models import Case, Signal, Task
from db.sealing import SHREDDED
from domain.messages import workflow_id_for
from domain.signals import SignalStatus
from domain.vocabulary import CaseStatus


@dataclass
class RetentionReport:
    cutoff: datetime
    shredded: list[str] = field(default_factory=list)
    still_running: list[str] = field(default_factory=list)
    signals_erased: list[str] = field(default_factory=list)


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
    report.signals_erased = due_signals(engine, report.cutoff)
    if not dry_run:
        erase_signals(engine, report.signals_erased, now)
    if (report.shredded or report.signals_erased) and not dry_run:
        _purge_freed_pages(engine)
    return report


def due_signals(engine: Engine, cutoff: datetime) -> list[str]:
    shredded = select(Case.id).where(col(Case.shredded_at).is_not(None))
    assessed_without_case = and_(
        col(Signal.case_id).is_(None),
        col(Signal.status).in_((SignalStatus.ADVICE_GIVEN, SignalStatus.NOT_NEEDED)),
        col(Signal.assessed_at) < cutoff,
    )
    with Session(engine) as session:
        return list(
            session.exec(
                select(Signal.id).where(
                    col(Signal.erased_at).is_(None),
                    or_(col(Signal.case_id).in_(shredded), assessed_without_case),
                )
            )
        )


def erase_signals(engine: Engine, signal_ids: list[str], now: datetime) -> None:
    erased = encrypt_text(SHREDDED)
    with Session(engine) as session:
        for signal in session.exec(select(Signal).where(col(Signal.id).in_(signal_ids))):
            signal.client_ref_encrypted = signal.note_encrypted = erased
            signal.advice_encrypted = signal.motivation_encrypted = None
            signal.erased_at = signal.updated_at = now
            session.add(signal)
        session.commit()


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

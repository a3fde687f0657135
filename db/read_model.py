"""Writing the read model: the workflow's state projected into SQL for inboxes and
timelines, and early signals. Called by the read-model activities and by ``audit verify
--repair``.

``write_changes`` is idempotent: tasks are upserted by their workflow-assigned id and
audit events inserted only when their id is new, so a retried activity writes nothing
twice. The case row is created by the API before the workflow starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from dataclasses import fields
from datetime import datetime
from typing import Any, cast

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, Row, Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.expression import Executable
from sqlmodel import Session

from core.crypto import encrypt_text
from db.models import AuditEvent, Case, CaseParticipant, Signal, Task, utcnow
from db.sealing import case_aead_for_write, seal_values
from domain.casedata import split_free_text
from domain.definitions import coded_facts
from domain.messages import AuditEntry, ReadModelChanges, TaskState
from domain.signal_messages import SignalChanges
from domain.signals import FREE_TEXT_FIELDS

_ACTOR_FIELDS = ("completed_by", "claimed_by")  # Actor in the workflow, names in the row


def task_row(task: TaskState, case_id: str | None, signal_id: str | None = None) -> Task:
    """The row of a workflow task: every field the two share by name is copied (a field
    added to both needs no edit here); the actors become their name, org and id."""
    shared = {
        f.name: copy(getattr(task, f.name))
        for f in fields(task)
        if f.name in Task.model_fields and f.name not in _ACTOR_FIELDS
    }
    return Task(
        **shared,
        **_actor_columns(task),
        case_id=case_id,
        signal_id=signal_id,
        updated_at=utcnow(),
    )


def _actor_columns(task: TaskState) -> dict[str, Any]:
    """The task row's plain columns of who completed and who claimed it."""
    done, claim = task.completed_by, task.claimed_by
    return {
        "completed_by": done.name if done else None,
        "completed_by_org": done.org if done else None,
        "claimed_by": claim.name if claim else None,
        "claimed_by_id": claim.user_id if claim else None,
    }


def event_row(entry: AuditEntry) -> AuditEvent:
    return AuditEvent(
        id=entry.id,
        case_id=entry.case_id,
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor,
        actor_id=entry.actor_id,
        role=entry.role,
        org=entry.org,
        action=entry.action,
        task_id=entry.task_id,
        detail=dict(entry.detail),
        phase=phase if isinstance(phase := entry.detail.get("phase"), str) else None,
        before=entry.before,
        after=entry.after,
        motivation=entry.motivation,
        request_id=entry.request_id,
    )


def _since(bridging: dict[str, Any] | None) -> datetime | None:
    since = (bridging or {}).get("since")
    return datetime.fromisoformat(since) if isinstance(since, str) else None


class CaseRowMissing(Exception):
    """The API has not committed the case row yet; the activity retries."""


class SignalRowMissing(Exception):
    """The API has not committed the signal row yet; the activity retries."""


def write_changes(session: Session, changes: ReadModelChanges) -> None:
    """Project one batch of workflow changes into the session's transaction (no commit).

    Written with bulk statements (the ORM's unit of work, loading and unsealing the rows
    it then merges, cost the worker more than the workflow it serves, docs/benchmarks.md):
    the case row is updated, tasks upserted by id, new audit events inserted (an id that
    exists is left alone), the sealed columns sealed here as the ORM hooks would
    (``db.sealing.seal_values``). Objects of these rows already in the session are
    expired, so they read what was written."""
    case_id = changes.case_id
    if session.new or session.dirty or session.deleted:
        session.flush()  # the caller's own changes first, in order
    conn = session.connection()
    aead: list[AESGCM] = []

    def case_key() -> AESGCM:  # asked once per batch, and only when something is sealed
        if not aead:
            aead.append(case_aead_for_write(session, case_id))
        return aead[0]

    participants = conn.execute(_SELECT_PARTICIPANTS, {"b_case_id": case_id}).all()
    codes, text = split_free_text(changes.case_data)
    values: dict[str, Any] = {
        "phase": changes.phase,
        "status": changes.status,
        "outcome": changes.outcome,
        "phase_since": changes.phase_since,
        "provider_org": changes.provider_org,
        "oco_org": changes.oco_org,
        "meetings_held": changes.meetings,
        "overdue": changes.overdue,
        "updated_at": utcnow(),
        "stalled": changes.stalled,
        "bridging": changes.bridging,
        "bridging_since": _since(changes.bridging),
        "notice": changes.notice,
        "consents": changes.consents or None,
        "case_data": codes or None,
        "case_text": text or None,
        "documents": changes.documents or None,
    }
    seal_values(Case, values, case_id, case_key)
    version = conn.execute(_UPDATE_CASE, {"b_case_id": case_id, **values}).scalar()
    if version is None:
        raise CaseRowMissing(f"case {case_id} has no row yet")
    _sync_participants(conn, case_id, participants, changes.participants)
    if changes.tasks:
        now = utcnow()
        rows = [_task_values(task, case_id, version, now) for task in changes.tasks]
        for row in rows:
            seal_values(Task, row, case_id, case_key)
        conn.execute(_upsert(conn, _TASKS, update_on_conflict=True), rows)
    if changes.events:
        now = utcnow()
        events = [
            seal_values(AuditEvent, _event_values(e, now), case_id, case_key)
            for e in changes.events
        ]
        conn.execute(_upsert(conn, _EVENTS, update_on_conflict=False), events)
    _expire(session, changes)


_CASES = Case.__table__  # type: ignore[attr-defined]
_TASKS = Task.__table__  # type: ignore[attr-defined]
_EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]
_PARTICIPANTS = CaseParticipant.__table__  # type: ignore[attr-defined]
# the statements, built once (building them, and SQLAlchemy's cache key of a new
# statement object, cost as much as running them): the values come as parameters
_SELECT_PARTICIPANTS = select(
    _PARTICIPANTS.c.id, _PARTICIPANTS.c.org, _PARTICIPANTS.c.capacity
).where(_PARTICIPANTS.c.case_id == bindparam("b_case_id"))
_UPDATE_CASE = (
    update(_CASES)
    .where(_CASES.c.id == bindparam("b_case_id"))
    .returning(_CASES.c.definition_version)
)
_UPSERTS: dict[tuple[str, str, bool], Executable] = {}
# the fields of a workflow task that its row has by name (the actors become names)
_TASK_FIELDS = tuple(
    f.name for f in fields(TaskState) if f.name in Task.model_fields and f.name not in _ACTOR_FIELDS
)


def _task_values(task: TaskState, case_id: str, version: int, now: datetime) -> dict[str, Any]:
    """``task_row`` as the values of a bulk statement (the same columns every time)."""
    values = {name: getattr(task, name) for name in _TASK_FIELDS}
    values.update(
        _actor_columns(task),
        case_id=case_id,
        signal_id=None,
        updated_at=now,
        codes=coded_facts(version, task.key, task.data) or None,
    )
    return values


def _event_values(entry: AuditEntry, now: datetime) -> dict[str, Any]:
    """``event_row`` as the values of a bulk statement."""
    phase = entry.detail.get("phase")
    return {
        "id": entry.id,
        "case_id": entry.case_id,
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "actor_id": entry.actor_id,
        "role": entry.role,
        "org": entry.org,
        "action": entry.action,
        "task_id": entry.task_id,
        "detail": dict(entry.detail),
        "phase": phase if isinstance(phase, str) else None,
        "before": entry.before,
        "after": entry.after,
        "motivation": entry.motivation,
        "request_id": entry.request_id,
        "recorded_at": now,
    }


def _upsert(conn: Connection, table: Table, *, update_on_conflict: bool) -> Executable:
    """``INSERT`` of rows by id: on an existing id the row is overwritten with the new
    values (``update_on_conflict``), or left as it is (idempotent inserts)."""
    dialect = conn.dialect.name
    key = (dialect, table.name, update_on_conflict)
    found = _UPSERTS.get(key)
    if found is not None:
        return found
    if dialect == "sqlite":
        stmt: Any = sqlite_insert(table)
    elif dialect == "postgresql":
        stmt = postgresql_insert(table)
    else:
        raise NotImplementedError(
            f"the read model is written to SQLite or PostgreSQL, not {dialect}"
        )
    if update_on_conflict:
        columns = [c.name for c in table.columns if c.name != "id"]
        stmt = stmt.on_conflict_do_update(
            index_elements=["id"], set_={name: stmt.excluded[name] for name in columns}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=["id"])
    _UPSERTS[key] = cast(Executable, stmt)
    return _UPSERTS[key]


def _expire(session: Session, changes: ReadModelChanges) -> None:
    """Objects of the written rows that the session holds read them again when used."""
    if not session.identity_map:
        return
    task_ids = {t.id for t in changes.tasks}
    for obj in list(session.identity_map.values()):
        if (
            (isinstance(obj, Case) and obj.id == changes.case_id)
            or (isinstance(obj, Task) and obj.id in task_ids)
            or (isinstance(obj, CaseParticipant) and obj.case_id == changes.case_id)
            or (isinstance(obj, AuditEvent) and obj.case_id == changes.case_id)
        ):
            session.expire(obj)


def _sync_participants(
    conn: Connection, case_id: str, rows: Sequence[Row[Any]], participants: dict[str, list[str]]
) -> None:
    """The rows say exactly what the workflow says: new parties are added, and a party
    that left a capacity (a provider that declined or ended care, since v2) loses it."""
    wanted = {(org, capacity) for capacity, orgs in participants.items() for org in orgs}
    gone = [row.id for row in rows if (row.org, row.capacity) not in wanted]
    if gone:
        conn.execute(delete(_PARTICIPANTS).where(_PARTICIPANTS.c.id.in_(gone)))
    known = {(row.org, row.capacity) for row in rows}
    new = [
        {"case_id": case_id, "org": org, "capacity": capacity, "since": utcnow()}
        for capacity, orgs in participants.items()
        for org in orgs
        if (org, capacity) not in known
    ]
    if new:
        conn.execute(insert(_PARTICIPANTS), new)


def signal_task_row(task: TaskState, signal_id: str) -> Task:
    """The assessment task's row, without free text: the advice and the motivation are
    kept encrypted on the signal (``write_signal_changes``)."""
    row = task_row(task, None, signal_id)
    row.note = None
    row.data = {k: v for k, v in task.data.items() if k not in FREE_TEXT_FIELDS}
    return row


def write_signal_changes(session: Session, changes: SignalChanges) -> None:
    """Project the signal as the workflow knows it (no commit); idempotent: the whole
    signal is written each time."""
    signal = session.get(Signal, changes.signal_id)
    if signal is None:
        raise SignalRowMissing(f"signal {changes.signal_id} has no row yet")
    task = changes.task
    signal.status, signal.outcome, signal.case_id = changes.status, task.outcome, changes.case_id
    advice, motivation = str(task.data.get("advice") or ""), task.note or ""
    if task.completed_by and signal.assessed_at is None:  # the assessment is written once
        signal.assessed_by, signal.assessed_by_org = task.completed_by.name, task.completed_by.org
        signal.assessed_at = task.completed_at
        signal.advice_encrypted = encrypt_text(advice) if advice else None
        signal.motivation_encrypted = encrypt_text(motivation) if motivation else None
    signal.updated_at = utcnow()
    session.add(signal)
    session.merge(signal_task_row(task, signal.id))

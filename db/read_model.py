"""Writing the read model: the workflow's state projected into SQL for inboxes and
timelines, and early signals. Called by the read-model activities and by ``audit verify
--repair``.

``write_changes`` is idempotent: tasks are upserted by their workflow-assigned id and
audit events inserted only when their id is new, so a retried activity writes nothing
twice. The case row is created by the API before the workflow starts.
"""

from __future__ import annotations

from copy import copy
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.crypto import encrypt_text
from db.models import AuditEvent, Case, CaseParticipant, Signal, Task, utcnow
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
    done, claim = task.completed_by, task.claimed_by
    return Task(
        **shared,
        case_id=case_id,
        signal_id=signal_id,
        completed_by=done.name if done else None,
        completed_by_org=done.org if done else None,
        claimed_by=claim.name if claim else None,
        claimed_by_id=claim.user_id if claim else None,
        updated_at=utcnow(),
    )


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
    """Project one batch of workflow changes into the session (no commit)."""
    case = session.get(Case, changes.case_id)
    if case is None:
        raise CaseRowMissing(f"case {changes.case_id} has no row yet")
    case.phase, case.status, case.outcome = changes.phase, changes.status, changes.outcome
    case.phase_since, case.provider_org = changes.phase_since, changes.provider_org
    case.oco_org, case.meetings_held = changes.oco_org, changes.meetings
    case.overdue, case.updated_at = changes.overdue, utcnow()
    case.stalled, case.bridging, case.notice = changes.stalled, changes.bridging, changes.notice
    case.consents = changes.consents or None
    case.bridging_since = _since(changes.bridging)
    case.set_case_data(changes.case_data)
    case.documents = changes.documents or None
    session.add(case)
    _sync_participants(session, case.id, changes.participants)
    # the rows of these tasks that exist, in one query (a merge asks for each one itself):
    # new tasks are added, existing ones merged from the session's identity map
    ids = [task.id for task in changes.tasks]
    stored = (
        {row.id: row for row in session.exec(select(Task).where(col(Task.id).in_(ids)))}
        if ids
        else {}
    )
    for task in changes.tasks:
        row = task_row(task, case.id)
        row.codes = coded_facts(case.definition_version, task.key, task.data) or None
        if task.id in stored:
            session.merge(row)
        else:
            session.add(row)
    new_ids = {e.id for e in changes.events}
    existing = (
        set(session.exec(select(AuditEvent.id).where(col(AuditEvent.id).in_(new_ids))))
        if new_ids
        else set()
    )
    for entry in changes.events:
        if entry.id not in existing:
            session.add(event_row(entry))


def _sync_participants(session: Session, case_id: str, participants: dict[str, list[str]]) -> None:
    """The rows say exactly what the workflow says: new parties are added, and a party
    that left a capacity (a provider that declined or ended care, since v2) loses it."""
    wanted = {(org, capacity) for capacity, orgs in participants.items() for org in orgs}
    rows = session.exec(select(CaseParticipant).where(CaseParticipant.case_id == case_id)).all()
    for row in rows:
        if (row.org, row.capacity) not in wanted:
            session.delete(row)
    known = {(row.org, row.capacity) for row in rows}
    for capacity, orgs in participants.items():
        for org in orgs:
            if (org, capacity) not in known:
                session.add(CaseParticipant(case_id=case_id, org=org, capacity=capacity))


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

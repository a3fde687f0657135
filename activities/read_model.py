"""The read model: the workflow's state projected into SQL for inboxes and timelines.

``apply_changes`` is idempotent: tasks are upserted by their workflow-assigned id and
audit events inserted only when their id is new, so a retried activity writes nothing
twice. The case row is created by the API before the workflow starts.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio import activity

from db.models import AuditEvent, Case, CaseParticipant, Task, utcnow
from workflows.messages import AuditEntry, ReadModelChanges, TaskState


def task_row(task: TaskState, case_id: str) -> Task:
    return Task(
        id=task.id,
        case_id=case_id,
        phase=task.phase,
        key=task.key,
        title=task.title,
        owner_role=task.owner_role,
        owner_org=task.owner_org,
        supports=list(task.supports),
        status=task.status,
        allowed_outcomes=list(task.allowed_outcomes),
        due_at=task.due_at,
        overdue=task.overdue,
        outcome=task.outcome,
        note=task.note,
        data=dict(task.data),
        completed_by=task.completed_by.name if task.completed_by else None,
        completed_by_org=task.completed_by.org if task.completed_by else None,
        completed_at=task.completed_at,
        claimed_by=task.claimed_by.name if task.claimed_by else None,
        claimed_by_id=task.claimed_by.user_id if task.claimed_by else None,
        claimed_at=task.claimed_at,
        created_at=task.created_at,
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
        before=entry.before,
        after=entry.after,
        motivation=entry.motivation,
        request_id=entry.request_id,
    )


class CaseRowMissing(Exception):
    """The API has not committed the case row yet; the activity retries."""


def write_changes(session: Session, changes: ReadModelChanges) -> None:
    """Project one batch of workflow changes into the session (no commit)."""
    case = session.get(Case, changes.case_id)
    if case is None:
        raise CaseRowMissing(f"case {changes.case_id} has no row yet")
    case.phase, case.status, case.outcome = changes.phase, changes.status, changes.outcome
    case.phase_since, case.provider_org = changes.phase_since, changes.provider_org
    case.oco_org, case.meetings_held = changes.oco_org, changes.meetings
    case.overdue, case.updated_at = changes.overdue, utcnow()
    session.add(case)
    known = {
        (p.org, p.capacity)
        for p in session.exec(select(CaseParticipant).where(CaseParticipant.case_id == case.id))
    }
    for capacity, orgs in changes.participants.items():
        for org in orgs:
            if (org, capacity) not in known:
                session.add(CaseParticipant(case_id=case.id, org=org, capacity=capacity))
    for task in changes.tasks:
        session.merge(task_row(task, case.id))
    new_ids = {e.id for e in changes.events}
    existing = (
        set(session.exec(select(AuditEvent.id).where(AuditEvent.id.in_(new_ids))))
        if new_ids
        else set()
    )
    for entry in changes.events:
        if entry.id not in existing:
            session.add(event_row(entry))


class ReadModelActivities:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="apply_changes")
    def apply_changes(self, changes: ReadModelChanges) -> None:
        with Session(self.engine) as session:
            write_changes(session, changes)
            session.commit()

"""Task queries on the read model: the inbox (own and supported tasks) and conversions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, false, func, or_
from sqlalchemy import case as sql_case
from sqlmodel import Session, col, select

from api.schemas import Page, TaskOut
from api.scoping import Principal, in_scope, inbox_roles, visible_cases
from api.services.paging import page_total
from db.models import Case, Task
from db.sealing import search_hashes
from domain.vocabulary import Phase, TaskStatus


def as_utc(value: datetime) -> datetime:
    """Query parameters without an offset are taken as UTC (the columns need aware values)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def is_overdue(task: Task, now: datetime | None = None) -> bool:
    if task.overdue:
        return True
    due = task.due_at
    return task.status == TaskStatus.OPEN and due is not None and due < (now or datetime.now(UTC))


def task_out(task: Task, now: datetime | None = None) -> TaskOut:
    return TaskOut.model_validate(task, update={"overdue": is_overdue(task, now)})


@dataclass
class InboxFilter:
    section: str = "mine"  # "mine": tasks I own; "supports": tasks my role supports
    status: str | None = "open"  # None: any status
    overdue: bool | None = None
    case_id: str | None = None
    phase: str | None = None
    due_before: datetime | None = None
    claimed_by_id: str | None = None  # tasks this user claimed
    unclaimed: bool = False  # tasks nobody claimed
    client_ref: str | None = None  # exact client reference of the task's case (keyed hash)
    sector: str | None = None  # of the task's case
    region: str | None = None  # of the task's case
    # "due" (default), "phase" (step-plan order), "days_in_phase" (longest in its phase
    # first), "new" (newest first); not by client reference: it is sealed (ciphertext)
    sort: str = "due"
    limit: int = 50
    offset: int = 0


def _supports_role(role: str) -> ColumnElement[bool]:
    # JSON list column; its text form contains the quoted role name (SQLite and PostgreSQL)
    return cast(Task.supports, String).like(f'%"{role}"%')


def _inbox_conditions(
    principal: Principal, f: InboxFilter, scope_by_ids: bool = False
) -> list[ColumnElement[bool]]:
    now = datetime.now(UTC)
    roles = inbox_roles(principal)
    if not roles:  # auditors own and support no tasks
        return [false()]
    if f.section == "supports":
        # the tasks of the cases in scope: on PostgreSQL found from those cases' ids, not
        # by a scan of every open task for the supported role (api/scoping.InScope);
        # SQLite plans the join from the cases already (and 0.6 ms faster)
        in_view = (
            in_scope(Task.case_id, select(col(Case.id)).where(visible_cases(principal)))
            if scope_by_ids
            else visible_cases(principal)
        )
        conditions = [
            or_(*[_supports_role(role) for role in roles]),
            in_view,
            or_(col(Task.owner_org) != principal.org, col(Task.owner_role).not_in(roles)),
        ]
    else:
        conditions = [col(Task.owner_org) == principal.org, col(Task.owner_role).in_(roles)]
    if f.status:
        conditions.append(col(Task.status) == f.status)
    if f.overdue is not None:
        # due_at IS NOT NULL keeps the condition two-valued: NOT (NULL < now) would drop
        # the tasks without a due date from overdue=false
        due_passed = and_(
            col(Task.status) == "open", col(Task.due_at).is_not(None), col(Task.due_at) < now
        )
        late = or_(col(Task.overdue).is_(True), due_passed)
        conditions.append(late if f.overdue else ~late)
    if f.case_id:
        conditions.append(col(Task.case_id) == f.case_id)
    if f.phase:
        conditions.append(col(Task.phase) == f.phase)
    if f.due_before:
        conditions.append(col(Task.due_at) < as_utc(f.due_before))
    if f.claimed_by_id:
        conditions.append(col(Task.claimed_by_id) == f.claimed_by_id)
    if f.unclaimed:
        conditions.append(col(Task.claimed_by).is_(None))
    if f.client_ref:
        conditions.append(col(Case.client_ref_hash).in_(search_hashes(f.client_ref)))
    if f.sector:
        conditions.append(col(Case.sector) == f.sector)
    if f.region:
        conditions.append(col(Case.region) == f.region)
    return conditions


def _order(f: InboxFilter) -> list[Any]:
    due = [col(Task.due_at).is_(None), col(Task.due_at)]
    tail = [col(Task.created_at), col(Task.id)]
    if f.sort == "phase":
        rank = sql_case(
            {p.value: i for i, p in enumerate(Phase)}, value=col(Task.phase), else_=len(Phase)
        )
        return [rank, *due, *tail]
    if f.sort == "days_in_phase":
        return [col(Case.phase_since).is_(None), col(Case.phase_since), *due, *tail]
    if f.sort == "new":
        return [col(Task.created_at).desc(), col(Task.id)]
    return [*due, *tail]


def _needs_case(f: InboxFilter) -> bool:
    return bool(f.client_ref or f.sector or f.region) or f.sort == "days_in_phase"


def _scope_by_ids(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def inbox(session: Session, principal: Principal, f: InboxFilter) -> Page[TaskOut]:
    """The caller's tasks, due first (tasks without a due date last), then oldest first."""
    by_ids = _scope_by_ids(session)
    conditions = _inbox_conditions(principal, f, by_ids)
    base = select(Task)
    if f.section == "supports" and not by_ids:  # visible_cases() is a condition on Case
        base = base.join(Case, col(Case.id) == col(Task.case_id))
    elif _needs_case(f):  # a signal's task has no case: outer join
        base = base.outerjoin(Case, col(Case.id) == col(Task.case_id))
    rows = session.exec(
        base.where(*conditions).order_by(*_order(f)).limit(f.limit).offset(f.offset)
    ).all()
    total = page_total(
        len(rows),
        f.limit,
        f.offset,
        lambda: session.exec(
            select(func.count()).select_from(base.where(*conditions).subquery())
        ).one(),
    )
    now = datetime.now(UTC)
    return Page[TaskOut](
        items=[task_out(t, now) for t in rows], total=total, limit=f.limit, offset=f.offset
    )


def open_tasks_of(session: Session, case_id: str) -> list[TaskOut]:
    rows = session.exec(
        select(Task)
        .where(Task.case_id == case_id, Task.status == TaskStatus.OPEN)
        .order_by(col(Task.due_at).is_(None), col(Task.due_at), col(Task.created_at))
    ).all()
    now = datetime.now(UTC)
    return [task_out(t, now) for t in rows]

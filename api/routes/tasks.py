"""``/api/tasks``: the caller's inbox, claiming and completing tasks (via the workflow of
the task's case, or of the early signal an ``assess_signal`` task belongs to)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from temporalio.client import Client

from api.deps import CurrentUser, ScopedTask, SessionDep, SettingsDep, TemporalDep, Writer
from api.schemas import (
    ClaimBody,
    CompleteBody,
    Page,
    SignalUpdateOut,
    TaskDetailOut,
    TaskOut,
    UpdateOut,
)
from api.scoping import Principal
from api.services import commands, signal_commands
from api.services.tasks import InboxFilter, inbox
from api.services.taskview import signal_task_detail, task_detail
from db.models import Case, Signal, Task
from domain.messages import Actor
from domain.vocabulary import Phase, TaskStatus

router = APIRouter(prefix="/api/tasks", tags=["tasks"])


@router.get("", response_model=Page[TaskOut])
def list_tasks(
    principal: CurrentUser,
    session: SessionDep,
    section: Literal["mine", "supports"] = "mine",
    status: TaskStatus | Literal["any"] = TaskStatus.OPEN,
    overdue: bool | None = None,
    case_id: str | None = None,
    phase: Phase | None = None,
    due_before: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[TaskOut]:
    f = InboxFilter(
        section=section,
        status=None if status == "any" else str(status),
        overdue=overdue,
        case_id=case_id,
        phase=phase.value if phase else None,
        due_before=due_before,
        limit=limit,
        offset=offset,
    )
    return inbox(session, principal, f)


@router.get("/{task_id}", response_model=TaskDetailOut)
def get_task(
    scoped: ScopedTask, principal: CurrentUser, session: SessionDep, settings: SettingsDep
) -> TaskDetailOut:
    """The task with ``form`` (its fields, and per outcome a Dutch label and what it does)
    and ``context`` (the case's client reference and phase, and what the task must judge)."""
    task, owner = scoped
    if isinstance(owner, Signal):
        return signal_task_detail(principal, task, owner, settings)
    return task_detail(session, principal, task, owner, settings)


@router.post("/{task_id}/complete", response_model=UpdateOut | SignalUpdateOut)
async def complete_task(
    body: CompleteBody,
    scoped: ScopedTask,
    principal: Writer,
    client: TemporalDep,
    session: SessionDep,
    settings: SettingsDep,
) -> UpdateOut | SignalUpdateOut:
    """A case's task: ``UpdateOut``. An early signal's ``assess_signal``:
    ``SignalUpdateOut`` (with the started case's id for ``start_case``)."""
    task, owner = scoped
    if isinstance(owner, Signal):
        return await signal_commands.complete_task(
            client, session, principal, owner, task, body.outcome, settings, body.note, body.data
        )
    result = await commands.complete_task(
        client, session, principal, owner, task, body.outcome, body.note, body.data
    )
    return commands.update_out(owner.id, result)


async def _claim_scoped(
    scoped: tuple[Task, Case | Signal],
    principal: Principal,
    client: Client,
    release: bool,
    force: bool,
    assignee: Actor | None = None,
) -> UpdateOut | SignalUpdateOut:
    task, owner = scoped
    if isinstance(owner, Signal):
        return await signal_commands.claim_task(
            client, principal, owner, task, release, force, assignee
        )
    result = await commands.claim_task(client, principal, owner, task, release, force, assignee)
    return commands.update_out(owner.id, result)


@router.post("/{task_id}/claim", response_model=UpdateOut | SignalUpdateOut)
async def claim(
    scoped: ScopedTask,
    principal: Writer,
    client: TemporalDep,
    session: SessionDep,
    body: ClaimBody | None = None,
) -> UpdateOut | SignalUpdateOut:
    """Claim the task; ``assignee_id``: claim it on behalf of a colleague of the same
    organisation who may act on it (assign it to them)."""
    assignee = None
    if body is not None and body.assignee_id:
        assignee = commands.colleague(session, principal, body.assignee_id)
    force = bool(body and body.force)
    return await _claim_scoped(scoped, principal, client, False, force, assignee)


@router.post("/{task_id}/unclaim", response_model=UpdateOut | SignalUpdateOut)
async def unclaim(
    scoped: ScopedTask, principal: Writer, client: TemporalDep, body: ClaimBody | None = None
) -> UpdateOut | SignalUpdateOut:
    return await _claim_scoped(scoped, principal, client, True, bool(body and body.force))

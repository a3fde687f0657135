"""``/api/tasks``: the caller's inbox, claiming and completing tasks (via the workflow)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import CurrentUser, ScopedTask, SessionDep, SettingsDep, TemporalDep, Writer
from api.schemas import ClaimBody, CompleteBody, Page, TaskDetailOut, TaskOut, UpdateOut
from api.services import commands
from api.services.tasks import InboxFilter, inbox
from api.services.taskview import task_detail
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
    task, case = scoped
    return task_detail(session, principal, task, case, settings)


@router.post("/{task_id}/complete", response_model=UpdateOut)
async def complete_task(
    body: CompleteBody,
    scoped: ScopedTask,
    principal: Writer,
    client: TemporalDep,
    session: SessionDep,
) -> UpdateOut:
    task, case = scoped
    result = await commands.complete_task(
        client, session, principal, case, task, body.outcome, body.note, body.data
    )
    return commands.update_out(case.id, result)


@router.post("/{task_id}/claim", response_model=UpdateOut)
async def claim(
    scoped: ScopedTask, principal: Writer, client: TemporalDep, body: ClaimBody | None = None
) -> UpdateOut:
    task, case = scoped
    result = await commands.claim_task(
        client, principal, case, task, release=False, force=bool(body and body.force)
    )
    return commands.update_out(case.id, result)


@router.post("/{task_id}/unclaim", response_model=UpdateOut)
async def unclaim(
    scoped: ScopedTask, principal: Writer, client: TemporalDep, body: ClaimBody | None = None
) -> UpdateOut:
    task, case = scoped
    result = await commands.claim_task(
        client, principal, case, task, release=True, force=bool(body and body.force)
    )
    return commands.update_out(case.id, result)

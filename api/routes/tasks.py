"""``/api/tasks``: the caller's inbox, claiming and completing tasks (via the workflow)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import ID_PATTERN, CurrentUser, ScopedTask, SessionDep, TemporalDep, Writer
from api.openapi import API_ERRORS
from api.schemas import (
    MAX_LIMIT,
    MAX_OFFSET,
    ClaimBody,
    CompleteBody,
    IsoDatetime,
    Page,
    TaskOut,
    UpdateOut,
)
from api.services import commands
from api.services.tasks import InboxFilter, inbox, task_out
from domain.vocabulary import Phase, TaskStatus

router = APIRouter(prefix="/api/tasks", tags=["tasks"], responses=API_ERRORS)


@router.get("", response_model=Page[TaskOut])
def list_tasks(
    principal: CurrentUser,
    session: SessionDep,
    section: Literal["mine", "supports"] = "mine",
    status: TaskStatus | Literal["any"] = TaskStatus.OPEN,
    overdue: bool | None = None,
    case_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    phase: Phase | None = None,
    due_before: Annotated[IsoDatetime | None, Query(description="ISO 8601 date-time")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
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


@router.get("/{task_id}", response_model=TaskOut)
def get_task(scoped: ScopedTask) -> TaskOut:
    return task_out(scoped[0])


@router.post("/{task_id}/complete", response_model=UpdateOut)
async def complete_task(
    body: CompleteBody, scoped: ScopedTask, principal: Writer, client: TemporalDep
) -> UpdateOut:
    task, case = scoped
    result = await commands.complete_task(
        client, principal, case, task, body.outcome, body.note, body.data
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

"""``/api/tasks``: the caller's inbox, claiming and completing tasks (via the workflow);
changes honour ``Idempotency-Key``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session
from temporalio.client import Client

from api.deps import (
    CurrentUser,
    IdempotencyKey,
    ScopedTask,
    SessionDep,
    TemporalDep,
    Writer,
)
from api.schemas import ClaimBody, CompleteBody, Page, TaskOut, UpdateOut
from api.scoping import Principal
from api.services import commands
from api.services.idempotency import Attempt, json_once
from api.services.tasks import InboxFilter, inbox, task_out
from db.models import Case, Task
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


@router.get("/{task_id}", response_model=TaskOut)
def get_task(scoped: ScopedTask) -> TaskOut:
    return task_out(scoped[0])


@router.post("/{task_id}/complete", response_model=UpdateOut)
async def complete_task(
    request: Request,
    body: CompleteBody,
    scoped: ScopedTask,
    principal: Writer,
    client: TemporalDep,
    session: SessionDep,
    key: IdempotencyKey = None,
) -> Response:
    task, case = scoped

    async def run(attempt: Attempt) -> UpdateOut:
        result = await commands.complete_task(
            client, principal, case, task, body.outcome, body.note, body.data, attempt
        )
        return commands.update_out(case.id, result)

    return await json_once(request, session, principal.user_id, key, body, run)


async def _claim(
    request: Request,
    scoped: tuple[Task, Case],
    principal: Principal,
    client: Client,
    session: Session,
    key: str | None,
    body: ClaimBody | None,
    release: bool,
) -> Response:
    task, case = scoped

    async def run(attempt: Attempt) -> UpdateOut:
        force = bool(body and body.force)
        result = await commands.claim_task(
            client, principal, case, task, release=release, force=force, attempt=attempt
        )
        return commands.update_out(case.id, result)

    return await json_once(request, session, principal.user_id, key, body, run)


@router.post("/{task_id}/claim", response_model=UpdateOut)
async def claim(
    request: Request,
    scoped: ScopedTask,
    principal: Writer,
    client: TemporalDep,
    session: SessionDep,
    key: IdempotencyKey = None,
    body: ClaimBody | None = None,
) -> Response:
    return await _claim(request, scoped, principal, client, session, key, body, release=False)


@router.post("/{task_id}/unclaim", response_model=UpdateOut)
async def unclaim(
    request: Request,
    scoped: ScopedTask,
    principal: Writer,
    client: TemporalDep,
    session: SessionDep,
    key: IdempotencyKey = None,
    body: ClaimBody | None = None,
) -> Response:
    return await _claim(request, scoped, principal, client, session, key, body, release=True)

"""``/api/tasks``: the caller's inbox, claiming and completing tasks (via the workflow of
the task's case, or of the early signal an ``assess_signal`` task belongs to); changes
honour ``Idempotency-Key``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session
from temporalio.client import Client

from api.deps import (
    ID_PATTERN,
    CurrentUser,
    IdempotencyKey,
    ScopedTask,
    SessionDep,
    SettingsDep,
    TemporalDep,
    Writer,
)
from api.openapi import API_ERRORS
from api.schemas import (
    MAX_LIMIT,
    MAX_OFFSET,
    ClaimBody,
    CompleteBody,
    IsoDatetime,
    Page,
    SignalUpdateOut,
    TaskDetailOut,
    TaskOut,
    UpdateOut,
)
from api.scoping import Principal
from api.services import commands, signal_commands
from api.services.idempotency import Attempt, json_once
from api.services.tasks import InboxFilter, inbox
from api.services.taskview import signal_task_detail, task_detail
from db.models import Case, Signal, Task
from domain.vocabulary import Phase, TaskStatus

router = APIRouter(prefix="/api/tasks", tags=["tasks"], responses=API_ERRORS)


@router.get("", response_model=Page[TaskOut])
async def list_tasks(
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
    # async: its two short reads run on the event loop, as the async routes' pre-checks
    # do; as a sync route every inbox read waited for a thread of the pool and for the
    # loop's thread to hand over the GIL (p50 27 -> 14 ms under load, docs/benchmarks.md)
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
    request: Request,
    body: CompleteBody,
    scoped: ScopedTask,
    principal: Writer,
    client: TemporalDep,
    session: SessionDep,
    settings: SettingsDep,
    key: IdempotencyKey = None,
) -> Response:
    """A case's task: ``UpdateOut``. An early signal's ``assess_signal``:
    ``SignalUpdateOut`` (with the started case's id for ``start_case``). With an
    ``Idempotency-Key`` a retry gets the first answer back."""
    task, owner = scoped

    async def run(attempt: Attempt) -> UpdateOut | SignalUpdateOut:
        if isinstance(owner, Signal):
            return await signal_commands.complete_task(
                client,
                session,
                principal,
                owner,
                task,
                body.outcome,
                settings,
                body.note,
                body.data,
            )
        result = await commands.complete_task(
            client, session, principal, owner, task, body.outcome, body.note, body.data, attempt
        )
        return commands.update_out(owner.id, result)

    return await json_once(request, session, principal.user_id, key, body, run)


async def _claim(
    request: Request,
    scoped: tuple[Task, Case | Signal],
    principal: Principal,
    client: Client,
    session: Session,
    key: str | None,
    body: ClaimBody | None,
    release: bool,
) -> Response:
    task, owner = scoped
    force = bool(body and body.force)
    assignee = None
    if not release and body is not None and body.assignee_id:
        assignee = commands.colleague(session, principal, body.assignee_id)

    async def run(attempt: Attempt) -> UpdateOut | SignalUpdateOut:
        if isinstance(owner, Signal):
            return await signal_commands.claim_task(
                client, principal, owner, task, release, force, assignee
            )
        result = await commands.claim_task(
            client,
            principal,
            owner,
            task,
            release=release,
            force=force,
            attempt=attempt,
            assignee=assignee,
        )
        return commands.update_out(owner.id, result)

    return await json_once(request, session, principal.user_id, key, body, run)


@router.post("/{task_id}/claim", response_model=UpdateOut | SignalUpdateOut)
async def claim(
    request: Request,
    scoped: ScopedTask,
    principal: Writer,
    client: TemporalDep,
    session: SessionDep,
    key: IdempotencyKey = None,
    body: ClaimBody | None = None,
) -> Response:
    """Claim the task; ``assignee_id``: claim it on behalf of a colleague of the same
    organisation who may act on it (assign it to them)."""
    return await _claim(request, scoped, principal, client, session, key, body, release=False)


@router.post("/{task_id}/unclaim", response_model=UpdateOut | SignalUpdateOut)
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

"""``/api/tasks``: the caller's inbox, claiming and completing tasks (via the workflow)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query

from api.deps import CurrentUser, ScopedTask, SessionDep, TemporalDep, Writer
from api.requestid import current_request_id
from api.schemas import ClaimBody, CompleteBody, Page, TaskOut, UpdateOut
from api.scoping import Principal
from api.services.tasks import InboxFilter, inbox, task_out
from api.services.workflow import run_update, update_out
from db.models import Task
from domain.vocabulary import Phase, TaskStatus
from workflows.messages import ClaimTask, CompleteTask
from workflows.permissions import may_act_on

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


def _owner_only(principal: Principal, task: Task) -> None:
    if not may_act_on(principal.actor, task):
        raise HTTPException(403, f"task {task.id} belongs to {task.owner_role} {task.owner_org}")


@router.post("/{task_id}/complete", response_model=UpdateOut)
async def complete_task(
    body: CompleteBody, scoped: ScopedTask, principal: Writer, client: TemporalDep
) -> UpdateOut:
    task, case = scoped
    _owner_only(principal, task)
    cmd = CompleteTask(
        task_id=task.id,
        outcome=body.outcome,
        actor=principal.actor,
        note=body.note,
        data=body.data,
        request_id=current_request_id(),
    )
    return update_out(case.id, await run_update(client, case.id, "complete_task", cmd))


async def _claim(
    task_id_scoped: tuple[Task, object], principal: Principal, client, release: bool, force: bool
) -> UpdateOut:
    task, case = task_id_scoped
    _owner_only(principal, task)
    cmd = ClaimTask(
        task_id=task.id,
        actor=principal.actor,
        release=release,
        force=force,
        request_id=current_request_id(),
    )
    return update_out(case.id, await run_update(client, case.id, "claim_task", cmd))


@router.post("/{task_id}/claim", response_model=UpdateOut)
async def claim(
    scoped: ScopedTask, principal: Writer, client: TemporalDep, body: ClaimBody | None = None
) -> UpdateOut:
    return await _claim(scoped, principal, client, False, bool(body and body.force))


@router.post("/{task_id}/unclaim", response_model=UpdateOut)
async def unclaim(
    scoped: ScopedTask, principal: Writer, client: TemporalDep, body: ClaimBody | None = None
) -> UpdateOut:
    return await _claim(scoped, principal, client, True, bool(body and body.force))

"""Calls from the API into a case workflow: updates and the state query, with the
workflow's refusals turned into HTTP errors.

The workflow is the source of truth: an update answered here was accepted (and
written to its history) even when the read model write behind it timed out.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from fastapi import HTTPException
from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.schemas import TaskOut, UpdateOut
from core.logging import bind_case
from workflows.messages import CaseState, TaskState, UpdateError, UpdateResult, workflow_id_for

log = structlog.get_logger()

UPDATE_TIMEOUT = timedelta(seconds=30)
UNAVAILABLE = (
    RPCStatusCode.UNAVAILABLE,
    RPCStatusCode.DEADLINE_EXCEEDED,
    RPCStatusCode.CANCELLED,
    RPCStatusCode.RESOURCE_EXHAUSTED,
)


def _rpc_error(err: RPCError, case_id: str) -> HTTPException:
    if err.status == RPCStatusCode.NOT_FOUND:
        return HTTPException(409, f"case {case_id} is no longer running (closed)")
    if err.status in UNAVAILABLE:
        return HTTPException(
            503,
            "Temporal is niet bereikbaar (Temporal is unreachable); "
            "nothing was changed, retry later",
        )
    return HTTPException(409, f"the case workflow refused the request ({err.status.name})")


async def run_update(client: Client, case_id: str, name: str, arg: Any) -> UpdateResult:
    """Execute workflow update ``name``; validator rejections become 404/409/403/422."""
    bind_case(case_id)
    handle = client.get_workflow_handle(workflow_id_for(case_id))
    try:
        return await handle.execute_update(
            name, arg, result_type=UpdateResult, rpc_timeout=UPDATE_TIMEOUT
        )
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        if isinstance(cause, ApplicationError) and cause.type in UpdateError.HTTP_STATUS:
            raise HTTPException(UpdateError.HTTP_STATUS[cause.type], cause.message) from None
        log.warning("update_failed", update=name, cause=type(cause).__name__)
        raise HTTPException(409, f"the case refused {name}") from None
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        log.warning("update_timeout", update=name)
        raise HTTPException(
            503,
            f"no answer from the case workflow in time; check the task before retrying ({name})",
        ) from None
    except RPCError as err:
        log.warning("update_rpc_error", update=name, status=err.status.name)
        raise _rpc_error(err, case_id) from None


async def query_state(client: Client, case_id: str) -> CaseState:
    handle = client.get_workflow_handle(workflow_id_for(case_id))
    try:
        return await handle.query("state", result_type=CaseState, rpc_timeout=UPDATE_TIMEOUT)
    except RPCError as err:
        raise _rpc_error(err, case_id) from None


def task_state_out(case_id: str, task: TaskState) -> TaskOut:
    return TaskOut(
        id=task.id,
        case_id=case_id,
        phase=task.phase,
        key=task.key,
        title=task.title,
        owner_role=task.owner_role,
        owner_org=task.owner_org,
        supports=list(task.supports),
        status=task.status,
        due_at=task.due_at,
        overdue=task.overdue,
        allowed_outcomes=list(task.allowed_outcomes),
        outcome=task.outcome,
        claimed_by=task.claimed_by.name if task.claimed_by else None,
        claimed_at=task.claimed_at,
        completed_by=task.completed_by.name if task.completed_by else None,
        completed_at=task.completed_at,
        created_at=task.created_at,
    )


def update_out(case_id: str, result: UpdateResult) -> UpdateOut:
    return UpdateOut(
        case_id=case_id,
        phase=result.phase,
        status=result.status,
        outcome=result.outcome,
        task=task_state_out(case_id, result.task) if result.task else None,
        opened=[task_state_out(case_id, t) for t in result.opened],
        read_model_synced=result.read_model_synced,
    )

"""Calls from the API into the workflows: starting one (and waiting for its first read
model write), updates by method reference, and their refusals turned into HTTP errors.

The workflow is the source of truth: an update answered here was accepted (and
written to its history) even when the read model write behind it timed out.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

import structlog
from fastapi import HTTPException
from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.workflow import UpdateMethodMultiParam

from core.config import Settings
from core.logging import bind_case
from domain.messages import UpdateError, UpdateResult, workflow_id_for
from workflows.case_workflow import CaseWorkflow

log = structlog.get_logger()

START_TIMEOUT = timedelta(seconds=10)
UPDATE_TIMEOUT = timedelta(seconds=30)
# the workflow validators' refusals (``UpdateError`` kinds) as HTTP status codes
UPDATE_ERROR_STATUS = {
    UpdateError.NOT_FOUND: 404,
    UpdateError.CONFLICT: 409,
    UpdateError.FORBIDDEN: 403,
    UpdateError.INVALID: 422,
}
UNAVAILABLE = (
    RPCStatusCode.UNAVAILABLE,
    RPCStatusCode.DEADLINE_EXCEEDED,
    RPCStatusCode.CANCELLED,
    RPCStatusCode.RESOURCE_EXHAUSTED,
)
Cmd = TypeVar("Cmd")
R = TypeVar("R")
Update = UpdateMethodMultiParam[[CaseWorkflow, Cmd], UpdateResult]


class StartFailed(Exception):
    """Temporal did not confirm the workflow start."""


async def start_synced(
    client: Client, workflow: str, arg: Any, workflow_id: str, settings: Settings
) -> None:
    """Start a workflow (or find it running under that id) and wait, best effort, until
    its read model shows it (its ``sync_read_model`` update)."""
    try:
        handle = await client.start_workflow(
            workflow,
            arg,
            id=workflow_id,
            task_queue=settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            rpc_timeout=START_TIMEOUT,
        )
    except RPCError as err:
        log.warning("workflow_start_failed", status=err.status.name)
        raise StartFailed(err.status.name) from err
    except TimeoutError as err:
        log.warning("workflow_start_failed", status="timeout")
        raise StartFailed("timeout") from err
    try:  # best effort: the response then already shows the first tasks
        await handle.execute_update("sync_read_model", result_type=bool, rpc_timeout=START_TIMEOUT)
    except (RPCError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError):
        log.info("read_model_not_synced_after_start")


def _rpc_error(err: RPCError, what: str) -> HTTPException:
    if err.status == RPCStatusCode.NOT_FOUND:
        return HTTPException(409, f"{what} is no longer running (closed)")
    if err.status in UNAVAILABLE:
        return HTTPException(
            503,
            "Temporal is niet bereikbaar (Temporal is unreachable); "
            "nothing was changed, retry later",
        )
    return HTTPException(409, f"the {what} workflow refused the request ({err.status.name})")


async def execute_update(
    client: Client,
    workflow_id: str,
    update: UpdateMethodMultiParam[..., R],
    cmd: Any,
    what: str,
) -> R:
    """Execute an update of any workflow (``what`` names it in errors: "case X");
    validator refusals become 404/409/403/422."""
    name = getattr(update, "__name__", "update")
    handle = client.get_workflow_handle(workflow_id)
    try:
        return await handle.execute_update(update, cmd, rpc_timeout=UPDATE_TIMEOUT)
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        if isinstance(cause, ApplicationError) and cause.type in UPDATE_ERROR_STATUS:
            raise HTTPException(UPDATE_ERROR_STATUS[cause.type], cause.message) from None
        log.warning("update_failed", update=name, cause=type(cause).__name__)
        raise HTTPException(409, f"the {what} refused {name}") from None
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        log.warning("update_timeout", update=name)
        raise HTTPException(
            503,
            f"no answer from the {what} workflow in time; check the task before retrying ({name})",
        ) from None
    except RPCError as err:
        log.warning("update_rpc_error", update=name, status=err.status.name)
        raise _rpc_error(err, what) from None


async def run_update(client: Client, case_id: str, update: Update[Cmd], cmd: Cmd) -> UpdateResult:
    """Execute a case workflow update (``CaseWorkflow.complete_task``, ...)."""
    bind_case(case_id)
    return await execute_update(client, workflow_id_for(case_id), update, cmd, f"case {case_id}")


def refusal_status(kind: str) -> int:
    return UPDATE_ERROR_STATUS.get(kind, 409)

"""Calls from the API into a case workflow: updates (by method reference) and their
refusals turned into HTTP errors.

The workflow is the source of truth: an update answered here was accepted (and
written to its history) even when the read model write behind it timed out.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

import structlog
from fastapi import HTTPException
from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.workflow import UpdateMethodMultiParam

from core.logging import bind_case
from domain.messages import UpdateError, UpdateResult, workflow_id_for
from workflows.case_workflow import CaseWorkflow

log = structlog.get_logger()

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
Update = UpdateMethodMultiParam[[CaseWorkflow, Cmd], UpdateResult]


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


async def run_update(client: Client, case_id: str, update: Update[Cmd], cmd: Cmd) -> UpdateResult:
    """Execute a case workflow update (``CaseWorkflow.complete_task``, ...); validator
    refusals become 404/409/403/422."""
    bind_case(case_id)
    name = getattr(update, "__name__", "update")
    handle = client.get_workflow_handle(workflow_id_for(case_id))
    try:
        return await handle.execute_update(update, cmd, rpc_timeout=UPDATE_TIMEOUT)
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        if isinstance(cause, ApplicationError) and cause.type in UPDATE_ERROR_STATUS:
            raise HTTPException(UPDATE_ERROR_STATUS[cause.type], cause.message) from None
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


def refusal_status(kind: str) -> int:
    return UPDATE_ERROR_STATUS.get(kind, 409)

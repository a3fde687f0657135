"""Calls from the API into the workflows: starting one (and waiting for its first read
model write), updates by method reference with a bounded wait, and their refusals turned
into HTTP errors.

The workflow is the source of truth: an update answered here was accepted (and
written to its history) even when the read model write behind it timed out.

Nothing is left uncertain:

- every attempt carries ``not_after`` (now + ``CASUSREGIE_UPDATE_TIMEOUT_S``); when no
  worker has accepted it by then the API answers 503 with ``Retry-After``, and a worker
  that picks the attempt up later refuses it (``UpdateError.EXPIRED``): not applied;
- the update id is the caller's idempotency key (``api/services/idempotency.py``), so
  Temporal de-duplicates a retry: it gets the outcome of the attempt that was applied
  (also after the workflow closed), or joins the one still waiting.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import structlog
from fastapi import HTTPException
from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
    WorkflowUpdateStage,
)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.workflow import UpdateMethodMultiParam

from core.config import Settings, get_settings
from core.logging import bind_case
from domain.messages import UpdateError, UpdateResult, workflow_id_for
from workflows.case_workflow import CaseWorkflow

log = structlog.get_logger()

START_TIMEOUT = timedelta(seconds=10)
# after a failed update-with-start: how long to wait for word of the start itself
START_CONFIRM_S = 1.0
# after acceptance the handler waits at most SYNC_WAIT (10 s) for the read model
RESULT_TIMEOUT = timedelta(seconds=30)
# the API waits this much longer than the attempt's not_after, so a worker never accepts
# an attempt the API has already answered 503 to (clock skew below this is harmless)
ACCEPT_GRACE_S = 2.0
RETRY_AFTER_S = 5
# the workflow validators' refusals (``UpdateError`` kinds) as HTTP status codes
UPDATE_ERROR_STATUS = {
    UpdateError.NOT_FOUND: 404,
    UpdateError.CONFLICT: 409,
    UpdateError.FORBIDDEN: 403,
    UpdateError.INVALID: 422,
    UpdateError.EXPIRED: 503,
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
    its read model shows it (its ``sync_read_model`` update): one round trip, an
    update-with-start."""
    start: WithStartWorkflowOperation[Any, Any] = WithStartWorkflowOperation(
        workflow,
        arg,
        id=workflow_id,
        task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    try:
        await client.execute_update_with_start_workflow(
            "sync_read_model",
            start_workflow_operation=start,
            result_type=bool,
            rpc_timeout=START_TIMEOUT,
        )
        return
    except (WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, RPCError) as err:
        failure: BaseException = err
    except TimeoutError as err:
        failure = err
    # the update was not confirmed: was the workflow started?
    try:
        await asyncio.wait_for(start.workflow_handle(), START_CONFIRM_S)
    except RPCError as err:
        log.warning("workflow_start_failed", status=err.status.name)
        raise StartFailed(err.status.name) from err
    except TimeoutError as err:
        log.warning("workflow_start_failed", status="timeout", error=type(failure).__name__)
        raise StartFailed("timeout") from err
    # best effort: the response then already shows the first tasks
    log.info("read_model_not_synced_after_start", error=type(failure).__name__)


def unavailable(detail: str) -> HTTPException:
    return HTTPException(503, detail, headers={"Retry-After": str(RETRY_AFTER_S)})


def _rpc_error(err: RPCError, what: str) -> HTTPException:
    if err.status == RPCStatusCode.NOT_FOUND:
        return HTTPException(409, f"{what} is no longer running (closed)")
    if err.status in UNAVAILABLE:
        return unavailable(
            "Temporal is niet bereikbaar (Temporal is unreachable); "
            "nothing was changed, retry later"
        )
    return HTTPException(409, f"the {what} workflow refused the request ({err.status.name})")


def _refusal(err: WorkflowUpdateFailedError, name: str, what: str) -> HTTPException:
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type in UPDATE_ERROR_STATUS:
        status = UPDATE_ERROR_STATUS[cause.type]
        if status == 503:
            return unavailable(f"{cause.message}; retry (with the same Idempotency-Key)")
        return HTTPException(status, cause.message)
    log.warning("update_failed", update=name, cause=type(cause).__name__)
    return HTTPException(409, f"the {what} refused {name}")


def _with_deadline(cmd: Any, timeout_s: float) -> Any:
    """The command with its acceptance deadline, for commands that carry one."""
    if dataclasses.is_dataclass(cmd) and "not_after" in {f.name for f in dataclasses.fields(cmd)}:
        return dataclasses.replace(cmd, not_after=datetime.now(UTC) + timedelta(seconds=timeout_s))  # type: ignore[type-var]
    return cmd


async def execute_update(
    client: Client,
    workflow_id: str,
    update: UpdateMethodMultiParam[..., R],
    cmd: Any,
    what: str,
    *,
    update_id: str | None = None,
    timeout_s: float | None = None,
) -> R:
    """Execute an update of any workflow (``what`` names it in errors: "case X").
    Refusals become 404/409/403/422; no worker accepting it within ``timeout_s``
    (default ``CASUSREGIE_UPDATE_TIMEOUT_S``) becomes 503 with Retry-After."""
    timeout_s = get_settings().update_timeout_s if timeout_s is None else timeout_s
    name = getattr(update, "__name__", "update")
    handle = client.get_workflow_handle(workflow_id)
    update_id = update_id or str(uuid.uuid4())
    wait = timeout_s + ACCEPT_GRACE_S
    for attempt in (1, 2):  # a second only when a worker refused the first as too late
        sent = _with_deadline(cmd, timeout_s)
        try:
            try:
                async with asyncio.timeout(wait):
                    accepted = await handle.start_update(
                        update,
                        sent,
                        id=update_id,
                        wait_for_stage=WorkflowUpdateStage.ACCEPTED,
                        rpc_timeout=timedelta(seconds=wait),
                    )
            except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
                log.warning("update_not_accepted", update=name, seconds=timeout_s)
                raise unavailable(
                    f"geen worker nam de wijziging aan binnen {timeout_s:g} s; niets gewijzigd "
                    "(no worker accepted the change in time; nothing was changed, retry "
                    "with the same Idempotency-Key)"
                ) from None
            try:
                result: R = await accepted.result(rpc_timeout=RESULT_TIMEOUT)
            except WorkflowUpdateRPCTimeoutOrCancelledError:
                log.warning("update_result_timeout", update=name)
                raise unavailable(
                    "de wijziging is aangenomen, de uitkomst volgt (the change was accepted; "
                    "retry with the same Idempotency-Key for its result)"
                ) from None
            return result
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            late = isinstance(cause, ApplicationError) and cause.type == UpdateError.EXPIRED
            if late and attempt == 1:
                log.info("update_attempt_expired_resending", update=name)
                continue  # a worker is there now: send it again with a fresh deadline
            raise _refusal(err, name, what) from None
        except RPCError as err:
            log.warning("update_rpc_error", update=name, status=err.status.name)
            raise _rpc_error(err, what) from None
    raise AssertionError("unreachable")


async def run_update(
    client: Client,
    case_id: str,
    update: Update[Cmd],
    cmd: Cmd,
    *,
    update_id: str | None = None,
    timeout_s: float | None = None,
) -> UpdateResult:
    """Execute a case workflow update (``CaseWorkflow.complete_task``, ...)."""
    bind_case(case_id)
    return await execute_update(
        client,
        workflow_id_for(case_id),
        update,
        cmd,
        f"case {case_id}",
        update_id=update_id,
        timeout_s=timeout_s,
    )


def refusal_status(kind: str) -> int:
    return UPDATE_ERROR_STATUS.get(kind, 409)

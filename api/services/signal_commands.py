"""The changes people make to an early signal, for the JSON routes and the pages alike:
completing (assessing) and claiming its ``assess_signal`` task. As for a case
(``commands.py``): the rules of ``domain/signals.py`` on the read model first, then the
signal workflow's update, whose validator applies them again; the API writes no task
state itself.

``start_case`` takes two steps, each safe to repeat. The workflow records the decision
(status ``starting_case``); the API then starts the case with
``api/services/cases.start_case`` under the key ``signal:<id>`` and links it to the
signal (update ``link_case``: status ``case_started``). Completing ``start_case`` again
(a retry after a time-out, a second click, a colleague) changes nothing in the workflow
and finishes the same start: one signal never starts two cases.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session
from temporalio.client import Client
from temporalio.workflow import UpdateMethodMultiParam

from api.requestid import current_request_id
from api.schemas import CaseCreate, SignalUpdateOut, TaskOut
from api.scoping import Principal
from api.services.cases import start_case
from api.services.commands import checked, may_write
from api.services.tasks import task_out
from api.services.workflow import execute_update
from core.config import Settings
from core.crypto import decrypt_text
from db.models import Case, Signal, Task
from db.read_model import signal_task_row
from domain import signals as rules
from domain.messages import Actor, ClaimTask, CompleteTask, TaskState
from domain.permissions import check_assignee
from domain.signal_messages import LinkCase, SignalUpdateResult
from domain.signals import SignalOutcome
from workflows.signal_workflow import SignalWorkflow

Cmd = TypeVar("Cmd")


async def _update(
    client: Client,
    signal: Signal,
    update: UpdateMethodMultiParam[[SignalWorkflow, Cmd], SignalUpdateResult],
    cmd: Cmd,
) -> SignalUpdateResult:
    return await execute_update(client, signal.workflow_id, update, cmd, f"signal {signal.id}")


async def complete_task(
    client: Client,
    session: Session,
    principal: Principal,
    signal: Signal,
    task: Task,
    outcome: str,
    settings: Settings,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> SignalUpdateOut:
    may_write(principal)
    cmd = CompleteTask(
        task_id=task.id,
        outcome=outcome,
        actor=principal.actor,
        note=note,
        data=dict(data or {}),
        request_id=current_request_id(),
    )
    checked(lambda: rules.check_assess(task, cmd))
    if rules.is_retry(task, cmd) and signal.case_id is not None:  # all done already
        return SignalUpdateOut(
            signal_id=signal.id,
            status=signal.status,
            outcome=task.outcome,
            case_id=signal.case_id,
            task=task_out(task),
            read_model_synced=True,
        )
    result = await _update(client, signal, SignalWorkflow.complete_task, cmd)
    if result.task.outcome == SignalOutcome.START_CASE and result.case_id is None:
        case = await _start_case(session, client, principal, signal, result.task, settings)
        link = LinkCase(case_id=case.id, actor=principal.actor, request_id=cmd.request_id)
        result = await _update(client, signal, SignalWorkflow.link_case, link)
    return update_out(signal.id, result)


async def _start_case(
    session: Session,
    client: Client,
    principal: Principal,
    signal: Signal,
    task: TaskState,
    settings: Settings,
) -> Case:
    """The case with the signal's data and the entry the decision recorded."""
    body = CaseCreate.model_validate(
        {
            "client_ref": decrypt_text(signal.client_ref_encrypted, settings),
            "sector": signal.sector,
            "region": signal.region,
            "entry": task.data["entry"],
            "provider_org": signal.provider_org,
            "oco_org": signal.oco_org,
            "summary": decrypt_text(signal.note_encrypted, settings),
        }
    )
    started = await start_case(
        session, client, principal, body, None, settings, current_request_id(), signal_id=signal.id
    )
    return started.case


async def claim_task(
    client: Client,
    principal: Principal,
    signal: Signal,
    task: Task,
    release: bool,
    force: bool,
    assignee: Actor | None = None,
) -> SignalUpdateOut:
    may_write(principal)
    cmd = ClaimTask(
        task_id=task.id,
        actor=principal.actor,
        release=release,
        force=force,
        request_id=current_request_id(),
        assignee=assignee,
    )
    # who holds the claim is the workflow's to judge (the read model keeps only a name)
    checked(lambda: rules.check_open_task(task, task.id, cmd.actor))
    checked(lambda: check_assignee(cmd, task))
    return update_out(signal.id, await _update(client, signal, SignalWorkflow.claim_task, cmd))


def update_out(signal_id: str, result: SignalUpdateResult) -> SignalUpdateOut:
    return SignalUpdateOut(
        signal_id=signal_id,
        status=result.status,
        outcome=result.task.outcome,
        case_id=result.case_id,
        task=TaskOut.model_validate(signal_task_row(result.task, signal_id)),
        read_model_synced=result.read_model_synced,
    )

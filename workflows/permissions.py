"""The update validators: the rules of ``domain/permissions.py`` applied to the
workflow's own state, before anything is written to history. A refusal becomes an
``ApplicationError`` whose type is the ``UpdateError`` kind (the API's 404/409/403/422).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from domain import permissions as rules
from domain import signals
from domain.messages import CaseAction, CaseState, ClaimTask, CompleteTask, UpdateError
from domain.process import ProcessDefinition
from domain.signal_messages import LinkCase, SignalState

Command = CompleteTask | ClaimTask | CaseAction


def _validated(check: Callable[[], None]) -> None:
    try:
        check()
    except rules.Refused as refused:
        raise ApplicationError(refused.message, type=refused.kind, non_retryable=True) from None


def check_not_expired(cmd: Command) -> None:
    """Refuse an attempt the API has already answered 503 to (its ``not_after`` passed):
    a caller that gave up must not find its change applied later, unseen.

    Reads the wall clock, not ``workflow.now()``: the deadline is the API's real time, and
    validators never run on replay (a refusal leaves no trace in history), so this cannot
    break determinism."""
    if cmd.not_after is None:
        return
    with workflow.unsafe.sandbox_unrestricted():
        now = time.time()
    if now > cmd.not_after.timestamp():
        raise ApplicationError(
            "the request arrived after the API stopped waiting for it; not applied",
            type=UpdateError.EXPIRED,
            non_retryable=True,
        )


def validate_complete(state: CaseState, defn: ProcessDefinition, cmd: CompleteTask) -> None:
    check_not_expired(cmd)
    task = state.task(cmd.task_id)
    tdef = defn.task(task.key) if task else None
    _validated(lambda: rules.check_complete(state, task, tdef, cmd, tasks=state.tasks, defn=defn))


def validate_claim(state: CaseState, cmd: ClaimTask) -> None:
    check_not_expired(cmd)
    task = state.task(cmd.task_id)
    holder = task.claimed_by if task else None
    _validated(lambda: rules.check_claim(state, task, holder, cmd))


def validate_action(state: CaseState, defn: ProcessDefinition, cmd: CaseAction) -> None:
    check_not_expired(cmd)
    task = state.task(str(cmd.data.get("task_id") or ""))
    _validated(lambda: rules.check_action(state, cmd, defn, task))


def validate_assess(state: SignalState, cmd: CompleteTask) -> None:
    check_not_expired(cmd)
    _validated(lambda: signals.check_assess(state.task, cmd))


def validate_signal_claim(state: SignalState, cmd: ClaimTask) -> None:
    check_not_expired(cmd)
    _validated(lambda: signals.check_claim(state.task, state.task.claimed_by, cmd))


def validate_link_case(state: SignalState, cmd: LinkCase) -> None:
    _validated(lambda: signals.check_link_case(state.task, state.case_id, cmd.case_id, cmd.actor))

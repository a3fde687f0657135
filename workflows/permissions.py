"""The update validators: the rules of ``domain/permissions.py`` applied to the
workflow's own state, before anything is written to history. A refusal becomes an
``ApplicationError`` whose type is the ``UpdateError`` kind (the API's 404/409/403/422).
"""

from __future__ import annotations

from collections.abc import Callable

from temporalio.exceptions import ApplicationError

from domain import permissions as rules
from domain import signals
from domain.messages import CaseAction, CaseState, ClaimTask, CompleteTask
from domain.process import ProcessDefinition
from domain.signal_messages import LinkCase, SignalState


def _validated(check: Callable[[], None]) -> None:
    try:
        check()
    except rules.Refused as refused:
        raise ApplicationError(refused.message, type=refused.kind, non_retryable=True) from None


def validate_complete(state: CaseState, defn: ProcessDefinition, cmd: CompleteTask) -> None:
    task = state.task(cmd.task_id)
    tdef = defn.task(task.key) if task else None
    _validated(lambda: rules.check_complete(state, task, tdef, cmd, tasks=state.tasks, defn=defn))


def validate_claim(state: CaseState, cmd: ClaimTask) -> None:
    task = state.task(cmd.task_id)
    holder = task.claimed_by if task else None
    _validated(lambda: rules.check_claim(state, task, holder, cmd))


def validate_action(state: CaseState, defn: ProcessDefinition, cmd: CaseAction) -> None:
    task = state.task(str(cmd.data.get("task_id") or ""))
    _validated(lambda: rules.check_action(state, cmd, defn, task))


def validate_assess(state: SignalState, cmd: CompleteTask) -> None:
    _validated(lambda: signals.check_assess(state.task, cmd))


def validate_signal_claim(state: SignalState, cmd: ClaimTask) -> None:
    _validated(lambda: signals.check_claim(state.task, state.task.claimed_by, cmd))


def validate_link_case(state: SignalState, cmd: LinkCase) -> None:
    _validated(lambda: signals.check_link_case(state.task, state.case_id, cmd.case_id, cmd.actor))

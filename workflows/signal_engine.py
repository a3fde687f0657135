"""The signal's logic, pure (no Temporal): a new signal opens ``assess_signal`` for the
zorgkantoor of its region; completing it records the decision; a decided case start is
finished when the API links the case it started. The rules are ``domain/signals.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from domain.messages import ClaimTask, CompleteTask, TaskState
from domain.signal_messages import (
    LinkCase,
    SignalChanges,
    SignalInput,
    SignalState,
    SignalUpdateResult,
)
from domain.signals import ASSESS_SIGNAL, DEFAULT_ENTRY, STATUS_AFTER, SignalOutcome, is_retry
from domain.signals import SignalStatus as Status
from domain.vocabulary import INTAKE_PHASE, TaskStatus


def new_state(inp: SignalInput, now: datetime) -> SignalState:
    task = TaskState(
        id=f"{inp.signal_id}:t1",
        key=ASSESS_SIGNAL.key,
        phase=INTAKE_PHASE,
        title=ASSESS_SIGNAL.title,
        owner_role=ASSESS_SIGNAL.owner.value,
        owner_org=inp.zorgkantoor_org,
        supports=[],
        allowed_outcomes=list(ASSESS_SIGNAL.allowed_outcomes),
        created_at=now,
    )
    return SignalState(signal_id=inp.signal_id, kind=inp.kind, status=Status.OPEN, task=task)


class SignalEngine:
    def __init__(self, state: SignalState, now: Callable[[], datetime]) -> None:
        self.state = state
        self.now = now

    @property
    def finished(self) -> bool:
        """Assessed, and a decided case start is linked to its case."""
        return self.state.task.status != TaskStatus.OPEN and self.state.status not in (
            Status.OPEN,
            Status.STARTING_CASE,
        )

    def result(self) -> SignalUpdateResult:
        s = self.state
        return SignalUpdateResult(status=s.status, task=s.task, case_id=s.case_id)

    def changes(self) -> SignalChanges:
        s = self.state
        return SignalChanges(signal_id=s.signal_id, status=s.status, task=s.task, case_id=s.case_id)

    def complete(self, cmd: CompleteTask) -> SignalUpdateResult:
        task = self.state.task
        if is_retry(task, cmd):  # the decision stands; the API finishes starting the case
            return self.result()
        data = dict(cmd.data)
        if cmd.outcome == SignalOutcome.START_CASE:
            data.setdefault("entry", DEFAULT_ENTRY[self.state.kind].value)
        task.status, task.outcome = TaskStatus.DONE, cmd.outcome
        task.note, task.data = cmd.note or None, data
        task.completed_by, task.completed_at = cmd.actor, self.now()
        self.state.status = STATUS_AFTER[cmd.outcome]
        return self.result()

    def claim(self, cmd: ClaimTask) -> SignalUpdateResult:
        task = self.state.task
        if cmd.release:
            task.claimed_by, task.claimed_at = None, None
        else:
            task.claimed_by, task.claimed_at = cmd.holder, self.now()
        return self.result()

    def link_case(self, cmd: LinkCase) -> SignalUpdateResult:
        self.state.case_id = cmd.case_id
        self.state.status = Status.CASE_STARTED
        return self.result()

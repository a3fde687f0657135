"""The signal workflow: one per early signal, from sending to its assessment.

A thin shell around ``SignalEngine``: updates with validators (the rules of
``domain/signals.py``), and the whole signal handed to the idempotent read-model
activity before an update answers, as ``CaseWorkflow`` does for a case.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.read_model import ReadModelActivities
    from domain.messages import ClaimTask, CompleteTask
    from domain.signal_messages import (
        SIGNAL_WORKFLOW_NAME,
        LinkCase,
        SignalInput,
        SignalResult,
        SignalState,
        SignalUpdateResult,
    )
    from workflows.case_workflow import READ_MODEL_RETRY

    # not "from workflows import permissions" (workflows/case_workflow.py)
    from workflows.permissions import validate_assess, validate_link_case, validate_signal_claim
    from workflows.signal_engine import SignalEngine, new_state

# how long an update waits for the signal's read model before answering anyway
SIGNAL_SYNC_WAIT = timedelta(seconds=10)


@workflow.defn(name=SIGNAL_WORKFLOW_NAME)
class SignalWorkflow:
    @workflow.init
    def __init__(self, inp: SignalInput) -> None:
        self._engine = SignalEngine(new_state(inp, workflow.now()), workflow.now)
        self._changes = 1  # the new signal and its task: written before any update answers
        self._synced = 0

    @workflow.run
    async def run(self, inp: SignalInput) -> SignalResult:
        while True:
            await self._flush()
            if self._engine.finished:
                break
            await workflow.wait_condition(lambda: self._changes > self._synced)
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._flush()
        s = self._engine.state
        return SignalResult(signal_id=s.signal_id, status=s.status, case_id=s.case_id)

    async def _flush(self) -> None:
        target = self._changes
        if target <= self._synced:
            return
        await workflow.execute_activity_method(
            ReadModelActivities.apply_signal_changes,
            self._engine.changes(),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=READ_MODEL_RETRY,
        )
        self._synced = max(self._synced, target)

    async def _read_model_caught_up(self) -> bool:
        target = self._changes
        try:
            await workflow.wait_condition(lambda: self._synced >= target, timeout=SIGNAL_SYNC_WAIT)
        except TimeoutError:
            return False
        return True

    async def _changed(self, result: SignalUpdateResult) -> SignalUpdateResult:
        self._changes += 1
        result.read_model_synced = await self._read_model_caught_up()
        return result

    # ------------------------------------------------------------------ updates
    @workflow.update
    async def complete_task(self, cmd: CompleteTask) -> SignalUpdateResult:
        return await self._changed(self._engine.complete(cmd))

    @complete_task.validator
    def _validate_complete(self, cmd: CompleteTask) -> None:
        validate_assess(self._engine.state, cmd)

    @workflow.update
    async def claim_task(self, cmd: ClaimTask) -> SignalUpdateResult:
        return await self._changed(self._engine.claim(cmd))

    @claim_task.validator
    def _validate_claim(self, cmd: ClaimTask) -> None:
        validate_signal_claim(self._engine.state, cmd)

    @workflow.update
    async def link_case(self, cmd: LinkCase) -> SignalUpdateResult:
        return await self._changed(self._engine.link_case(cmd))

    @link_case.validator
    def _validate_link(self, cmd: LinkCase) -> None:
        validate_link_case(self._engine.state, cmd)

    @workflow.update
    async def sync_read_model(self) -> bool:
        """Returns once the read model shows the signal as it is now (False on time-out)."""
        return await self._read_model_caught_up()

    # ------------------------------------------------------------------ queries
    @workflow.query
    def state(self) -> SignalState:
        return self._engine.state

"""The case workflow: one per case, from start to a closing outcome.

It owns a ``CaseEngine`` (the step-plan interpreter), turns updates into engine
commands, fires the engine's deadlines with one updatable timer, and hands every
change to the read-model activity (and notifications) before an update returns.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.read_model import ReadModelActivities
    from workflows import permissions
    from workflows.case_actions import apply_action
    from workflows.engine import CaseEngine
    from workflows.messages import (
        SYSTEM,
        WORKFLOW_NAME,
        CaseAction,
        CaseInput,
        CaseResult,
        CaseState,
        ClaimTask,
        CompleteTask,
        ReadModelChanges,
        UpdateResult,
    )

# the read model must catch up eventually: retry without limit, backing off to a minute
READ_MODEL_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1),
                               maximum_interval=timedelta(minutes=1))
# how long an update waits for the read model before answering anyway
SYNC_WAIT = timedelta(seconds=10)


@workflow.defn(name=WORKFLOW_NAME)
class CaseWorkflow:
    @workflow.init
    def __init__(self, inp: CaseInput) -> None:
        state = inp.resume or CaseEngine.new_state(inp, workflow.now())
        self._engine = CaseEngine(inp, state, workflow.now)
        self._changes = 0  # bumped by every state change
        self._synced = 0  # the change count the read model has caught up with

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseResult:
        engine = self._engine
        if inp.resume is None:
            engine.start(inp.started_by or SYSTEM, inp.request_id)
            self._changes += 1
        while True:
            await self._flush()
            if engine.state.status != "open":
                break
            if self._should_continue_as_new():
                await workflow.wait_condition(workflow.all_handlers_finished)
                await self._flush()
                workflow.continue_as_new(replace(inp, resume=engine.state))
            await self._wait_for_change_or_deadline()
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._flush()
        return CaseResult(case_id=inp.case_id, outcome=engine.state.outcome or "")

    async def _wait_for_change_or_deadline(self) -> None:
        def pending() -> bool:
            return self._changes > self._synced

        deadline = self._engine.next_deadline()
        if deadline is None:
            await workflow.wait_condition(pending)
            return
        delay = deadline - workflow.now()
        if delay > timedelta(0):
            try:
                await workflow.wait_condition(pending, timeout=delay)
                return
            except TimeoutError:
                pass
        if self._engine.fire_due_timers():
            self._changes += 1

    def _should_continue_as_new(self) -> bool:
        return workflow.info().is_continue_as_new_suggested()

    async def _flush(self) -> None:
        target = self._changes
        changes, _intents = self._engine.drain()
        if changes is not None:
            await self._write_read_model(changes)
        self._synced = max(self._synced, target)

    async def _write_read_model(self, changes: ReadModelChanges) -> None:
        await workflow.execute_activity_method(
            ReadModelActivities.apply_changes, changes,
            start_to_close_timeout=timedelta(seconds=30), retry_policy=READ_MODEL_RETRY,
        )

    async def _read_model_caught_up(self) -> bool:
        """Wait (bounded) until the read model shows every change made so far."""
        target = self._changes
        try:
            await workflow.wait_condition(lambda: self._synced >= target, timeout=SYNC_WAIT)
        except TimeoutError:
            return False
        return True

    async def _changed(self, result: UpdateResult) -> UpdateResult:
        self._changes += 1
        result.read_model_synced = await self._read_model_caught_up()
        return result

    # ------------------------------------------------------------------ updates
    @workflow.update
    async def complete_task(self, cmd: CompleteTask) -> UpdateResult:
        return await self._changed(self._engine.complete(cmd))

    @complete_task.validator
    def _validate_complete(self, cmd: CompleteTask) -> None:
        permissions.validate_complete(self._engine.state, self._engine.defn, cmd)

    @workflow.update
    async def claim_task(self, cmd: ClaimTask) -> UpdateResult:
        return await self._changed(self._engine.claim(cmd))

    @claim_task.validator
    def _validate_claim(self, cmd: ClaimTask) -> None:
        permissions.validate_claim(self._engine.state, cmd)

    @workflow.update
    async def case_action(self, cmd: CaseAction) -> UpdateResult:
        return await self._changed(apply_action(self._engine, cmd))

    @case_action.validator
    def _validate_action(self, cmd: CaseAction) -> None:
        permissions.validate_action(self._engine.state, cmd)

    @workflow.update
    async def sync_read_model(self) -> bool:
        """Returns once the read model shows the case as it is now (False on time-out);
        the API calls it after starting a case so the response shows the first tasks."""
        return await self._read_model_caught_up()

    # ------------------------------------------------------------------ queries
    @workflow.query
    def state(self) -> CaseState:
        return self._engine.state

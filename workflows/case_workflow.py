"""The case workflow: one per case, from start to a closing outcome.

It owns a ``CaseEngine`` (the step-plan interpreter), turns updates into engine
commands, fires the engine's deadlines with one updatable timer, and hands every
change to the read-model activity (and notifications) before an update returns.
"""

from __future__ import annotations

import asyncio
import contextvars
from dataclasses import fields, replace
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RawValue, RetryPolicy
from temporalio.exceptions import CancelledError, FailureError

with workflow.unsafe.imports_passed_through():
    from activities.read_model import ReadModelActivities
    from domain.messages import (
        SYSTEM,
        WORKFLOW_NAME,
        WRITE_READ_MODEL,
        WRITE_READ_MODEL_AND_OUTBOX,
        CaseAction,
        CaseInput,
        CaseResult,
        CaseState,
        ClaimTask,
        CompleteTask,
        NotificationIntent,
        ReadModelChanges,
        UpdateResult,
    )
    from domain.notification_messages import (
        EnqueueNotificationsResult,
        ReadModelAndOutbox,
        ReadModelAndOutboxEnqueued,
    )
    from domain.permissions import TaskFacts
    from domain.process import NOTIFICATION_FAILED
    from workflows.case_actions import apply_action
    from workflows.engine import CaseEngine
    from workflows.notifications import (
        NotificationFailure,
        deliver_enqueued,
        send_notifications,
    )

    # not "from workflows import permissions": that form imports the module anew in the
    # sandbox of every workflow instance (compiling it, without bytecode), past the
    # passthrough
    from workflows.permissions import validate_action, validate_claim, validate_complete

TASK_FACTS = [f.name for f in fields(TaskFacts)]  # what the rules read of a task
# the read model must catch up eventually: retry without limit, backing off to a minute
READ_MODEL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1)
)
# An update that arrives while the workflow drains (before continuing as new, or at the
# end) waits for its change to reach the read model, and the drain waited for the update
# to finish: the update gave up after its sync wait (read_model_synced=False). Patched:
# the drain writes such changes itself. Runs without the marker keep the old wait.
DRAIN_WRITES_UPDATES = "drain-writes-waiting-updates-v2"
# Patched: the read model is written by a local activity, in this worker, without the
# round trip of an activity task through the server (an update answers one workflow
# task sooner). Its result is the batch, so the history still holds every batch for the
# audit tools. Runs without the marker keep the regular activity.
READ_MODEL_LOCAL = "read-model-local-activity-v1"
# A local activity holds the workflow task open while it runs: one attempt only, bounded
# (above SQLite's busy timeout of 10 s, so an attempt waiting for a lock ends by itself
# before this), then the regular activity with its unbounded retries takes over, so an
# outage of the database never holds up updates (their acceptance, their sync wait).
LOCAL_WRITE = RetryPolicy(maximum_attempts=1)
LOCAL_WRITE_TIMEOUT = timedelta(seconds=12)
# Patched: a batch that causes notifications is written with their outbox rows in one
# transaction by that local activity (the transactional outbox); the workflow then only
# delivers. Before (and when that write fails): the enqueue activity, then deliveries.
OUTBOX_WITH_READ_MODEL = "outbox-with-read-model-v1"


@workflow.defn(name=WORKFLOW_NAME)
class CaseWorkflow:
    @workflow.init
    def __init__(self, inp: CaseInput) -> None:
        state = inp.resume or CaseEngine.new_state(inp, workflow.now())
        self._engine = CaseEngine(inp, state, workflow.now, patched=workflow.patched)
        # how long an update waits for the read model before answering anyway
        self._sync_wait = timedelta(seconds=inp.sync_wait_seconds)
        # bumped by every state change; a new case starts with one (its first tasks), so
        # an update that arrives before run() still waits for them to be written
        self._changes = 0 if inp.resume else 1
        self._synced = 0  # the change count the read model has caught up with
        self._awaited: list[int] = []  # change counts that running updates wait for
        self._notifying: set[asyncio.Task[None]] = set()  # deliveries in flight
        # the context of the update whose change is not written yet: the read-model write
        # and notifications it causes run in it (tracing connects them to the caller)
        self._cause: contextvars.Context | None = None

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseResult:
        engine = self._engine
        if inp.resume is None:
            engine.start(inp.started_by or SYSTEM, inp.request_id)
        while True:
            await self._flush()
            if engine.finished:  # closed, and no follow-up (an evaluation) still open
                break
            if self._should_continue_as_new():
                await self._drain()
                workflow.continue_as_new(replace(inp, resume=engine.state))
            await self._wait_for_change_or_deadline()
        await self._drain()
        return CaseResult(case_id=inp.case_id, outcome=engine.state.outcome or "")

    async def _drain(self) -> None:
        """Let updates and notification deliveries finish, and write what they changed
        (also while they run: an update waits for its change to be written)."""
        while True:
            await workflow.wait_condition(lambda: self._idle() or self._update_waits())
            if not self._idle() and not workflow.patched(DRAIN_WRITES_UPDATES):
                await workflow.wait_condition(self._idle)  # before: the update gave up first
            await self._flush()
            # an update may have come in, or the write started deliveries
            if self._idle() or not workflow.patched(DRAIN_WRITES_UPDATES):
                return

    def _idle(self) -> bool:
        return workflow.all_handlers_finished() and not self._notifying

    def _update_waits(self) -> bool:
        return any(target > self._synced for target in self._awaited)

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
        cause, self._cause = self._cause, None
        changes, intents = self._engine.drain()
        enqueued: EnqueueNotificationsResult | None = None  # None: not in the outbox yet
        if changes is not None:
            write = self._write_read_model(changes, intents)
            enqueued = await (write if cause is None else asyncio.create_task(write, context=cause))
        self._synced = max(self._synced, target)
        if intents and (enqueued is None or enqueued.deliveries or enqueued.failed):
            delivery = asyncio.create_task(self._notify(intents, enqueued), context=cause)
            self._notifying.add(delivery)
            delivery.add_done_callback(self._notifying.discard)

    async def _notify(
        self, intents: list[NotificationIntent], enqueued: EnqueueNotificationsResult | None
    ) -> None:
        """Deliver in the background (enqueue first unless the read-model write did); a
        message that cannot be delivered is never dropped silently: it becomes a task
        for the zorgkantoor."""
        if enqueued is None:
            failures = await send_notifications(intents)
        else:
            failures = await deliver_enqueued(enqueued)
        for failure in failures:
            self._record_failed_notification(failure)
        if failures:
            self._changes += 1

    def _record_failed_notification(self, failure: NotificationFailure) -> None:
        detail: dict[str, Any] = {
            "recipient": failure.recipient,
            "channel": failure.channel,
            "event": failure.event,
            "outbox_id": failure.outbox_id,
        }
        self._engine.audit("notification_failed", SYSTEM, motivation=failure.error, **detail)
        # one open resolve task per case collects them (no loop when its own message fails)
        key = self._engine.defn.task_opened_by(NOTIFICATION_FAILED).key
        already = any(t.key == key for t in self._engine.state.open_tasks)
        if self._engine.state.status == "open" and not already:
            task = self._engine.open_task(key, SYSTEM)
            task.data.update(detail)

    async def _write_read_model(
        self, changes: ReadModelChanges, intents: list[NotificationIntent]
    ) -> EnqueueNotificationsResult | None:
        """Write the batch; with the outbox rows of ``intents`` when it could (their
        rows still to deliver), else None (they are not enqueued yet)."""
        if workflow.patched(READ_MODEL_LOCAL):
            try:
                if intents and workflow.patched(OUTBOX_WITH_READ_MODEL):
                    # by name, with the result's type: of the batch beside its outbox
                    # rows (ReadModelAndOutboxWritten) only the rows are decoded
                    written: ReadModelAndOutboxEnqueued = await workflow.execute_local_activity(
                        WRITE_READ_MODEL_AND_OUTBOX,
                        ReadModelAndOutbox(changes, intents),
                        result_type=ReadModelAndOutboxEnqueued,
                        start_to_close_timeout=LOCAL_WRITE_TIMEOUT,
                        retry_policy=LOCAL_WRITE,
                    )
                    return written.enqueued
                await workflow.execute_local_activity(
                    WRITE_READ_MODEL,
                    changes,
                    result_type=RawValue,  # the batch again, for the history: not decoded
                    start_to_close_timeout=LOCAL_WRITE_TIMEOUT,
                    retry_policy=LOCAL_WRITE,
                )
                return None
            except CancelledError:
                raise
            except FailureError:  # ActivityError, or the activity's own (ApplicationError)
                pass  # the database is slow or down: the regular activity retries
        await workflow.execute_activity_method(
            ReadModelActivities.apply_changes,
            changes,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=READ_MODEL_RETRY,
        )
        return None

    async def _read_model_caught_up(self) -> bool:
        """Wait (bounded) until the read model shows every change made so far."""
        target = self._changes
        self._awaited.append(target)
        try:
            await workflow.wait_condition(lambda: self._synced >= target, timeout=self._sync_wait)
        except TimeoutError:
            return False
        finally:
            self._awaited.remove(target)
        return True

    async def _changed(self, result: UpdateResult) -> UpdateResult:
        self._changes += 1
        self._cause = contextvars.copy_context()
        result.read_model_synced = await self._read_model_caught_up()
        return result

    # ------------------------------------------------------------------ updates
    @workflow.update
    async def complete_task(self, cmd: CompleteTask) -> UpdateResult:
        return await self._changed(self._engine.complete(cmd))

    @complete_task.validator
    def _validate_complete(self, cmd: CompleteTask) -> None:
        validate_complete(self._engine.state, self._engine.defn, cmd)

    @workflow.update
    async def claim_task(self, cmd: ClaimTask) -> UpdateResult:
        return await self._changed(self._engine.claim(cmd))

    @claim_task.validator
    def _validate_claim(self, cmd: ClaimTask) -> None:
        validate_claim(self._engine.state, cmd)

    @workflow.update
    async def case_action(self, cmd: CaseAction) -> UpdateResult:
        return await self._changed(apply_action(self._engine, cmd))

    @case_action.validator
    def _validate_action(self, cmd: CaseAction) -> None:
        validate_action(self._engine.state, self._engine.defn, cmd)

    @workflow.update
    async def sync_read_model(self) -> bool:
        """Returns once the read model shows the case as it is now (False on time-out);
        the API calls it after starting a case so the response shows the first tasks."""
        return await self._read_model_caught_up()

    # ------------------------------------------------------------------ queries
    @workflow.query
    def state(self) -> CaseState:
        return self._engine.state

    @workflow.query
    def open_work(self) -> dict[str, Any]:
        """What a party needs to work the case (the caseload simulator's parties ask it
        every simulated week, ``cli/simulation.PartyView``): the status, provider, notice
        and bridging, and of the tasks only those in a phase that has an open task (their
        gates, ``domain.permissions.missing_gates``), each with the fields to complete it.
        A plain dict: encoding all of ``state`` (every task with its data, timestamps and
        actors) cost the worker several times more."""
        state = self._engine.state
        phases = {t.phase for t in state.tasks if t.status == "open"}
        return {
            "status": state.status,
            "provider_org": state.provider_org,
            "notice": state.notice,
            "bridging": state.bridging,
            "tasks": [
                {**{name: getattr(t, name) for name in TASK_FACTS}, "overdue": t.overdue}
                for t in state.tasks
                if t.phase in phases
            ],
        }

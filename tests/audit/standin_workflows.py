"""A tiny workflow in several versions, to show what replay catches (own module: the
workflow sandbox re-imports it, so it imports nothing else). Version 1 writes a due
period through an activity and waits a day."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow

NAME = "VersionedStandIn"


@activity.defn(name="record")
async def record(values: dict) -> None:
    del values


async def _write(days: int) -> None:
    await workflow.execute_activity(
        record, {"due_days": days}, start_to_close_timeout=timedelta(seconds=10)
    )


@workflow.defn(name=NAME)
class Before:
    @workflow.run
    async def run(self) -> str:
        await _write(14)
        await workflow.sleep(timedelta(days=1))
        return "klaar"


@workflow.defn(name=NAME)
class NewStepUnguarded:
    @workflow.run
    async def run(self) -> str:
        await _write(14)
        await workflow.sleep(timedelta(days=1))
        await workflow.sleep(timedelta(hours=1))  # a new step: running cases break
        return "klaar"


@workflow.defn(name=NAME)
class NewStepWithPatch:
    @workflow.run
    async def run(self) -> str:
        await _write(14)
        await workflow.sleep(timedelta(days=1))
        if workflow.patched("extra-wait"):  # old histories take the old path
            await workflow.sleep(timedelta(hours=1))
        return "klaar"


@workflow.defn(name=NAME)
class NewValueUnguarded:
    @workflow.run
    async def run(self) -> str:
        await _write(7)  # same commands, another value: only strict replay notices
        await workflow.sleep(timedelta(days=1))
        return "klaar"


@workflow.defn(name=NAME)
class NewValueWithPatch:
    @workflow.run
    async def run(self) -> str:
        await _write(7 if workflow.patched("interval-v2") else 14)
        await workflow.sleep(timedelta(days=1))
        return "klaar"

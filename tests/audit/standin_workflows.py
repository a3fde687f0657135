"""A tiny workflow in three versions, to show what replay catches (own module: the
workflow sandbox re-imports it, so it imports nothing else)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

NAME = "VersionedStandIn"


@workflow.defn(name=NAME)
class Before:
    @workflow.run
    async def run(self) -> str:
        await workflow.sleep(timedelta(days=1))
        return "klaar"


@workflow.defn(name=NAME)
class ChangedUnguarded:
    @workflow.run
    async def run(self) -> str:
        await workflow.sleep(timedelta(days=1))
        await workflow.sleep(timedelta(hours=1))  # a new step: running cases break
        return "klaar"


@workflow.defn(name=NAME)
class ChangedWithPatch:
    @workflow.run
    async def run(self) -> str:
        await workflow.sleep(timedelta(days=1))
        if workflow.patched("extra-wait"):  # old histories take the old path
            await workflow.sleep(timedelta(hours=1))
        return "klaar"

"""A tiny workflow that only calls ``send_notifications``, as the case workflow does."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.messages import NotificationIntent
    from workflows.notifications import DELIVERY_RETRY, NotificationFailure, send_notifications


@dataclass
class NotifyInput:
    intents: list[NotificationIntent]
    max_attempts: int = 3


@workflow.defn
class NotifyWorkflow:
    @workflow.run
    async def run(self, data: NotifyInput) -> list[NotificationFailure]:
        policy = dataclasses.replace(
            DELIVERY_RETRY,
            initial_interval=timedelta(milliseconds=200),
            maximum_attempts=data.max_attempts,
        )
        return await send_notifications(data.intents, retry_policy=policy)

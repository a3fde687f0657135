"""``NotificationDigestWorkflow``: the daily digest (notifications/digest.py). A Temporal
schedule (``worker.ensure_digest_schedule``) starts it once a day at
``CASUSREGIE_DIGEST_HOUR`` (Amsterdam time): build one digest row per user who chose
``digest`` and has held messages, deliver each like any outbox row (bounded retries,
never twice), then give the held messages the digest's outcome."""

from __future__ import annotations

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.notifications import NotificationActivities
    from domain.notification_messages import (
        BuildDigestsInput,
        DigestReport,
        SettleDigestsInput,
    )
    from workflows.notifications import (
        DELIVERY_RETRY,
        ENQUEUE_RETRY,
        ENQUEUE_TIMEOUT,
        deliver_item,
    )

DIGEST_WORKFLOW_NAME = "NotificationDigestWorkflow"


@workflow.defn(name=DIGEST_WORKFLOW_NAME)
class NotificationDigestWorkflow:
    @workflow.run
    async def run(self) -> DigestReport:
        built = await workflow.execute_activity_method(
            NotificationActivities.build_digests,
            BuildDigestsInput(cutoff=workflow.now()),
            start_to_close_timeout=ENQUEUE_TIMEOUT,
            retry_policy=ENQUEUE_RETRY,
        )
        outcomes = await asyncio.gather(
            *(deliver_item(item, DELIVERY_RETRY) for item in built.deliveries)
        )
        failures = [f for f in outcomes if f is not None]
        for failure in failures:
            workflow.logger.warning(
                "daily digest not delivered to %s: %s", failure.recipient, failure.error
            )
        settled = await workflow.execute_activity_method(
            NotificationActivities.settle_digests,
            SettleDigestsInput([item.outbox_id for item in built.deliveries]),
            start_to_close_timeout=ENQUEUE_TIMEOUT,
            retry_policy=ENQUEUE_RETRY,
        )
        return DigestReport(digests=len(built.deliveries), failed=len(failures), messages=settled)

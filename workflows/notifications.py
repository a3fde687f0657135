"""Sending notifications from inside a workflow (deterministic code only).

``send_notifications(intents)`` writes the outbox through one idempotent activity, then
``deliver_enqueued`` delivers every row concurrently, each as its own activity with
bounded, backed-off retries (a case whose outbox rows were written with its read-model
batch only delivers). It never raises for a delivery problem: it returns one ``NotificationFailure``
per message that ended ``failed``, so the caller can open the zorgkantoor's
``resolve_failed_notification`` task. Deliveries may take minutes (retries): run it
where waiting does not block the case (e.g. a background task of the workflow).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.notifications import NotificationActivities
    from domain.messages import NotificationIntent
    from domain.notification_messages import (
        PERMANENT_ERROR_TYPE,
        DeliverNotificationInput,
        EnqueueNotificationsInput,
        EnqueueNotificationsResult,
        NotificationGivenUp,
        OutboxItem,
    )

ENQUEUE_TIMEOUT = timedelta(seconds=60)
DELIVERY_TIMEOUT = timedelta(minutes=2)  # SMTP/webhook socket timeouts are well below
ENQUEUE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=10,
)
# ~20 minutes from first try to giving up: 10s, 20s, 40s, ... capped at 10 minutes
DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=10),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
    maximum_attempts=8,
    non_retryable_error_types=[PERMANENT_ERROR_TYPE],
)
FAILED = "failed"


@dataclass
class NotificationFailure:
    """A message that could not be delivered (outbox row ``failed``)."""

    outbox_id: str  # empty when the outbox could not be written at all
    recipient: str  # organisation name
    channel: str  # email | webhook ("" when the outbox could not be written)
    event: str
    error: str  # Dutch, for the zorgkantoor
    address: str | None = None


def _failure(item: OutboxItem, error: str) -> NotificationFailure:
    return NotificationFailure(
        item.outbox_id, item.recipient, item.channel, item.event, error, item.address
    )


def _error_text(err: ActivityError) -> str:
    cause = err.cause
    if isinstance(cause, ApplicationError):
        return cause.message
    return str(cause or err)


async def deliver_item(item: OutboxItem, retry_policy: RetryPolicy) -> NotificationFailure | None:
    """Deliver one outbox row; its failure, or None when it was delivered."""
    try:
        report = await workflow.execute_activity_method(
            NotificationActivities.deliver_notification,
            DeliverNotificationInput(item.outbox_id),
            start_to_close_timeout=DELIVERY_TIMEOUT,
            retry_policy=retry_policy,
        )
    except ActivityError as err:
        error = _error_text(err)
        cause = err.cause
        if isinstance(cause, ApplicationError) and cause.type == PERMANENT_ERROR_TYPE:
            return _failure(item, error)  # the activity marked the row failed itself
        try:  # attempts exhausted or timed out: failed, unless it may have arrived
            report = await workflow.execute_activity_method(
                NotificationActivities.record_notification_failure,
                NotificationGivenUp(item.outbox_id, error),
                start_to_close_timeout=ENQUEUE_TIMEOUT,
                retry_policy=ENQUEUE_RETRY,
            )
        except ActivityError:
            return _failure(item, error)
    return _failure(item, report.error or "") if report.status == FAILED else None


async def send_notifications(
    intents: list[NotificationIntent], retry_policy: RetryPolicy | None = None
) -> list[NotificationFailure]:
    """Enqueue and deliver; returns the failures (empty list: all delivered)."""
    if not intents:
        return []
    try:
        enqueued = await workflow.execute_activity_method(
            NotificationActivities.enqueue_notifications,
            EnqueueNotificationsInput(list(intents)),
            start_to_close_timeout=ENQUEUE_TIMEOUT,
            retry_policy=ENQUEUE_RETRY,
        )
    except ActivityError as err:  # the outbox is unreachable: report, never raise
        error = f"meldingen konden niet worden vastgelegd: {_error_text(err)}"
        workflow.logger.warning("notification enqueue failed: %s", error)
        return [
            NotificationFailure("", recipient, "", intent.event, error)
            for intent in intents
            for recipient in dict.fromkeys(intent.recipients)
        ]
    return await deliver_enqueued(enqueued, retry_policy)


async def deliver_enqueued(
    enqueued: EnqueueNotificationsResult, retry_policy: RetryPolicy | None = None
) -> list[NotificationFailure]:
    """Deliver the enqueued rows; returns the failures (empty list: all delivered)."""
    failures = [_failure(item, item.error or "") for item in enqueued.failed]
    delivered = await asyncio.gather(
        *(deliver_item(item, retry_policy or DELIVERY_RETRY) for item in enqueued.deliveries)
    )
    return failures + [f for f in delivered if f is not None]

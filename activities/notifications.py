"""Notification activities: enqueue (idempotent outbox write), deliver one outbox row,
record the workflow's decision to stop retrying, and build and settle the daily
digests. The protocol itself lives in ``notifications.delivery`` (and
``notifications.digest``); these are thin, registered wrappers with their dataclasses.
Database work runs in a thread; the delivery's few short status updates run inline.

Their dataclasses live in ``domain/notification_messages.py``.
"""

import asyncio

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.config import Settings
from db.engine import session_scope
from db.models import NotificationOutbox
from domain.messages import NotificationIntent
from domain.notification_messages import (
    PERMANENT_ERROR_TYPE,
    TRANSIENT_ERROR_TYPE,
    BuildDigestsInput,
    BuildDigestsResult,
    DeliverNotificationInput,
    DeliveryReport,
    EnqueueNotificationsInput,
    EnqueueNotificationsResult,
    NotificationGivenUp,
    OutboxItem,
    SettleDigestsInput,
)
from notifications import delivery, digest, outbox
from notifications.errors import PermanentDeliveryError, TransientDeliveryError

log = structlog.get_logger()


def _item(row: NotificationOutbox) -> OutboxItem:
    error = row.last_error if row.status == outbox.FAILED else None
    return OutboxItem(row.id, row.recipient, row.channel, row.event, row.address, error)


def enqueue_in(
    session: Session, intents: list[NotificationIntent], settings: Settings
) -> EnqueueNotificationsResult:
    """Write the intents' outbox rows in ``session`` (its transaction: the caller
    commits); the rows still to deliver and those that failed already."""
    items = [_item(row) for row in outbox.enqueue(session, intents, settings)]
    return EnqueueNotificationsResult(
        deliveries=[i for i in items if i.error is None],
        failed=[i for i in items if i.error is not None],
    )


def _report(result: delivery.DeliveryOutcome) -> DeliveryReport:
    return DeliveryReport(result.outbox_id, result.status, result.uncertain, result.error)


class NotificationActivities:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    def _enqueue(self, intents: list[NotificationIntent]) -> EnqueueNotificationsResult:
        with session_scope(self.engine) as session:
            return enqueue_in(session, intents, self.settings)

    @activity.defn
    async def enqueue_notifications(
        self, data: EnqueueNotificationsInput
    ) -> EnqueueNotificationsResult:
        return await asyncio.to_thread(self._enqueue, data.intents)

    @activity.defn
    async def deliver_notification(self, data: DeliverNotificationInput) -> DeliveryReport:
        structlog.contextvars.bind_contextvars(outbox_id=data.outbox_id)
        try:
            result = await delivery.deliver(self.engine, self.settings, data.outbox_id)
        except PermanentDeliveryError as exc:
            raise ApplicationError(str(exc), type=PERMANENT_ERROR_TYPE, non_retryable=True) from exc
        except TransientDeliveryError as exc:
            raise ApplicationError(str(exc), type=TRANSIENT_ERROR_TYPE) from exc
        finally:
            structlog.contextvars.unbind_contextvars("outbox_id")
        return _report(result)

    @activity.defn
    async def record_notification_failure(self, data: NotificationGivenUp) -> DeliveryReport:
        result = await asyncio.to_thread(
            delivery.give_up, self.engine, self.settings, data.outbox_id, data.error
        )
        return _report(result)

    def _build_digests(self, data: BuildDigestsInput) -> list[OutboxItem]:
        with session_scope(self.engine) as session:
            rows = digest.build_digests(session, self.settings, data.cutoff)
            return [_item(row) for row in rows]

    @activity.defn
    async def build_digests(self, data: BuildDigestsInput) -> BuildDigestsResult:
        return BuildDigestsResult(await asyncio.to_thread(self._build_digests, data))

    def _settle_digests(self, data: SettleDigestsInput) -> int:
        with session_scope(self.engine) as session:
            return digest.settle_digests(session, data.digest_ids)

    @activity.defn
    async def settle_digests(self, data: SettleDigestsInput) -> int:
        return await asyncio.to_thread(self._settle_digests, data)

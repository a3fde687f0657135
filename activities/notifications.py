"""Notification activities: enqueue (idempotent outbox write), deliver one outbox row,
and record the workflow's decision to stop retrying. The protocol itself lives in
``notifications.delivery``; these are thin, registered wrappers with their dataclasses.
Database work runs in a thread; the delivery's few short status updates run inline.

No ``from __future__ import annotations`` here on purpose: the dataclasses' type hints
must be real objects, so the workflow sandbox can decode them however this module was
imported (string hints are resolved through the sandbox's own ``sys.modules``).
"""

import asyncio
from dataclasses import dataclass, field

import structlog
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.config import Settings
from db.engine import session_scope
from notifications import delivery, outbox
from notifications.errors import (
    PERMANENT_ERROR_TYPE,
    TRANSIENT_ERROR_TYPE,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from workflows.messages import NotificationIntent

log = structlog.get_logger()


@dataclass
class EnqueueNotificationsInput:
    intents: list[NotificationIntent]


@dataclass
class OutboxItem:
    """One outbox row as the workflow sees it (no bodies)."""

    outbox_id: str
    recipient: str  # organisation name
    channel: str
    event: str
    address: str | None = None
    error: str | None = None  # set for rows that failed already


@dataclass
class EnqueueNotificationsResult:
    deliveries: list[OutboxItem] = field(default_factory=list)  # still to deliver
    failed: list[OutboxItem] = field(default_factory=list)  # could not even be rendered


@dataclass
class DeliverNotificationInput:
    outbox_id: str


@dataclass
class DeliveryReport:
    outbox_id: str
    status: str  # sent | failed
    uncertain: bool = False
    error: str | None = None


@dataclass
class NotificationGivenUp:
    outbox_id: str
    error: str  # the last error the workflow saw


def _item(row) -> OutboxItem:
    error = row.last_error if row.status == outbox.FAILED else None
    return OutboxItem(row.id, row.recipient, row.channel, row.event, row.address, error)


def _report(result: delivery.DeliveryOutcome) -> DeliveryReport:
    return DeliveryReport(result.outbox_id, result.status, result.uncertain, result.error)


class NotificationActivities:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    def _enqueue(self, intents: list[NotificationIntent]) -> list[OutboxItem]:
        with session_scope(self.engine) as session:
            return [_item(row) for row in outbox.enqueue(session, intents, self.settings)]

    @activity.defn
    async def enqueue_notifications(
        self, data: EnqueueNotificationsInput
    ) -> EnqueueNotificationsResult:
        items = await asyncio.to_thread(self._enqueue, data.intents)
        return EnqueueNotificationsResult(
            deliveries=[i for i in items if i.error is None],
            failed=[i for i in items if i.error is not None],
        )

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

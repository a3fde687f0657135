"""Inputs and outputs of the notification activities, shared by the workflow that calls
them and the activities that implement them.

No ``from __future__ import annotations`` here on purpose: the dataclasses' type hints
must be real objects, so the workflow sandbox can decode them however this module was
imported (string hints are resolved through the sandbox's own ``sys.modules``).
"""

from dataclasses import dataclass, field
from datetime import datetime

from domain.messages import NotificationIntent, ReadModelChanges

# ApplicationError types of a delivery, used by the activity and the workflow's retry policy
PERMANENT_ERROR_TYPE = "PermanentDeliveryError"
TRANSIENT_ERROR_TYPE = "TransientDeliveryError"


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
class ReadModelAndOutbox:
    """A read-model batch and the notifications it causes, written in one transaction."""

    changes: ReadModelChanges
    intents: list[NotificationIntent]


@dataclass
class ReadModelAndOutboxWritten:
    """The activity's argument as written (the history keeps it for the audit tools, as
    it keeps an activity's arguments) and the outbox rows still to deliver."""

    batch: ReadModelAndOutbox
    enqueued: EnqueueNotificationsResult


@dataclass
class ReadModelAndOutboxEnqueued:
    """What the workflow reads of a ``ReadModelAndOutboxWritten``: the outbox rows (the
    decoder skips the batch, which only the audit tools read)."""

    enqueued: EnqueueNotificationsResult


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


@dataclass
class BuildDigestsInput:
    cutoff: datetime  # messages held from before this go into this run's digests


@dataclass
class BuildDigestsResult:
    deliveries: list[OutboxItem] = field(default_factory=list)  # one digest row per user


@dataclass
class SettleDigestsInput:
    digest_ids: list[str]


@dataclass
class DigestReport:
    digests: int  # digest messages of this run
    failed: int  # of which not delivered
    messages: int  # held messages they settled

"""The read-model activities: write one batch of a case workflow's changes, or an early
signal as its workflow knows it (``db/read_model.py``).

Idempotent: tasks are upserted by their workflow-assigned id, audit events inserted
only when their id is new and outbox rows only when their idempotency key is new, so a
retried activity writes nothing twice.

The case workflow writes through local activities (in the worker that runs the
workflow, without a round trip through the task queue): ``write_read_model``, or
``write_read_model_and_outbox`` for a batch that causes notifications (the batch and the
outbox rows in one transaction: the transactional outbox). Cases started before those
changes (without their markers) keep ``apply_changes`` and ``enqueue_notifications``.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity
from temporalio.api.common.v1 import Payload
from temporalio.common import RawValue

from activities.notifications import enqueue_in
from core.config import Settings, get_settings
from db.read_model import write_changes, write_signal_changes
from domain.messages import (
    WRITE_READ_MODEL,
    WRITE_READ_MODEL_AND_OUTBOX,
    NotificationIntent,
    ReadModelChanges,
)
from domain.notification_messages import (
    EnqueueNotificationsResult,
    ReadModelAndOutbox,
)
from domain.signal_messages import SignalChanges

T = TypeVar("T")


def _decoded(raw: RawValue, hint: type[T]) -> T:
    value: T = activity.payload_converter().from_payload(raw.payload, hint)
    return value


def written_with_outbox(batch: Payload, enqueued: Payload) -> Payload:
    """The JSON of ``ReadModelAndOutboxWritten(batch, enqueued)`` from the two parts'
    JSON, byte for byte what the JSON converter writes for it (keys sorted, no spaces:
    ``tests/activities/test_read_model_payloads.py``), without encoding the batch
    again."""
    data = b'{"batch":' + batch.data + b',"enqueued":' + enqueued.data + b"}"
    return Payload(metadata=dict(batch.metadata), data=data)


class ReadModelActivities:
    def __init__(self, engine: Engine, settings: Settings | None = None) -> None:
        self.engine = engine
        self.settings = settings or get_settings()

    def write(
        self, changes: ReadModelChanges, intents: list[NotificationIntent] | None = None
    ) -> EnqueueNotificationsResult:
        """The batch and the outbox rows of ``intents``, committed together."""
        with Session(self.engine) as session:
            write_changes(session, changes)
            enqueued = enqueue_in(session, intents or [], self.settings)
            session.commit()
        return enqueued

    @activity.defn(name="apply_changes")
    def apply_changes(self, changes: ReadModelChanges) -> None:
        self.write(changes)

    @activity.defn(name=WRITE_READ_MODEL)
    def write_read_model(self, changes: RawValue) -> RawValue:
        """``apply_changes`` as the case workflow's local activity: it returns the batch
        (a ``ReadModelChanges``), so the history keeps it (in the activity's marker) for
        the audit tools, as it keeps an activity's arguments (``audit/reconcile.py``,
        ``audit/divergence.py``). Taken and returned undecoded: the payload that came in
        goes back as it is (the same JSON), neither encoded again here nor decoded by
        the workflow, which does not read it."""
        self.write(_decoded(changes, ReadModelChanges))
        return changes

    @activity.defn(name=WRITE_READ_MODEL_AND_OUTBOX)
    def write_read_model_and_outbox(self, batch: RawValue) -> RawValue:
        """``write_read_model`` with the batch's notifications (a ``ReadModelAndOutbox``)
        in the same transaction: returns a ``ReadModelAndOutboxWritten``, the batch as it
        came beside the rows still to deliver, for the workflow's deliveries (it decodes
        only those: ``ReadModelAndOutboxEnqueued``)."""
        data = _decoded(batch, ReadModelAndOutbox)
        enqueued = self.write(data.changes, data.intents)
        converter = activity.payload_converter()
        return RawValue(written_with_outbox(batch.payload, converter.to_payload(enqueued)))

    @activity.defn(name="apply_signal_changes")
    def apply_signal_changes(self, changes: SignalChanges) -> None:
        with Session(self.engine) as session:
            write_signal_changes(session, changes)
            session.commit()

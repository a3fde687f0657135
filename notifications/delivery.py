"""The delivery protocol for one outbox row: never send twice, never drop silently.

1. A row that is ``sent`` or ``failed`` is answered from the database (idempotent).
2. A row left ``sending`` with ``handover_at`` set belongs to an attempt that crossed
   the fence and then died: it is never sent again. If the channel can tell (file
   sink) the row becomes ``sent`` (or, if it was not handed over, is sent afresh);
   otherwise it becomes ``sent`` flagged ``uncertain``.
3. Otherwise a new attempt starts (compare-and-set on ``attempts``), the channel runs
   and calls ``before_handover`` right before the irreversible step; that call claims
   the fence or aborts the attempt. After the channel returns, the row is ``sent``.

The residual risk (an answer lost after the fence, see docs/notifications.md) is
resolved towards "at most once" and made visible with the ``uncertain`` flag.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.config import Settings
from db.models import NotificationOutbox, Organisation
from notifications import outbox
from notifications.email import mailer_for
from notifications.errors import (
    HandoverLost,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from notifications.webhook import Webhook

log = structlog.get_logger()


class Channel(Protocol):
    async def send(self, row: NotificationOutbox, before_handover: Callable[[], None]) -> None: ...

    def was_handed_over(self, row: NotificationOutbox) -> bool | None: ...


@dataclass(frozen=True)
class DeliveryOutcome:
    outbox_id: str
    status: str
    uncertain: bool = False
    error: str | None = None


def outcome(row: NotificationOutbox) -> DeliveryOutcome:
    error = row.last_error if row.status == outbox.FAILED else None
    return DeliveryOutcome(row.id, row.status, row.uncertain, error)


def channel_for(row: NotificationOutbox, settings: Settings, engine: Engine) -> Channel:
    if row.channel == outbox.EMAIL:
        return mailer_for(settings)
    if row.channel == outbox.WEBHOOK:
        with Session(engine) as session:
            org = session.exec(
                select(Organisation).where(Organisation.name == row.recipient)
            ).first()
        secret = org.webhook_secret if org else None
        return Webhook(secret, require_https=settings.environment != "development")
    raise PermanentDeliveryError(f"onbekend meldingskanaal {row.channel!r} voor {row.recipient}")


def _reload(engine: Engine, outbox_id: str) -> NotificationOutbox:
    row = outbox.load(engine, outbox_id)
    if row is None:
        raise PermanentDeliveryError(f"bericht {outbox_id} bestaat niet (meer)")
    return row


def _resolve_interrupted(
    engine: Engine, row: NotificationOutbox, channel: Channel
) -> DeliveryOutcome | None:
    """A previous attempt crossed the fence and left no answer. None: the channel says
    it was *not* handed over, so a new attempt may send it."""
    handed_over = channel.was_handed_over(row)
    if handed_over is False:
        return None
    note = (
        "overdracht bevestigd na een onderbroken poging"
        if handed_over
        else "bezorging onzeker: een poging stopte tijdens de overdracht; niet opnieuw verstuurd"
    )
    outbox.presume_sent(engine, row.id, note, confirmed=bool(handed_over))
    log.warning(
        "notification hand-over interrupted",
        outbox_id=row.id,
        case_id=row.case_id,
        channel=row.channel,
        confirmed=bool(handed_over),
    )
    return outcome(_reload(engine, row.id))


async def deliver(engine: Engine, settings: Settings, outbox_id: str) -> DeliveryOutcome:
    """Deliver one outbox row (one activity attempt). Raises ``PermanentDeliveryError``
    (row is ``failed``), ``TransientDeliveryError`` or any other exception (retry)."""
    row = _reload(engine, outbox_id)
    if row.status not in outbox.OPEN_STATUSES:
        return outcome(row)
    try:
        channel = channel_for(row, settings, engine)
    except PermanentDeliveryError as exc:
        outbox.mark_failed(engine, outbox_id, str(exc))
        raise
    if row.status == outbox.SENDING and row.handover_at is not None:
        resolved = _resolve_interrupted(engine, row, channel)
        if resolved is not None:
            return resolved
    attempt = outbox.begin_attempt(engine, row)
    if attempt is None:
        raise HandoverLost(f"outbox row {outbox_id} changed while starting an attempt")

    crossed = False

    def before_handover() -> None:
        nonlocal crossed
        if not outbox.claim_handover(engine, outbox_id, attempt):
            raise HandoverLost(f"attempt {attempt} of {outbox_id} no longer owns the row")
        crossed = True

    try:
        await channel.send(row, before_handover)
    except PermanentDeliveryError as exc:
        outbox.mark_failed(engine, outbox_id, str(exc), attempt=attempt)
        raise
    except TransientDeliveryError as exc:
        outbox.mark_retry(engine, outbox_id, attempt, str(exc))
        raise
    except HandoverLost:
        raise
    except BaseException as exc:  # the answer is lost (timeout, disconnect, cancel)
        if not crossed:
            outbox.mark_retry(engine, outbox_id, attempt, f"{type(exc).__name__}: {exc}")
            raise
        resolved = _resolve_interrupted(engine, _reload(engine, outbox_id), channel)
        if not isinstance(exc, Exception) or resolved is None:
            raise
        return resolved
    outbox.mark_sent(engine, outbox_id)
    log.info(
        "notification delivered",
        outbox_id=outbox_id,
        case_id=row.case_id,
        channel=row.channel,
        notification_event=row.event,
        attempt=attempt,
    )
    return DeliveryOutcome(outbox_id, outbox.SENT)


def give_up(engine: Engine, settings: Settings, outbox_id: str, error: str) -> DeliveryOutcome:
    """The workflow stopped retrying (attempts exhausted, timeouts): ``failed`` unless an
    attempt crossed the fence, in which case the message may have arrived."""
    row = _reload(engine, outbox_id)
    if row.status in outbox.OPEN_STATUSES and not outbox.mark_failed(engine, outbox_id, error):
        row = _reload(engine, outbox_id)  # an attempt crossed the fence meanwhile
        if row.status == outbox.SENDING and row.handover_at is not None:
            resolved = _resolve_interrupted(engine, row, channel_for(row, settings, engine))
            if resolved is not None:
                return resolved
            outbox.mark_failed(engine, outbox_id, error, attempt=row.attempts)
    row = _reload(engine, outbox_id)
    if row.status == outbox.FAILED:
        log.warning(
            "notification failed",
            outbox_id=outbox_id,
            case_id=row.case_id,
            channel=row.channel,
            notification_event=row.event,
            error=row.last_error,
        )
    return outcome(row)

"""The daily digest (issue 17): a user who chose ``digest`` (``users.notify``) gets the
day's notifications as one Dutch e-mail instead of one e-mail each.

At enqueue the user's own e-mail row of a message is born ``held`` (rendered as usual,
not delivered); the organisation's address and colleagues who chose ``direct`` get the
message at once. Once a day ``NotificationDigestWorkflow`` (a Temporal schedule, see
``worker.py``) calls :func:`build_digests`: per user address one new outbox row (event
``daily_digest``) listing the held messages, which become ``in_digest``; the digest row
is delivered by the same protocol as every row (never twice, never silently dropped),
and :func:`settle_digests` then gives the held rows the digest's outcome (``sent``, or
``failed`` with the reason).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from core.config import Settings
from db.models import NotificationOutbox, new_id, utcnow
from notifications.context import AMSTERDAM, case_url
from notifications.email import message_id_for
from notifications.outbox import EMAIL, FAILED, HELD, IN_DIGEST, SENT
from notifications.render import dutch_date, render_digest

DIGEST_EVENT = "daily_digest"
T = NotificationOutbox


def digest_intent_id(cutoff: datetime) -> str:
    """One run of the digest: every digest row it makes carries this id."""
    return f"digest:{cutoff.isoformat()}"


def _user_ref(row: T) -> str:
    """``user:<id>`` from the row's idempotency key (``...|<channel>|user:<id>``)."""
    return row.idempotency_key.rpartition("|")[2]


def build_digests(session: Session, settings: Settings, cutoff: datetime) -> list[T]:
    """One digest row per user address with messages held from before ``cutoff``; the
    held rows become ``in_digest``. Idempotent per ``cutoff``: a retry returns the rows
    the first attempt made."""
    intent_id = digest_intent_id(cutoff)
    held = session.exec(
        select(T)
        .where(col(T.status) == HELD, col(T.created_at) < cutoff)
        .order_by(col(T.created_at), col(T.id))
    ).all()
    groups: dict[tuple[str, str], list[T]] = {}
    for row in held:
        groups.setdefault((_user_ref(row), row.address or ""), []).append(row)
    for (ref, address), rows in groups.items():
        key = f"{DIGEST_EVENT}|{ref}|{cutoff.isoformat()}"
        digest = session.exec(select(T).where(T.idempotency_key == key)).first()
        if digest is None:
            digest = _digest_row(key, intent_id, rows, address, settings, cutoff)
            session.add(digest)
        for row in rows:
            row.status, row.digest_id, row.updated_at = IN_DIGEST, digest.id, utcnow()
            session.add(row)
    session.flush()
    return list(
        session.exec(select(T).where(T.intent_id == intent_id).order_by(col(T.address))).all()
    )


def _digest_row(
    key: str, intent_id: str, rows: list[T], address: str, settings: Settings, cutoff: datetime
) -> T:
    public_url = settings.effective_public_url
    items = [
        (row.subject, dutch_date(_aware(row.created_at)), case_url(public_url, row.case_id))
        for row in rows
    ]
    day = dutch_date(cutoff.astimezone(AMSTERDAM), with_time=False)
    rendered = render_digest(items, rows[0].recipient, day, public_url)
    row_id = new_id()
    return T(
        id=row_id,
        idempotency_key=key,
        intent_id=intent_id,
        event=DIGEST_EVENT,
        case_id="",  # about several cases: the held rows keep theirs
        recipient=rows[0].recipient,
        channel=EMAIL,
        address=address,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        message_id=message_id_for(row_id, settings.mail_from),
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def settle_digests(session: Session, digest_ids: list[str]) -> int:
    """The held rows of each finished digest get its outcome; returns how many."""
    settled = 0
    for digest in session.exec(select(T).where(col(T.id).in_(digest_ids))).all():
        if digest.status not in (SENT, FAILED):
            continue  # still open (cannot happen after the workflow's delivery)
        rows = session.exec(
            select(T).where(col(T.digest_id) == digest.id, col(T.status) == IN_DIGEST)
        ).all()
        for row in rows:
            row.status, row.updated_at = digest.status, utcnow()
            if digest.status == SENT:
                row.sent_at, row.uncertain = digest.sent_at, digest.uncertain
            else:
                row.last_error = f"het dagoverzicht kon niet worden bezorgd: {digest.last_error}"
            session.add(row)
            settled += 1
    session.flush()
    return settled

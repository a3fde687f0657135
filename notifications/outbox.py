"""The notification outbox: who gets what (planning and idempotent enqueue) and the
compare-and-set state transitions the delivery protocol (``notifications.delivery``)
relies on.

Row life cycle: ``skipped`` (the organisation has no address on that channel: the
message is recorded, the inbox shows the work, nothing is sent) or ``pending`` →
``sending`` (an attempt started; ``attempts`` is its number) → ``sent`` | ``failed``;
a definitive "try later" puts it back to ``pending``. The e-mail of a user who chose
the daily digest is ``held`` → ``in_digest`` → the digest's ``sent`` | ``failed``
(``notifications/digest.py``).
``handover_at`` is the fence: only the attempt whose number equals ``attempts`` can set
it, and only once, right before the irreversible hand-over. Every transition is a
conditional UPDATE, so a stale (zombie) attempt can never pass the fence after a newer
attempt or a give-up took over the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from jinja2 import TemplateError
from pydantic_core import PydanticUndefined
from sqlalchemy import ColumnElement, bindparam, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.config import Settings
from db.engine import session_scope
from db.models import NotificationOutbox, Organisation, User, new_id, utcnow
from db.sealing import case_aead_for_write, seal_values, unseal_ring_column
from domain.messages import NotificationIntent
from domain.vocabulary import NotificationEvent
from notifications.context import message_context
from notifications.email import message_id_for
from notifications.ics import meeting_invitation_ics
from notifications.render import render_message
from notifications.webhook import webhook_body

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
SKIPPED = "skipped"
HELD, IN_DIGEST = "held", "in_digest"  # for the daily digest (notifications/digest.py)
NO_ADDRESS = "geen adres ingesteld: alleen zichtbaar in casusregie"
OPEN_STATUSES = (PENDING, SENDING)
EMAIL, WEBHOOK = "email", "webhook"
DIGEST = "digest"  # users.notify: the daily digest instead of each message
T = NotificationOutbox


@dataclass(frozen=True)
class Target:
    """One recipient address of an organisation on one channel."""

    org: str
    ref: str  # "org" (the organisation's own address) or "user:<id>"
    channel: str
    address: str | None
    held: bool = False  # a user who chose the daily digest: kept for it, not sent now


@dataclass(frozen=True)
class _Org:
    id: str
    name: str
    email: str | None
    channels: list[str] | None
    webhook_url: str | None


@dataclass(frozen=True)
class _User:
    id: str
    email: str | None
    notify: str


def _email_targets(org: _Org, users: list[_User]) -> list[Target]:
    """The organisation's own address, then its active users' (oldest first), each
    address once; a target without address when there is none."""
    candidates = [("org", org.email, False)] + [
        (f"user:{u.id}", u.email, u.notify == DIGEST) for u in users
    ]
    seen: set[str] = set()
    targets = []
    for ref, address, held in candidates:
        if address and address.strip().lower() not in seen:
            seen.add(address.strip().lower())
            targets.append(Target(org.name, ref, EMAIL, address.strip(), held))
    return targets or [Target(org.name, "org", EMAIL, None)]


# Built once, read with Core (the addresses unsealed here, as the ORM would): loading the
# rows as ORM objects, and building the statements, was half of every enqueue's cost
_ORGS = Organisation.__table__.c  # type: ignore[attr-defined]
_USERS = User.__table__.c  # type: ignore[attr-defined]
_SELECT_ORGS = core_select(
    _ORGS.id, _ORGS.name, _ORGS.email, _ORGS.channels, _ORGS.webhook_url
).where(_ORGS.name.in_(bindparam("names", expanding=True)))
_SELECT_USERS = (
    core_select(_USERS.id, _USERS.org_id, _USERS.email, _USERS.notify)
    .where(
        _USERS.org_id.in_(bindparam("org_ids", expanding=True)),
        _USERS.active.is_(True),
        _USERS.email.is_not(None),
    )
    .order_by(_USERS.created_at, _USERS.id)
)
_SELECT_EXISTING = select(T).where(col(T.idempotency_key).in_(bindparam("keys", expanding=True)))


def targets_by_org(session: Session, org_names: list[str]) -> dict[str, list[Target]]:
    """Per organisation its channels and addresses, in two queries for all of them; an
    unknown organisation or a channel without an address yields a target without
    address (recorded as ``skipped``); an unknown channel one that fails visibly."""
    names = list(dict.fromkeys(org_names))
    if session.new or session.dirty or session.deleted:
        session.flush()  # the caller's own changes first (Core does not flush them)
    conn = session.connection()
    orgs = {
        row.name: _Org(
            row.id,
            row.name,
            unseal_ring_column(Organisation, "email", row.email),
            row.channels,
            row.webhook_url,
        )
        for row in conn.execute(_SELECT_ORGS, {"names": names})
    }
    users: dict[str, list[_User]] = {org.id: [] for org in orgs.values()}
    if any(EMAIL in (o.channels or [EMAIL]) for o in orgs.values()):
        for row in conn.execute(_SELECT_USERS, {"org_ids": list(users)}):
            email = unseal_ring_column(User, "email", row.email)
            users[row.org_id].append(_User(row.id, email, row.notify))
    result: dict[str, list[Target]] = {}
    for name in names:
        org = orgs.get(name)
        if org is None:
            result[name] = [Target(name, "org", EMAIL, None)]
            continue
        targets: list[Target] = []
        for channel in dict.fromkeys(org.channels or [EMAIL]):
            if channel == EMAIL:
                targets.extend(_email_targets(org, users[org.id]))
            else:
                url = org.webhook_url if channel == WEBHOOK else None
                targets.append(Target(org.name, "org", channel, url))
        result[name] = targets
    return result


def idempotency_key(intent: NotificationIntent, target: Target) -> str:
    return f"{intent.id}|{target.org}|{target.channel}|{target.ref}"


def _skipped(target: Target) -> bool:
    """No address on a channel that needs one: the row is recorded, nothing is sent."""
    return target.address is None and target.channel in (EMAIL, WEBHOOK)


# a skipped row's columns that are the same for every such row (its model's defaults)
_SKIPPED_DEFAULTS: dict[str, Any] = {
    name: field.default
    for name, field in T.model_fields.items()
    if field.default_factory is None and field.default is not PydanticUndefined
} | {"status": SKIPPED, "last_error": NO_ADDRESS, "address": None}
_INSERT = insert(T.__table__)  # type: ignore[attr-defined]


def skipped_row_values(intent: NotificationIntent, target: Target) -> dict[str, Any]:
    """The columns of ``build_row``'s row for a target without address (unsealed), for a
    bulk insert: most rows of a batch (an organisation without addresses works from its
    inbox), and nothing to render."""
    now = utcnow()
    return _SKIPPED_DEFAULTS | {
        "id": new_id(),
        "idempotency_key": idempotency_key(intent, target),
        "intent_id": intent.id,
        "event": intent.event,
        "case_id": intent.case_id,
        "task_id": intent.task_id,
        "recipient": target.org,
        "channel": target.channel,
        "subject": intent.event,
        "created_at": now,
        "updated_at": now,
    }


def build_row(intent: NotificationIntent, target: Target, settings: Settings) -> T:
    """The rendered outbox row; a row that cannot be rendered is born ``failed``."""
    row = T(
        id=new_id(),
        idempotency_key=idempotency_key(intent, target),
        intent_id=intent.id,
        event=intent.event,
        case_id=intent.case_id,
        task_id=intent.task_id,
        recipient=target.org,
        channel=target.channel,
        address=target.address,
        subject=intent.event,
    )
    if _skipped(target):
        row.status, row.last_error = SKIPPED, NO_ADDRESS
        return row
    try:
        if intent.event not in set(NotificationEvent):
            raise ValueError(f"onbekend soort melding {intent.event!r}")
        ctx = message_context(intent, target.org, settings.effective_public_url)
        rendered = render_message(ctx)
        row.subject, row.task_id = rendered.subject, ctx.task_id
        if target.channel == WEBHOOK:
            row.webhook_body = webhook_body(row.id, ctx, rendered.subject)
        else:
            row.body_text, row.body_html = rendered.text, rendered.html
            row.message_id = message_id_for(row.id, settings.mail_from)
            if intent.event == NotificationEvent.MEETING_INVITATION:
                row.attachment_ics = meeting_invitation_ics(
                    ctx, intent.id, settings.mail_from, target.address
                )
    except (ValueError, TypeError, KeyError, TemplateError) as exc:  # surface, don't block
        row.status, row.last_error = FAILED, f"bericht kon niet worden opgemaakt: {exc}"
    if target.held and row.status == PENDING:
        row.status = HELD
    return row


def enqueue(session: Session, intents: list[NotificationIntent], settings: Settings) -> list[T]:
    """Write one row per intent × recipient × channel (address) unless its idempotency
    key exists; returns every row of these intents still to deliver (or failed), not
    the ones held for a daily digest. A few queries for the whole batch: the
    organisations and users, the existing keys, one flush of the new rows."""
    targets = targets_by_org(session, [org for i in intents for org in i.recipients])
    wanted = {
        idempotency_key(intent, target): (intent, target)
        for intent in intents
        for org_name in dict.fromkeys(intent.recipients)
        for target in targets[org_name]
    }
    existing = (
        {
            row.idempotency_key: row
            for row in session.exec(_SELECT_EXISTING, params={"keys": list(wanted)})
        }
        if wanted
        else {}
    )
    rows: list[T] = []
    skipped: list[dict[str, Any]] = []
    for key, (intent, target) in wanted.items():
        row = existing.get(key)
        if row is None and _skipped(target):
            skipped.append(skipped_row_values(intent, target))  # never delivered: no object
            continue
        if row is None:
            row = build_row(intent, target, settings)
            session.add(row)
        if row.status not in (SENT, SKIPPED, HELD, IN_DIGEST):
            rows.append(row)
    session.flush()
    if skipped:  # one bulk insert, sealed here as the ORM hooks would (db.sealing)
        keys: dict[str, AESGCM] = {}
        for values in skipped:
            case_id = values["case_id"]

            def case_key(case_id: str = case_id) -> AESGCM:
                if case_id not in keys:
                    keys[case_id] = case_aead_for_write(session, case_id)
                return keys[case_id]

            seal_values(T, values, case_id, case_key)
        session.connection().execute(_INSERT, skipped)
    return rows


def load(engine: Engine, outbox_id: str) -> T | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.get(T, outbox_id)


def _update(
    engine: Engine, outbox_id: str, *conditions: ColumnElement[bool], **values: Any
) -> bool:
    """One conditional UPDATE in its own transaction; True when it changed the row."""
    with session_scope(engine) as session:
        result = session.exec(
            update(T)
            .where(col(T.id) == outbox_id, *conditions)
            .values(updated_at=utcnow(), **values)
        )
        return result.rowcount == 1


def begin_attempt(engine: Engine, row: T) -> int | None:
    """Start attempt ``row.attempts + 1`` if the row is still as observed; its number,
    or None when something else changed the row meanwhile."""
    handover = col(T.handover_at)
    fence = handover.is_(None) if row.handover_at is None else handover.is_not(None)
    attempt = row.attempts + 1
    changed = _update(
        engine,
        row.id,
        col(T.status) == row.status,
        col(T.attempts) == row.attempts,
        fence,
        status=SENDING,
        attempts=attempt,
        handover_at=None,
    )
    return attempt if changed else None


def claim_handover(engine: Engine, outbox_id: str, attempt: int) -> bool:
    """The fence: at most one attempt per row ever gets True."""
    return _update(
        engine,
        outbox_id,
        col(T.status) == SENDING,
        col(T.attempts) == attempt,
        col(T.handover_at).is_(None),
        handover_at=utcnow(),
    )


def mark_sent(engine: Engine, outbox_id: str) -> None:
    """The channel confirmed the hand-over: the truth, whatever the row said before."""
    now = utcnow()
    _update(engine, outbox_id, status=SENT, sent_at=now, uncertain=False)


def presume_sent(engine: Engine, outbox_id: str, note: str, confirmed: bool = False) -> None:
    """An attempt crossed the fence but its answer was lost: never send again; flag it
    ``uncertain`` unless the channel could confirm the hand-over afterwards."""
    _update(
        engine,
        outbox_id,
        col(T.status) == SENDING,
        col(T.handover_at).is_not(None),
        status=SENT,
        sent_at=utcnow(),
        uncertain=not confirmed,
        last_error=note,
    )


def mark_retry(engine: Engine, outbox_id: str, attempt: int, error: str) -> None:
    """A definitive "not now" (or a failure before the fence): back to pending."""
    _update(
        engine,
        outbox_id,
        col(T.status) == SENDING,
        col(T.attempts) == attempt,
        status=PENDING,
        handover_at=None,
        last_error=error,
    )


def mark_failed(engine: Engine, outbox_id: str, error: str, attempt: int | None = None) -> bool:
    """Final failure. From an attempt: only if it still owns the row. From a give-up:
    only while no attempt has crossed the fence (that one may have delivered)."""
    if attempt is not None:
        conditions = (col(T.status) == SENDING, col(T.attempts) == attempt)
    else:
        conditions = (col(T.status).in_(OPEN_STATUSES), col(T.handover_at).is_(None))
    return _update(engine, outbox_id, *conditions, status=FAILED, last_error=error)

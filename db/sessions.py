"""Server-side web sessions: the cookie holds a random value, the row its SHA-256.

A session ends by logout, by ``casusregie user revoke`` / ``rotate-token``, after
``session_idle_minutes`` without a request, and ``session_absolute_hours`` after sign-in.
An ended session is never revived: a cookie copied before logout opens nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select, update

from core.config import Settings
from core.security import hash_token
from db.models import WebSession

TOUCH_EVERY = timedelta(seconds=30)  # last_seen_at is written at most this often


def now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass
class NewSession:
    row: WebSession
    cookie: str  # the value for the browser; only its hash is stored


def create_session(
    db: Session,
    settings: Settings,
    user_id: str,
    method: str,
    id_token_hint: str | None = None,
) -> NewSession:
    cookie = secrets.token_urlsafe(32)
    at = now()
    row = WebSession(
        id=hash_token(cookie),
        user_id=user_id,
        method=method,
        csrf_token=secrets.token_urlsafe(32),
        created_at=at,
        last_seen_at=at,
        expires_at=at + timedelta(hours=settings.session_absolute_hours),
        id_token_hint=id_token_hint,
    )
    db.add(row)
    db.commit()
    return NewSession(row=row, cookie=cookie)


def idle_deadline(row: WebSession, settings: Settings) -> datetime:
    return aware(row.last_seen_at) + timedelta(minutes=settings.session_idle_minutes)


def ends_at(row: WebSession, settings: Settings) -> datetime:
    """When the session ends if nothing happens: the earlier of idle and absolute end."""
    return min(idle_deadline(row, settings), aware(row.expires_at))


def active_session(db: Session, settings: Settings, cookie: str | None) -> WebSession | None:
    """The live session of this cookie, touched; None (and ended) when timed out."""
    if not cookie or len(cookie) > 200:
        return None
    row = db.get(WebSession, hash_token(cookie))
    if row is None or row.ended_at is not None:
        return None
    at = now()
    if at >= aware(row.expires_at):
        end_session(db, row, "expired")
        return None
    if at >= idle_deadline(row, settings):
        end_session(db, row, "idle")
        return None
    if at - aware(row.last_seen_at) >= TOUCH_EVERY:
        row.last_seen_at = at
        db.add(row)
        db.commit()
    return row


def end_session(db: Session, row: WebSession, reason: str) -> None:
    row.ended_at = now()
    row.end_reason = reason
    db.add(row)
    db.commit()


def end_user_sessions(db: Session, user_id: str, reason: str) -> int:
    """End every open session of a user (revocation, token rotation); how many."""
    open_rows = db.exec(
        select(WebSession.id).where(
            WebSession.user_id == user_id, col(WebSession.ended_at).is_(None)
        )
    ).all()
    if open_rows:
        db.exec(
            update(WebSession)
            .where(col(WebSession.id).in_(open_rows))
            .values(ended_at=now(), end_reason=reason)
        )
    return len(open_rows)

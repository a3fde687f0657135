"""Bearer tokens and web sessions to principals.

An API token is looked up by its SHA-256, never by the token; it works while its user is
active and until ``token_expires_at`` (``CASUSREGIE_API_TOKEN_DAYS`` after it was made or
rotated). Its last use is recorded (at most once a minute).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select, update

from api.scoping import Principal
from core.config import Settings
from core.security import hash_token
from db.models import Organisation, User

LAST_USED_EVERY = timedelta(minutes=1)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def principal_of(user: User, org: Organisation) -> Principal:
    return Principal(
        user_id=user.id, name=user.name, role=user.role, org=org.name, org_region=org.region
    )


def token_expires_at(user: User, settings: Settings) -> datetime:
    """Tokens made before expiry existed expire ``api_token_days`` after the user was made."""
    if user.token_expires_at is not None:
        return _aware(user.token_expires_at)
    return _aware(user.created_at) + timedelta(days=settings.api_token_days)


@dataclass
class TokenCheck:
    principal: Principal | None
    expired: bool = False


def check_token(session: Session, settings: Settings, token: str) -> TokenCheck:
    token = token.strip()
    if not token or len(token) > 512:
        return TokenCheck(None)
    row = session.exec(
        select(User, Organisation)
        .join(Organisation, col(Organisation.id) == col(User.org_id))
        .where(User.token_hash == hash_token(token), col(User.active).is_(True))
    ).first()
    if row is None:
        return TokenCheck(None)
    user, org = row
    now = datetime.now(UTC)
    if now >= token_expires_at(user, settings):
        return TokenCheck(None, expired=True)
    last = user.token_last_used_at
    if last is None or now - _aware(last) >= LAST_USED_EVERY:
        session.exec(update(User).where(col(User.id) == user.id).values(token_last_used_at=now))
    # end the transaction either way: its connection goes back to the pool (a request
    # must not hold one while it waits for anything else: api/services/commands.release)
    session.commit()
    return TokenCheck(principal_of(user, org))


def principal_for_token(session: Session, settings: Settings, token: str) -> Principal | None:
    return check_token(session, settings, token).principal


def principal_for_user(session: Session, user_id: str) -> Principal | None:
    row = session.exec(
        select(User, Organisation)
        .join(Organisation, col(Organisation.id) == col(User.org_id))
        .where(User.id == user_id, col(User.active).is_(True))
    ).first()
    return principal_of(*row) if row else None

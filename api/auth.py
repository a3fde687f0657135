"""Bearer tokens and web sessions to principals.

An API token is looked up by its SHA-256, never by the token; it works while its user is
active and until ``token_expires_at`` (``CASUSREGIE_API_TOKEN_DAYS`` after it was made or
rotated). Its last use is recorded (at most once a minute).

A token that checked out is remembered by its hash for ``token_cache_seconds`` (5 s; the
``TokenCache`` below), so a client's next requests cost no database round trip. Any
change to a user or an organisation committed through the ORM in this process (revoke,
rotate-token, a sign-on that changes the role) forgets its entries at once; a change made
by another process (``casusregie user revoke``, another API node) takes effect here
within ``token_cache_seconds``. An entry never outlives its token's expiry.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
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


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    expires_at: datetime  # the token's own expiry
    stored: float  # time.monotonic()


class TokenCache:
    """Checked tokens by their SHA-256 (never the token): at most ``max_entries``, each
    for at most ``ttl`` seconds. Thread-safe (checks run in the thread pool).

    ``generation`` counts invalidations: a check that read the database before an
    invalidation must not store what it read (it may be the revoked state's past)."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self.generation = 0
        self.hits = 0

    def get(self, token_hash: str, ttl: float) -> Principal | None:
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        if time.monotonic() - entry.stored >= ttl or datetime.now(UTC) >= entry.expires_at:
            with self._lock:
                if self._entries.get(token_hash) is entry:
                    del self._entries[token_hash]
            return None
        self.hits += 1
        return entry.principal

    def put(
        self, token_hash: str, principal: Principal, expires_at: datetime, generation: int
    ) -> None:
        with self._lock:
            if generation != self.generation:
                return  # invalidated while the database was read
            self._entries.pop(token_hash, None)
            while len(self._entries) >= self.max_entries:  # the oldest entry first
                del self._entries[next(iter(self._entries))]
            self._entries[token_hash] = _Entry(principal, expires_at, time.monotonic())

    def forget_users(self, user_ids: Iterable[str]) -> None:
        ids = set(user_ids)
        with self._lock:
            self.generation += 1
            for key in [k for k, e in self._entries.items() if e.principal.user_id in ids]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


TOKENS = TokenCache()
_CHANGED_USERS = "casusregie.changed_users"


@event.listens_for(OrmSession, "after_flush")
def _forget_changed(session: OrmSession, _context: Any) -> None:
    """A user or organisation changed (or removed) through the ORM: forget its tokens now
    and once more after the commit (a check between flush and commit reads the old
    row; the generation keeps it from being stored after the second forgetting)."""
    users: set[str] = set()
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, Organisation):
            users.add("*")
        elif isinstance(obj, User):
            users.add(obj.id)
    if users:
        session.info.setdefault(_CHANGED_USERS, set()).update(users)
        _forget(users)


@event.listens_for(OrmSession, "after_commit")
def _forget_committed(session: OrmSession) -> None:
    users = session.info.pop(_CHANGED_USERS, None)
    if users:
        _forget(users)


@event.listens_for(OrmSession, "after_rollback")
def _drop_changed(session: OrmSession) -> None:
    session.info.pop(_CHANGED_USERS, None)


def _forget(users: set[str]) -> None:
    if "*" in users:
        TOKENS.clear()
    else:
        TOKENS.forget_users(users)


def _usable(token: str) -> str | None:
    token = token.strip()
    return token if token and len(token) <= 512 else None


def cached_principal(settings: Settings, token: str) -> Principal | None:
    """The principal of a token checked within ``token_cache_seconds`` (no database)."""
    usable = _usable(token)
    if usable is None or settings.token_cache_seconds <= 0:
        return None
    return TOKENS.get(hash_token(usable), settings.token_cache_seconds)


def check_token(session: Session, settings: Settings, token: str) -> TokenCheck:
    usable = _usable(token)
    if usable is None:
        return TokenCheck(None)
    token_hash = hash_token(usable)
    generation = TOKENS.generation
    row = session.exec(
        select(User, Organisation)
        .join(Organisation, col(Organisation.id) == col(User.org_id))
        .where(User.token_hash == token_hash, col(User.active).is_(True))
    ).first()
    if row is None:
        session.commit()
        return TokenCheck(None)
    user, org = row
    now = datetime.now(UTC)
    expires_at = token_expires_at(user, settings)
    if now >= expires_at:
        session.commit()
        return TokenCheck(None, expired=True)
    last = user.token_last_used_at
    if last is None or now - _aware(last) >= LAST_USED_EVERY:
        session.exec(update(User).where(col(User.id) == user.id).values(token_last_used_at=now))
    # end the transaction either way: its connection goes back to the pool (a request
    # must not hold one while it waits for anything else: api/services/commands.release)
    session.commit()
    principal = principal_of(user, org)
    if settings.token_cache_seconds > 0:
        TOKENS.put(token_hash, principal, expires_at, generation)
    return TokenCheck(principal)


def principal_for_token(session: Session, settings: Settings, token: str) -> Principal | None:
    return check_token(session, settings, token).principal


def principal_for_user(session: Session, user_id: str) -> Principal | None:
    row = session.exec(
        select(User, Organisation)
        .join(Organisation, col(Organisation.id) == col(User.org_id))
        .where(User.id == user_id, col(User.active).is_(True))
    ).first()
    return principal_of(*row) if row else None

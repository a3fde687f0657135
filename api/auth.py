"""Bearer tokens to principals: the token's SHA-256 is looked up, never the token."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from api.scoping import Principal
from core.security import hash_token
from db.models import Organisation, User


def _principal(session: Session, condition: ColumnElement[bool]) -> Principal | None:
    row = session.exec(
        select(User, Organisation)
        .join(Organisation, col(Organisation.id) == col(User.org_id))
        .where(condition, col(User.active).is_(True))
    ).first()
    if row is None:
        return None
    user, org = row
    return Principal(
        user_id=user.id, name=user.name, role=user.role, org=org.name, org_region=org.region
    )


def principal_for_token(session: Session, token: str) -> Principal | None:
    token = token.strip()
    if not token:
        return None
    return _principal(session, col(User.token_hash) == hash_token(token))


def principal_for_user(session: Session, user_id: str) -> tuple[Principal, str] | None:
    """The principal and its current token hash (sessions are bound to the token)."""
    user = session.get(User, user_id)
    if user is None:
        return None
    principal = _principal(session, col(User.id) == user_id)
    return (principal, user.token_hash) if principal else None

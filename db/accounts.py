"""Organisations and users: created on first use (``casusregie user add``, test factories).

A user's organisation kind follows from its role; the API token is returned once and only
its hash is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, or_, select

from core.security import hash_token, new_token
from db.models import Organisation, User
from db.sessions import end_user_sessions
from domain.text import has_control_characters
from domain.vocabulary import REGIONS, Role

DEFAULT_TOKEN_DAYS = 365
ORG_KINDS = ("zorgkantoor", "aanbieder", "oco", "auditor", "adviser", "beheer")
# the kinds that can take part in a case (functional administration never does)
CASE_ORG_KINDS = tuple(kind for kind in ORG_KINDS if kind != "beheer")

ORG_KIND_BY_ROLE: dict[Role, str] = {
    Role.COORDINATOR: "zorgkantoor",
    Role.ZORGKANTOOR: "zorgkantoor",
    Role.AANBIEDER: "aanbieder",
    Role.OCO: "oco",
    Role.AUDITOR: "auditor",
    Role.BEHEERDER: "beheer",
}


class AccountError(ValueError):
    """Bad input for an account; ``field`` names the offending option."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise AccountError("role", f"unknown role {value!r}; allowed: {allowed}") from None


def parse_region(value: str | None) -> str | None:
    """The canonical region name (case-insensitive match), or None when not given."""
    if value is None or not value.strip():
        return None
    by_lower = {r.lower(): r for r in REGIONS}
    if (region := by_lower.get(value.strip().lower())) is None:
        allowed = ", ".join(sorted(REGIONS))
        raise AccountError("region", f"unknown region {value!r}; allowed: {allowed}")
    return region


@dataclass
class NewUser:
    user: User
    org: Organisation
    org_created: bool
    token: str  # shown once; only its hash is stored


def add_user(
    session: Session,
    *,
    name: str,
    role: Role | str,
    org: str,
    region: str | None = None,
    email: str | None = None,
    token_days: int = DEFAULT_TOKEN_DAYS,
) -> NewUser:
    """Create a user (and its organisation on first use); raises ``AccountError``."""
    role = role if isinstance(role, Role) else parse_role(role)
    region = parse_region(region)
    name, org = clean_name("name", name), clean_name("org", org)
    kind = ORG_KIND_BY_ROLE[role]
    organisation = session.exec(select(Organisation).where(Organisation.name == org)).first()
    created = organisation is None
    if organisation is None:
        organisation = Organisation(name=org, kind=kind, region=region)
        session.add(organisation)
        session.flush()
    elif organisation.kind != kind:
        raise AccountError(
            "org",
            f"organisation {org!r} is of kind {organisation.kind}; "
            f"role {role.value} needs an organisation of kind {kind}",
        )
    elif region and organisation.region and organisation.region != region:
        raise AccountError(
            "region", f"organisation {org!r} is in region {organisation.region!r}, not {region!r}"
        )
    elif region and not organisation.region:
        organisation.region = region
        session.add(organisation)
    token = new_token()
    user = User(
        name=name,
        role=role.value,
        org_id=organisation.id,
        token_hash=hash_token(token),
        token_expires_at=token_expiry(token_days),
        email=clean_name("email", email) if email else None,
    )
    session.add(user)
    session.flush()
    return NewUser(user=user, org=organisation, org_created=created, token=token)


def clean_name(field: str, value: str, max_length: int = 200) -> str:
    """A name or identifier without surrounding spaces; control characters refused."""
    value = value.strip()
    if not value:
        raise AccountError(field, f"{field} must not be empty")
    if has_control_characters(value):
        raise AccountError(field, f"{field} must not contain control characters")
    if len(value) > max_length:
        raise AccountError(field, f"{field} is longer than {max_length} characters")
    return value


def token_expiry(days: int) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


def find_user(session: Session, ref: str) -> User:
    """A user by id, or by name when that name is unique."""
    rows = session.exec(select(User).where(or_(User.id == ref, User.name == ref))).all()
    if not rows:
        raise AccountError("user", f"no user {ref!r}")
    if len(rows) > 1:
        ids = ", ".join(u.id for u in rows)
        raise AccountError("user", f"{len(rows)} users are called {ref!r}; use the id: {ids}")
    return rows[0]


def revoke_user(session: Session, user: User) -> int:
    """Deactivate a user: the API token stops working, every web session ends, single
    sign-on refuses the person. Returns the number of sessions ended."""
    user.active = False
    user.revoked_at = datetime.now(UTC)
    user.token_hash = hash_token(new_token())  # the old token is forgotten as well
    session.add(user)
    return end_user_sessions(session, user.id, "revoked")


def rotate_token(session: Session, user: User, token_days: int = DEFAULT_TOKEN_DAYS) -> str:
    """A new API token for the user (shown once); the old one stops working at once and
    the user's web sessions end."""
    token = new_token()
    user.token_hash = hash_token(token)
    user.token_expires_at = token_expiry(token_days)
    user.token_last_used_at = None
    session.add(user)
    end_user_sessions(session, user.id, "token_rotated")
    return token


def add_organisation(
    session: Session,
    *,
    name: str,
    kind: str,
    region: str | None = None,
    email: str | None = None,
) -> Organisation:
    """Register an organisation (type, region, contact address); raises ``AccountError``."""
    name = clean_name("name", name)
    if kind not in ORG_KINDS:
        raise AccountError("kind", f"unknown kind {kind!r}; allowed: {', '.join(ORG_KINDS)}")
    if session.exec(select(Organisation).where(Organisation.name == name)).first():
        raise AccountError("name", f"organisation {name!r} is already registered")
    org = Organisation(
        name=name,
        kind=kind,
        region=parse_region(region),
        email=clean_name("email", email) if email else None,
    )
    session.add(org)
    session.flush()
    return org

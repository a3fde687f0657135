"""Organisations and users: created on first use (``casusregie user add``, test factories).

A user's organisation kind follows from its role; the API token is returned once and only
its hash is stored."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from core.security import hash_token, new_token
from db.models import Organisation, User
from domain.vocabulary import REGIONS, Role

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
) -> NewUser:
    """Create a user (and its organisation on first use); raises ``AccountError``."""
    role = role if isinstance(role, Role) else parse_role(role)
    region = parse_region(region)
    name, org = name.strip(), org.strip()
    if not name:
        raise AccountError("name", "name must not be empty")
    if not org:
        raise AccountError("org", "organisation name must not be empty")
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
        email=email or None,
    )
    session.add(user)
    session.flush()
    return NewUser(user=user, org=organisation, org_created=created, token=token)

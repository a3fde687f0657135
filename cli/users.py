"""``casusregie user add|revoke|rotate-token|list`` and ``casusregie org add|list|set-region``.

``user add`` and ``user rotate-token`` print the new API token as the last line of stdout.
"""

from __future__ import annotations

import logging
from typing import Any

import typer

user_app = typer.Typer(help="Manage users and their API tokens.", no_args_is_help=True)
org_app = typer.Typer(help="The organisation registry.", no_args_is_help=True)


def _prepare() -> None:
    from core.config import get_settings
    from core.logging import configure_logging
    from db.migrate import upgrade_to_head

    configure_logging(get_settings())
    logging.getLogger("alembic").setLevel(logging.WARNING)
    upgrade_to_head()


@user_app.command("add")
def add(
    name: str = typer.Option(..., "--name", help="The person's name."),
    role: str = typer.Option(
        ..., "--role", help="coordinator, zorgkantoor, aanbieder, oco, auditor or beheerder."
    ),
    org: str = typer.Option(..., "--org", help="Organisation name (created on first use)."),
    region: str | None = typer.Option(None, "--region", help="Zorgkantoor region."),
    email: str | None = typer.Option(None, "--email", help="E-mail for notifications."),
) -> None:
    """Add a user; prints the API token (shown once) as the last line."""
    from core.config import get_settings
    from core.logging import configure_logging
    from db.accounts import AccountError, add_user, parse_region, parse_role
    from db.engine import session_scope
    from db.migrate import upgrade_to_head

    try:  # validate before touching the database
        parsed_role, parsed_region = parse_role(role), parse_region(region)
    except AccountError as err:
        raise typer.BadParameter(str(err), param_hint=f"--{err.field}") from None

    configure_logging(get_settings())
    logging.getLogger("alembic").setLevel(logging.WARNING)
    upgrade_to_head()
    try:
        with session_scope() as session:
            new = add_user(
                session,
                name=name,
                role=parsed_role,
                org=org,
                region=parsed_region,
                email=email,
                token_days=get_settings().api_token_days,
            )
            summary = (
                f"user {new.user.name!r} ({new.user.role}) added to "
                f"{'new ' if new.org_created else ''}{new.org.kind} organisation "
                f"{new.org.name!r}" + (f", region {new.org.region}" if new.org.region else "")
            )
    except AccountError as err:
        raise typer.BadParameter(str(err), param_hint=f"--{err.field}") from None
    typer.echo(summary)
    typer.echo(
        f"API token (shown once; use as 'Authorization: Bearer <token>'; {expiry(new.user)}):"
    )
    typer.echo(new.token)


def expiry(user: Any) -> str:
    at = user.token_expires_at
    return f"valid until {at:%Y-%m-%d}" if at else "no expiry recorded"


@user_app.command("revoke")
def revoke(user: str = typer.Argument(..., help="User id, or a unique name.")) -> None:
    """Revoke a user: the API token stops working, web sessions end, sign-on is refused."""
    from db.accounts import AccountError, find_user, revoke_user
    from db.engine import session_scope

    _prepare()
    try:
        with session_scope() as session:
            found = find_user(session, user)
            ended = revoke_user(session, found)
            name, user_id = found.name, found.id
    except AccountError as err:
        raise typer.BadParameter(str(err), param_hint="USER") from None
    typer.echo(f"user {name!r} ({user_id}) revoked; {ended} web session(s) ended")


@user_app.command("rotate-token")
def rotate(user: str = typer.Argument(..., help="User id, or a unique name.")) -> None:
    """A new API token for the user (the old one stops working; web sessions end)."""
    from core.config import get_settings
    from db.accounts import AccountError, find_user, rotate_token
    from db.engine import session_scope

    _prepare()
    try:
        with session_scope() as session:
            found = find_user(session, user)
            if not found.active:
                raise AccountError("user", f"user {user!r} is revoked")
            token = rotate_token(session, found, get_settings().api_token_days)
            summary = f"new token for {found.name!r} ({found.id}); the old one no longer works"
            until = expiry(found)
    except AccountError as err:
        raise typer.BadParameter(str(err), param_hint="USER") from None
    typer.echo(summary)
    typer.echo(f"API token (shown once; {until}):")
    typer.echo(token)


@user_app.command("list")
def list_users() -> None:
    """Users with role, organisation, status, token expiry and last use."""
    from sqlmodel import col, select

    from db.engine import session_scope
    from db.models import Organisation, User

    _prepare()
    with session_scope() as session:
        rows = session.exec(
            select(User, Organisation)
            .join(Organisation, col(Organisation.id) == col(User.org_id))
            .order_by(Organisation.name, User.name)
        ).all()
        for u, o in rows:
            status = "active" if u.active else "revoked"
            used = f"{u.token_last_used_at:%Y-%m-%d %H:%M}" if u.token_last_used_at else "never"
            sso = " sso" if u.oidc_subject else ""
            typer.echo(
                f"{u.id}  {u.name}  {u.role}  {o.name}  {status}{sso}  "
                f"token {expiry(u)}, last used {used}"
            )


@org_app.command("add")
def org_add(
    name: str = typer.Option(..., "--name", help="Organisation name."),
    kind: str = typer.Option(
        ..., "--kind", help="zorgkantoor, aanbieder, oco, auditor, adviser or beheer."
    ),
    region: str | None = typer.Option(None, "--region", help="Zorgkantoor region."),
    email: str | None = typer.Option(None, "--email", help="Contact address for notices."),
) -> None:
    """Register an organisation: cases can then name it as provider, OCO or participant."""
    from db.accounts import AccountError, add_organisation
    from db.engine import session_scope

    _prepare()
    try:
        with session_scope() as session:
            org = add_organisation(session, name=name, kind=kind, region=region, email=email)
            summary = f"{org.kind} organisation {org.name!r} registered" + (
                f", region {org.region}" if org.region else ""
            )
    except AccountError as err:
        raise typer.BadParameter(str(err), param_hint=f"--{err.field}") from None
    typer.echo(summary)


@org_app.command("set-region")
def org_set_region(
    name: str = typer.Option(..., "--name", help="Organisation name."),
    region: str = typer.Option(..., "--region", help="Zorgkantoor region."),
) -> None:
    """Set the region of a zorgkantoor (its coordinators can then start cases)."""
    from sqlmodel import select

    from db.accounts import AccountError, parse_region
    from db.engine import session_scope
    from db.models import Organisation

    _prepare()
    try:
        parsed = parse_region(region)
        with session_scope() as session:
            org = session.exec(select(Organisation).where(Organisation.name == name)).first()
            if org is None:
                raise AccountError("name", f"no organisation {name!r}")
            org.region = parsed
            session.add(org)
    except AccountError as err:
        raise typer.BadParameter(str(err), param_hint=f"--{err.field}") from None
    typer.echo(f"organisation {name!r} is now in region {parsed}")


@org_app.command("list")
def org_list() -> None:
    """The registry: kind, region and contact address of every organisation."""
    from sqlmodel import select

    from db.engine import session_scope
    from db.models import Organisation

    _prepare()
    with session_scope() as session:
        for o in session.exec(select(Organisation).order_by(Organisation.kind, Organisation.name)):
            typer.echo(f"{o.kind}  {o.name}  {o.region or '-'}  {o.email or '-'}")

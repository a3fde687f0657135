"""``casusregie user add``: create a user (and its organisation on first use) and print
the new API token as the last line of stdout."""

from __future__ import annotations

import logging

import typer

user_app = typer.Typer(help="Manage users and their API tokens.", no_args_is_help=True)


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
                session, name=name, role=parsed_role, org=org, region=parsed_region, email=email
            )
            summary = (
                f"user {new.user.name!r} ({new.user.role}) added to "
                f"{'new ' if new.org_created else ''}{new.org.kind} organisation "
                f"{new.org.name!r}" + (f", region {new.org.region}" if new.org.region else "")
            )
    except AccountError as err:
        raise typer.BadParameter(str(err), param_hint=f"--{err.field}") from None
    typer.echo(summary)
    typer.echo("API token (shown once; use as 'Authorization: Bearer <token>'):")
    typer.echo(new.token)

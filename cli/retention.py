"""``casusregie retention apply``: crypto-shred the cases closed longer than
``CASUSREGIE_RETENTION_DAYS`` (``audit/retention.py``). Exit 2 when no retention period
is configured, 1 when Temporal cannot be reached (nothing is shredded then)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

import typer

retention_app = typer.Typer(
    help="Retention: destroy the data keys of old cases.", no_args_is_help=True
)


async def _apply(days: int, now: datetime, dry_run: bool) -> int:
    from temporalio.service import RPCError

    from audit.retention import apply_retention
    from core.temporal import connect_client
    from db.engine import get_engine

    try:
        client = await connect_client()
        report = await apply_retention(get_engine(), client, days, now, dry_run=dry_run)
    except (RPCError, RuntimeError) as exc:
        typer.echo(f"Temporal is unreachable; nothing was shredded ({exc})", err=True)
        return 1
    verb = "would shred" if dry_run else "shredded"
    typer.echo(f"closed before {report.cutoff.isoformat()}: {verb} {len(report.shredded)} case(s)")
    for case_id in report.shredded:
        typer.echo(f"  {verb} {case_id}")
    for case_id in report.still_running:
        typer.echo(f"  kept {case_id}: its workflow still runs")
    erased = "would erase" if dry_run else "erased"
    typer.echo(f"early signals: {erased} the text of {len(report.signals_erased)}")
    return 0


@retention_app.command("apply")
def apply(
    days: Annotated[
        int | None, typer.Option(help="Override CASUSREGIE_RETENTION_DAYS.", min=1)
    ] = None,
    now: Annotated[
        datetime | None, typer.Option(help="Reference time (UTC), for tests and catch-up.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list the cases.")] = False,
) -> None:
    """Destroy the data key of every case closed longer than the retention period."""
    from core.config import get_settings

    period = days or get_settings().retention_days
    if period is None:
        typer.echo("CASUSREGIE_RETENTION_DAYS is not set: nothing is ever shredded", err=True)
        raise typer.Exit(2)
    moment = (now or datetime.now(UTC)).replace(tzinfo=(now.tzinfo if now else UTC) or UTC)
    raise typer.Exit(asyncio.run(_apply(period, moment, dry_run)))

"""``casusregie history export|dossier``: a case's Temporal history as JSON, and the
auditor's dossier bundle (zip) as the API serves it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

history_app = typer.Typer(help="Export case histories and dossiers.", no_args_is_help=True)

Output = Annotated[Path, typer.Option("--output", "-o", help="File to write.")]


async def _export(case_id: str, output: Path, encrypted: bool) -> int:
    from audit.history import export_history, write_json
    from core.temporal import connect_client

    client = await connect_client()
    doc = await export_history(client, case_id, decode=not encrypted)
    write_json(doc, output)
    runs = 1 + len(doc.get("previous_runs", []))
    print(
        f"{output}: {len(doc['events'])} events, {runs} run(s), payloads {doc['payloads']}",
        flush=True,
    )
    return 0


async def _dossier(case_id: str, output: Path, with_replay: bool) -> int:
    from sqlmodel import Session

    from audit.dossier import collect_dossier
    from audit.replay import make_replayer
    from core.config import get_settings
    from core.temporal import connect_client
    from db.engine import get_engine
    from db.models import Case
    from workflows.registry import WORKFLOWS

    engine = get_engine()
    with Session(engine) as session:
        case = session.get(Case, case_id)
    if case is None:
        print(f"case {case_id} not found", flush=True)
        return 1
    client = await connect_client()
    replayer = make_replayer(get_settings(), WORKFLOWS) if with_replay else None
    data = await collect_dossier(client, engine, case, replayer)
    output.write_bytes(data)
    print(f"{output}: dossier of case {case_id} ({len(data)} bytes)", flush=True)
    return 0


@history_app.command("export")
def export(
    case_id: Annotated[str, typer.Argument(help="The case id.")],
    output: Output,
    encrypted: Annotated[
        bool, typer.Option("--encrypted", help="Keep payloads encrypted as Temporal stores them.")
    ] = False,
) -> None:
    """Write the case's Temporal event history (payloads decoded unless --encrypted)."""
    raise typer.Exit(asyncio.run(_export(case_id, output, encrypted)))


@history_app.command("dossier")
def dossier(
    case_id: Annotated[str, typer.Argument(help="The case id.")],
    output: Output,
    replay: Annotated[
        bool, typer.Option("--replay/--no-replay", help="Include the replay verdict.")
    ] = True,
) -> None:
    """Write the auditor's dossier: history, audit log (JSON, CSV), timeline (HTML)."""
    raise typer.Exit(asyncio.run(_dossier(case_id, output, replay)))

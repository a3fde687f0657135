"""``casusregie simulate``: a year of cases through the real workflow, and its reflection."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import uuid
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from domain.vocabulary import REGIONS


def simulate_command(
    cases: Annotated[int, typer.Option(min=1, max=20_000, help="how many cases start")] = 500,
    region: Annotated[str, typer.Option(help="the zorgkantoor region")] = "Utrecht",
    seed: Annotated[int, typer.Option(help="the same seed gives the same caseload")] = 1,
    scenario: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="YAML: chances to override")
    ] = None,
    into: Annotated[
        Path | None,
        typer.Option(help="write the simulated cases into this data dir's read model"),
    ] = None,
    report: Annotated[Path | None, typer.Option(help="where to write the JSON report")] = None,
) -> None:
    """Run CASES cases over a simulated year on the time-skipping test server, with
    simulated parties; print and write the reflection report of that year."""
    if region not in REGIONS:
        raise typer.BadParameter(
            f"unknown region; allowed: {', '.join(REGIONS)}", param_hint="--region"
        )
    try:
        from cli.simulation import load_scenario

        chances = load_scenario(scenario)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--scenario") from None
    out = report or Path(f"simulatie-{region.replace('/', '-')}-{seed}.json")
    if into is not None:
        raise typer.Exit(asyncio.run(_run(cases, region, seed, chances, into, out)))
    # without --into the read model is only the report's source: removed afterwards
    with tempfile.TemporaryDirectory(prefix="casusregie-sim-") as scratch:
        code = asyncio.run(_run(cases, region, seed, chances, None, out, Path(scratch)))
    raise typer.Exit(code)


async def _run(
    cases: int,
    region: str,
    seed: int,
    chances: dict[str, float],
    into: Path | None,
    out: Path,
    scratch: Path | None = None,
) -> int:
    from rich.progress import Progress
    from sqlmodel import Session, col, select
    from temporalio.testing import WorkflowEnvironment

    from api.scoping import Principal
    from api.services.reflection import Period, reflection
    from cli.simulation import simulate
    from core.config import get_settings
    from core.temporal import data_converter
    from db.engine import engine_for
    from db.migrate import upgrade_to_head
    from db.models import Case

    data_dir = into or scratch
    assert data_dir is not None
    data_dir.mkdir(parents=True, exist_ok=True)
    # this process works for the data dir: everything that reads the settings (the case
    # keys of sealed columns too) and the worker processes use its key ring
    os.environ["CASUSREGIE_DATA_DIR"] = str(data_dir.resolve())
    os.environ["CASUSREGIE_MAIL_BACKEND"] = "console"
    get_settings.cache_clear()
    settings = get_settings()
    url = settings.effective_database_url
    upgrade_to_head(url)
    engine = engine_for(url)
    server = Path(sys.executable).parent / "temporal-test-server"
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(server), data_converter=data_converter(settings)
    ) as env:
        start = await env.get_current_time()
        with Progress(transient=True, refresh_per_second=2) as bar:  # its thread costs CPU
            job = bar.add_task(f"{cases} casussen in {region}", total=cases)
            result = await simulate(
                env,
                env.client,
                engine,
                settings,
                cases=cases,
                region=region,
                seed=seed,
                scenario=chances,
                task_queue=f"sim-{uuid.uuid4()}",
                progress=lambda done: bar.update(job, completed=done),
            )
    auditor = Principal(user_id="simulator", name="simulatie", role="auditor", org="simulatie")
    with Session(engine) as session:
        first = session.exec(select(Case.created_at).order_by(col(Case.created_at))).first()
        period = Period((first or start).date(), (start + timedelta(days=365)).date())
        year = reflection(session, auditor, period, region=region)
    out.write_text(
        json.dumps(
            {
                "simulation": asdict(result),
                "seed": seed,
                "region": region,
                "scenario": chances,
                "reflection": asdict(year),
            },
            indent=2,
            default=str,
            ensure_ascii=False,
        )
        + "\n"
    )
    print(
        f"{result.cases} casussen, {result.closed} afgesloten in {result.seconds} s "
        f"({result.cases_per_second:.1f} casussen/s, {result.updates} "
        f"stappen, {result.refused} geweigerd"
        + (f", {result.queries_retried} vragen herhaald" if result.queries_retried else "")
        + ")"
    )
    for outcome, n in result.outcomes.items():
        print(f"  {outcome}: {n}")
    print(f"Reflectierapport: {out}")
    if into:
        print(
            f"Casussen staan in {data_dir}: start casusregie met CASUSREGIE_DATA_DIR={data_dir} "
            f"en een gebruiker met --region {region!r} om de monitor te bekijken."
        )
    return 0

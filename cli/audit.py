"""``casusregie audit verify``: does the read model agree with the workflows? Reports
differences per case; ``--repair`` rebuilds a case's read model from its history.
Exit code 1 while differences (or errors) remain."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

audit_app = typer.Typer(help="Audit tools: reconcile the read model.", no_args_is_help=True)


def started_case_ids() -> list[str]:
    from sqlmodel import Session, col, select

    from db.engine import get_engine
    from db.models import Case

    with Session(get_engine()) as session:
        query = select(Case.id).where(Case.workflow_state != "pending")
        return list(session.exec(query.order_by(col(Case.created_at))))


async def run_verify(cases: list[str], repair: bool, query: bool) -> int:
    from audit.reconcile import verify_case
    from cli.replay import report
    from core.temporal import connect_client
    from db.engine import get_engine

    cases = cases or started_case_ids()
    client, engine = await connect_client(), get_engine()
    bad = 0
    with report(len(cases), "verify") as rep:
        for case_id in cases:
            check = await verify_case(client, engine, case_id, fix=repair, query=query)
            bad += not check.ok
            if check.error:
                rep.line(f"ERROR            case {case_id}: {check.error}")
            elif not check.differences:
                rep.line(f"ok               case {case_id} (compared with {check.source})")
            else:
                state = "repaired" if check.repaired and check.ok else "DIFFERENT"
                rep.line(
                    f"{state:<16} case {case_id} (compared with {check.source}): "
                    f"{len(check.differences)} difference(s)"
                )
                for diff in check.differences:
                    rep.line(f"    {diff.describe()}")
                for diff in check.remaining:
                    rep.line(f"    still: {diff.describe()}")
            rep.advance()
    print(f"{len(cases) - bad} ok, {bad} with differences or errors", flush=True)
    return 1 if bad else 0


@audit_app.command("verify")
def verify(
    case: Annotated[
        list[str] | None, typer.Option("--case", help="Check this case id (repeatable).")
    ] = None,
    repair: Annotated[
        bool, typer.Option("--repair", help="Rebuild differing read models from the case history.")
    ] = False,
    query: Annotated[
        bool,
        typer.Option(
            "--query/--no-query",
            help="Compare with the workflow's state query (needs a running worker); "
            "otherwise, or when no worker answers, with the history.",
        ),
    ] = True,
) -> None:
    """Compare the read model (tasks, phase, outcome, audit log) with the workflows."""
    raise typer.Exit(asyncio.run(run_verify(case or [], repair, query)))

"""``casusregie replay``: replay closed cases (or ``--case``, or ``--file``) against the
current workflow code; one line per run (ok / nondeterministic with the error); exit
code 1 when any run fails. A progress bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from audit.replay import ReplayVerdict


class Report:
    """Result lines on stdout; on a terminal with more than one item, a progress bar."""

    def __init__(self, total: int, label: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.console = Console(highlight=False, soft_wrap=True)
        self.progress = None
        if self.console.is_terminal and total > 1:
            self.progress = Progress(
                TextColumn(label),
                BarColumn(),
                MofNCompleteColumn(),
                console=self.console,
                transient=True,
            )
            self.task = self.progress.add_task(label, total=total)

    def line(self, text: str) -> None:
        if self.progress is not None:
            self.progress.console.print(text, markup=False)
        else:
            print(text, flush=True)

    def advance(self) -> None:
        if self.progress is not None:
            self.progress.advance(self.task)


@contextmanager
def report(total: int, label: str) -> Iterator[Report]:
    rep = Report(total, label)
    if rep.progress is None:
        yield rep
        return
    with rep.progress:
        yield rep


def verdict_line(v: ReplayVerdict) -> str:
    where = f"run {v.run_id}" if v.run_id else ""
    source = "" if v.source == "temporal" else f" ({v.source})"
    text = f"{v.verdict.upper() if not v.ok else v.verdict:<16} case {v.case_id} {where}{source}"
    return text if v.ok else f"{text}: {v.error}"


async def run_replay(cases: list[str], files: list[Path]) -> int:
    from audit.history import load_histories
    from audit.replay import (
        SHREDDED,
        closed_case_ids,
        make_replayer,
        replay,
        replay_case,
        unavailable,
    )
    from core.config import get_settings
    from core.temporal import connect_client
    from db.engine import get_engine
    from workflows.registry import WORKFLOWS

    settings = get_settings()
    if not cases and not files:
        cases = closed_case_ids(get_engine())
        if not cases:
            print("no closed cases to replay", flush=True)
            return 0
    replayer = make_replayer(settings, WORKFLOWS)
    client = await connect_client(settings) if cases else None
    verdicts: list[ReplayVerdict] = []
    with report(len(cases) + len(files), "replay") as rep:
        for path in files:
            try:
                pairs = [(h, str(path)) for h in load_histories(path)]
                found = [v async for v in replay(pairs, replayer)]
            except (OSError, ValueError, KeyError, RuntimeError) as exc:
                found = [unavailable(path.stem, exc, source=str(path))]
            verdicts += found
            for v in found:
                rep.line(verdict_line(v))
            rep.advance()
        for case_id in cases:
            assert client is not None  # connected above whenever there are cases
            found = await replay_case(client, case_id, replayer)
            verdicts += found
            for v in found:
                rep.line(verdict_line(v))
            rep.advance()
    failed = [v for v in verdicts if not v.ok and v.verdict != SHREDDED]
    shredded = sum(v.verdict == SHREDDED for v in verdicts)
    print(
        f"{len(verdicts) - len(failed) - shredded} ok, {len(failed)} failed"
        + (f", {shredded} shredded" if shredded else ""),
        flush=True,
    )
    return 1 if failed else 0


def replay_command(
    case: Annotated[
        list[str] | None, typer.Option("--case", help="Replay this case id (repeatable).")
    ] = None,
    file: Annotated[
        list[Path] | None, typer.Option("--file", help="Replay a history JSON export (repeatable).")
    ] = None,
) -> None:
    """Replay every closed case (or --case / --file) against the current workflow code."""
    raise typer.Exit(asyncio.run(run_replay(case or [], file or [])))

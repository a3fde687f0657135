"""The case dossier for auditors: one zip with the decoded Temporal history, the audit
log (JSON and CSV), the timeline rendered as a Dutch HTML page and, when asked, the
replay verdict. Built the same way by the API and the CLI."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.client import Client

from audit.history import export_history
from audit.log import case_events, events_csv, events_json
from audit.replay import CaseReplayer, ReplayVerdict, replay_case
from db.models import AuditEvent, Case, Task
from domain import labels

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

README = """Dossier casus {case_id}
Samengesteld op {generated} door casusregie.

history.json    De volledige Temporal-gebeurtenisgeschiedenis van de casus, met
                ontsleutelde gegevens ("decoded"); opnieuw af te spelen met
                `casusregie replay --file history.json`.
audit-log.json  Het auditlogboek: wie deed wat, wanneer, waarom (motivering),
audit-log.csv   met de waarden voor en na de wijziging.
tijdlijn.html   De tijdlijn van de casus, leesbaar in een browser.
replay.json     Het oordeel van de deterministische replay tegen de huidige code
                (alleen als die is uitgevoerd).
"""

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


_env.globals.update(labels=labels)
_env.filters.update(datumtijd=labels.format_datetime)


def render_timeline(
    case: Case,
    events: Sequence[AuditEvent],
    task_titles: dict[str, str],
    generated_at: datetime,
    verdicts: Sequence[ReplayVerdict] | None = None,
) -> str:
    return _env.get_template("audit/dossier_timeline.html").render(
        case=case,
        events=events,
        task_titles=task_titles,
        generated_at=generated_at,
        verdicts=verdicts,
    )


def build_dossier(
    case: Case,
    events: Sequence[AuditEvent],
    task_titles: dict[str, str],
    history: dict[str, Any],
    verdicts: Sequence[ReplayVerdict] | None = None,
    generated_at: datetime | None = None,
) -> bytes:
    generated_at = generated_at or datetime.now(UTC)
    files = {
        "LEESMIJ.txt": README.format(
            case_id=case.id, generated=labels.format_datetime(generated_at)
        ),
        "history.json": json.dumps(history, indent=2, ensure_ascii=False) + "\n",
        "audit-log.json": events_json(list(events)),
        "audit-log.csv": events_csv(list(events)),
        "tijdlijn.html": render_timeline(case, events, task_titles, generated_at, verdicts),
    }
    if verdicts is not None:
        files["replay.json"] = json.dumps([v.to_dict() for v in verdicts], indent=2) + "\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(f"dossier-{case.id}/{name}", text)
    return buffer.getvalue()


async def collect_dossier(
    client: Client, engine: Engine, case: Case, replayer: CaseReplayer | None = None
) -> bytes:
    """Everything for ``case`` from Temporal and the read model, zipped; with a
    ``replayer``, the replay verdict too."""
    history = await export_history(client, case.id, decode=True)
    verdicts = None
    if replayer is not None:
        verdicts = await replay_case(client, case.id, replayer)
    with Session(engine) as session:
        events = case_events(session, case.id)
        rows = session.exec(select(Task.id, Task.title).where(Task.case_id == case.id))
        titles = dict(rows.all())
    return build_dossier(case, events, titles, history, verdicts)

"""The audit log of a case as auditors receive it: ordered rows, JSON records, CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlmodel import Session, col, select

from db.models import AuditEvent

CSV_COLUMNS = (
    "seq",
    "at",
    "actor",
    "actor_id",
    "role",
    "org",
    "action",
    "task_id",
    "motivation",
    "detail",
    "before",
    "after",
    "request_id",
    "id",
    "recorded_at",
)


def case_events(session: Session, case_id: str) -> list[AuditEvent]:
    """The case's audit events in the order the workflow emitted them."""
    query = select(AuditEvent).where(AuditEvent.case_id == case_id)
    return list(session.exec(query.order_by(col(AuditEvent.seq), col(AuditEvent.at))))


def event_record(event: AuditEvent) -> dict[str, Any]:
    """A JSON-safe dict of one row (timestamps as ISO 8601)."""
    record = event.model_dump()
    for key in ("at", "recorded_at"):
        record[key] = record[key].isoformat() if record[key] else None
    return {column: record.get(column) for column in CSV_COLUMNS}


def events_json(events: list[AuditEvent]) -> str:
    return json.dumps([event_record(e) for e in events], indent=2, ensure_ascii=False) + "\n"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> object:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP: CSV
    injection): ``=HYPERLINK(...)`` is shown as text, not executed."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def events_csv(events: list[AuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for event in events:
        record = event_record(event)
        for key in ("detail", "before", "after"):
            value = record[key]
            record[key] = "" if value in (None, {}) else json.dumps(value, ensure_ascii=False)
        writer.writerow({key: neutralise(value) for key, value in record.items()})
    return out.getvalue()

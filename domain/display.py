"""Values as people read them on pages: a completion's data, the case data, a consent
record, by the kind of the field that holds them (the step plan declares it)."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

from domain.casedata import CASE_DATA_FIELDS, DOCUMENT_FIELDS
from domain.codes import CONSENT_GIVERS, DECLINE_REASONS, ROUND_RESULTS, label_of
from domain.definitions import DEFINITIONS
from domain.labels import dutch_day, format_datetime, format_money
from domain.process import FieldKind, FieldSpec

# completion data the engine adds as context, not typed by anybody
CONTEXT_LABELS = {
    "request": "Vraag of signaal",
    "requested_by": "Gevraagd door",
    "requested_by_org": "Organisatie die het vroeg",
    "override_gates": "Afgerond zonder de voorbereidende stappen",
}


@cache
def field_specs() -> dict[str, FieldSpec]:
    """Every field of every step-plan version and the case data, by name (the latest
    version's label wins)."""
    specs: dict[str, FieldSpec] = {}
    for _, defn in sorted(DEFINITIONS.items()):
        for task in defn.all_tasks():
            specs.update({f.name: f for f in task.fields})
    specs.update({f.name: f for f in CASE_DATA_FIELDS + DOCUMENT_FIELDS})
    return specs


def field_label(name: str) -> str:
    spec = field_specs().get(name)
    return spec.label if spec else CONTEXT_LABELS.get(name, name)


def _date(value: Any, with_time: bool) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if with_time and ("T" in str(value) or " " in str(value)):
        if moment.tzinfo is None:  # typed in a form: Dutch local time already
            return f"{dutch_day(moment.date())} {moment:%H:%M}"
        return format_datetime(moment)
    return dutch_day(date(moment.year, moment.month, moment.day))


def format_value(name: str, value: Any) -> str:
    """``value`` of the field ``name`` in plain Dutch."""
    if value in (None, "", [], {}):
        return "—"
    spec = field_specs().get(name)
    kind = spec.kind if spec else None
    if kind is FieldKind.MONEY and isinstance(value, int | float):
        return format_money(value)
    if kind in (FieldKind.DATE, FieldKind.DATETIME):
        return _date(value, kind is FieldKind.DATETIME)
    if kind is FieldKind.CHOICE and spec is not None:
        return label_of(spec.choices, str(value))
    if kind is FieldKind.YES_NO or isinstance(value, bool):
        return "ja" if value else "nee"
    if kind is FieldKind.CONSENT and isinstance(value, dict):
        giver = label_of(CONSENT_GIVERS, value.get("given_by"))
        when = _date(value.get("date"), False)
        return f"{giver}, {value.get('scope')}, {when}, {value.get('recorded_how')}"
    if kind is FieldKind.PARTICIPANTS and isinstance(value, list):
        return "; ".join(
            f"{p.get('name')} ({p.get('org') or '—'}, "
            f"{'met' if p.get('mandate') else 'zonder'} mandaat)"
            for p in value
            if isinstance(p, dict)
        )
    if kind is FieldKind.PROVIDER_RESULTS and isinstance(value, list):
        return "; ".join(
            f"{r.get('provider')}: {label_of(ROUND_RESULTS, r.get('result'))}"
            + (
                f" ({label_of(DECLINE_REASONS, r.get('reason_code'))})"
                if r.get("reason_code")
                else ""
            )
            for r in value
            if isinstance(r, dict)
        )
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)

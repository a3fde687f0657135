"""The task page's form: how the posted form becomes the completion's ``data`` (the
fields themselves are described once, in ``domain/forms.py``)."""

from __future__ import annotations

import re
from typing import Any

from domain.process import CONSENT_FIELDS, FieldKind, TaskDef

PARTICIPANT_ROWS = 6
MAX_TEXT = 10_000


def text_value(form: dict[str, Any], name: str) -> str:
    value = form.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()[:MAX_TEXT]


def _participants(form: dict[str, Any], name: str) -> list[dict[str, Any]]:
    rows = []
    for i in range(PARTICIPANT_ROWS):
        person = text_value(form, f"{name}-{i}-name")
        if not person:
            continue
        rows.append(
            {
                "name": person,
                "org": text_value(form, f"{name}-{i}-org"),
                "mandate": text_value(form, f"{name}-{i}-mandate") == "ja",
            }
        )
    return rows


def dutch_amount(raw: str) -> float:
    """Euros the Dutch way: "1.250" and "1.250,50" (dots group thousands, the comma is the
    decimal sign); "1250.50" with one dot and two decimals is read as typed."""
    text = raw.replace("€", "").replace(" ", "")
    if "," in text:
        return float(text.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        return float(text.replace(".", ""))
    return float(text)


def for_outcome(form: dict[str, Any], outcome: str) -> dict[str, Any]:
    """The posted form as the chosen outcome sees it: the fields of that outcome's own
    part of the page (named ``<outcome>:<field>``) under their plain names; the parts
    of the other outcomes are left out (they were hidden, never chosen)."""
    plain = {key: value for key, value in form.items() if ":" not in key}
    prefix = f"{outcome}:"
    plain |= {key[len(prefix) :]: value for key, value in form.items() if key.startswith(prefix)}
    return plain


def outcome_fields(tdef: TaskDef | None, outcome: str) -> set[str]:
    """The fields shown in the part of the page of ``outcome``: those it requires."""
    return set(tdef.requires.get(outcome, ())) - {"note"} if tdef else set()


def parse_data(
    tdef: TaskDef | None, form: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The completion data and Dutch messages (per field name) for values that are
    not understood."""
    data: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for spec in tdef.fields if tdef else ():
        if spec.kind is FieldKind.PARTICIPANTS:
            rows = _participants(form, spec.name)
            if rows:
                data[spec.name] = rows
            continue
        if spec.kind is FieldKind.CONSENT:
            record = {key: text_value(form, f"{spec.name}-{key}") for key in CONSENT_FIELDS}
            if any(record.values()):
                data[spec.name] = record
            continue
        if spec.kind is FieldKind.YES_NO:
            if text_value(form, spec.name) == "ja":
                data[spec.name] = True
            continue
        raw = text_value(form, spec.name)
        if not raw:
            continue
        if spec.kind is FieldKind.ORGANISATIONS:
            data[spec.name] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif spec.kind is FieldKind.MONEY:
            try:
                data[spec.name] = dutch_amount(raw)
            except ValueError:
                errors.append(
                    (spec.name, f"{spec.label}: vul een bedrag in euro's in, bijvoorbeeld 1250,50")
                )
        else:
            data[spec.name] = raw
    return data, errors


def missing_required(
    tdef: TaskDef | None, outcome: str, note: str, data: dict[str, Any]
) -> list[tuple[str, str]]:
    """Dutch messages (per field name) for what the chosen outcome requires and is still
    empty (early feedback; the workflow's validator stays authoritative)."""
    if tdef is None:
        return []
    labels = {f.name: f.label for f in tdef.fields}
    messages = []
    for name in tdef.requires.get(outcome, ()):
        if name == "note" and not note:
            messages.append(
                ("note", "Vul een toelichting of motivatie in: deze uitkomst vraagt erom.")
            )
        elif name != "note" and not data.get(name):
            messages.append(
                (name, f"Vul ‘{labels.get(name, name)}’ in: deze uitkomst vraagt erom.")
            )
    return messages

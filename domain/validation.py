"""Checks of completion data against the step plan; used by the workflow's update
validators (authoritative) and by forms (early feedback)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from domain.codes import CONSENT_GIVERS, DECLINE_REASONS, ROUND_RESULTS, codes
from domain.process import CONSENT_FIELDS, FieldKind, FieldSpec, TaskDef


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def consent_errors(value: Any, name: str = "consent") -> list[str]:
    """What is missing or wrong in a consent record (``CONSENT_FIELDS``)."""
    if not isinstance(value, dict):
        return [
            f"data.{name} must be a consent record {{{', '.join(CONSENT_FIELDS)}}}: who gave "
            "consent (client or representative), for what, on which date, how it is recorded"
        ]
    errors = [f"data.{name}.{key} is required" for key in CONSENT_FIELDS if _blank(value.get(key))]
    givers = codes(CONSENT_GIVERS)
    if value.get("given_by") and value["given_by"] not in givers:
        errors.append(f"data.{name}.given_by must be one of {list(givers)}")
    if value.get("date"):
        try:
            date.fromisoformat(str(value["date"]))
        except ValueError:
            errors.append(f"data.{name}.date must be an ISO date (e.g. 2026-12-01)")
    return errors


def _kind_error(spec: FieldSpec, value: Any) -> str | None:
    name, kind = spec.name, spec.kind
    if _blank(value):
        return None
    if kind is FieldKind.CHOICE:
        allowed = codes(spec.choices)
        return None if value in allowed else f"data.{name} must be one of {list(allowed)}"
    if kind is FieldKind.YES_NO:
        return None if isinstance(value, bool) else f"data.{name} must be true or false"
    if kind is FieldKind.CONSENT:
        errors = consent_errors(value, name)
        return "; ".join(errors) if errors else None
    if kind is FieldKind.DATETIME or kind is FieldKind.DATE:
        parse = datetime.fromisoformat if kind is FieldKind.DATETIME else date.fromisoformat
        try:
            parse(str(value))
        except ValueError:
            return f"data.{name} must be an ISO {kind.value} (e.g. 2026-12-01T14:00)"
    elif kind is FieldKind.MONEY:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            return f"data.{name} must be a non-negative amount in euros"
    elif kind is FieldKind.ORGANISATIONS:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            return f"data.{name} must be a list of organisation names"
    elif kind is FieldKind.PROVIDER_RESULTS:
        return _provider_results_error(name, value)
    elif kind is FieldKind.URL:
        if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https"):
            return f"data.{name} must be an http(s) link"
        if not urlsplit(value).netloc:
            return f"data.{name} must be an http(s) link with a host"
    elif kind is FieldKind.PARTICIPANTS:
        ok = isinstance(value, list) and all(
            isinstance(p, dict) and p.get("name") and isinstance(p.get("mandate"), bool)
            for p in value
        )
        if not ok:
            return f'data.{name} must be a list of {{"name", "org", "mandate": true/false}}'
    elif not isinstance(value, str):
        return f"data.{name} must be text"
    return None


def _provider_results_error(name: str, value: Any) -> str | None:
    results, reasons = codes(ROUND_RESULTS), codes(DECLINE_REASONS)
    shape = (
        f'data.{name} must be a list of {{"provider", "result": one of {list(results)}, '
        f'"reason_code" (when declined): one of {list(reasons)}}}'
    )
    if not isinstance(value, list):
        return shape
    for row in value:
        if not isinstance(row, dict) or not str(row.get("provider") or "").strip():
            return shape
        if row.get("result") not in results:
            return shape
        if row.get("result") == "declined" and row.get("reason_code") not in reasons:
            return shape
    return None


def fields_errors(specs: tuple[FieldSpec, ...], data: dict[str, Any]) -> list[str]:
    """Unknown names and values of the wrong kind in ``data`` (e.g. the case data)."""
    known = {spec.name: spec for spec in specs}
    errors = [
        f"data.{name} is not a known field; known: {sorted(known)}"
        for name in data
        if name not in known
    ]
    for spec in specs:
        error = _kind_error(spec, data.get(spec.name))
        if error:
            errors.append(error)
    return errors


def completion_errors(
    task: TaskDef, outcome: str, note: str, data: dict[str, Any], allowed: list[str]
) -> list[str]:
    """Everything wrong with completing ``task`` with ``outcome``; empty when fine."""
    if outcome not in allowed:
        return [f"outcome {outcome!r} is not allowed for task {task.key}; allowed: {allowed}"]
    errors = []
    for name in task.requires.get(outcome, ()):
        if name == "note":
            if not (note or "").strip():
                errors.append(f"note (motivation) is required for outcome {outcome!r}")
        elif _blank(data.get(name)):
            errors.append(f"data.{name} is required for outcome {outcome!r}")
    for spec in task.fields:
        error = _kind_error(spec, data.get(spec.name))
        if error:
            errors.append(error)
    return errors

"""Checks of completion data against the step plan; used by the workflow's update
validators (authoritative) and by forms (early feedback)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.process import FieldKind, TaskDef


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def _kind_error(name: str, kind: FieldKind, value: Any) -> str | None:
    if _blank(value):
        return None
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
        error = _kind_error(spec.name, spec.kind, data.get(spec.name))
        if error:
            errors.append(error)
    return errors

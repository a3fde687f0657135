"""Completion data checked by kind (``domain/validation.py``), per kind of field."""

from __future__ import annotations

import pytest

from domain.process import Effect, FieldKind, FieldSpec, TaskDef
from domain.validation import completion_errors
from domain.vocabulary import Role


def errors(kind: FieldKind, value: object) -> list[str]:
    task = TaskDef(
        "t", "Taak", Role.AANBIEDER, {"done": Effect()}, fields=(FieldSpec("f", "F", kind),)
    )
    return completion_errors(task, "done", "", {"f": value}, ["done"])


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (FieldKind.DATE, "2026-12-01"),
        (FieldKind.DATETIME, "2026-12-01T14:00"),
        (FieldKind.DATETIME, "2026-12-01"),
        (FieldKind.MONEY, 0),
        (FieldKind.MONEY, 0.5),
        (FieldKind.MONEY, 1250),
        (FieldKind.ORGANISATIONS, ["Zorg West", "CCE"]),
        (FieldKind.ORGANISATIONS, []),
        (FieldKind.PARTICIPANTS, [{"name": "A", "org": "B", "mandate": False}]),
        (FieldKind.TEXT, "tekst"),
        (FieldKind.URL, "https://meet.example/abc"),
        (FieldKind.TEXT, None),
        (FieldKind.TEXT, ""),
    ],
)
def test_good_values_pass(kind, value):
    assert errors(kind, value) == []


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (FieldKind.DATE, "2026-12-01T14:00", "data.f must be an ISO date (e.g. 2026-12-01T14:00)"),
        (FieldKind.DATE, "morgen", "data.f must be an ISO date (e.g. 2026-12-01T14:00)"),
        (FieldKind.DATETIME, "morgen", "data.f must be an ISO datetime (e.g. 2026-12-01T14:00)"),
        (FieldKind.MONEY, -1, "data.f must be a non-negative amount in euros"),
        (FieldKind.MONEY, -0.01, "data.f must be a non-negative amount in euros"),
        (FieldKind.MONEY, True, "data.f must be a non-negative amount in euros"),
        (FieldKind.MONEY, "100", "data.f must be a non-negative amount in euros"),
        (FieldKind.ORGANISATIONS, "Zorg West", "data.f must be a list of organisation names"),
        (FieldKind.ORGANISATIONS, [""], "data.f must be a list of organisation names"),
        (FieldKind.ORGANISATIONS, ["A", 1], "data.f must be a list of organisation names"),
        (
            FieldKind.PARTICIPANTS,
            [{"name": "A", "mandate": "ja"}],
            'data.f must be a list of {"name", "org", "mandate": true/false}',
        ),
        (
            FieldKind.PARTICIPANTS,
            [{"name": "", "mandate": True}],
            'data.f must be a list of {"name", "org", "mandate": true/false}',
        ),
        (
            FieldKind.PARTICIPANTS,
            ["A"],
            'data.f must be a list of {"name", "org", "mandate": true/false}',
        ),
        (
            FieldKind.PARTICIPANTS,
            {"name": "A", "mandate": True},
            'data.f must be a list of {"name", "org", "mandate": true/false}',
        ),
        (FieldKind.TEXT, 12, "data.f must be text"),
        (FieldKind.ORGANISATION, ["A"], "data.f must be text"),
    ],
)
def test_bad_values_are_named(kind, value, message):
    assert errors(kind, value) == [message]

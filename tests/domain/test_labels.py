"""Dutch labels and dates as the pages show them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from domain.labels import (
    AMSTERDAM,
    OUTCOMES,
    format_date,
    format_datetime,
    format_days_left,
    label,
    outcome_title,
    phase_title,
)


@pytest.fixture
def machine_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """``set(zone)`` gives the process another local time zone (TZ) for the test."""

    def set_zone(zone: str) -> None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


def test_label_falls_back_to_the_machine_name_or_a_dash():
    assert label(OUTCOMES, "placed") == "Geplaatst"
    assert label(OUTCOMES, "something_new") == "something_new"
    assert label(OUTCOMES, None) == "—"
    assert label(OUTCOMES, "") == "—"


def test_phase_and_outcome_titles():
    assert phase_title("whole_system_meeting") == "Whole system in the room"
    assert phase_title("closed") == "Afgesloten"
    assert phase_title("phase_of_the_future") == "phase_of_the_future"
    assert phase_title(None) == "—"
    assert outcome_title("care_ended_with_bridging") == "Zorg beëindigd met overbruggingszorg"
    assert outcome_title("unknown") == "unknown"
    assert outcome_title(None) == "—"


def test_dates_are_shown_in_amsterdam_time():
    # the night summer time starts: 23:30 UTC is 01:30 the next day in Amsterdam
    assert format_date(datetime(2026, 3, 29, 23, 30, tzinfo=UTC)) == "30 maart 2026"
    assert format_datetime(datetime(2026, 3, 29, 23, 30, tzinfo=UTC)) == "30 maart 2026 01:30"
    # a naive moment is UTC (SQLite gives them back without zone)
    assert format_datetime(datetime(2026, 1, 15, 8, 5)) == "15 januari 2026 09:05"
    assert format_date(datetime(2026, 12, 31, 23, 0)) == "1 januari 2027"
    assert format_date(None) == format_datetime(None) == "—"
    assert format_datetime(datetime(2026, 1, 15, 9, 5, tzinfo=AMSTERDAM)) == "15 januari 2026 09:05"


def test_dates_do_not_depend_on_the_machines_zone(machine_zone):
    machine_zone("America/New_York")
    assert format_datetime(datetime(2026, 1, 15, 8, 5)) == "15 januari 2026 09:05"


def test_today_is_amsterdams_today_whatever_the_machines_zone(machine_zone):
    """Twelve or more hours from Amsterdam either way: at any moment one of the two
    zones has another date than Amsterdam."""
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        machine_zone(zone)
        noon = datetime.now(AMSTERDAM).replace(hour=12, minute=0, second=0, microsecond=0)
        assert format_days_left(noon) == "vandaag", zone


def test_days_left_counts_calendar_days_in_amsterdam():
    noon = datetime.now(AMSTERDAM).replace(hour=12, minute=0, second=0, microsecond=0)

    def left(n: int) -> str:
        return format_days_left(noon + timedelta(days=n))

    assert format_days_left(None) == "geen termijn"
    assert left(0) == "vandaag"
    assert left(1) == "nog 1 dag"
    assert left(2) == "nog 2 dagen"
    assert left(-1) == "1 dag te laat"
    assert left(-3) == "3 dagen te laat"
    # half past midnight in Amsterdam is still the day before in UTC
    just_after_midnight = (noon + timedelta(days=1)).replace(hour=0, minute=30)
    assert format_days_left(just_after_midnight.astimezone(UTC)) == "nog 1 dag"
    # a naive moment is UTC
    assert format_days_left((noon + timedelta(days=2)).replace(tzinfo=None)) == "nog 2 dagen"

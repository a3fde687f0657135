"""The monitor and the reflection report on a generated read model (the benchmark's,
``bench/caseload.py``: 400 cases that lived through the step plan, open and closed) equal
a naive computation over every row in Python, for a zorgkantoor and an auditor; every
cohort's number equals the length of its list; the queries use their indexes."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.scoping import Principal
from api.services.cases import CaseFilter, list_cases
from api.services.monitor import COHORTS, durations, monitor
from api.services.reflection import REGISTRATION_ROUNDS, Period, reflection
from bench.caseload import fill
from db.models import REPORTED_TASK_KEYS, AuditEvent, Case, Task

ZK = Principal("zk", "Bench", "zorgkantoor", "Zorgkantoor Groningen", "Groningen")
AUDITOR = Principal("au", "Bench", "auditor", "Inspectie")
NOW = datetime.now(UTC)


@pytest.fixture
def generated(engine: Engine) -> Engine:
    # Groningen gets a region of its own size: about 400 / 31 cases would be too few
    fill(engine, 400, seed=5, now=NOW, regions=("Groningen", "Twente", "Utrecht"))
    return engine


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _days(moment: datetime) -> float:
    return max((datetime.now(UTC) - _aware(moment)).total_seconds() / 86400, 0.0)


def scoped(session: Session, principal: Principal) -> tuple[list[Case], dict[str, list[Task]]]:
    cases = [
        c
        for c in session.exec(select(Case)).all()
        if principal.role == "auditor"
        or c.zorgkantoor_org == principal.org
        or c.region == principal.org_region
    ]
    tasks: dict[str, list[Task]] = defaultdict(list)
    for t in session.exec(select(Task)).all():
        tasks[t.case_id or ""].append(t)
    return cases, tasks


def naive_cohorts(c: Case, tasks: list[Task], now: datetime) -> set[str]:
    """The cohorts of ``c``, read from its row and its tasks one by one."""
    is_open = c.status == "open"

    def late(t: Task) -> bool:
        return t.overdue or (t.status == "open" and t.due_at is not None and t.due_at < now)

    found = {
        "open": is_open,
        "overdue": is_open and any(t.status == "open" and late(t) for t in tasks),
        "stalled": is_open and c.stalled,
        "bridging": is_open and c.bridging is not None,
        "skipped": any(t.status == "skipped" for t in tasks),
        "decision_late": any(t.key == "decide_dossierhouder" and t.overdue for t in tasks),
        "decision_in_time": any(
            t.key == "decide_dossierhouder" and t.status == "done" and not t.overdue for t in tasks
        ),
        "missed_report": any(t.key == "report_progress" and t.overdue for t in tasks),
        f"phase:{c.phase}": is_open,
    }
    return {name for name, yes in found.items() if yes}


@pytest.mark.parametrize("principal", [ZK, AUDITOR], ids=["zorgkantoor", "auditor"])
def test_the_monitor_equals_a_count_of_every_row(generated, principal):
    with Session(generated) as session:
        m = monitor(session, principal)
        cases, tasks = scoped(session, principal)
        now = datetime.now(UTC)
        members: Counter[str] = Counter()
        for c in cases:
            members.update(naive_cohorts(c, tasks[c.id], now))
        open_cases = [c for c in cases if c.status == "open"]
        assert m.open_cases == members["open"] == len(open_cases) > 30
        for phase, d in m.by_phase.items():
            days = [_days(c.phase_since) for c in open_cases if c.phase == phase]
            expected = durations(days)
            assert d.count == expected.count == members[f"phase:{phase}"]
            assert d.median_days == pytest.approx(expected.median_days, abs=0.11)
        scoped_tasks = [t for c in cases for t in tasks[c.id]]
        late = [
            t
            for t in scoped_tasks
            if t.status == "open" and (t.overdue or (t.due_at is not None and t.due_at < now))
        ]
        assert (m.overdue_tasks, m.cases_held_up) == (len(late), members["overdue"])
        assert m.skipped_tasks == sum(1 for t in scoped_tasks if t.status == "skipped")
        assert m.cases_with_skipped == members["skipped"] > 0
        assert (m.decisions_in_time, m.decisions_late) == (
            members["decision_in_time"],
            members["decision_late"],
        )
        assert m.decisions_late > 0 and m.missed_reports == members["missed_report"] > 0
        assert m.stalled == members["stalled"] > 0
        assert m.bridging.count == members["bridging"]
        for name in COHORTS:  # and every number is the length of its list
            listed = list_cases(session, principal, CaseFilter(cohort=name, limit=1)).total
            assert listed == members[name], name


def median_days_to_close(cases: list[Case]) -> float | None:
    days = [
        (_aware(c.phase_since) - _aware(c.created_at)).total_seconds() / 86400
        for c in cases
        if c.status == "closed"
    ]
    return round(statistics.median(days), 1) if days else None


def naive_reflection(session: Session, principal: Principal, period: Period) -> dict[str, Any]:
    start = datetime.combine(period.start, datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(period.end + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    all_cases, tasks = scoped(session, principal)
    cases = [c for c in all_cases if start <= _aware(c.created_at) < end]
    need = {c.id: str((c.case_data or {}).get("care_need_type") or "unknown") for c in cases}
    declines: dict[str, Counter[str]] = defaultdict(Counter)
    solutions: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    rounds: Counter[str] = Counter()
    for c in cases:
        for t in tasks[c.id]:
            data = t.data or {}
            if t.status == "skipped":
                skipped[t.key] += 1
            if t.key == "decide_dossierhouder" and t.outcome == "declined":
                declines[need[c.id]][str(data.get("reason_code") or "unknown")] += 1
            if t.key in REGISTRATION_ROUNDS:
                for result in data.get("round_results") or []:
                    if result.get("result") == "declined":
                        declines[need[c.id]][str(result.get("reason_code") or "unknown")] += 1
                if t.status == "done":
                    rounds[c.id] += 1
            if t.outcome == "placed" and data.get("solution_kind"):
                solutions[str(data["solution_kind"])] += 1
    ids = {c.id for c in cases}
    stalls = Counter(
        str(e.detail.get("phase"))
        for e in session.exec(select(AuditEvent).where(AuditEvent.action == "phase_stalled"))
        if e.case_id in ids
    )
    placed = [c for c in cases if c.outcome == "placed"]
    by_care_need: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        by_care_need[need[c.id]].append(c)
    return {
        "cases": len(cases),
        "closed": sum(1 for c in cases if c.status == "closed"),
        "care_need": {
            value: (
                len(group),
                sum(1 for c in group if c.status == "open"),
                sum(1 for c in group if c.outcome == "placed"),
                median_days_to_close(group),
            )
            for value, group in by_care_need.items()
        },
        "stalled_by_phase": dict(stalls),
        "skipped_by_task": dict(skipped),
        "declines_by_care_need": {k: dict(v) for k, v in declines.items()},
        "solutions": dict(solutions),
        "rounds_per_placement": round(sum(rounds[c.id] for c in placed) / len(placed), 2),
        "meetings_per_placement": round(sum(c.meetings_held for c in placed) / len(placed), 2),
    }


@pytest.mark.parametrize("principal", [ZK, AUDITOR], ids=["zorgkantoor", "auditor"])
def test_the_reflection_equals_a_count_of_every_row(generated, principal):
    period = Period(date.today() - timedelta(days=365), date.today())
    with Session(generated) as session:
        report = reflection(session, principal, period)
        expected = naive_reflection(session, principal, period)
    assert (report.cases, report.closed) == (expected["cases"], expected["closed"])
    assert report.cases > 50 and report.closed > 20
    care_need = {
        o.value: (o.cases, o.open, o.placed, o.median_days_to_close)
        for o in report.outcomes
        if o.dimension == "care_need_type"
    }
    assert care_need == expected["care_need"]
    assert sum(o.cases for o in report.outcomes if o.dimension == "sector") == report.cases
    for name in (
        "stalled_by_phase",
        "skipped_by_task",
        "declines_by_care_need",
        "solutions",
        "rounds_per_placement",
        "meetings_per_placement",
    ):
        assert getattr(report, name) == expected[name], name
        assert expected[name], name  # the generated cases have some of each


def test_the_reported_tasks_are_the_ones_the_report_reads():
    assert set(REPORTED_TASK_KEYS) == {"decide_dossierhouder", *REGISTRATION_ROUNDS}


def test_sqlite_answers_the_reports_from_their_indexes(generated):
    """Every query of the monitor and the report walks from the scoped cases through an
    index, never through a whole table: the monitor's pass over the tasks reads the
    covering index alone, and SQLite uses the partial index of the reported tasks (only
    for a query that repeats its condition literally, so this would notice parameters)."""
    if generated.dialect.name != "sqlite":
        pytest.skip("SQLite's planner; PostgreSQL chooses by statistics")
    sent: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    event.listen(generated, "before_cursor_execute", record)
    try:
        with Session(generated) as session:
            monitor(session, ZK)
            reflection(session, ZK, Period(date.today() - timedelta(days=365), date.today()))
    finally:
        event.remove(generated, "before_cursor_execute", record)
    with generated.connect() as conn:
        plans = [
            " / ".join(row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in sent
        ]
    assert len(plans) == 5, plans  # monitor: open cases, tasks; report: cases, tasks, stalls
    for plan in plans:
        assert not re.search(r"\bSCAN (cases|tasks|audit_events)\b", plan), plan
    assert "COVERING INDEX ix_tasks_case_cohorts" in plans[1]
    assert "ix_tasks_reported" in plans[3]
    assert "ix_audit_case_action" in plans[4]

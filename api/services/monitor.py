"""The zorgplicht monitor: what a zorgkantoor manager looks at every Monday.

Every number is a *cohort* of cases, a named SQL condition on ``Case``: the monitor
counts it and ``GET /api/cases?cohort=<name>`` (and the page ``/cases?cohort=<name>``)
lists the cases behind it with the same condition, so a number and its list never
disagree. Scoped to what the caller may see (``api/scoping.visible_cases``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from statistics import median, quantiles

from sqlalchemy import ColumnElement, and_, case, exists, func, or_
from sqlmodel import Session, col, select

from api.scoping import Principal, visible_cases
from db.models import Case, Task
from domain.vocabulary import WORKING_PHASES, CaseStatus, TaskStatus

DAY = 86400.0


def _open() -> ColumnElement[bool]:
    return col(Case.status) == CaseStatus.OPEN.value


def _has_task(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(col(Task.case_id) == col(Case.id), *conditions)


def _late(now: datetime) -> ColumnElement[bool]:
    """A task past its deadline: flagged by the workflow, or open past its due date."""
    return or_(
        col(Task.overdue).is_(True),
        and_(col(Task.status) == TaskStatus.OPEN.value, col(Task.due_at) < now),
    )


# name -> condition on Case at a moment
COHORTS: dict[str, Callable[[datetime], ColumnElement[bool]]] = {
    "open": lambda now: _open(),
    "overdue": lambda now: and_(
        _open(), _has_task(col(Task.status) == TaskStatus.OPEN.value, _late(now))
    ),
    "stalled": lambda now: and_(_open(), col(Case.stalled).is_(True)),
    "bridging": lambda now: and_(_open(), col(Case.bridging_since).is_not(None)),
    "skipped": lambda now: _has_task(col(Task.status) == TaskStatus.SKIPPED.value),
    "decision_late": lambda now: _has_task(
        col(Task.key) == "decide_dossierhouder", col(Task.overdue).is_(True)
    ),
    "decision_in_time": lambda now: _has_task(
        col(Task.key) == "decide_dossierhouder",
        col(Task.status) == TaskStatus.DONE.value,
        col(Task.overdue).is_(False),
    ),
    "missed_report": lambda now: _has_task(
        col(Task.key) == "report_progress", col(Task.overdue).is_(True)
    ),
} | {
    f"phase:{p.value}": (lambda phase: lambda now: and_(_open(), col(Case.phase) == phase))(p.value)
    for p in WORKING_PHASES
}


def cohort_condition(name: str, now: datetime | None = None) -> ColumnElement[bool]:
    return COHORTS[name](now or datetime.now(UTC))


@dataclass
class Durations:
    count: int = 0
    median_days: float | None = None
    p90_days: float | None = None


@dataclass
class MonitorView:
    region: str | None
    open_cases: int
    by_phase: dict[str, Durations]
    overdue_tasks: int
    cases_held_up: int
    bridging: Durations
    stalled: int
    skipped_tasks: int
    cases_with_skipped: int
    decisions_in_time: int
    decisions_late: int
    missed_reports: int
    links: dict[str, str] = field(default_factory=dict)


def durations(days: list[float]) -> Durations:
    if not days:
        return Durations()
    p90 = quantiles(days, n=10, method="inclusive")[-1] if len(days) > 1 else days[0]
    return Durations(len(days), round(median(days), 1), round(p90, 1))


def monitor(session: Session, principal: Principal, region: str | None = None) -> MonitorView:
    now = datetime.now(UTC)
    scope = [visible_cases(principal)] + ([col(Case.region) == region] if region else [])

    counted = (
        "overdue",
        "stalled",
        "skipped",
        "decision_in_time",
        "decision_late",
        "missed_report",
    )
    # one pass over the scoped cases: a sum per cohort
    sums = session.exec(
        select(
            *(
                func.coalesce(func.sum(case((cohort_condition(n, now), 1), else_=0)), 0)
                for n in counted
            )
        )
        .select_from(Case)
        .where(*scope)
    ).one()
    totals = dict(zip(counted, sums, strict=True))

    def count(name: str) -> int:
        return int(totals[name])

    since = session.exec(select(Case.phase, Case.phase_since).where(*scope, _open())).all()
    per_phase: dict[str, list[float]] = {p.value: [] for p in WORKING_PHASES}
    for phase, moment in since:
        per_phase.setdefault(phase, []).append(_days(now, moment))
    bridged = session.exec(
        select(Case.bridging_since).where(*scope, cohort_condition("bridging", now))
    )
    bridging_days = [_days(now, since) for since in bridged.all() if since is not None]
    case_ids = select(Case.id).where(*scope)
    late_tasks = session.exec(
        select(func.count())
        .select_from(Task)
        .where(
            col(Task.case_id).in_(case_ids),
            col(Task.status) == TaskStatus.OPEN.value,
            _late(now),
        )
    ).one()
    skipped = session.exec(
        select(func.count())
        .select_from(Task)
        .where(col(Task.case_id).in_(case_ids), col(Task.status) == TaskStatus.SKIPPED.value)
    ).one()
    return MonitorView(
        region=region,
        open_cases=len(since),
        by_phase={phase: durations(days) for phase, days in per_phase.items()},
        overdue_tasks=late_tasks,
        cases_held_up=count("overdue"),
        bridging=durations(bridging_days),
        stalled=count("stalled"),
        skipped_tasks=skipped,
        cases_with_skipped=count("skipped"),
        decisions_in_time=count("decision_in_time"),
        decisions_late=count("decision_late"),
        missed_reports=count("missed_report"),
        links={name: f"/cases?cohort={name}" for name in COHORTS},
    )


def _days(now: datetime, moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((now - moment).total_seconds() / DAY, 0.0)

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

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, true
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from api.scoping import Principal, visible_cases
from db.models import Case, Task
from domain.vocabulary import WORKING_PHASES, CaseStatus, TaskStatus

DAY = 86400.0


def _open() -> ColumnElement[bool]:
    return col(Case.status) == CaseStatus.OPEN.value


def _late(now: datetime) -> ColumnElement[bool]:
    """A task past its deadline: flagged by the workflow, or open past its due date."""
    return or_(
        col(Task.overdue).is_(True),
        and_(col(Task.status) == TaskStatus.OPEN.value, col(Task.due_at) < now),
    )


def _always(now: datetime) -> ColumnElement[bool]:
    return true()


Condition = Callable[[datetime], ColumnElement[bool]]


@dataclass(frozen=True)
class Cohort:
    """A condition on the case and, for a cohort of tasks, on a task the case has: the
    list asks ``EXISTS`` such a task, the monitor counts the cases among the scoped
    case-and-task rows (one pass, ``monitor``). Both read the same two conditions."""

    case: Condition
    task: Condition | None = None


# name -> cohort at a moment
COHORTS: dict[str, Cohort] = {
    "open": Cohort(lambda now: _open()),
    "overdue": Cohort(
        lambda now: _open(),
        lambda now: and_(col(Task.status) == TaskStatus.OPEN.value, _late(now)),
    ),
    "stalled": Cohort(lambda now: and_(_open(), col(Case.stalled).is_(True))),
    "bridging": Cohort(lambda now: and_(_open(), col(Case.bridging_since).is_not(None))),
    "skipped": Cohort(_always, lambda now: col(Task.status) == TaskStatus.SKIPPED.value),
    "decision_late": Cohort(
        _always,
        lambda now: and_(col(Task.key) == "decide_dossierhouder", col(Task.overdue).is_(True)),
    ),
    "decision_in_time": Cohort(
        _always,
        lambda now: and_(
            col(Task.key) == "decide_dossierhouder",
            col(Task.status) == TaskStatus.DONE.value,
            col(Task.overdue).is_(False),
        ),
    ),
    "missed_report": Cohort(
        _always,
        lambda now: and_(col(Task.key) == "report_progress", col(Task.overdue).is_(True)),
    ),
} | {
    f"phase:{p.value}": Cohort(
        (lambda phase: lambda now: and_(_open(), col(Case.phase) == phase))(p.value)
    )
    for p in WORKING_PHASES
}
# the cohorts of tasks the monitor counts cases of
TASK_COHORTS = ("overdue", "skipped", "decision_in_time", "decision_late", "missed_report")


def cohort_condition(name: str, now: datetime | None = None) -> ColumnElement[bool]:
    """SQL condition on ``Case``: the case belongs to the cohort ``name``."""
    cohort, now = COHORTS[name], now or datetime.now(UTC)
    if cohort.task is None:
        return cohort.case(now)
    task = cohort.task(now)
    return and_(cohort.case(now), exists().where(col(Task.case_id) == col(Case.id), task))


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

    # the open cases: counts and durations per phase, stalls, bridging (one pass)
    open_cases = session.exec(
        select(Case.phase, Case.phase_since, Case.stalled, Case.bridging_since).where(
            *scope, COHORTS["open"].case(now)
        )
    ).all()
    per_phase: dict[str, list[float]] = {p.value: [] for p in WORKING_PHASES}
    bridging_days = []
    for phase, moment, _, bridging_since in open_cases:
        per_phase.setdefault(phase, []).append(_days(now, moment))
        if bridging_since is not None:  # plain beside the sealed arrangement
            bridging_days.append(_days(now, bridging_since))

    # the cohorts of tasks: one pass over the tasks of the scoped cases, a flag per
    # case and cohort (the case is in it when one of its tasks is), then the sums
    def flag(name: str) -> ColumnElement[int]:
        cohort = COHORTS[name]
        assert cohort.task is not None
        return func.max(case((and_(cohort.case(now), cohort.task(now)), 1), else_=0))

    def tally(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((condition, 1), else_=0))

    late = and_(col(Task.status) == TaskStatus.OPEN.value, _late(now))
    counts = [flag(name).label(name) for name in TASK_COHORTS] + [
        tally(late).label("late_tasks"),
        tally(col(Task.status) == TaskStatus.SKIPPED.value).label("skipped_tasks"),
    ]
    per_case = (
        sa_select(*counts)
        .select_from(Case)
        .join(Task, col(Task.case_id) == col(Case.id))
        .where(*scope)
        .group_by(col(Case.id))
        .subquery()
    )
    sums = session.execute(
        sa_select(*(func.coalesce(func.sum(column), 0) for column in per_case.c))
    ).one()
    totals = {c.name: int(n) for c, n in zip(counts, sums, strict=True)}
    return MonitorView(
        region=region,
        open_cases=len(open_cases),
        by_phase={phase: durations(days) for phase, days in per_phase.items()},
        overdue_tasks=totals["late_tasks"],
        cases_held_up=totals["overdue"],
        bridging=durations(bridging_days),
        stalled=sum(1 for _, _, stalled, _ in open_cases if stalled),
        skipped_tasks=totals["skipped_tasks"],
        cases_with_skipped=totals["skipped"],
        decisions_in_time=totals["decision_in_time"],
        decisions_late=totals["decision_late"],
        missed_reports=totals["missed_report"],
        links={name: f"/cases?cohort={name}" for name in COHORTS},
    )


def _days(now: datetime, moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((now - moment).total_seconds() / DAY, 0.0)

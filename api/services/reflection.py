"""The case-transcending reflection the step plan asks for, answered from the structured
case data: where does it fail to reach a suitable place, are there patterns by type of
care need, domain or sub-region, is there a structural shortage of some kind of care,
and what worked. Also the anonymised digest for the Praktijkteam VWS and the NZa."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from typing import Any

from sqlalchemy import ColumnElement, and_, func, null, or_, text
from sqlalchemy import case as when
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from api.scoping import Principal, visible_cases
from db.models import REPORTED_TASKS, AuditEvent, Case, Task
from domain.vocabulary import CaseOutcome, CaseStatus, TaskStatus

DIMENSIONS = ("sector", "care_need_type", "escalation_cause", "domain", "sub_region")
REGISTRATION_ROUNDS = ("first_registration_round", "second_registration_round")
# cells under this count are suppressed in the anonymised digest
SMALL_CELL = 5


@dataclass
class Period:
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return (
            datetime.combine(self.start, time(), tzinfo=UTC),
            datetime.combine(self.end + timedelta(days=1), time(), tzinfo=UTC),
        )


@dataclass
class OutcomeRow:
    dimension: str
    value: str
    cases: int = 0
    open: int = 0
    placed: int = 0
    solved_in_place: int = 0
    withdrawn: int = 0
    median_days_to_close: float | None = None


@dataclass
class Reflection:
    period: Period
    region: str | None
    sector: str | None
    cases: int
    closed: int
    outcomes: list[OutcomeRow]
    stalled_by_phase: dict[str, int]
    skipped_by_task: dict[str, int]
    declines_by_care_need: dict[str, dict[str, int]]
    rounds_per_placement: float | None
    meetings_per_placement: float | None
    solutions: dict[str, int]
    agreements: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class _Case:
    """The columns of a case the report reads (no ORM objects for thousands of cases)."""

    id: str
    sector: str
    status: str
    outcome: str | None
    created_at: datetime
    phase_since: datetime
    meetings_held: int
    case_data: dict[str, Any] | None


def _conditions(
    principal: Principal, period: Period, region: str | None, sector: str | None
) -> list[ColumnElement[bool]]:
    start, end = period.bounds
    conditions = [
        visible_cases(principal),
        col(Case.created_at) >= start,
        col(Case.created_at) < end,
    ]
    if region:
        conditions.append(col(Case.region) == region)
    if sector:
        conditions.append(col(Case.sector) == sector)
    return conditions


def _value(case: _Case, dimension: str) -> str:
    if dimension == "sector":
        return case.sector
    return str((case.case_data or {}).get(dimension) or "unknown")


def _days_to_close(case: _Case) -> float | None:
    if case.status != CaseStatus.CLOSED:
        return None
    end, start = case.phase_since, case.created_at
    if end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return (end - start).total_seconds() / 86400


def _outcome_rows(cases: list[_Case]) -> list[OutcomeRow]:
    """Per dimension and value: the cases, their outcomes and median days to close (one
    pass over the cases)."""
    groups: dict[tuple[str, str], OutcomeRow] = {}
    days: dict[tuple[str, str], list[float]] = defaultdict(list)
    outcomes = {
        CaseOutcome.PLACED.value: "placed",
        CaseOutcome.SOLVED_IN_PLACE.value: "solved_in_place",
        CaseOutcome.WITHDRAWN.value: "withdrawn",
    }
    for case in cases:
        closing = _days_to_close(case)
        counted = outcomes.get(case.outcome or "")
        is_open = case.status == CaseStatus.OPEN
        for dimension in DIMENSIONS:
            key = (dimension, _value(case, dimension))
            row = groups.get(key)
            if row is None:
                row = groups[key] = OutcomeRow(dimension=dimension, value=key[1])
            row.cases += 1
            row.open += is_open
            if counted:
                setattr(row, counted, getattr(row, counted) + 1)
            if closing is not None:
                days[key].append(closing)
    rows = []
    for dimension in DIMENSIONS:
        for key in sorted(k for k in groups if k[0] == dimension):
            row = groups[key]
            if days[key]:
                row.median_days_to_close = round(median(days[key]), 1)
            rows.append(row)
    return rows


def reflection(
    session: Session,
    principal: Principal,
    period: Period,
    region: str | None = None,
    sector: str | None = None,
) -> Reflection:
    conditions = _conditions(principal, period, region, sector)
    cases = [
        _Case(*row)
        for row in session.execute(
            sa_select(
                col(Case.id),
                col(Case.sector),
                col(Case.status),
                col(Case.outcome),
                col(Case.created_at),
                col(Case.phase_since),
                col(Case.meetings_held),
                col(Case.case_data),
            ).where(*conditions)
        ).tuples()
    ]
    by_id = {c.id: c for c in cases}
    # the cases are selected again inside each query below (``IN (SELECT ...)``): no
    # parameter per case, and the database walks from the scoped cases to their rows
    in_scope = sa_select(col(Case.id)).where(*conditions)
    # only the tasks the report reads (declines, rounds, placements, skips: the partial
    # index ``ix_tasks_reported``), only the columns it reads, and the codes only of the
    # tasks whose codes it counts: a decline's reason, the answers of the providers in a
    # registration round, the kind of solution of a placement
    counted_data = or_(
        and_(col(Task.key) == "decide_dossierhouder", col(Task.outcome) == "declined"),
        col(Task.key).in_(REGISTRATION_ROUNDS),
        col(Task.outcome) == "placed",
    )
    tasks = session.execute(
        sa_select(
            col(Task.case_id),
            col(Task.key),
            col(Task.status),
            col(Task.outcome),
            when((counted_data, col(Task.codes)), else_=null()),
        ).where(col(Task.case_id).in_(in_scope), text(f"({REPORTED_TASKS})"))
    ).tuples()
    declines: dict[str, Counter[str]] = defaultdict(Counter)
    solutions: Counter[str] = Counter()
    rounds: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for case_id, key, status, outcome, codes in tasks:
        if case_id is None:  # an early signal's task: not part of a case
            continue
        need = _value(by_id[case_id], "care_need_type")
        data = codes or {}  # the codes of the completion data, plain beside the sealed data
        if status == TaskStatus.SKIPPED:
            skipped[key] += 1
        if key == "decide_dossierhouder" and outcome == "declined":
            declines[need][str(data.get("reason_code") or "unknown")] += 1
        for result in (data.get("round_results") or []) if key in REGISTRATION_ROUNDS else []:
            if isinstance(result, dict) and result.get("result") == "declined":
                declines[need][str(result.get("reason_code") or "unknown")] += 1
        if outcome == "placed" and data.get("solution_kind"):
            solutions[str(data["solution_kind"])] += 1
        if key in REGISTRATION_ROUNDS and status == TaskStatus.DONE:
            rounds[case_id] += 1
    # the stalls per phase, counted by the database
    phase = col(AuditEvent.phase)
    stalls = session.execute(
        sa_select(phase, func.count())
        .where(col(AuditEvent.case_id).in_(in_scope), col(AuditEvent.action) == "phase_stalled")
        .group_by(phase)
        .order_by(phase)
    ).tuples()
    stalled_by_phase = {str(name): n for name, n in stalls}
    placed = [c for c in cases if c.outcome == CaseOutcome.PLACED]
    return Reflection(
        period=period,
        region=region,
        sector=sector,
        cases=len(cases),
        closed=sum(1 for c in cases if c.status == CaseStatus.CLOSED),
        outcomes=_outcome_rows(cases),
        stalled_by_phase=dict(stalled_by_phase),
        skipped_by_task=dict(skipped.most_common()),
        declines_by_care_need={need: dict(c.most_common()) for need, c in sorted(declines.items())},
        rounds_per_placement=(
            round(sum(rounds[c.id] for c in placed) / len(placed), 2) if placed else None
        ),
        meetings_per_placement=(
            round(sum(c.meetings_held for c in placed) / len(placed), 2) if placed else None
        ),
        solutions=dict(solutions.most_common()),
    )


def csv_rows(report: Reflection) -> list[list[str]]:
    """The report as flat rows: section, dimension, value, measure, number."""
    rows = [["section", "dimension", "value", "measure", "number"]]
    for o in report.outcomes:
        for measure in (
            "cases",
            "open",
            "placed",
            "solved_in_place",
            "withdrawn",
            "median_days_to_close",
        ):
            number = getattr(o, measure)
            rows.append(
                ["outcomes", o.dimension, o.value, measure, "" if number is None else str(number)]
            )
    for phase, n in report.stalled_by_phase.items():
        rows.append(["stalled", "phase", phase, "cases", str(n)])
    for key, n in report.skipped_by_task.items():
        rows.append(["skipped", "task", key, "tasks", str(n)])
    for need, reasons in report.declines_by_care_need.items():
        for reason, n in reasons.items():
            rows.append(["declines", need, reason, "declines", str(n)])
    for kind, n in report.solutions.items():
        rows.append(["solutions", "solution_kind", kind, "placements", str(n)])
    for measure in ("rounds_per_placement", "meetings_per_placement"):
        value = getattr(report, measure)
        rows.append(["placements", "", "", measure, "" if value is None else str(value)])
    return rows


def digest_cells(report: Reflection) -> list[dict[str, Any]]:
    """Counts only, per sector and outcome: no client references, no free text, and every
    count under ``SMALL_CELL`` suppressed (``None``, shown as "<5")."""

    def cell(n: int) -> int | None:
        return n if n >= SMALL_CELL else None

    return [
        {
            "dimension": o.dimension,
            "value": o.value,
            "cases": cell(o.cases),
            "open": cell(o.open),
            "placed": cell(o.placed),
            "solved_in_place": cell(o.solved_in_place),
            "withdrawn": cell(o.withdrawn),
        }
        for o in report.outcomes
        if o.dimension in ("sector", "care_need_type", "escalation_cause", "domain")
    ]

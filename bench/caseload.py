"""A large, plausible read model for the benchmarks: cases that lived through the step plan.

Every case is walked through the phases of the current step plan (v2) with the
simulator's chances (``cli/simulation.DEFAULT_SCENARIO``): decisions on
dossierhoudership (late ones, declines with a reason, new registrations, take-over by
the zorgkantoor), solutions in place, registration rounds with the answers of the
providers approached, meetings (whole system in the room) with or without a solution,
plans of action with progress reports (late ones too), withdrawals, notices of ending
care with bridging care. Its whole life is drawn first and then cut at *now*: a case
that started long ago is closed with an outcome, a recent one is open in the phase it
has reached, with its open tasks, overdue deadlines and, past the phase's maximum
duration, a stall. Tasks carry the step plan's keys, titles, owners and the data the
reflection reads; the audit log gets the events the workflow would write (task opened,
completed, skipped, phase changed, deadlines, stalls), about 30 per case as in a real
simulated year.

The rows are written in bulk: ``executemany`` on SQLite, ``COPY`` on PostgreSQL.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from domain.codes import (
    CARE_NEED_TYPES,
    DECLINE_REASONS,
    DOMAINS,
    ESCALATION_CAUSES,
    URGENCIES,
    codes,
)
from domain.definitions import CURRENT_VERSION, coded_facts, definition
from domain.vocabulary import REGIONS

PROVIDERS, OCOS = 140, 29  # + 31 zorgkantoren = 200 organisations (as bench/inbox.py)
SOLUTION_KINDS = (
    "regular_place",
    "regular_place",
    "custom_arrangement",
    "route_a_to_b",
    "criteria_deviation",
    "client_or_staff_exchange",
    "extra_care_in_place",
    "other",
)
BATCH = 1000  # cases per bulk insert
DEFN = definition(CURRENT_VERSION)
MAX_DAYS = {p.phase.value: p.max_days for p in DEFN.phases}
TASKS = {t.key: t for t in DEFN.all_tasks()}


def organisations(now: datetime) -> tuple[list[dict[str, Any]], dict[str, str]]:
    rows, zk_by_region = [], {}
    for region in REGIONS:
        zk_by_region[region] = f"Zorgkantoor {region}"
        rows.append({"name": zk_by_region[region], "kind": "zorgkantoor", "region": region})
    rows += [
        {"name": f"Aanbieder {i:03d}", "kind": "aanbieder", "region": None}
        for i in range(PROVIDERS)
    ]
    rows += [{"name": f"OCO {i:02d}", "kind": "oco", "region": None} for i in range(OCOS)]
    for row in rows:
        row |= {
            "id": str(uuid.uuid4()),
            "email": None,
            "webhook_url": None,
            "webhook_secret": None,
            "channels": ["email"],
            "created_at": now,
        }
    return rows, zk_by_region


@dataclass
class Step:
    """A task in a case's drawn life; cut at *now* it is open, done or skipped."""

    key: str
    phase: str
    opened: datetime
    owner_org: str
    ends: datetime | None = None  # completed (or skipped) at; None: never within the life
    outcome: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    due: datetime | None = None
    skipped: bool = False


class Life:
    """One case's drawn life: the steps, the phases it entered, the end."""

    def __init__(
        self, rnd: random.Random, start: datetime, provider: str, zk: str, oco: str | None
    ):
        self.rnd, self.t, self.provider, self.zk, self.oco = rnd, start, provider, zk, oco
        self.steps: list[Step] = []
        self.phases: list[tuple[str, datetime]] = []
        self.closed: tuple[str, datetime] | None = None
        self.meetings: list[datetime] = []
        self.registered: list[tuple[str, datetime]] = []  # intended providers
        self.round_providers: list[tuple[str, datetime]] = []
        self.bridging_since: datetime | None = None
        self.pace = rnd.uniform(0.8, 2.6)  # some cases drag on

    def days(self, low: float, high: float) -> timedelta:
        return timedelta(days=self.rnd.uniform(low, high) * self.pace)

    def owner(self, key: str) -> str:
        role = TASKS[key].owner.value
        return {"aanbieder": self.provider, "oco": self.oco or self.zk}.get(role, self.zk)

    def step(self, key: str, at: datetime, **kw: Any) -> Step:
        s = Step(key, self.phases[-1][0], at, self.owner(key), **kw)
        self.steps.append(s)
        return s

    def side_tasks(self, keys: list[str], until: datetime) -> None:
        """Tasks worked beside the decisive one; about one in ten is still open when the
        phase ends (skipped)."""
        start = self.phases[-1][1]
        span = (until - start).total_seconds() / 86400
        for key in keys:
            ends = start + timedelta(days=self.rnd.uniform(0.2, span * 1.1 + 0.5))
            if ends > until:
                self.step(key, start, ends=until, skipped=True)
            else:
                outcome = "not_applicable" if key in ("estimate_funding",) else "done"
                if key == "inform_zorgkantoor_early":
                    outcome = self.rnd.choice(("for_information", "sparring"))
                self.step(key, start, ends=ends, outcome=outcome)

    def provider_name(self) -> str:
        return f"Aanbieder {self.rnd.randrange(PROVIDERS):03d}"

    def round_results(self) -> list[dict[str, Any]]:
        results = []
        for _ in range(self.rnd.randint(1, 4)):
            name = self.provider_name()
            self.round_providers.append((name, self.t))
            if self.rnd.random() < 0.7:
                reason = self.rnd.choice(codes(DECLINE_REASONS))
                results.append({"provider": name, "result": "declined", "reason_code": reason})
            else:
                results.append({"provider": name, "result": "waiting_list"})
        return results

    def placed(self) -> dict[str, Any]:
        return {"placed_at": self.provider_name(), "solution_kind": self.rnd.choice(SOLUTION_KINDS)}

    # ------------------------------------------------------------------ the phases
    def enter(self, phase: str) -> None:
        self.phases.append((phase, self.t))

    def close(self, outcome: str) -> None:
        self.closed = (outcome, self.t)
        if outcome == "placed":
            due = self.t + timedelta(days=42)
            self.step(
                "evaluate_placement",
                self.t,
                due=due,
                ends=self.t + self.days(20, 60),
                outcome="suitable",
                data={"finding": "passend"},
            )

    def dossierhouder_search(self) -> str | None:
        self.enter("dossierhouder_search")
        start = self.t
        declines = 0
        while True:
            due = self.t + timedelta(days=5)
            late = self.rnd.random() < 0.1
            decided = due + self.days(1, 12) if late else self.t + self.days(0.3, 4.5)
            accept = self.rnd.random() < 0.6
            decision = self.step("decide_dossierhouder", self.t, due=due, ends=decided)
            if late:
                self.step(
                    "follow_up_overdue_decision", due, ends=due + self.days(0.5, 5), outcome="done"
                )
            self.t = decided
            if accept:
                decision.outcome = "accepted"
                arrange = self.step("arrange_care", self.t)
                self.t += self.days(5, 45)
                arrange.ends = self.t
                self.side_tasks(self.start_tasks("dossierhouder_search"), self.t)
                if self.rnd.random() < 0.7:
                    arrange.outcome, arrange.data = "placed", self.placed()
                    self.close("placed")
                    return None
                arrange.outcome, arrange.note = "no_place", "geen plek"
                return "search_other_provider"
            declines += 1
            decision.outcome, decision.note = "declined", "toelichting"
            decision.data = {"reason_code": self.rnd.choice(codes(DECLINE_REASONS))}
            key = "register_with_next_provider" if declines < 3 else "take_over_mediation"
            nxt = self.step(key, self.t)
            self.t += self.days(1, 10)
            nxt.ends = self.t
            if key == "take_over_mediation" and self.rnd.random() < 0.6:
                nxt.outcome, nxt.note = "escalate", "herhaald geweigerd"
                self.side_tasks(self.start_tasks("dossierhouder_search"), self.t)
                return "regular_steps_failed"
            provider = self.provider_name()
            nxt.outcome, nxt.data = "registered", {"provider_org": provider}
            self.registered.append((provider, self.t))
            self.provider = provider
            if (self.t - start).days > 150:  # give up on this route
                return "regular_steps_failed"

    def start_tasks(self, phase: str) -> list[str]:
        keys = []
        for t in next(p for p in DEFN.phases if p.phase == phase).tasks:
            if not t.on_phase_start or t.outcomes.keys() & {"placed", "solved_in_place"}:
                continue
            if t.key in ("decide_dossierhouder", "hold_meeting", "evaluate_meeting"):
                continue
            if t.condition.value == "no_oco" and self.oco:
                continue
            if t.condition.value == "oco_involved" and not self.oco:
                continue
            keys.append(t.key)
        return keys

    def decisive(self, phase: str, key: str, low: float, high: float) -> Step:
        s = self.step(key, self.t)
        self.t += self.days(low, high)
        s.ends = self.t
        self.side_tasks(self.start_tasks(phase), self.t)
        return s

    def current_place_review(self) -> str | None:
        self.enter("current_place_review")
        s = self.decisive("current_place_review", "establish_place_not_suitable", 7, 60)
        s.note = "toelichting"
        if self.rnd.random() < 0.3:
            s.outcome = "solved_in_place"
            self.close("solved_in_place")
            return None
        s.outcome = "not_suitable"
        return "search_other_provider"

    def registration_round(self, phase: str, key: str) -> str | None:
        self.enter(phase)
        s = self.decisive(phase, key, 10, 60)
        results = self.round_results()
        if self.rnd.random() < 0.35:
            s.outcome = "placed"
            s.data = {"round_results": results, **self.placed()}
            self.close("placed")
            return None
        s.outcome, s.note = "no_place", "geen plek gevonden"
        s.data = {"providers": [r["provider"] for r in results], "round_results": results}
        return (
            "regular_steps_failed" if phase == "search_other_provider" else "whole_system_meeting"
        )

    def whole_system_meeting(self) -> str | None:
        self.enter("whole_system_meeting")
        s = self.decisive("whole_system_meeting", "hold_meeting", 7, 35)
        self.meetings.append(self.t)
        s.data = {"meeting_at": self.t.isoformat(timespec="minutes"), "participants": []}
        if self.rnd.random() < 0.6:
            s.outcome = "solution"
            follow = self.step("monitor_agreements", self.t, due=self.t + self.days(14, 30))
            self.t += self.days(10, 45)
            follow.ends = self.t
            if self.rnd.random() < 0.8:
                follow.outcome, follow.data = "placed", self.placed()
                self.close("placed")
                return None
            follow.outcome, follow.note = "agreements_failed", "afspraken niet nagekomen"
            return "plan_of_action"
        s.outcome, s.note = "no_solution", "geen oplossing"
        return "plan_of_action"

    def plan_of_action(self) -> str | None:
        self.enter("plan_of_action")
        s = self.decisive("plan_of_action", "evaluate_meeting", 3, 14)
        if self.rnd.random() < 0.2:
            s.outcome, s.note = "new_meeting", "nieuwe bijeenkomst"
            return "whole_system_meeting"
        s.outcome = "continue_with_plan"
        plan = self.step(
            "make_plan_of_action", self.t, ends=self.t + self.days(3, 20), outcome="done"
        )
        self.step("direct_plan_of_action", plan.ends or self.t)  # runs until the plan ends
        for n in range(12):
            due = self.t + timedelta(days=14)
            contact = self.step("contact_provider_about_progress", self.t, due=due)
            contact.ends, contact.outcome = self.t + self.days(2, 16), "done"
            report = self.step("report_progress", self.t, due=due)
            late = self.rnd.random() < 0.15
            self.t = due + self.days(1, 10) if late else self.t + self.days(7, 13.9)
            report.ends = self.t
            if late:
                self.step(
                    "follow_up_missed_report", due, ends=due + self.days(1, 5), outcome="done"
                )
            if self.rnd.random() < 0.25 or n == 11:
                report.outcome, report.data = "placed", self.placed()
                self.close("placed")
                return None
            report.outcome, report.note = "progress", "voortgang"
        return None

    def live(self, entry: str) -> None:
        phase: str | None = (
            "dossierhouder_search" if entry == "no_dossierhouder" else "current_place_review"
        )
        while phase is not None:
            if phase == "dossierhouder_search":
                phase = self.dossierhouder_search()
            elif phase == "current_place_review":
                phase = self.current_place_review()
            elif phase in ("search_other_provider", "regular_steps_failed"):
                key = (
                    "first_registration_round"
                    if phase == "search_other_provider"
                    else "second_registration_round"
                )
                if phase == "search_other_provider" and self.rnd.random() < 0.05:
                    self.bridging_since = self.t + self.days(1, 20)
                phase = self.registration_round(phase, key)
            elif phase == "whole_system_meeting":
                phase = self.whole_system_meeting()
            else:
                phase = self.plan_of_action()


def case_rows(
    i: int,
    rnd: random.Random,
    zk_by_region: dict[str, str],
    now: datetime,
    regions: tuple[str, ...] = REGIONS,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """One case: its row, participants, tasks and audit events, as they stand at ``now``."""
    case_id = str(uuid.UUID(int=rnd.getrandbits(128), version=4))  # the same for a seed
    region = rnd.choice(regions)
    zk = zk_by_region[region]
    provider = f"Aanbieder {rnd.randrange(PROVIDERS):03d}"
    oco = f"OCO {rnd.randrange(OCOS):02d}" if rnd.random() < 0.4 else None
    created = now - timedelta(days=rnd.uniform(0, 400))
    entry = rnd.choice(("no_dossierhouder", "care_not_suitable"))
    life = Life(rnd, created, provider, zk, oco)
    life.live(entry)
    withdrawn_at = created + timedelta(days=rnd.uniform(5, 120)) if rnd.random() < 0.03 else None
    end = life.closed[1] if life.closed else None
    if withdrawn_at and (end is None or withdrawn_at < end):
        end = withdrawn_at
    cut = min(now, end) if end else now
    closed = end is not None and end <= now
    outcome = None
    if closed:
        outcome = "withdrawn" if end == withdrawn_at else life.closed[0]  # type: ignore[index]
    phase, since = next((p, t) for p, t in reversed(life.phases) if t <= cut)
    # the phase spans up to the cut: a span past the phase's maximum is a stall
    spans = [
        (p, t, life.phases[n + 1][1] if n + 1 < len(life.phases) else cut)
        for n, (p, t) in enumerate(life.phases)
        if t <= cut
    ]
    stalls = [
        (p, t + timedelta(days=MAX_DAYS[p])) for p, t, e in spans if (e - t).days > MAX_DAYS[p]
    ]
    events: list[dict[str, Any]] = []

    def event(
        at: datetime,
        action: str,
        detail: dict[str, Any],
        task_id: str | None = None,
        actor: str = "systeem",
        org: str | None = None,
    ) -> None:
        events.append(
            {
                "id": f"{case_id}:e{len(events) + 1}",
                "case_id": case_id,
                "seq": len(events) + 1,
                "at": at,
                "actor": actor,
                "actor_id": None,
                "role": None,
                "org": org,
                "action": action,
                "task_id": task_id,
                "detail": detail,
                "phase": detail.get("phase") if isinstance(detail.get("phase"), str) else None,
                "before": None,
                "after": None,
                "motivation": None,
                "request_id": None,
                "recorded_at": at,
            }
        )

    event(created, "case_started", {"entry": entry}, actor="Bench", org=zk)
    for p, t, _ in spans:
        event(t, "phase_changed", {"phase": p})
    tasks: list[dict[str, Any]] = []
    steps = [s for s in life.steps if s.opened <= cut]
    for p, at in stalls:
        if at <= cut:
            ends = at + timedelta(days=rnd.uniform(1, 7))
            steps.append(Step("follow_up_stalled_case", p, at, zk, ends, "done", note="gebeld"))
            event(at, "phase_stalled", {"phase": p})
    for n, s in enumerate(steps):
        tdef = TASKS[s.key]
        task_id = f"{case_id}:t{n + 1}"
        finished = s.ends is not None and s.ends <= cut
        left_open = not finished and (not closed or s.key == "evaluate_placement")
        status = "open" if left_open else ("skipped" if s.skipped or not finished else "done")
        late_at = s.ends if finished else cut
        overdue = bool(s.due and late_at and late_at > s.due)
        event(s.opened, "task_opened", {"key": s.key}, task_id)
        if overdue and s.due:
            event(s.due, "deadline_missed", {"key": s.key}, task_id)
        if status == "done":
            event(
                s.ends,
                "task_completed",
                {"key": s.key, "outcome": s.outcome},
                task_id,  # type: ignore[arg-type]
                actor="Bench",
                org=s.owner_org,
            )
        elif status == "skipped":
            event(s.ends if finished else cut, "task_skipped", {"key": s.key}, task_id)  # type: ignore[arg-type]
        done = status == "done"
        tasks.append(
            {
                "id": task_id,
                "case_id": case_id,
                "signal_id": None,
                "phase": s.phase,
                "key": s.key,
                "title": tdef.title,
                "owner_role": tdef.owner.value,
                "owner_org": s.owner_org,
                "supports": [r.value for r in tdef.supports],
                "status": status,
                "due_at": s.due,
                "overdue": overdue,
                "allowed_outcomes": list(tdef.outcomes),
                "outcome": s.outcome if done else None,
                "claimed_by": None,
                "claimed_at": None,
                "completed_by": "Bench" if done else None,
                "completed_at": s.ends if done else None,
                "created_at": s.opened,
                "note": s.note if done else None,
                "data": s.data if done else {},
                "codes": (coded_facts(CURRENT_VERSION, s.key, s.data) or None) if done else None,
                "completed_by_org": s.owner_org if done else None,
                "claimed_by_id": None,
                "updated_at": s.ends if done else s.opened,
                "contributions": None,
            }
        )
    if closed:
        event(cut, "withdrawn" if outcome == "withdrawn" else "case_closed", {"outcome": outcome})
    bridging = None
    if life.bridging_since and life.bridging_since <= cut:
        bridging = {"since": life.bridging_since.isoformat(), "arrangement": "logeerbed"}
    participants = [("provider", life.provider, created), ("zorgkantoor", zk, created)]
    participants += [("oco", oco, created)] if oco else []
    participants += [("intended_provider", o, t) for o, t in life.registered if t <= cut]
    participants += [("round_provider", o, t) for o, t in life.round_providers if t <= cut]
    seen: set[tuple[str, str]] = set()
    participant_rows = []
    for capacity, org, t in participants:
        if (org, capacity) not in seen:
            seen.add((org, capacity))
            participant_rows.append(
                {"case_id": case_id, "org": org, "capacity": capacity, "since": t}
            )
    case_data: dict[str, Any] = {}
    if rnd.random() < 0.9:  # structured data is optional: most cases have it
        case_data = {
            "care_need_type": rnd.choice(codes(CARE_NEED_TYPES)),
            "escalation_cause": rnd.choice(codes(ESCALATION_CAUSES)),
            "domain": rnd.choice(codes(DOMAINS)),
            "urgency": rnd.choice(codes(URGENCIES)),
        }
        if rnd.random() < 0.6:
            case_data["sub_region"] = f"Gemeente {rnd.randint(1, 12)}"
    case = {
        "id": case_id,
        "workflow_id": f"case-{case_id}",
        "client_ref": f"CR-{i:06d}",
        "sector": rnd.choice(("VV", "VV", "GZ", "GZ", "GGZ")),
        "region": region,
        "entry": entry,
        "provider_org": life.provider,
        "zorgkantoor_org": zk,
        "oco_org": oco,
        "decision_days": 5,
        "definition_version": CURRENT_VERSION,
        "registered_at": None,
        "summary_encrypted": None,
        "status": "closed" if closed else "open",
        "phase": "closed" if closed else phase,
        "outcome": outcome,
        "phase_since": cut if closed else since,
        "meetings_held": sum(1 for t in life.meetings if t <= cut),
        "overdue": any(t["overdue"] and t["status"] == "open" for t in tasks),
        "stalled": not closed and any(at <= cut and p == phase for p, at in stalls),
        "bridging": bridging,
        "bridging_since": life.bridging_since if bridging else None,
        "notice": None,
        "consents": None,
        "case_data": case_data or None,
        "case_text": None,
        "documents": None,
        "workflow_state": "completed" if closed else "running",
        "idempotency_key": None,
        "created_by": None,
        "created_at": created,
        "updated_at": cut,
        "signal_id": None,
    }
    return case, participant_rows, tasks, events


def batches(
    cases: int, seed: int, now: datetime, regions: tuple[str, ...] = REGIONS
) -> Iterator[tuple[list[dict], ...]]:
    """(organisations), then per ``BATCH`` cases: cases, participants, tasks, events."""
    rnd = random.Random(seed)
    orgs, zk_by_region = organisations(now)
    yield (orgs,)
    for start in range(0, cases, BATCH):
        rows: tuple[list[dict], ...] = ([], [], [], [])
        for i in range(start, min(start + BATCH, cases)):
            for bucket, part in zip(
                rows, case_rows(i, rnd, zk_by_region, now, regions), strict=True
            ):
                if isinstance(part, dict):
                    bucket.append(part)
                else:
                    bucket.extend(part)
        yield rows


def fill(
    engine: Engine,
    cases: int,
    seed: int = 11,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
    regions: tuple[str, ...] = REGIONS,
) -> dict[str, int]:
    """Write ``cases`` cases (and everything around them) into a migrated, empty database,
    spread over ``regions``; returns the row counts per table."""
    from db.models import AuditEvent, Case, CaseParticipant, Organisation, Task

    now = now or datetime.now(UTC)
    tables = (Case, CaseParticipant, Task, AuditEvent)
    counts = {"organisations": 0} | {t.__tablename__: 0 for t in tables}  # type: ignore[attr-defined]
    write = _copy if engine.dialect.name == "postgresql" else _executemany
    with engine.connect() as conn:
        for n, rows in enumerate(batches(cases, seed, now, regions)):
            if n == 0:
                write(conn, Organisation, rows[0])
                counts["organisations"] += len(rows[0])
                continue
            for table, part in zip(tables, rows, strict=True):
                write(conn, table, part)
                counts[table.__tablename__] += len(part)  # type: ignore[attr-defined]
            conn.commit()
            if progress:
                progress(len(rows[0]))
        conn.commit()
    return counts


def _executemany(conn: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(model), rows)


def _copy(conn: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's COPY: an order of magnitude faster than INSERTs for 10⁶ rows."""
    from psycopg.types.json import Json

    if not rows:
        return
    table = model.__table__
    columns = [c.name for c in table.columns if c.name in rows[0]]
    json_columns = {c.name for c in table.columns if c.type.__class__.__name__ == "JSON"}
    raw = conn.connection.dbapi_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    Json(row[c]) if c in json_columns and row[c] is not None else row[c]
                    for c in columns
                ]
            )
    raw.commit()  # the COPY ran on the driver's connection, outside SQLAlchemy's transaction

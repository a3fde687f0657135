"""Drive ``CaseEngine`` directly: no Temporal, no database, a clock moved by hand.

The moves mirror ``tests/workflows/harness.py`` (``complete``, ``claim``, ``act``), and
every command first passes the workflow's own validators (``workflows.permissions``),
so a refusal raises the same ``ApplicationError`` the workflow's update would. Time moves
as the workflow moves it: to each deadline in turn, firing the timers due there.
What the engine drains after each move (read-model batches, audit entries and
notification intents) is collected for the tests to read.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError

from domain.messages import (
    SYSTEM,
    Actor,
    AuditEntry,
    CaseAction,
    CaseInput,
    CaseState,
    ClaimTask,
    CompleteTask,
    NotificationIntent,
    ReadModelChanges,
    TaskState,
    UpdateResult,
)
from workflows import permissions
from workflows.case_actions import apply_action
from workflows.engine import CaseEngine

# the same parties as tests/workflows/harness.py
PROVIDER = Actor("u-prov", "Petra Aanbieder", "aanbieder", "Zorggroep Noord")
NEXT_PROVIDER = Actor("u-prov2", "Bram Aanbieder", "aanbieder", "Stichting Oost")
THIRD_PROVIDER = Actor("u-prov3", "Cor Aanbieder", "aanbieder", "Zorg West")
ZORGKANTOOR = Actor("u-zk", "Zeynep Zorgkantoor", "zorgkantoor", "Zorgkantoor Groningen")
COORDINATOR = Actor("u-coord", "Carla Coördinator", "coordinator", "Zorgkantoor Groningen")
OCO = Actor("u-oco", "Olaf Ondersteuner", "oco", "MEE Groningen")
AUDITOR = Actor("u-aud", "Auditor", "auditor", "Zorgkantoor Groningen")
COLLEAGUE = Actor("u-prov-b", "Bart Collega", "aanbieder", PROVIDER.org)
OTHER_COORDINATOR = Actor("u-coord2", "Kees Coördinator", "coordinator", "Zorgkantoor Drenthe")

CASE_ID = "c1"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday morning
MEETING = "2026-12-10T14:00"
PARTICIPANTS = [
    {"name": "Zorgkantoor", "org": ZORGKANTOOR.org, "mandate": True},
    {"name": "Aanbieder", "org": PROVIDER.org, "mandate": False},
]


def days(n: float) -> datetime:
    """The moment ``n`` days after the case started."""
    return T0 + timedelta(days=n)


class Clock:
    """``workflow.now`` for the engine; only the tests move it."""

    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def case_input(entry: str = "no_dossierhouder", oco: bool = False, **overrides: Any) -> CaseInput:
    values: dict[str, Any] = {
        "case_id": CASE_ID,
        "entry": entry,
        "sector": "GGZ",
        "region": "Groningen",
        "provider_org": PROVIDER.org,
        "zorgkantoor_org": ZORGKANTOOR.org,
        "oco_org": OCO.org if oco else None,
        "started_by": COORDINATOR,
        "request_id": "r-start",
    }
    return CaseInput(**(values | overrides))


@dataclass
class EngineCase:
    """One case driven through the engine, and everything the engine handed out."""

    engine: CaseEngine
    clock: Clock
    batches: list[ReadModelChanges] = field(default_factory=list)
    intents: list[NotificationIntent] = field(default_factory=list)
    patch_calls: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ reading
    @property
    def state(self) -> CaseState:
        return self.engine.state

    @property
    def audit(self) -> list[AuditEntry]:
        return [e for batch in self.batches for e in batch.events]

    def actions(self) -> list[str]:
        return [e.action for e in self.audit]

    def last(self, action: str) -> AuditEntry:
        return [e for e in self.audit if e.action == action][-1]

    def open_keys(self) -> set[str]:
        return {t.key for t in self.state.open_tasks}

    def open_task(self, key: str) -> TaskState:
        matches = [t for t in self.state.open_tasks if t.key == key]
        assert matches, f"no open task {key}; open: {sorted(self.open_keys())}"
        return matches[-1]

    def tasks(self, key: str) -> list[TaskState]:
        return [t for t in self.state.tasks if t.key == key]

    def mark(self) -> tuple[int, int]:
        """Where the audit and intent logs are now; ``since(mark)`` reads what followed."""
        return len(self.audit), len(self.intents)

    def since(self, mark: tuple[int, int]) -> tuple[list[AuditEntry], list[NotificationIntent]]:
        return self.audit[mark[0] :], self.intents[mark[1] :]

    # ------------------------------------------------------------------ moves
    def drain(self) -> ReadModelChanges | None:
        changes, intents = self.engine.drain()
        if changes is not None:
            self.batches.append(changes)
        self.intents += intents
        return changes

    def complete(
        self, key: str, outcome: str = "done", actor: Actor = PROVIDER, note: str = "", **data: Any
    ) -> UpdateResult:
        return self.complete_id(self.open_task(key).id, outcome, actor, note, **data)

    def complete_id(
        self, task_id: str, outcome: str, actor: Actor = PROVIDER, note: str = "", **data: Any
    ) -> UpdateResult:
        cmd = CompleteTask(task_id, outcome, actor, note, data, request_id=f"r-{task_id}")
        permissions.validate_complete(self.engine.state, self.engine.defn, cmd)
        return self._traced(cmd.request_id, lambda: self.engine.complete(cmd))

    def claim(
        self, key: str, actor: Actor, release: bool = False, force: bool = False
    ) -> UpdateResult:
        return self.claim_id(self.open_task(key).id, actor, release, force)

    def claim_id(
        self, task_id: str, actor: Actor, release: bool = False, force: bool = False
    ) -> UpdateResult:
        cmd = ClaimTask(task_id, actor, release=release, force=force, request_id="r-claim")
        permissions.validate_claim(self.engine.state, cmd)
        return self._traced(cmd.request_id, lambda: self.engine.claim(cmd))

    def act(
        self, action: str, actor: Actor = COORDINATOR, note: str = "", **data: Any
    ) -> UpdateResult:
        cmd = CaseAction(action, actor, note, data, request_id=f"r-{action}")
        permissions.validate_action(self.engine.state, self.engine.defn, cmd)
        return self._traced(cmd.request_id, lambda: apply_action(self.engine, cmd))

    def _traced(self, request_id: str | None, move: Callable[[], UpdateResult]) -> UpdateResult:
        """Make a validated move and drain; every audit entry it caused carries the
        request's id (one request, one trace in the timeline)."""
        before = len(self.audit)
        result = move()
        self.drain()
        caused = self.audit[before:]
        assert [e.request_id for e in caused] == [request_id] * len(caused), caused
        return result

    def advance(self, n_days: float) -> None:
        """Let ``n_days`` pass as the workflow does: wake at each deadline on the way
        (the engine's ``next_deadline``), fire what is due then, and drain."""
        target = self.clock.at + timedelta(days=n_days)
        while (deadline := self.engine.next_deadline()) is not None and deadline <= target:
            self.clock.at = max(self.clock.at, deadline)
            assert self.engine.fire_due_timers(), f"nothing fired at deadline {deadline}"
            self.drain()
            after = self.engine.next_deadline()
            assert after is None or after > self.clock.at, f"{deadline} fired but is still due"
        self.clock.at = target

    def resumed(self) -> EngineCase:
        """The case as the next run sees it after continue-as-new: a new engine on the
        carried-over state (a deep copy, as the payload round trip makes one)."""
        inp = replace(self.engine.inp, resume=copy.deepcopy(self.state))
        assert inp.resume is not None
        engine = CaseEngine(inp, inp.resume, self.clock, self.engine.patched)
        return EngineCase(engine, self.clock, list(self.batches), list(self.intents))


def start(
    entry: str = "no_dossierhouder",
    oco: bool = False,
    patches: Iterable[str] | None = None,
    **overrides: Any,
) -> EngineCase:
    """A new case, started as the workflow starts it. ``patches``: the patch ids for
    which ``workflow.patched`` returns True (None: all of them, as in a new case)."""
    inp = case_input(entry, oco, **overrides)
    clock = Clock()
    calls: list[str] = []
    allowed = None if patches is None else set(patches)

    def patched(patch_id: str) -> bool:
        calls.append(patch_id)
        return allowed is None or patch_id in allowed

    engine = CaseEngine(inp, CaseEngine.new_state(inp, clock()), clock, patched)
    case = EngineCase(engine, clock, patch_calls=calls)
    engine.start(inp.started_by or SYSTEM, inp.request_id)
    case.drain()
    return case


# ---------------------------------------------------------------- moves shared by tests
def to_meeting(case: EngineCase) -> None:
    """care_not_suitable -> not suitable -> no place in either round -> phase 4."""
    case.complete("establish_place_not_suitable", "not_suitable", note="Incidenten")
    case.complete(
        "first_registration_round",
        "no_place",
        note="Geen plek",
        providers=[NEXT_PROVIDER.org, THIRD_PROVIDER.org],
    )
    case.complete(
        "second_registration_round",
        "no_place",
        actor=ZORGKANTOOR,
        note="Wachtlijsten vol",
        providers=[THIRD_PROVIDER.org],
    )


def no_solution(case: EngineCase) -> UpdateResult:
    return case.complete(
        "hold_meeting",
        "no_solution",
        actor=ZORGKANTOOR,
        meeting_at=MEETING,
        participants=PARTICIPANTS,
        note="Geen mandaat bij aanbieder",
    )


def to_plan_of_action(case: EngineCase) -> UpdateResult:
    """From the start of a care_not_suitable case to a plan of action with reports."""
    to_meeting(case)
    no_solution(case)
    return case.complete("evaluate_meeting", "continue_with_plan")


def summary(intents: list[NotificationIntent]) -> list[tuple[str, list[str]]]:
    """(event, recipients) per intent, in order."""
    return [(i.event, i.recipients) for i in intents]


def opened(entries: list[AuditEntry]) -> list[tuple[str, str, str | None]]:
    """(task key, owner organisation, due date) of every task_opened entry, in order."""
    return [
        (e.detail["key"], e.detail["owner_org"], e.detail["due_at"])
        for e in entries
        if e.action == "task_opened"
    ]


def rejected(move: Callable[[], object]) -> ApplicationError:
    """The refusal a move raises (from the validators, before the engine runs)."""
    with pytest.raises(ApplicationError) as info:
        move()
    return info.value

"""The step plan at a glance (case page): the six phases with what happened in each
(done, skipped, current, possible next step), and the meetings held. Built from the
timeline (``phase_changed`` events), the case's tasks and its step-plan definition."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from api.schemas import TimelineEvent
from db.models import Case, Task
from domain.definitions import definition
from domain.labels import PHASE_TITLES
from domain.vocabulary import WORKING_PHASES, CaseStatus, Phase, TaskStatus

STATE_TITLES = {
    "done": "Gedaan",
    "skipped": "Overgeslagen",
    "current": "Nu",
    "next": "Mogelijke volgende stap",
    "later": "Nog niet",
}


@dataclass
class PhaseStep:
    number: int
    phase: str
    title: str
    state: str  # a key of STATE_TITLES
    entered: list[datetime] = field(default_factory=list)
    tasks_done: int = 0
    tasks_skipped: int = 0
    tasks_open: int = 0

    @property
    def state_title(self) -> str:
        return STATE_TITLES[self.state]


@dataclass
class Meeting:
    number: int
    started: datetime
    ended: datetime | None


@dataclass
class Overview:
    steps: list[PhaseStep]
    meetings: list[Meeting]


def _next_phases(session: Session, case: Case) -> set[str]:
    """Phases the open tasks of the current phase can move the case to."""
    if case.status == CaseStatus.CLOSED:
        return set()
    defn = definition(case.definition_version)
    found: set[str] = set()
    open_tasks = session.exec(
        select(Task).where(Task.case_id == case.id, Task.status == TaskStatus.OPEN)
    ).all()
    for task in open_tasks:
        try:
            tdef = defn.task(task.key)
        except KeyError:
            continue
        for name in task.allowed_outcomes or tdef.allowed_outcomes:
            effect = tdef.outcomes.get(name)
            if effect is not None and effect.goto and effect.goto.value != case.phase:
                found.add(effect.goto.value)
    return found


def overview(session: Session, case: Case, events: list[TimelineEvent]) -> Overview:
    entered: dict[str, list[datetime]] = {}
    meetings: list[Meeting] = []
    for event in events:
        if event.action != "phase_changed" or not event.after:
            continue
        phase = str(event.after.get("phase"))
        entered.setdefault(phase, []).append(event.at)
        if meetings and meetings[-1].ended is None:
            meetings[-1].ended = event.at
        if phase == Phase.WHOLE_SYSTEM_MEETING:
            number = int(event.detail.get("meeting_number") or len(meetings) + 1)
            meetings.append(Meeting(number, event.at, None))
    counts: dict[str, dict[str, int]] = {}
    for task in session.exec(select(Task).where(Task.case_id == case.id)).all():
        by_status = counts.setdefault(task.phase, {})
        by_status[task.status] = by_status.get(task.status, 0) + 1
    reached = [i for i, p in enumerate(WORKING_PHASES) if p.value in entered]
    furthest = max(reached, default=-1)
    possible = _next_phases(session, case)
    steps = []
    for index, phase in enumerate(WORKING_PHASES):
        if case.status == CaseStatus.OPEN and case.phase == phase.value:
            state = "current"
        elif phase.value in entered:
            state = "done"
        elif phase.value in possible:
            state = "next"
        elif index < furthest:
            state = "skipped"
        else:
            state = "later"
        mine = counts.get(phase.value, {})
        steps.append(
            PhaseStep(
                number=index + 1,
                phase=phase.value,
                title=PHASE_TITLES[phase],
                state=state,
                entered=entered.get(phase.value, []),
                tasks_done=mine.get(TaskStatus.DONE, 0),
                tasks_skipped=mine.get(TaskStatus.SKIPPED, 0) + mine.get(TaskStatus.CANCELLED, 0),
                tasks_open=mine.get(TaskStatus.OPEN, 0),
            )
        )
    return Overview(steps, meetings)

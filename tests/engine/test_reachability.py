"""Every task of the step plan is reachable: an exhaustive walk over the engine tries
every allowed outcome of every open task (with valid completion data), the passing of
each deadline and the case actions that open tasks, from both entries, with and
without an OCO. Along the way it checks what must hold in any state."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import timedelta

from domain.definitions import definition
from domain.messages import Actor, TaskState
from tests.engine.driver import (
    MEETING,
    NEXT_PROVIDER,
    PARTICIPANTS,
    PROVIDER,
    Clock,
    EngineCase,
    start,
)
from workflows.engine import CaseEngine

# one value for every completion field of the plan; each task reads only its own
DATA = {
    "reason_code": "vol",
    "provider_org": NEXT_PROVIDER.org,
    "providers": [NEXT_PROVIDER.org],
    "placed_at": NEXT_PROVIDER.org,
    "bridging_care": "Dagbesteding",
    "cost_estimate": 1000,
    "meeting_at": MEETING,
    "location": "Online",
    "chair": "Voorzitter",
    "minute_taker": "Notulist",
    "invitees": ["CCE"],
    "participants": PARTICIPANTS,
    "agreements": "Afspraken",
    "advice": "Advies",
}
# opened by the workflow, not the engine's step plan: when a notification cannot be
# delivered (tests/workflows/test_notifications.py)
OPENED_BY_THE_WORKFLOW = {"resolve_failed_notification"}
PLAN = definition(1)  # the walk drives v1 cases; v2: tests/engine/test_stappenplan_v2.py
PHASE_KEYS = {p.phase.value: {t.key for t in p.tasks} for p in PLAN.phases}
ANY_PHASE_KEYS = {t.key for t in PLAN.all_tasks()} - set().union(*PHASE_KEYS.values())
MAX_STATES = 2000
STARTS = [
    ("no_dossierhouder", False),
    ("no_dossierhouder", True),
    ("care_not_suitable", False),
    ("care_not_suitable", True),
]


def owner(task: TaskState) -> Actor:
    return Actor(f"u-{task.owner_role}", task.owner_role.title(), task.owner_role, task.owner_org)


def fork(case: EngineCase) -> EngineCase:
    """A copy to walk on, cheaper than ``deepcopy``: it copies what the engine changes
    in place (task attributes and data, the task list, the participants)."""
    state = copy.copy(case.state)
    state.tasks = [copy.copy(t) for t in state.tasks]
    for task in state.tasks:
        task.data = dict(task.data)
    state.participants = {k: list(v) for k, v in state.participants.items()}
    clock = Clock(case.clock.at)
    engine = CaseEngine(case.engine.inp, state, clock, case.engine.patched)
    return EngineCase(engine, clock)


def signature(case: EngineCase) -> tuple[object, ...]:
    s = case.state
    open_tasks = frozenset((t.key, t.reminded, t.overdue) for t in s.open_tasks)
    declines = min(s.declines, case.engine.inp.max_declines)
    return s.phase, s.outcome, open_tasks, declines, min(s.meetings, 2), s.provider_org


def successors(case: EngineCase) -> Iterator[EngineCase]:
    """Every next state worth walking on. A completion that opens nothing and leaves
    the phase only removes its task from the open ones, which enables no other move:
    it is made (so its data is checked) but not walked on."""
    for task in case.state.open_tasks:
        for outcome in task.allowed_outcomes:
            nxt = fork(case)
            result = nxt.complete_id(task.id, outcome, owner(task), "Motivatie", **DATA)
            check_invariants(nxt)
            if result.opened or result.phase != case.state.phase:
                yield nxt
    deadline = case.engine.next_deadline()
    if deadline is not None:
        nxt = fork(case)
        nxt.advance((deadline - nxt.clock.at) / timedelta(days=1))
        yield nxt
    for action in ("signal_stagnation", "request_praktijkteam_advice"):
        nxt = fork(case)
        nxt.act(action, actor=PROVIDER, note="Vraag")
        yield nxt


def check_invariants(case: EngineCase) -> None:
    s = case.state
    entries = case.audit
    assert [e.seq for e in entries] == list(range(s.event_seq - len(entries), s.event_seq))
    assert [e.id for e in entries] == [f"c1:e{e.seq}" for e in entries]
    assert [t.id for t in s.tasks] == [f"c1:t{n}" for n in range(1, s.next_seq)]
    assert len({i.id for i in case.intents}) == len(case.intents)
    if s.status == "closed":
        assert s.open_tasks == [] and s.phase == "closed" and s.outcome
    else:
        assert s.outcome is None and s.phase != "closed"
    assert all(t.owner_org for t in s.open_tasks)
    # a phase's tasks end with it; only the any-phase tasks stay open across phases
    here = PHASE_KEYS.get(s.phase, set()) | ANY_PHASE_KEYS
    assert {t.key for t in s.open_tasks} <= here, (s.phase, [t.key for t in s.open_tasks])


def explore(entry: str, oco: bool) -> tuple[set[str], set[str]]:
    """(task keys opened, closing outcomes reached) of every case from this start."""
    keys: set[str] = set()
    outcomes: set[str] = set()
    seen: set[tuple[object, ...]] = set()
    frontier = [start(entry=entry, oco=oco, max_declines=2)]
    while frontier:
        case = frontier.pop()
        sig = signature(case)
        if sig in seen:
            continue
        seen.add(sig)
        # a few hundred states per start; far more means the walk no longer ends
        assert len(seen) < MAX_STATES, f"more than {MAX_STATES} states from {entry}"
        keys |= {t.key for t in case.state.tasks}
        if case.state.outcome:
            outcomes.add(case.state.outcome)
            continue
        frontier.extend(successors(case))
    return keys, outcomes


def test_every_task_of_the_plan_is_reachable():
    """One test for the whole walk (about a second), so mutation runs try it last."""
    walks = {(entry, oco): explore(entry, oco) for entry, oco in STARTS}
    plan = {t.key for t in PLAN.all_tasks()}
    reached = set().union(*(keys for keys, _ in walks.values()))
    assert reached == plan - OPENED_BY_THE_WORKFLOW
    # both entries reach the step plan's closing outcomes
    for (entry, _), (_, outcomes) in walks.items():
        in_place = {"solved_in_place"} if entry == "care_not_suitable" else set()
        assert outcomes == {"placed"} | in_place
    # an OCO changes who informs the client
    without, with_oco = walks[("no_dossierhouder", False)][0], walks[("no_dossierhouder", True)][0]
    assert without - with_oco == {
        "inform_client_about_oco",
        "inform_client_about_meeting_for_provider",
    }
    assert with_oco - without == {"help_with_registration_form"}

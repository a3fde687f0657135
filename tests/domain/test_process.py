"""The step-plan shape: look-ups, the definition's own consistency check, and the
rules module's refusals."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from domain.definitions import CURRENT_VERSION, definition
from domain.messages import Actor, ClaimTask, TaskState
from domain.permissions import CaseFacts, Refused, check_claim
from domain.process import Effect, FieldSpec, PhaseDef, ProcessDefinition, TaskDef
from domain.stappenplan_v1 import phase
from domain.vocabulary import Phase, Role

PLAN = definition(CURRENT_VERSION)


def plan_with(*tasks: TaskDef) -> ProcessDefinition:
    return ProcessDefinition(version=99, phases=(phase(Phase.PLAN_OF_ACTION, *tasks),))


def task(key: str = "a", **kwargs) -> TaskDef:
    values = {"outcomes": {"done": Effect()}} | kwargs
    return TaskDef(key, "Taak", Role.AANBIEDER, **values)


def test_the_phase_helper_titles_a_phase():
    a = task("a")
    assert phase(Phase.PLAN_OF_ACTION, a) == PhaseDef(
        phase=Phase.PLAN_OF_ACTION, title="Plan van aanpak", tasks=(a,)
    )


def test_lookups_name_what_is_missing():
    assert PLAN.phase(Phase.PLAN_OF_ACTION).phase is Phase.PLAN_OF_ACTION
    assert PLAN.task("hold_meeting").owner is Role.ZORGKANTOOR
    with pytest.raises(KeyError, match="closed"):
        PLAN.phase(Phase.CLOSED)
    with pytest.raises(KeyError, match="no_such_task"):
        PLAN.task("no_such_task")


def test_the_current_plan_is_consistent():
    PLAN.validate()
    replace(PLAN, version=99).validate()


def test_a_plan_with_fields_required_exactly_is_consistent():
    plan_with(
        task("a", fields=(FieldSpec("x", "X"),), requires={"done": ("x", "note")}, on_overdue="a"),
        task("b", outcomes={"done": Effect(opens=("a",))}),
    ).validate()


@pytest.mark.parametrize(
    ("tasks", "message"),
    [
        ((task("a"), task("b"), task("a")), "duplicate task keys: ['a']"),
        ((task("a", outcomes={"done": Effect(opens=("b",))}),), "task a refers to unknown task b"),
        ((task("a", on_overdue="late"),), "task a refers to unknown task late"),
        (
            (task("a", outcomes={"done": Effect(), "x": Effect(opens=("a", "zz"))}),),
            "task a refers to unknown task zz",
        ),
        (
            (task("a", requires={"maybe": ("note",)}),),
            "task a: requires names unknown maybe/('note',)",
        ),
        (
            (task("a", fields=(FieldSpec("x", "X"),), requires={"done": ("x", "y")}),),
            "task a: requires names unknown done/('x', 'y')",
        ),
    ],
)
def test_an_inconsistent_plan_is_refused(tasks, message):
    with pytest.raises(ValueError, match=r".") as info:
        plan_with(*tasks).validate()
    assert str(info.value) == message


def test_a_refusal_reads_as_its_message():
    holder = Actor("u1", "Petra", "aanbieder", "Zorggroep Noord")
    other = Actor("u2", "Bart", "aanbieder", "Zorggroep Noord")
    case = CaseFacts(case_id="c1", status="open", zorgkantoor_org="Zorgkantoor Groningen")
    task = TaskState(
        "t1",
        "decide_dossierhouder",
        "dossierhouder_search",
        "Besluiten",
        "aanbieder",
        "Zorggroep Noord",
        [],
        ["accepted"],
        datetime(2026, 11, 2, tzinfo=UTC),
    )
    with pytest.raises(Refused) as info:
        check_claim(case, task, holder, ClaimTask("t1", other))
    assert (info.value.kind, str(info.value)) == (
        "Conflict",
        "task t1 is already claimed by Petra; use force to take over",
    )
    assert info.value.message == str(info.value)

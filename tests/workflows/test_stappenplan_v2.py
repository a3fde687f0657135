"""Step plan version 2 on the time-skipping server: the real workflow's timers (stall,
bridging check, evaluation after placement), its validators, and the read model that
follows it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from tests.workflows.harness import (
    COORDINATOR,
    MEETING,
    NEXT_PROVIDER,
    PARTICIPANTS,
    PROVIDER,
    ZORGKANTOOR,
    CaseDriver,
)

V2 = {"definition_version": 2}
NOTICE = {"reason": "Veiligheid van medebewoners", "intended_end": "2026-12-31"}


async def rejected(coro) -> ApplicationError:
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await coro
    cause = info.value.cause
    assert isinstance(cause, ApplicationError)
    return cause


async def end_care(case: CaseDriver) -> None:
    await case.act("give_notice", actor=PROVIDER, **NOTICE)
    await case.complete(
        "review_termination_grounds",
        "agreed",
        actor=ZORGKANTOOR,
        note="Afwijsgronden getoetst",
        finding="Zorgvuldig",
    )
    await case.act("end_care_with_bridging", note="Beëindigd", bridging_care="Logeeropvang")


async def test_stall_timer_fires_past_the_phase_maximum(start):
    case = await start(**V2, phase_max_days={"dossierhouder_search": 3})
    await case.sleep(2.5)
    assert not (await case.state()).stalled
    assert not case.read_model_case().stalled
    await case.sleep(1)
    state = await case.state()
    assert state.stalled
    follow_up = [t for t in state.open_tasks if t.key == "follow_up_stalled_case"]
    assert len(follow_up) == 1 and follow_up[0].owner_org == ZORGKANTOOR.org
    assert case.audit_actions().count("phase_stalled") == 1
    assert case.read_model_case().stalled
    await case.assert_read_model_matches()
    # once per stay in the phase, even as the other timers fire
    await case.sleep(5)
    assert case.audit_actions().count("phase_stalled") == 1
    assert len([t for t in (await case.state()).tasks if t.key == "follow_up_stalled_case"]) == 1


async def test_bridging_check_recurs_on_its_timer(start):
    case = await start(entry="care_not_suitable", bridging_check_days=3, **V2)
    await end_care(case)
    state = await case.state()
    assert state.status == "open" and state.participants["former_provider"] == [PROVIDER.org]
    row = case.read_model_case()
    assert row.status == "open" and row.bridging == state.bridging
    assert row.bridging is not None and row.bridging["arrangement"] == "Logeeropvang"

    await case.sleep(3.5)
    first = await case.open_task("monitor_bridging")
    assert first.overdue and "deadline_missed" in case.audit_actions()
    await case.complete(
        "monitor_bridging", "checked", actor=ZORGKANTOOR, finding="Overbrugging verloopt goed"
    )
    second = await case.open_task("monitor_bridging")
    assert second.id != first.id and second.due_at - second.created_at == timedelta(days=3)
    await case.sleep(3.5)
    assert (await case.open_task("monitor_bridging")).overdue
    await case.assert_read_model_matches()


async def test_the_workflow_ends_only_after_the_evaluation_of_a_placement(start):
    case = await start(**V2, evaluation_days=7)
    await case.complete("decide_dossierhouder", "accepted")
    result = await case.complete("arrange_care", "placed", placed_at=PROVIDER.org)
    assert (result.status, result.outcome) == ("closed", "placed")
    assert [t.key for t in result.opened] == ["evaluate_placement"]
    assert (case.read_model_case().status, case.read_model_case().outcome) == ("closed", "placed")

    await case.sleep(7.5)  # the evaluation's deadline passes on the closed case
    evaluation = await case.open_task("evaluate_placement")
    assert evaluation.overdue and evaluation.phase == "closed"
    assert (await case.handle.describe()).status == WorkflowExecutionStatus.RUNNING
    await case.assert_read_model_matches()

    # an update for the follow-up task arrives on the closed case
    done = await case.complete(
        "evaluate_placement", "suitable", actor=ZORGKANTOOR, finding="Past goed"
    )
    assert done.task is not None and done.task.status == "done"
    assert (await case.handle.result()).outcome == "placed"
    await case.assert_read_model_matches()
    rows = {t.key: t for t in case.read_model_tasks()}
    assert (rows["evaluate_placement"].status, rows["evaluate_placement"].outcome) == (
        "done",
        "suitable",
    )


async def test_skipped_tasks_reach_the_read_model(start):
    case = await start(entry="care_not_suitable", **V2)
    await case.complete("investigate_internally")
    await case.complete("explore_solutions_in_place")
    await case.complete("establish_place_not_suitable", "not_suitable", note="Onveilig")
    rows = {t.key: t.status for t in case.read_model_tasks() if t.phase == "current_place_review"}
    assert rows["advise_client_about_oco"] == rows["inform_zorgkantoor_early"] == "skipped"
    assert case.audit_actions().count("task_skipped") == 2
    await case.assert_read_model_matches()


async def test_the_workflow_refuses_ungated_and_v2_only_moves(start):
    case = await start(entry="care_not_suitable", **V2)
    error = await rejected(
        case.complete("establish_place_not_suitable", "not_suitable", note="Onveilig")
    )
    assert error.type == "Conflict" and "investigate_internally" in str(error)
    error = await rejected(
        case.act("end_care_with_bridging", actor=COORDINATOR, bridging_care="Logeeropvang")
    )
    assert error.type == "Conflict" and "review_termination_grounds" in str(error)
    assert (await case.state()).phase == "current_place_review"

    v1 = await start(entry="care_not_suitable")
    error = await rejected(v1.act("give_notice", actor=PROVIDER, **NOTICE))
    assert error.type == "Conflict"


async def test_a_gate_override_by_the_zorgkantoor_is_recorded(start):
    case = await start(entry="care_not_suitable", **V2)
    await case.complete("investigate_internally")
    await case.complete("explore_solutions_in_place")
    await case.complete("establish_place_not_suitable", "not_suitable", note="Onveilig")
    await case.complete(
        "first_registration_round", "no_place", note="Geen plek", providers=[NEXT_PROVIDER.org]
    )
    await case.complete(
        "second_registration_round",
        "no_place",
        actor=ZORGKANTOOR,
        note="Vol",
        providers=[NEXT_PROVIDER.org],
    )
    await case.complete(
        "hold_meeting",
        "no_solution",
        actor=ZORGKANTOOR,
        meeting_at=MEETING,
        participants=PARTICIPANTS,
        note="Spoedoverleg zonder voorbereiding",
        override_gates=True,
    )
    assert (await case.state()).phase == "plan_of_action"
    assert "gates_overridden" in case.audit_actions()
    await case.assert_read_model_matches()

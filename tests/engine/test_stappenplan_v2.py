"""Step plan version 2 (issue 10), driven through the pure engine: every behaviour that
changed since version 1, each a test that fails when the behaviour goes away.

The numbers in the section titles are the points of issue 10 (docs/process.md has the
table step plan line -> rule -> test).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.engine.driver import (
    COORDINATOR,
    MEETING,
    NEXT_PROVIDER,
    OCO,
    PARTICIPANTS,
    PROVIDER,
    T0,
    THIRD_PROVIDER,
    ZORGKANTOOR,
    Actor,
    EngineCase,
    days,
    no_solution,
    opened,
    rejected,
    start,
    summary,
)

ZK, PROV, NEXT = ZORGKANTOOR.org, PROVIDER.org, NEXT_PROVIDER.org
NEW_OCO = Actor("u-oco2", "Nina Ondersteuner", "oco", "MEE Drenthe")
CONSENT = {
    "given_by": "client",
    "scope": "zorgdossier en woonzorgprofiel",
    "date": "2026-10-30",
    "recorded_how": "getekend formulier in het dossier",
}
NOTICE = {"reason": "Veiligheid van medebewoners", "intended_end": "2026-12-31"}
FOLLOW_UP_AT = "2026-12-20"


def start_v2(entry: str = "no_dossierhouder", oco: bool = False, **overrides: Any) -> EngineCase:
    return start(entry, oco, definition_version=2, **overrides)


# ---------------------------------------------------------------- moves on version 2
def not_suitable(case: EngineCase) -> None:
    """The first rung done (internal investigation, solutions in place), then the place
    is established as not suitable: on to ``search_other_provider``."""
    case.complete("investigate_internally")
    case.complete("explore_solutions_in_place")
    case.complete("establish_place_not_suitable", "not_suitable", note="Incidenten")


def to_regular_steps_failed(case: EngineCase) -> None:
    not_suitable(case)
    case.complete(
        "first_registration_round",
        "no_place",
        note="Geen plek",
        providers=[NEXT, THIRD_PROVIDER.org],
    )


def to_meeting(case: EngineCase) -> None:
    """care_not_suitable -> ... -> whole_system_meeting (version 2)."""
    to_regular_steps_failed(case)
    case.complete(
        "second_registration_round",
        "no_place",
        actor=ZORGKANTOOR,
        note="Wachtlijsten vol",
        providers=[THIRD_PROVIDER.org],
    )


def prepare_meeting(case: EngineCase) -> None:
    case.complete(
        "organise_meeting",
        meeting_at=MEETING,
        location="Gemeentehuis",
        chair="Zeynep Zorgkantoor",
        minute_taker="Petra Aanbieder",
    )
    case.complete("update_overview")


def to_plan_of_action(case: EngineCase) -> None:
    to_meeting(case)
    prepare_meeting(case)
    no_solution(case)
    case.complete("evaluate_meeting", "continue_with_plan")


def hold_with_solution(case: EngineCase, actor: Actor = ZORGKANTOOR, **extra: Any) -> None:
    case.complete(
        "hold_meeting",
        "solution",
        actor=actor,
        meeting_at=MEETING,
        participants=PARTICIPANTS,
        agreements="Zorg West neemt op per 1 februari",
        follow_up_at=FOLLOW_UP_AT,
        **extra,
    )


def give_notice(case: EngineCase, actor: Actor = PROVIDER) -> None:
    case.act("give_notice", actor=actor, **NOTICE)


def review(case: EngineCase, outcome: str = "agreed") -> None:
    case.complete(
        "review_termination_grounds",
        outcome,
        actor=ZORGKANTOOR,
        note="Afwijsgronden getoetst",
        finding="Proces zorgvuldig doorlopen",
    )


def end_care(case: EngineCase, arrangement: str = "Logeeropvang bij Zorg West") -> None:
    case.act("end_care_with_bridging", note="Zorg beëindigd", bridging_care=arrangement)


def skipped(case: EngineCase) -> dict[str, dict[str, Any]]:
    """task key -> detail of its ``task_skipped`` event."""
    return {e.detail["key"]: e.detail for e in case.audit if e.action == "task_skipped"}


# ======================================================= 1. continuity of care
def test_end_of_care_keeps_the_case_open_and_the_zorgkantoor_monitors_the_bridging():
    case = start_v2(entry="care_not_suitable", bridging_check_days=10)
    not_suitable(case)  # in search_other_provider: the provider has open tasks
    provider_tasks = {t.key for t in case.state.open_tasks if t.owner_org == PROV}
    assert "first_registration_round" in provider_tasks

    case.clock.at = days(1)
    give_notice(case)
    review_task = case.open_task("review_termination_grounds")
    assert (review_task.owner_role, review_task.owner_org) == ("zorgkantoor", ZK)
    assert case.state.notice is not None
    assert case.state.notice["by_org"] == PROV and case.state.notice["review"] is None
    assert case.last("notice_given").motivation == NOTICE["reason"]

    # before the zorgkantoor agreed: refused, naming the missing step
    error = rejected(lambda: end_care(case))
    assert error.type == "Conflict"
    assert "review_termination_grounds" in error.message and "agreed" in error.message

    case.clock.at = days(2)
    review(case, "agreed")
    assert case.state.notice["review"] == "agreed"
    assert case.last("notice_reviewed").after == {"review": "agreed"}

    case.clock.at = days(3)
    mark = case.mark()
    end_care(case)
    state = case.state
    assert (state.status, state.phase, state.outcome) == ("open", "search_other_provider", None)
    assert state.bridging is not None
    assert {
        k: state.bridging[k] for k in ("since", "arrangement", "ended_by_org", "agreed_by")
    } == {
        "since": days(3).isoformat(),
        "arrangement": "Logeeropvang bij Zorg West",
        "ended_by_org": PROV,
        "agreed_by": ZORGKANTOOR.name,
    }
    # the provider leaves the active parties, kept as former provider
    assert state.provider_org == ""
    assert PROV not in state.participants["provider"]
    assert state.participants["former_provider"] == [PROV]
    # its open tasks go to the zorgkantoor, which carries the duty of care
    for key in provider_tasks:
        moved = case.open_task(key)
        assert (moved.owner_role, moved.owner_org) == ("zorgkantoor", ZK), key
    assert not [t for t in state.open_tasks if t.owner_org == PROV]
    # the recurring bridging check, due every bridging_check_days
    entries, _ = case.since(mark)
    assert [e.action for e in entries if e.action in ("care_ended", "provider_left")] == [
        "care_ended",
        "provider_left",
    ]
    assert case.last("provider_left").detail == {"org": PROV, "reason": "ended_care"}
    assert opened(entries) == [("monitor_bridging", ZK, days(13).isoformat())]

    # no more notifications to the provider that ended care
    mark = case.mark()
    case.complete("guard_information_transfer", actor=ZORGKANTOOR)
    case.complete(
        "first_registration_round",
        "no_place",
        actor=ZORGKANTOOR,
        note="Geen plek",
        providers=[NEXT],
    )
    _, intents = case.since(mark)
    assert ("phase_changed", [ZK]) in summary(intents)
    assert all(PROV not in i.recipients for i in intents)
    # the search goes on: the next phase's provider tasks are the zorgkantoor's too
    assert case.open_task("document_attempts").owner_org == ZK


def test_monitor_bridging_recurs_every_check_period_until_the_case_closes():
    case = start_v2(entry="care_not_suitable", bridging_check_days=10)
    give_notice(case)
    review(case)
    end_care(case)
    check = case.open_task("monitor_bridging")
    assert check.due_at == days(10)

    case.advance(10.5)  # the check is missed: overdue, the zorgkantoor hears of it
    assert case.open_task("monitor_bridging").overdue
    assert "deadline_missed" in case.actions()

    error = rejected(lambda: case.complete("monitor_bridging", "checked", actor=ZORGKANTOOR))
    assert error.type == "Invalid" and "data.finding" in error.message
    case.complete(
        "monitor_bridging", "checked", actor=ZORGKANTOOR, finding="Overbrugging verloopt goed"
    )
    follow = case.open_task("monitor_bridging")
    assert follow.id != check.id and follow.due_at == days(20.5)
    case.complete("monitor_bridging", "checked", actor=ZORGKANTOOR, finding="Nog steeds goed")
    assert len(case.tasks("monitor_bridging")) == 3

    # until the case closes: the open check is skipped and no new one opens
    case.act("withdraw", note="Cliënt overleden")
    assert [t.status for t in case.tasks("monitor_bridging")] == ["done", "done", "skipped"]
    assert case.engine.finished
    assert case.engine.next_deadline() is None


def test_review_needs_a_finding_and_a_motivation_and_an_objection_blocks_the_end_of_care():
    case = start_v2(entry="care_not_suitable")
    give_notice(case)
    for data, note in (({}, "Getoetst"), ({"finding": "Zorgvuldig"}, "")):
        for outcome in ("agreed", "objected"):
            error = rejected(
                lambda o=outcome, d=data, n=note: case.complete(
                    "review_termination_grounds", o, actor=ZORGKANTOOR, note=n, **d
                )
            )
            assert error.type == "Invalid", (outcome, data, note)
    # a second notice while the first is being handled
    assert rejected(lambda: give_notice(case)).type == "Conflict"

    review(case, "objected")
    assert case.state.notice["review"] == "objected"
    error = rejected(lambda: end_care(case))
    assert error.type == "Conflict" and "agreed" in error.message
    assert case.state.bridging is None and case.state.provider_org == PROV
    # after an objection the provider may give notice again, which is reviewed anew
    give_notice(case)
    assert len(case.tasks("review_termination_grounds")) == 2
    review(case, "agreed")
    error = rejected(lambda: case.act("end_care_with_bridging", note="x", bridging_care=" "))
    assert error.type == "Invalid" and "bridging_care" in error.message
    end_care(case)
    assert case.state.bridging is not None and case.state.notice is None


@pytest.mark.parametrize(
    ("actor", "data", "kind"),
    [
        (ZORGKANTOOR, NOTICE, "Forbidden"),
        (OCO, NOTICE, "Forbidden"),
        (NEXT_PROVIDER, NOTICE, "Forbidden"),  # not the case's provider
        (PROVIDER, {"intended_end": "2026-12-31"}, "Invalid"),
        (PROVIDER, {"reason": "Vol", "intended_end": "eind december"}, "Invalid"),
    ],
)
def test_only_the_case_provider_gives_notice_with_a_reason_and_an_end_date(actor, data, kind):
    case = start_v2(entry="care_not_suitable", oco=True)
    assert rejected(lambda: case.act("give_notice", actor=actor, **data)).type == kind
    assert "review_termination_grounds" not in case.open_keys()


def test_end_of_care_is_the_coordinators_action():
    case = start_v2(entry="care_not_suitable")
    give_notice(case)
    review(case)
    for actor in (ZORGKANTOOR, PROVIDER):
        error = rejected(
            lambda a=actor: case.act("end_care_with_bridging", actor=a, bridging_care="x")
        )
        assert error.type == "Forbidden"


# ======================================================= 2. care termination as an event
# (entry, moves, phase reached, the phase's maximum duration in days)
EVERY_PHASE = [
    ("no_dossierhouder", (), "dossierhouder_search", 30),
    ("care_not_suitable", (), "current_place_review", 42),
    ("care_not_suitable", (not_suitable,), "search_other_provider", 42),
    ("care_not_suitable", (to_regular_steps_failed,), "regular_steps_failed", 42),
    ("care_not_suitable", (to_meeting,), "whole_system_meeting", 28),
    ("care_not_suitable", (to_plan_of_action,), "plan_of_action", 90),
]


@pytest.mark.parametrize(("entry", "moves", "phase"), [p[:3] for p in EVERY_PHASE])
def test_notice_opens_the_termination_review_in_any_phase(entry, moves, phase):
    case = start_v2(entry=entry)
    for move in moves:
        move(case)
    assert case.state.phase == phase
    assert "review_termination_grounds" not in case.open_keys()
    give_notice(case)
    review_task = case.open_task("review_termination_grounds")
    assert (review_task.owner_org, review_task.phase) == (ZK, phase)


def test_regular_steps_failed_no_longer_opens_the_review_and_a_pending_review_survives_it():
    case = start_v2(entry="care_not_suitable")
    not_suitable(case)
    give_notice(case)  # in search_other_provider
    case.complete("first_registration_round", "no_place", note="Geen plek", providers=[NEXT])
    assert case.state.phase == "regular_steps_failed"
    # only the one opened by the notice, still open across the phase change
    assert [t.status for t in case.tasks("review_termination_grounds")] == ["open"]
    assert "review_termination_grounds" not in skipped(case)

    # without any notice, the phase opens no review at all
    quiet = start_v2(entry="care_not_suitable")
    to_regular_steps_failed(quiet)
    assert quiet.tasks("review_termination_grounds") == []


# ======================================================= 3. no silent skipping
def test_tasks_left_open_at_the_end_of_a_phase_are_skipped_with_a_timeline_event():
    case = start_v2(entry="care_not_suitable")
    case.act("signal_stagnation", actor=PROVIDER, note="Niemand reageert")  # any phase
    case.clock.at = days(2)
    not_suitable(case)
    assert {t.key: t.status for t in case.state.tasks if t.phase == "current_place_review"} == {
        "advise_client_about_oco": "skipped",
        "investigate_internally": "done",
        "inform_zorgkantoor_early": "skipped",
        "explore_solutions_in_place": "done",
        "establish_place_not_suitable": "done",
        "handle_stagnation_signal": "open",  # an any-phase task does not end with the phase
    }
    details = skipped(case)
    assert set(details) == {"advise_client_about_oco", "inform_zorgkantoor_early"}
    event = case.last("task_skipped")
    assert event.detail == {
        "key": "inform_zorgkantoor_early",
        "title": case.tasks("inform_zorgkantoor_early")[0].title,
        "phase": "current_place_review",
        "ended_by_task": "establish_place_not_suitable",
        "ended_by_outcome": "not_suitable",
    }
    assert (event.before, event.after) == ({"status": "open"}, {"status": "skipped"})
    assert event.task_id == case.tasks("inform_zorgkantoor_early")[0].id
    assert event.actor == PROVIDER.name and event.at == days(2)
    # the skipped tasks reach the read model in the same batch
    skipped_rows = {t.key for t in case.batches[-1].tasks if t.status == "skipped"}
    assert skipped_rows == {"advise_client_about_oco", "inform_zorgkantoor_early"}
    assert "cancelled" not in {t.status for t in case.state.tasks}


def test_closing_the_case_skips_its_open_tasks():
    case = start_v2(oco=True)
    case.complete("decide_dossierhouder", "accepted")
    case.complete("arrange_care", "placed", placed_at=PROV)
    details = skipped(case)
    assert set(details) == {"help_with_registration_form", "inform_client_about_preferred_provider"}
    assert {d["ended_by_task"] for d in details.values()} == {"arrange_care"}
    assert {d["ended_by_outcome"] for d in details.values()} == {"placed"}
    assert {d["phase"] for d in details.values()} == {"dossierhouder_search"}

    withdrawn = start_v2()
    withdrawn.act("withdraw", note="Verhuisd naar het buitenland")
    details = skipped(withdrawn)
    assert set(details) == {
        "inform_client_about_oco",
        "inform_client_about_preferred_provider",
        "decide_dossierhouder",
    }
    assert {d["ended_by_task"] for d in details.values()} == {None}
    assert {t.status for t in withdrawn.state.tasks} == {"skipped"}


def test_hold_meeting_is_gated_on_organising_and_updating_the_overview():
    case = start_v2(entry="care_not_suitable")
    to_meeting(case)
    error = rejected(lambda: hold_with_solution(case))
    assert error.type == "Conflict"
    assert "organise_meeting, update_overview" in error.message  # English: the keys
    assert "Eerst nodig" in error.message  # Dutch: the titles
    assert case.tasks("organise_meeting")[0].title in error.message
    assert case.tasks("update_overview")[0].title in error.message
    assert "override_gates" in error.message
    assert case.open_task("hold_meeting").status == "open"

    case.complete(
        "organise_meeting",
        meeting_at=MEETING,
        location="Gemeentehuis",
        chair="Zeynep",
        minute_taker="Petra",
    )
    error = rejected(lambda: no_solution(case))  # the other outcome is gated too
    assert error.type == "Conflict" and "update_overview" in error.message
    assert "organise_meeting" not in error.message.split("(")[0]
    case.complete("update_overview")
    hold_with_solution(case)
    assert "gates_overridden" not in case.actions()


def test_zorgkantoor_may_override_the_gates_with_a_motivation_recorded():
    case = start_v2(entry="care_not_suitable")
    to_meeting(case)
    case.complete("update_overview")
    # no motivation: refused
    error = rejected(lambda: hold_with_solution(case, override_gates=True))
    assert error.type == "Invalid" and "note" in error.message
    # override_gates must be a yes/no
    error = rejected(lambda: hold_with_solution(case, override_gates="ja", note="x"))
    assert error.type == "Invalid"
    case.complete(
        "hold_meeting",
        "solution",
        actor=COORDINATOR,  # a coordinator is the zorgkantoor too
        note="Spoedoverleg zonder formele uitnodiging",
        meeting_at=MEETING,
        participants=PARTICIPANTS,
        agreements="Zorg West neemt op",
        follow_up_at=FOLLOW_UP_AT,
        override_gates=True,
    )
    held = case.tasks("hold_meeting")[0]
    assert (held.status, held.outcome) == ("done", "solution")
    event = case.last("gates_overridden")
    assert event.detail == {"missing": ["organise_meeting"]}
    assert event.motivation == "Spoedoverleg zonder formele uitnodiging"
    assert (event.actor, event.task_id) == (COORDINATOR.name, held.id)
    assert case.actions().index("task_completed") < case.actions().index("gates_overridden")


def test_only_the_zorgkantoor_may_override_a_gate():
    case = start_v2(entry="care_not_suitable")
    case.complete("explore_solutions_in_place")
    error = rejected(
        lambda: case.complete(
            "establish_place_not_suitable",
            "not_suitable",
            note="Toch maar door",
            override_gates=True,
        )
    )
    assert error.type == "Forbidden" and "zorgkantoor" in error.message
    # nor can the zorgkantoor complete the provider's task itself
    error = rejected(
        lambda: case.complete(
            "establish_place_not_suitable",
            "not_suitable",
            actor=ZORGKANTOOR,
            note="Toch maar door",
            override_gates=True,
        )
    )
    assert error.type == "Forbidden"
    assert case.state.phase == "current_place_review"


def test_establishing_the_place_unsuitable_is_gated_on_the_first_rung():
    case = start_v2(entry="care_not_suitable")
    error = rejected(
        lambda: case.complete("establish_place_not_suitable", "not_suitable", note="Onveilig")
    )
    assert error.type == "Conflict"
    assert "investigate_internally, explore_solutions_in_place" in error.message
    case.complete("investigate_internally")
    error = rejected(
        lambda: case.complete("establish_place_not_suitable", "not_suitable", note="Onveilig")
    )
    assert "explore_solutions_in_place" in error.message
    assert "investigate_internally" not in error.message
    # solved in place is not gated
    solved = start_v2(entry="care_not_suitable")
    solved.complete("establish_place_not_suitable", "solved_in_place", note="Extra nachtdienst")
    assert (solved.state.status, solved.state.outcome) == ("closed", "solved_in_place")


def test_placement_in_the_first_round_is_gated_on_guarding_the_information_transfer():
    case = start_v2(entry="care_not_suitable")
    not_suitable(case)
    error = rejected(lambda: case.complete("first_registration_round", "placed", placed_at=NEXT))
    assert error.type == "Conflict" and "guard_information_transfer" in error.message
    assert "Bewaken dat de juiste informatie" in error.message
    case.complete("guard_information_transfer", actor=ZORGKANTOOR)
    case.complete("first_registration_round", "placed", placed_at=NEXT)
    assert (case.state.status, case.state.outcome) == ("closed", "placed")


def test_gates_count_only_the_preparation_of_the_current_meeting():
    """A second meeting must be prepared again: the first meeting's organisation does not
    open the gate of the second."""
    case = start_v2(entry="care_not_suitable")
    to_plan_of_action(case)
    case.complete("make_plan_of_action")
    case.complete("direct_plan_of_action", "failed_new_meeting", note="Plan loopt vast")
    assert (case.state.phase, case.state.meetings) == ("whole_system_meeting", 2)
    error = rejected(lambda: hold_with_solution(case))
    assert error.type == "Conflict"
    assert "organise_meeting, update_overview" in error.message
    prepare_meeting(case)
    hold_with_solution(case)
    assert "gates_overridden" not in case.actions()


def test_a_meeting_prepared_after_an_overridden_one_needs_no_override():
    case = start_v2(entry="care_not_suitable")
    to_meeting(case)
    case.complete(
        "hold_meeting",
        "no_solution",
        actor=ZORGKANTOOR,
        meeting_at=MEETING,
        participants=PARTICIPANTS,
        note="Spoedoverleg",
        override_gates=True,
    )
    assert case.last("gates_overridden").detail == {
        "missing": ["organise_meeting", "update_overview"]
    }
    case.complete("evaluate_meeting", "new_meeting", note="Opnieuw, nu goed voorbereid")
    assert {"organise_meeting", "update_overview"} <= set(skipped(case))
    prepare_meeting(case)
    hold_with_solution(case)
    assert case.actions().count("gates_overridden") == 1


# ======================================================= 4. stalls get an owner
def test_past_the_phase_maximum_the_case_stalls_once_and_the_zorgkantoor_follows_up():
    case = start_v2()  # dossierhouder_search: 30 days at most
    assert case.engine.phase_deadline() == days(30)
    case.advance(29.9)
    assert not case.state.stalled and "phase_stalled" not in case.actions()
    case.advance(0.2)
    assert case.state.stalled
    event = case.last("phase_stalled")
    assert event.detail == {"phase": "dossierhouder_search", "max_reached_at": days(30).isoformat()}
    assert (event.before, event.after) == ({"stalled": False}, {"stalled": True})
    follow_up = case.open_task("follow_up_stalled_case")
    assert (follow_up.owner_role, follow_up.owner_org) == ("zorgkantoor", ZK)
    assert case.batches[-1].stalled is True  # the read model shows it
    # once per stay in the phase
    case.advance(100)
    assert len(case.tasks("follow_up_stalled_case")) == 1
    assert case.actions().count("phase_stalled") == 1
    error = rejected(lambda: case.complete("follow_up_stalled_case", actor=ZORGKANTOOR))
    assert error.type == "Invalid" and "note" in error.message
    case.complete("follow_up_stalled_case", actor=ZORGKANTOOR, note="Aanbieder gebeld")
    assert case.state.stalled  # still past the maximum until the case moves on


@pytest.mark.parametrize(("entry", "moves", "phase", "max_days"), EVERY_PHASE)
def test_every_phase_has_a_maximum_duration(entry, moves, phase, max_days):
    case = start_v2(entry=entry)
    for move in moves:
        move(case)
    case.clock.at = days(1)  # the moves took no time: the phase started at T0
    assert case.state.phase == phase and case.engine.phase_deadline() == days(max_days)
    case.advance(max_days - 1.1)
    assert not case.state.stalled
    case.advance(0.2)
    assert case.state.stalled and "follow_up_stalled_case" in case.open_keys()
    assert case.last("phase_stalled").detail["phase"] == phase


def test_a_deployment_may_shorten_a_phase_maximum():
    case = start_v2(phase_max_days={"dossierhouder_search": 3})
    case.advance(2.9)
    assert not case.state.stalled
    case.advance(0.2)
    assert case.state.stalled and "follow_up_stalled_case" in case.open_keys()
    # phases without an override keep the step plan's maximum
    other = start_v2(entry="care_not_suitable", phase_max_days={"dossierhouder_search": 3})
    assert other.engine.phase_deadline() == days(42)


def test_entering_a_new_phase_resets_the_stall():
    case = start_v2(entry="care_not_suitable", phase_max_days={"search_other_provider": 5})
    case.advance(43)
    assert case.state.stalled
    not_suitable(case)
    assert case.state.phase == "search_other_provider" and not case.state.stalled
    assert case.batches[-1].stalled is False
    assert case.engine.phase_deadline() == days(48)
    # the follow-up is the zorgkantoor's until done: not skipped with the phase
    assert case.open_task("follow_up_stalled_case").phase == "current_place_review"
    case.advance(5.5)
    assert case.state.stalled
    assert [t.status for t in case.tasks("follow_up_stalled_case")] == ["open", "open"]
    assert case.last("phase_stalled").detail["phase"] == "search_other_provider"


def test_a_closed_case_does_not_stall():
    case = start_v2(entry="care_not_suitable")
    case.complete("establish_place_not_suitable", "solved_in_place", note="Opgelost")
    assert case.engine.phase_deadline() is None
    case.advance(400)
    assert "phase_stalled" not in case.actions()


def test_plan_of_action_can_fail_back_to_a_new_meeting():
    case = start_v2(entry="care_not_suitable")
    to_plan_of_action(case)
    case.complete("make_plan_of_action")
    error = rejected(lambda: case.complete("direct_plan_of_action", "failed_new_meeting"))
    assert error.type == "Invalid" and "note" in error.message
    case.complete("direct_plan_of_action", "failed_new_meeting", note="Geen voortgang")
    assert (case.state.phase, case.state.meetings) == ("whole_system_meeting", 2)
    assert {"organise_meeting", "update_overview", "hold_meeting"} <= case.open_keys()
    # what the plan left open is skipped, not silently dropped
    assert {"report_progress", "contact_provider_about_progress"} <= set(skipped(case))


def test_plan_of_action_can_fail_into_an_escalation_with_praktijkteam_advice():
    case = start_v2(entry="care_not_suitable")
    to_plan_of_action(case)
    case.complete("make_plan_of_action")
    error = rejected(lambda: case.complete("direct_plan_of_action", "failed_escalate"))
    assert error.type == "Invalid"
    case.complete("direct_plan_of_action", "failed_escalate", note="Vraag advies aan VWS")
    assert case.state.phase == "plan_of_action"
    advice = case.open_task("record_praktijkteam_advice")
    assert (advice.owner_role, advice.owner_org) == ("zorgkantoor", ZK)
    case.complete("record_praktijkteam_advice", "answered", actor=ZORGKANTOOR, advice="Route A-B")


def test_meeting_agreements_are_followed_up_on_their_date():
    case = start_v2(entry="care_not_suitable")
    to_meeting(case)
    prepare_meeting(case)
    error = rejected(
        lambda: case.complete(
            "hold_meeting",
            "solution",
            actor=ZORGKANTOOR,
            meeting_at=MEETING,
            participants=PARTICIPANTS,
            agreements="Zorg West neemt op",
        )
    )
    assert error.type == "Invalid" and "follow_up_at" in error.message
    hold_with_solution(case)
    follow_up = case.open_task("monitor_agreements")
    assert follow_up.due_at == datetime(2026, 12, 20, 16, 0, tzinfo=UTC)
    assert (follow_up.owner_org, follow_up.supports) == (PROV, ["zorgkantoor"])
    case.advance((follow_up.due_at - case.clock.at).days + 1)
    assert case.open_task("monitor_agreements").overdue
    case.complete("monitor_agreements", "agreements_failed", note="Zorg West trok zich terug")
    assert case.state.phase == "plan_of_action"


def test_proactive_contact_about_progress_recurs_while_the_plan_runs():
    case = start_v2(entry="care_not_suitable", progress_report_days=14)
    to_plan_of_action(case)
    first = case.open_task("contact_provider_about_progress")
    assert (first.owner_org, first.due_at) == (ZK, T0 + timedelta(days=7))
    case.clock.at = days(3)
    case.complete("contact_provider_about_progress", actor=ZORGKANTOOR)
    second = case.open_task("contact_provider_about_progress")
    assert second.id != first.id and second.due_at == days(17)
    case.complete("contact_provider_about_progress", actor=ZORGKANTOOR)
    assert [t.status for t in case.tasks("contact_provider_about_progress")] == [
        "done",
        "done",
        "open",
    ]


# ======================================================= 5. the first rung of the ladder
def test_the_provider_first_investigates_internally():
    case = start_v2(entry="care_not_suitable")
    order = [key for key, _, _ in opened(case.audit)]
    assert order.index("investigate_internally") < order.index("explore_solutions_in_place")
    task = case.open_task("investigate_internally")
    assert (task.owner_role, task.supports, task.phase) == (
        "aanbieder",
        ["zorgkantoor"],
        "current_place_review",
    )


def test_supporting_roles_add_contributions_kept_on_the_task_and_in_the_timeline():
    case = start_v2(entry="care_not_suitable", oco=True)
    task = case.open_task("explore_solutions_in_place")
    case.clock.at = days(1)
    case.act(
        "add_contribution",
        actor=ZORGKANTOOR,
        note="Meerzorg mogelijk tot 20 uur per week",
        task_id=task.id,
        arrangement="meerzorg",
        funding=1250,
    )
    case.act("add_contribution", actor=OCO, note="Cliënt wil graag blijven", task_id=task.id)
    case.act("add_contribution", actor=COORDINATOR, note="Maatwerk besproken", task_id=task.id)
    contributions = case.open_task("explore_solutions_in_place").contributions
    assert [(c["org"], c["role"], c["note"]) for c in contributions] == [
        (ZK, "zorgkantoor", "Meerzorg mogelijk tot 20 uur per week"),
        (OCO.org, "oco", "Cliënt wil graag blijven"),
        (ZK, "coordinator", "Maatwerk besproken"),
    ]
    assert contributions[0]["data"] == {"arrangement": "meerzorg", "funding": 1250}
    assert contributions[0]["at"] == days(1).isoformat()
    assert contributions[0]["by"] == ZORGKANTOOR.name
    events = [e for e in case.audit if e.action == "contribution_added"]
    assert [(e.task_id, e.org, e.motivation) for e in events] == [
        (task.id, ZK, "Meerzorg mogelijk tot 20 uur per week"),
        (task.id, OCO.org, "Cliënt wil graag blijven"),
        (task.id, ZK, "Maatwerk besproken"),
    ]
    assert events[0].detail["data"] == {"arrangement": "meerzorg", "funding": 1250}
    assert task.id in {t.id for t in case.batches[-1].tasks}  # to the read model


def test_contributions_refused_for_non_supporting_roles_closed_tasks_and_without_a_note():
    case = start_v2(entry="care_not_suitable", oco=True)
    investigate = case.open_task("investigate_internally")  # supported by the zorgkantoor only
    explore = case.open_task("explore_solutions_in_place")

    def contribute(actor: Actor, task_id: str, note: str = "Bijdrage") -> None:
        case.act("add_contribution", actor=actor, note=note, task_id=task_id)

    assert rejected(lambda: contribute(OCO, investigate.id)).type == "Forbidden"
    assert rejected(lambda: contribute(PROVIDER, explore.id)).type == "Forbidden"  # the owner
    outsider = Actor("u-zk2", "Ander", "zorgkantoor", "Zorgkantoor Drenthe")
    assert rejected(lambda: contribute(outsider, explore.id)).type == "Forbidden"
    assert rejected(lambda: contribute(ZORGKANTOOR, explore.id, note="")).type == "Invalid"
    assert rejected(lambda: contribute(ZORGKANTOOR, "c1:t999")).type == "NotFound"
    case.complete("investigate_internally")
    error = rejected(lambda: contribute(ZORGKANTOOR, investigate.id))
    assert error.type == "Conflict" and "no longer open" in error.message
    assert "contribution_added" not in case.actions()


# ======================================================= 6. phase A as the step plan has it
def test_decision_clock_starts_at_the_registration_date():
    registered = T0 - timedelta(days=3)
    case = start_v2(decision_days=5, registered_at=registered)
    decision = case.open_task("decide_dossierhouder")
    assert decision.due_at == days(2)
    assert decision.remind_at == days(1)
    case.advance(2.1)
    assert case.open_task("decide_dossierhouder").overdue
    assert "follow_up_overdue_decision" in case.open_keys()

    now = start_v2(decision_days=5)  # default: the case's start
    assert now.open_task("decide_dossierhouder").due_at == days(5)


def test_a_declining_provider_leaves_and_reregistration_records_date_and_consent():
    case = start_v2(decision_days=5)
    case.clock.at = days(2)
    mark = case.mark()
    case.complete("decide_dossierhouder", "declined", reason_code="no_capacity", note="Vol")
    entries, _ = case.since(mark)
    assert case.state.participants["former_provider"] == [PROV]
    assert PROV not in case.state.participants["provider"]
    assert case.state.provider_org == ""
    left = case.last("provider_left")
    assert left.detail == {"org": PROV, "reason": "declined"}
    assert opened(entries) == [("register_with_next_provider", ZK, None)]

    # the registration needs the client's consent to share information with that provider
    error = rejected(
        lambda: case.complete(
            "register_with_next_provider", "registered", actor=ZORGKANTOOR, provider_org=NEXT
        )
    )
    assert error.type == "Invalid" and "data.consent" in error.message
    error = rejected(
        lambda: case.complete(
            "register_with_next_provider",
            "registered",
            actor=ZORGKANTOOR,
            provider_org=NEXT,
            consent=CONSENT | {"given_by": "neighbour"},
        )
    )
    assert error.type == "Invalid" and "given_by" in error.message

    case.clock.at = days(3)
    mark = case.mark()
    case.complete(
        "register_with_next_provider",
        "registered",
        actor=ZORGKANTOOR,
        provider_org=NEXT,
        registered_at="2026-11-04",
        consent=CONSENT,
    )
    registered = datetime(2026, 11, 4, tzinfo=UTC)
    assert case.state.registered_at == registered
    assert case.state.consents[NEXT] == CONSENT
    assert case.last("provider_registered").detail == {"registered_at": registered.isoformat()}
    decision = case.open_task("decide_dossierhouder")
    assert (decision.owner_org, decision.due_at) == (NEXT, registered + timedelta(days=5))
    assert case.state.provider_org == NEXT
    assert case.state.participants["intended_provider"] == [NEXT]
    _, intents = case.since(mark)
    assert all(PROV not in i.recipients for i in intents)
    assert case.batches[-1].consents == {NEXT: CONSENT}

    # the next provider that declines leaves too
    case.clock.at = days(4)
    case.complete(
        "decide_dossierhouder", "declined", actor=NEXT_PROVIDER, reason_code="other", note="x"
    )
    assert case.state.participants["former_provider"] == [PROV, NEXT]


def test_reregistration_without_a_date_starts_the_clock_now():
    case = start_v2(decision_days=10, max_declines=3)
    case.complete("decide_dossierhouder", "declined", reason_code="expertise_lacking", note="x")
    case.clock.at = days(6)
    case.complete(
        "register_with_next_provider",
        "registered",
        actor=ZORGKANTOOR,
        provider_org=NEXT,
        consent=CONSENT,
    )
    assert case.state.registered_at == days(6)
    assert case.open_task("decide_dossierhouder").due_at == days(16)


def test_while_no_provider_takes_part_the_zorgkantoor_gets_the_providers_tasks():
    case = start_v2(max_declines=1)
    case.complete("decide_dossierhouder", "declined", reason_code="no_capacity", note="Vol")
    assert case.open_task("take_over_mediation").owner_org == ZK
    mark = case.mark()
    case.complete("take_over_mediation", "escalate", actor=ZORGKANTOOR, note="Niemand neemt op")
    _, intents = case.since(mark)
    assert case.state.phase == "regular_steps_failed"
    document = case.open_task("document_attempts")
    assert (document.owner_role, document.owner_org) == ("zorgkantoor", ZK)
    assert ("phase_changed", [ZK]) in summary(intents)
    assert all(PROV not in i.recipients for i in intents)


def test_decline_reasons_are_codes_from_the_list():
    case = start_v2()
    error = rejected(
        lambda: case.complete("decide_dossierhouder", "declined", reason_code="vol", note="Vol")
    )
    assert error.type == "Invalid"
    for code in ("inclusion_exclusion_criteria", "no_capacity", "expertise_lacking", "other"):
        assert code in error.message
    error = rejected(lambda: case.complete("decide_dossierhouder", "declined", note="Vol"))
    assert error.type == "Invalid" and "data.reason_code" in error.message
    error = rejected(lambda: case.complete("decide_dossierhouder", "declined", reason_code="other"))
    assert error.type == "Invalid" and "note" in error.message  # other + text
    case.complete("decide_dossierhouder", "declined", reason_code="other", note="Verbouwing")
    assert case.tasks("decide_dossierhouder")[0].data["reason_code"] == "other"


# ======================================================= 7. consent per party
@pytest.mark.parametrize("capacity", ["intended_provider", "round_provider", "oco"])
def test_a_party_receiving_client_data_needs_a_full_consent_record(capacity):
    case = start_v2()
    data = {"org": "Zorg West", "capacity": capacity, "consent": True}
    error = rejected(lambda: case.act("add_participant", **data))
    assert error.type == "Invalid" and "consent_record" in error.message
    error = rejected(
        lambda: case.act(
            "add_participant",
            **data,
            consent_record={k: v for k, v in CONSENT.items() if k != "scope"},
        )
    )
    assert error.type == "Invalid" and "consent_record.scope" in error.message
    error = rejected(lambda: case.act("add_participant", **(data | {"consent": False})))
    assert error.type == "Invalid"
    case.act("add_participant", **data, consent_record=CONSENT)
    assert "Zorg West" in case.state.participants[capacity]
    assert case.state.consents["Zorg West"] == CONSENT
    assert case.last("participant_added").after == {"org": "Zorg West", "capacity": capacity}


def test_on_version_1_a_yes_was_enough():
    case = start()
    case.act("add_participant", org="Zorg West", capacity="intended_provider", consent=True)
    assert "Zorg West" in case.state.participants["intended_provider"]
    assert case.state.consents == {}


def test_an_adviser_joins_without_consent():
    case = start_v2()
    case.act("add_participant", org="CCE", capacity="adviser")
    assert case.state.participants["adviser"] == ["CCE"]
    assert "CCE" not in case.state.consents


def test_the_client_may_switch_oco():
    case = start_v2(oco=True)
    help_task = case.open_task("help_with_registration_form")
    assert help_task.owner_org == OCO.org
    for actor, data, kind in (
        (COORDINATOR, {"org": NEW_OCO.org}, "Invalid"),  # no consent
        (COORDINATOR, {"org": NEW_OCO.org, "consent": {"given_by": "client"}}, "Invalid"),
        (COORDINATOR, {"org": OCO.org, "consent": CONSENT}, "Conflict"),  # already the OCO
        (ZORGKANTOOR, {"org": NEW_OCO.org, "consent": CONSENT}, "Forbidden"),
        (OCO, {"org": NEW_OCO.org, "consent": CONSENT}, "Forbidden"),
    ):
        assert rejected(lambda a=actor, d=data: case.act("switch_oco", actor=a, **d)).type == kind

    case.act("switch_oco", note="Cliënt koos een andere OCO", org=NEW_OCO.org, consent=CONSENT)
    state = case.state
    assert state.oco_org == NEW_OCO.org
    assert state.participants["oco"] == [NEW_OCO.org]
    assert state.participants["former_oco"] == [OCO.org]
    assert state.consents[NEW_OCO.org] == CONSENT
    assert case.open_task("help_with_registration_form").owner_org == NEW_OCO.org
    event = case.last("oco_switched")
    assert (event.before["oco_org"], event.after["oco_org"]) == (OCO.org, NEW_OCO.org)
    assert event.motivation == "Cliënt koos een andere OCO"
    # the new OCO acts on its tasks; the old one no longer can
    assert rejected(lambda: case.complete("help_with_registration_form", actor=OCO)).type == (
        "Forbidden"
    )
    case.complete("help_with_registration_form", actor=NEW_OCO)
    # and the old OCO hears nothing more
    mark = case.mark()
    case.complete("decide_dossierhouder", "accepted")
    case.complete("arrange_care", "no_place", note="Geen plek")
    _, intents = case.since(mark)
    assert intents and all(OCO.org not in i.recipients for i in intents)
    assert any(NEW_OCO.org in i.recipients for i in intents)


# ======================================================= 8. after placement
def test_placement_closes_the_case_and_leaves_an_evaluation():
    case = start_v2(evaluation_days=28)
    case.complete("decide_dossierhouder", "accepted")
    case.clock.at = days(3)
    mark = case.mark()
    r = case.complete("arrange_care", "placed", placed_at=PROV)
    assert (r.status, r.outcome, r.phase) == ("closed", "placed", "closed")
    assert (case.state.status, case.state.outcome) == ("closed", "placed")
    entries, _ = case.since(mark)
    assert opened(entries) == [("evaluate_placement", ZK, days(31).isoformat())]
    assert [t.key for t in r.opened] == ["evaluate_placement"]
    evaluation = case.open_task("evaluate_placement")
    assert evaluation.phase == "closed"
    assert [e.action for e in entries].index("case_closed") < [e.action for e in entries].index(
        "task_opened"
    )
    assert not case.engine.finished  # the workflow waits for the evaluation
    assert case.engine.next_deadline() == days(31)
    assert case.engine.phase_deadline() is None

    # the closed case refuses everything else
    assert rejected(lambda: case.act("withdraw", note="x")).type == "Conflict"
    assert rejected(lambda: give_notice(case)).type == "Conflict"
    # the evaluation is completed on the closed case
    error = rejected(
        lambda: case.complete("evaluate_placement", "not_suitable", actor=ZORGKANTOOR, finding="x")
    )
    assert error.type == "Invalid" and "note" in error.message
    assert rejected(lambda: case.complete("evaluate_placement", "suitable")).type == "Forbidden"
    case.complete("evaluate_placement", "suitable", actor=ZORGKANTOOR, finding="Past goed")
    assert case.tasks("evaluate_placement")[0].outcome == "suitable"
    assert (case.state.status, case.state.outcome) == ("closed", "placed")
    assert case.engine.finished


@pytest.mark.parametrize("route", ["first_round", "second_round", "plan_of_action", "agreements"])
def test_every_placement_leaves_an_evaluation(route):
    case = start_v2(entry="care_not_suitable")
    if route == "first_round":
        not_suitable(case)
        case.complete("guard_information_transfer", actor=ZORGKANTOOR)
        case.complete("first_registration_round", "placed", placed_at=NEXT)
    elif route == "second_round":
        to_regular_steps_failed(case)
        case.complete("second_registration_round", "placed", actor=ZORGKANTOOR, placed_at=NEXT)
    elif route == "plan_of_action":
        to_plan_of_action(case)
        case.complete("report_progress", "placed", placed_at=NEXT)
    else:
        to_meeting(case)
        prepare_meeting(case)
        hold_with_solution(case)
        case.complete("monitor_agreements", "placed", placed_at=NEXT)
    assert (case.state.status, case.state.outcome) == ("closed", "placed")
    assert case.open_keys() == {"evaluate_placement"}
    assert not case.engine.finished


def test_other_closings_leave_no_evaluation():
    solved = start_v2(entry="care_not_suitable")
    solved.complete("establish_place_not_suitable", "solved_in_place", note="Opgelost")
    withdrawn = start_v2()
    withdrawn.act("withdraw", note="Ingetrokken")
    for case in (solved, withdrawn):
        assert case.open_keys() == set() and case.engine.finished


# ======================================================= 9. version 1 keeps version 1
def test_version_1_cancels_silently_and_has_no_gates():
    case = start(entry="care_not_suitable")
    case.complete("establish_place_not_suitable", "not_suitable", note="Onveilig")  # no gates
    statuses = {t.key: t.status for t in case.state.tasks if t.phase == "current_place_review"}
    assert "cancelled" in statuses.values() and "skipped" not in statuses.values()
    assert "task_skipped" not in case.actions()
    assert "investigate_internally" not in statuses


def test_version_1_end_of_care_closes_the_case():
    case = start(entry="care_not_suitable")
    case.act("end_care_with_bridging", note="Beëindigd", bridging_solution="Logeeropvang")
    assert (case.state.status, case.state.outcome) == ("closed", "care_ended_with_bridging")
    assert case.state.bridging is None and "monitor_bridging" not in case.open_keys()
    assert case.engine.finished


def test_version_1_has_no_stall_timers_and_no_evaluation():
    case = start(entry="care_not_suitable")
    assert case.engine.phase_deadline() is None and case.engine.next_deadline() is None
    case.advance(400)
    assert not case.state.stalled and "phase_stalled" not in case.actions()
    placed = start()
    placed.complete("decide_dossierhouder", "accepted")
    placed.complete("arrange_care", "placed", placed_at=PROV)
    assert placed.open_keys() == set() and placed.engine.finished


def test_version_1_regular_steps_failed_still_opens_its_termination_review():
    case = start(entry="care_not_suitable")
    case.complete("establish_place_not_suitable", "not_suitable", note="Onveilig")
    case.complete("first_registration_round", "no_place", note="Geen plek", providers=[NEXT])
    assert "review_termination_grounds" in case.open_keys()


@pytest.mark.parametrize(
    ("action", "actor", "data"),
    [
        ("give_notice", PROVIDER, NOTICE),
        ("add_contribution", ZORGKANTOOR, {"task_id": "c1:t1"}),
        ("switch_oco", COORDINATOR, {"org": NEW_OCO.org, "consent": CONSENT}),
    ],
)
def test_version_1_refuses_the_version_2_actions(action, actor, data):
    case = start(entry="care_not_suitable", oco=True)
    error = rejected(lambda: case.act(action, actor=actor, note="Bijdrage", **data))
    assert error.type == "Conflict" and "version 1" in error.message


def test_parties_that_left_no_longer_act_on_the_case():
    """An OCO the client switched away from, and a provider that declined, are kept as
    former parties (history), but add no contributions, signals or advice requests."""
    case = start_v2(entry="care_not_suitable", oco=True)
    explore = case.open_task("explore_solutions_in_place")  # supported by the OCO
    case.act("switch_oco", org=NEW_OCO.org, consent=CONSENT)
    for action, data in (
        ("add_contribution", {"task_id": explore.id}),
        ("signal_stagnation", {}),
        ("request_praktijkteam_advice", {}),
    ):
        error = rejected(lambda a=action, d=data: case.act(a, actor=OCO, note="Bijdrage", **d))
        assert error.type == "Forbidden", action
    case.act("add_contribution", actor=NEW_OCO, note="Bijdrage", task_id=explore.id)

    declined = start_v2()
    declined.complete("decide_dossierhouder", "declined", reason_code="no_capacity", note="Vol")
    error = rejected(lambda: declined.act("signal_stagnation", actor=PROVIDER, note="Stil"))
    assert error.type == "Forbidden"


def test_an_adviser_with_consent_needs_a_full_record_and_the_timeline_says_so():
    case = start_v2()
    partial = {"given_by": "client"}  # e.g. a form with only one field filled in
    error = rejected(
        lambda: case.act("add_participant", org="CCE", capacity="adviser", consent_record=partial)
    )
    assert error.type == "Invalid" and "consent_record.scope" in error.message
    assert "CCE" not in case.state.consents
    case.act("add_participant", org="CCE", capacity="adviser", consent_record=CONSENT)
    assert case.state.consents["CCE"] == CONSENT
    assert case.last("participant_added").detail == {"consent_recorded": True}
    case.act("add_participant", org="COT", capacity="adviser")
    assert case.last("participant_added").detail == {"consent_recorded": False}


def test_a_decision_the_zorgkantoor_took_over_does_not_make_it_a_former_provider():
    """Care ended while the provider still had to decide: the decision went to the
    zorgkantoor. Declining it counts the decline, but the zorgkantoor does not leave."""
    case = start_v2()
    give_notice(case)
    review(case)
    end_care(case)
    assert case.open_task("decide_dossierhouder").owner_org == ZK
    case.complete(
        "decide_dossierhouder", "declined", actor=ZORGKANTOOR, reason_code="other", note="Geen"
    )
    assert case.state.participants["former_provider"] == [PROV]
    assert case.state.participants["zorgkantoor"] == [ZK]
    assert [e.detail["org"] for e in case.audit if e.action == "provider_left"] == [PROV]
    assert case.state.declines == 1 and "register_with_next_provider" in case.open_keys()


# ======================================================= wording (issue 10, point 9)
def test_titles_in_the_step_plans_own_words():
    from domain.definitions import definition
    from domain.labels import OUTCOMES

    v2 = definition(2)

    def title(key: str) -> str:
        return v2.task(key).title

    assert title("inform_client_about_preferred_provider") == (
        "Cliënt informeren over de waarde van een voorkeursaanbieder en de benodigde informatie"
    )
    assert title("complete_client_information").endswith("en woonzorgprofiel)")
    assert "voorzitter en notulist aanwijzen" in title("organise_meeting")
    assert "afwijsgronden" in title("review_termination_grounds")
    assert "bijlage 1" in v2.task("review_termination_grounds").description
    assert "ruimte binnen de regels" in title("evaluate_meeting")
    assert title("contact_provider_about_progress").startswith("Vanuit zorgplicht")
    assert "Bemiddeling" in title("take_over_mediation")
    assert OUTCOMES["for_information"].startswith("Ter kennisgeving")
    dutch = " ".join(t.title + " " + t.description for t in v2.all_tasks()).lower()
    assert "mediation" not in dutch and "ter informatie" not in dutch


def test_a_missed_deadline_is_addressed_to_the_zorgkantoor_as_the_zorgkantoor():
    from notifications.context import message_context
    from notifications.render import render_message

    case = start_v2(decision_days=5)
    case.advance(5.1)
    (missed,) = [i for i in case.intents if i.event == "deadline_missed"]
    assert missed.recipients == [PROV, ZK]
    to_owner = render_message(message_context(missed, PROV, "https://casusregie.test"))
    to_zk = render_message(message_context(missed, ZK, "https://casusregie.test"))
    assert "rond de taak zo snel mogelijk af" in to_owner.text
    # the zorgkantoor is told whose task it is and what it may do, not to finish it itself
    assert "rond de taak zo snel mogelijk af" not in to_zk.text
    assert PROV in to_zk.text

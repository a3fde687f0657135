"""Each entry path to each closing outcome, driven through the engine: the tasks it
opens (with owners and due dates), the audit trail and the notifications it asks for."""

from __future__ import annotations

from tests.engine.driver import (
    COORDINATOR,
    MEETING,
    NEXT_PROVIDER,
    OCO,
    PARTICIPANTS,
    PROVIDER,
    THIRD_PROVIDER,
    ZORGKANTOOR,
    days,
    no_solution,
    opened,
    start,
    summary,
    to_meeting,
    to_plan_of_action,
)

ZK, PROV = ZORGKANTOOR.org, PROVIDER.org


def test_start_opens_the_first_tasks_and_tells_their_owners():
    case = start(entry="no_dossierhouder", decision_days=5)
    state = case.state
    assert (state.phase, state.status, state.phase_since) == (
        "dossierhouder_search",
        "open",
        days(0),
    )
    assert state.participants == {"provider": [PROV], "zorgkantoor": [ZK]}
    assert case.actions() == [
        "case_started",
        "phase_changed",
        "task_opened",
        "task_opened",
        "task_opened",
    ]
    assert {e.request_id for e in case.audit} == {"r-start"}
    started, phase = case.audit[:2]
    assert (started.actor, started.role, started.org, started.request_id) == (
        COORDINATOR.name,
        "coordinator",
        ZK,
        "r-start",
    )
    assert started.detail == {
        "entry": "no_dossierhouder",
        "sector": "GGZ",
        "region": "Groningen",
        "definition_version": 1,
    }
    assert (phase.before, phase.after, phase.detail) == (
        None,
        {"phase": "dossierhouder_search"},
        {"meeting_number": None},
    )
    assert opened(case.audit) == [
        ("inform_client_about_oco", ZK, None),
        ("inform_client_about_preferred_provider", ZK, None),
        ("decide_dossierhouder", PROV, days(5).isoformat()),
    ]
    # no phase_changed message for the first phase: only the owners hear of their tasks
    assert summary(case.intents) == [
        ("task_assigned", [ZK]),
        ("task_assigned", [ZK]),
        ("task_assigned", [PROV]),
    ]
    decision = case.open_task("decide_dossierhouder")
    assert decision.id == "c1:t3" and decision.supports == []
    assert (decision.due_at, decision.remind_at) == (days(5), days(4))
    assert decision.allowed_outcomes == ["accepted", "declined"]
    assert case.intents[2].context == {
        "task_id": "c1:t3",
        "task_key": "decide_dossierhouder",
        "task_title": "Besluiten over dossierhouderschap",
        "phase": "dossierhouder_search",
        "phase_title": "Dossierhouder zoeken",
        "due_at": days(5).isoformat(),
    }


def test_no_dossierhouder_accepted_and_placed():
    case = start(entry="no_dossierhouder")
    case.clock.at = days(2)
    result = case.complete("decide_dossierhouder", "accepted")
    assert [(t.key, t.owner_org, t.due_at) for t in result.opened] == [("arrange_care", PROV, None)]
    decision = case.tasks("decide_dossierhouder")[0]
    assert (decision.status, decision.outcome, decision.completed_at) == (
        "done",
        "accepted",
        days(2),
    )
    assert decision.completed_by == PROVIDER

    mark = case.mark()
    result = case.complete(
        "arrange_care",
        "placed",
        placed_at=PROV,
        bridging_care="Dagbesteding tot de kamer vrij is",
    )
    assert (result.status, result.outcome, result.phase) == ("closed", "placed", "closed")
    assert result.task is not None and result.task.key == "arrange_care" and result.opened == []
    entries, intents = case.since(mark)
    assert [e.action for e in entries] == ["task_completed", "case_closed"]
    closed = entries[1]
    assert (closed.before, closed.after) == (
        {"status": "open", "phase": "dossierhouder_search"},
        {"status": "closed", "outcome": "placed"},
    )
    assert summary(intents) == [("case_closed", [PROV, ZK])]
    assert intents[0].context == {"outcome": "placed", "outcome_title": "Geplaatst"}
    # everything still open is cancelled with the case
    assert {t.key: t.status for t in case.state.tasks} == {
        "inform_client_about_oco": "cancelled",
        "inform_client_about_preferred_provider": "cancelled",
        "decide_dossierhouder": "done",
        "arrange_care": "done",
    }
    assert case.state.phase_since == days(2)
    assert case.batches[-1].outcome == "placed" and case.batches[-1].status == "closed"


def test_with_oco_the_oco_helps_and_zorgkantoor_does_not_inform_about_oco():
    case = start(entry="no_dossierhouder", oco=True)
    assert case.open_keys() == {
        "help_with_registration_form",
        "inform_client_about_preferred_provider",
        "decide_dossierhouder",
    }
    assert case.state.participants["oco"] == [OCO.org]
    assert case.open_task("help_with_registration_form").owner_org == OCO.org
    assert ("task_assigned", [OCO.org]) in summary(case.intents)
    result = case.complete("help_with_registration_form", actor=OCO)
    assert result.task is not None and result.task.status == "done"


def test_care_not_suitable_solved_in_place():
    case = start(entry="care_not_suitable")
    assert case.state.phase == "current_place_review"
    assert opened(case.audit) == [
        ("advise_client_about_oco", PROV, None),
        ("inform_zorgkantoor_early", PROV, None),
        ("explore_solutions_in_place", PROV, None),
        ("establish_place_not_suitable", PROV, None),
    ]
    assert case.open_task("establish_place_not_suitable").supports == ["zorgkantoor", "oco"]
    case.complete("inform_zorgkantoor_early", "sparring")
    result = case.complete(
        "establish_place_not_suitable",
        "solved_in_place",
        note="Extra begeleiding in de avond volstaat",
    )
    assert (result.status, result.outcome) == ("closed", "solved_in_place")
    assert case.last("task_completed").motivation == "Extra begeleiding in de avond volstaat"
    assert case.last("case_closed").motivation == "Extra begeleiding in de avond volstaat"
    assert case.intents[-1].context["outcome_title"] == "Opgelost op de huidige plek"


def test_full_escalation_to_plan_of_action_and_placement():
    """care_not_suitable -> search -> regular steps failed -> meeting (no solution)
    -> plan of action -> new meeting (counted) -> solution -> placed."""
    case = start(entry="care_not_suitable")
    mark = case.mark()
    r = case.complete("establish_place_not_suitable", "not_suitable", note="Incidenten")
    assert r.phase == "search_other_provider"
    assert [t.key for t in r.opened] == [
        "complete_client_information",
        "define_wanted_place",
        "share_provider_knowledge",
        "first_registration_round",
        "guard_information_transfer",
        "estimate_funding",
    ]
    entries, intents = case.since(mark)
    assert [e.action for e in entries[:2]] == ["task_completed", "phase_changed"]
    assert (entries[1].before, entries[1].after) == (
        {"phase": "current_place_review"},
        {"phase": "search_other_provider"},
    )
    assert summary(intents)[0] == ("phase_changed", [PROV, ZK])
    assert intents[0].context == {
        "phase": "search_other_provider",
        "phase_title": "Zoeken bij andere aanbieders",
        "previous_phase": "current_place_review",
    }
    # the phase's unfinished tasks are cancelled when the case moves on
    assert {t.key for t in case.state.tasks if t.status == "cancelled"} == {
        "advise_client_about_oco",
        "inform_zorgkantoor_early",
        "explore_solutions_in_place",
    }

    r = case.complete(
        "first_registration_round",
        "no_place",
        note="Geen plek",
        providers=[NEXT_PROVIDER.org, THIRD_PROVIDER.org],
    )
    assert r.phase == "regular_steps_failed"
    assert [(t.key, t.owner_org) for t in r.opened] == [
        ("document_attempts", PROV),
        ("second_registration_round", ZK),
        ("find_creative_solutions", PROV),
        ("agree_funding_of_solutions", ZK),
        ("review_termination_grounds", ZK),
    ]
    r = case.complete(
        "second_registration_round",
        "no_place",
        actor=ZORGKANTOOR,
        note="Wachtlijsten vol",
        providers=[THIRD_PROVIDER.org],
    )
    assert r.phase == "whole_system_meeting" and case.state.meetings == 1
    assert case.last("phase_changed").detail == {"meeting_number": 1}
    assert [t.key for t in r.opened] == [
        "organise_meeting",
        "update_overview",
        "inform_client_about_meeting",
        "hold_meeting",
    ]
    mark = case.mark()
    case.complete(
        "organise_meeting",
        meeting_at=MEETING,
        location="Online: https://meet.example/abc",
        chair="Voorzitter A",
        minute_taker="Notulist B",
        invitees=["CCE", PROV],
    )
    _, intents = case.since(mark)
    assert summary(intents) == [("meeting_invitation", [PROV, ZK, "CCE"])]
    assert intents[0].context == {
        "meeting_at": MEETING,
        "location": "Online: https://meet.example/abc",
        "chair": "Voorzitter A",
        "minute_taker": "Notulist B",
        "meeting_number": 1,
    }
    assert intents[0].id == f"c1:n{case.last('task_completed').seq}:meeting_invitation"
    assert intents[0].task_id == case.tasks("organise_meeting")[0].id

    r = no_solution(case)
    assert r.phase == "plan_of_action"
    assert [t.key for t in r.opened] == ["evaluate_meeting"]
    r = case.complete("evaluate_meeting", "new_meeting", note="Opnieuw, met mandaat")
    assert r.phase == "whole_system_meeting"
    assert case.state.meetings == 2
    assert case.last("phase_changed").detail == {"meeting_number": 2}
    assert len(case.tasks("hold_meeting")) == 2  # a new meeting, new tasks
    r = case.complete(
        "hold_meeting",
        "solution",
        actor=ZORGKANTOOR,
        meeting_at="2027-01-05T10:00",
        participants=PARTICIPANTS,
        agreements="Aanbieder B neemt op na detox bij A",
    )
    assert (r.phase, [t.key for t in r.opened]) == ("whole_system_meeting", ["monitor_agreements"])
    r = case.complete("monitor_agreements", "placed", placed_at=THIRD_PROVIDER.org)
    assert r.outcome == "placed"
    # entry, search, regular steps failed, meeting, plan of action, meeting again
    assert [e.after["phase"] for e in case.audit if e.action == "phase_changed"] == [
        "current_place_review",
        "search_other_provider",
        "regular_steps_failed",
        "whole_system_meeting",
        "plan_of_action",
        "whole_system_meeting",
    ]
    assert case.state.open_tasks == []


def test_failed_agreements_lead_to_a_plan_of_action():
    case = start(entry="care_not_suitable")
    to_meeting(case)
    case.complete(
        "hold_meeting",
        "solution",
        actor=ZORGKANTOOR,
        meeting_at=MEETING,
        participants=PARTICIPANTS,
        agreements="Aanbieder B neemt op",
    )
    r = case.complete("monitor_agreements", "agreements_failed", note="B trekt zich terug")
    assert (r.phase, r.status) == ("plan_of_action", "open")
    assert [(t.key, t.owner_org) for t in r.opened] == [("evaluate_meeting", PROV)]
    assert case.last("task_completed").detail["outcome"] == "agreements_failed"
    assert case.last("phase_changed").before == {"phase": "whole_system_meeting"}
    # the meeting phase's other tasks end with it
    assert case.open_keys() == {"evaluate_meeting"}
    assert case.state.meetings == 1


def test_plan_of_action_reports_until_placed():
    case = start(entry="care_not_suitable", progress_report_days=14)
    case.clock.at = days(3)
    r = to_plan_of_action(case)
    assert [(t.key, t.owner_org, t.due_at) for t in r.opened] == [
        ("make_plan_of_action", PROV, None),
        ("contact_provider_about_progress", ZK, None),
        ("report_progress", PROV, days(3 + 7)),
    ]
    r = case.complete("make_plan_of_action")
    assert [(t.key, t.owner_org) for t in r.opened] == [("direct_plan_of_action", PROV)]
    case.clock.at = days(6)
    r = case.complete("report_progress", "progress", note="Gesprek met aanbieder C")
    assert [(t.key, t.due_at, t.remind_at) for t in r.opened] == [
        ("report_progress", days(6 + 14), None)
    ]
    r = case.complete("report_progress", "placed", placed_at="Aanbieder C")
    assert r.outcome == "placed"
    assert [t.outcome for t in case.tasks("report_progress")] == ["progress", "placed"]


def test_accepted_provider_without_place_searches_other_providers():
    case = start(entry="no_dossierhouder")
    case.complete("decide_dossierhouder", "accepted")
    r = case.complete("arrange_care", "no_place", note="Geen passend aanbod")
    assert r.phase == "search_other_provider"
    assert case.open_task("first_registration_round").owner_org == PROV
    # the dossierhouder phase's remaining tasks are cancelled
    assert "inform_client_about_oco" not in case.open_keys()


def test_placed_in_the_first_and_second_registration_round():
    case = start(entry="care_not_suitable")
    case.complete("establish_place_not_suitable", "not_suitable", note="Incidenten")
    r = case.complete("first_registration_round", "placed", placed_at=NEXT_PROVIDER.org)
    assert (r.status, r.outcome) == ("closed", "placed")

    case = start(entry="care_not_suitable")
    case.complete("establish_place_not_suitable", "not_suitable", note="Incidenten")
    case.complete("first_registration_round", "no_place", note="Geen", providers=["A"])
    r = case.complete(
        "second_registration_round", "placed", actor=ZORGKANTOOR, placed_at=THIRD_PROVIDER.org
    )
    assert (r.status, r.outcome, r.phase) == ("closed", "placed", "closed")

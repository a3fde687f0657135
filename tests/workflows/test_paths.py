"""Each entry path to each closing outcome, with the read model checked at every step."""

from __future__ import annotations

from tests.workflows.harness import (
    COORDINATOR,
    MEETING,
    NEXT_PROVIDER,
    OCO,
    PARTICIPANTS,
    PROVIDER,
    THIRD_PROVIDER,
    ZORGKANTOOR,
    to_meeting,
    to_plan_of_action,
)


async def test_no_dossierhouder_accepted_and_placed(start):
    case = await start(entry="no_dossierhouder")
    state = await case.state()
    assert state.phase == "dossierhouder_search"
    assert {t.key for t in state.open_tasks} == {
        "inform_client_about_oco",
        "inform_client_about_preferred_provider",
        "decide_dossierhouder",
    }
    await case.assert_read_model_matches()

    result = await case.complete("decide_dossierhouder", "accepted")
    assert [t.key for t in result.opened] == ["arrange_care"]
    await case.assert_read_model_matches()
    result = await case.complete(
        "arrange_care",
        "placed",
        placed_at="Zorggroep Noord",
        bridging_care="Dagbesteding tot de kamer vrij is",
    )
    assert (result.status, result.outcome, result.phase) == ("closed", "placed", "closed")
    assert (await case.handle.result()).outcome == "placed"
    await case.assert_read_model_matches()
    assert all(t.status != "open" for t in case.read_model_tasks())


async def test_with_oco_the_oco_helps_and_zorgkantoor_does_not_inform_about_oco(start):
    case = await start(entry="no_dossierhouder", oco=True)
    keys = {t.key: t for t in (await case.state()).open_tasks}
    assert "help_with_registration_form" in keys and "inform_client_about_oco" not in keys
    assert keys["help_with_registration_form"].owner_org == OCO.org
    await case.complete("help_with_registration_form", actor=OCO)


async def test_care_not_suitable_solved_in_place(start):
    case = await start(entry="care_not_suitable")
    state = await case.state()
    assert state.phase == "current_place_review"
    assert "advise_client_about_oco" in {t.key for t in state.open_tasks}
    await case.complete("inform_zorgkantoor_early", "sparring")
    result = await case.complete(
        "establish_place_not_suitable",
        "solved_in_place",
        note="Extra begeleiding in de avond volstaat",
    )
    assert result.outcome == "solved_in_place"
    await case.assert_read_model_matches()


async def test_full_escalation_to_plan_of_action_and_placement(start):
    """care_not_suitable -> search -> regular steps failed -> meeting (no solution)
    -> plan of action -> new meeting (counted) -> solution -> placed."""
    case = await start(entry="care_not_suitable")
    r = await case.complete("establish_place_not_suitable", "not_suitable", note="Incidenten")
    assert r.phase == "search_other_provider"
    assert {t.key for t in r.opened} >= {"first_registration_round", "share_provider_knowledge"}
    r = await case.complete(
        "first_registration_round",
        "no_place",
        note="Geen plek",
        providers=["Stichting Oost", "Zorg West"],
    )
    assert r.phase == "regular_steps_failed"
    r = await case.complete(
        "second_registration_round",
        "no_place",
        actor=ZORGKANTOOR,
        note="Wachtlijsten vol",
        providers=["Zorg West"],
    )
    assert r.phase == "whole_system_meeting"
    assert (await case.state()).meetings == 1
    await case.complete(
        "organise_meeting",
        meeting_at="2026-12-10T14:00",
        location="Online: https://meet.example/abc",
        chair="Voorzitter A",
        minute_taker="Notulist B",
        invitees=["CCE"],
    )
    participants = [
        {"name": "Zorgkantoor", "org": ZORGKANTOOR.org, "mandate": True},
        {"name": "Aanbieder", "org": PROVIDER.org, "mandate": False},
    ]
    r = await case.complete(
        "hold_meeting",
        "no_solution",
        actor=ZORGKANTOOR,
        meeting_at="2026-12-10T14:00",
        participants=participants,
        note="Geen mandaat bij aanbieder",
    )
    assert r.phase == "plan_of_action"
    r = await case.complete("evaluate_meeting", "new_meeting", note="Opnieuw, met mandaat")
    assert r.phase == "whole_system_meeting"
    assert (await case.state()).meetings == 2
    r = await case.complete(
        "hold_meeting",
        "solution",
        actor=ZORGKANTOOR,
        meeting_at="2027-01-05T10:00",
        participants=participants,
        agreements="Aanbieder B neemt op na detox bij A",
    )
    assert [t.key for t in r.opened] == ["monitor_agreements"]
    r = await case.complete("monitor_agreements", "placed", placed_at="Zorg West")
    assert r.outcome == "placed"
    await case.assert_read_model_matches()
    # entry, search, regular steps failed, meeting, plan of action, meeting again
    assert case.audit_actions().count("phase_changed") == 6


async def test_plan_of_action_reports_until_placed(start):
    case = await start(entry="care_not_suitable", progress_report_days=14)
    r = await to_plan_of_action(case)
    assert {t.key for t in r.opened} == {
        "make_plan_of_action",
        "contact_provider_about_progress",
        "report_progress",
    }
    await case.complete("make_plan_of_action")
    r = await case.complete("report_progress", "progress", note="Gesprek met aanbieder C")
    assert [t.key for t in r.opened] == ["report_progress"]
    assert r.opened[0].due_at is not None
    r = await case.complete("report_progress", "placed", placed_at="Aanbieder C")
    assert r.outcome == "placed"
    await case.assert_read_model_matches()


async def test_declines_open_new_registrations_then_zorgkantoor_takes_over(start):
    case = await start(entry="no_dossierhouder", max_declines=2)
    r = await case.complete(
        "decide_dossierhouder", "declined", reason_code="geen_expertise", note="Geen GGZ-expertise"
    )
    assert [t.key for t in r.opened] == ["register_with_next_provider"]
    r = await case.complete(
        "register_with_next_provider",
        "registered",
        actor=ZORGKANTOOR,
        provider_org=NEXT_PROVIDER.org,
    )
    decision = r.opened[0]
    assert (decision.key, decision.owner_org) == ("decide_dossierhouder", NEXT_PROVIDER.org)
    assert decision.due_at is not None
    r = await case.complete(
        "decide_dossierhouder", "declined", actor=NEXT_PROVIDER, reason_code="vol", note="Geen plek"
    )
    assert [t.key for t in r.opened] == ["take_over_mediation"]
    r = await case.complete(
        "take_over_mediation", "escalate", actor=COORDINATOR, note="Twee weigeringen"
    )
    assert r.phase == "regular_steps_failed"
    state = await case.state()
    assert state.declines == 2 and NEXT_PROVIDER.org in state.participants["intended_provider"]
    assert "escalation" in case.audit_actions()


async def test_accepted_provider_without_place_searches_other_providers(start):
    case = await start(entry="no_dossierhouder")
    await case.complete("decide_dossierhouder", "accepted")
    r = await case.complete("arrange_care", "no_place", note="Geen passend aanbod")
    assert r.phase == "search_other_provider"
    first_round = await case.open_task("first_registration_round")
    assert first_round.owner_org == PROVIDER.org


async def test_failed_agreements_lead_to_a_plan_of_action(start):
    case = await start(entry="care_not_suitable")
    await to_meeting(case)
    r = await case.complete(
        "hold_meeting",
        "solution",
        actor=ZORGKANTOOR,
        meeting_at=MEETING,
        participants=PARTICIPANTS,
        agreements="Aanbieder B neemt op",
    )
    assert [t.key for t in r.opened] == ["monitor_agreements"]
    r = await case.complete("monitor_agreements", "agreements_failed", note="B trekt zich terug")
    assert r.phase == "plan_of_action" and r.status == "open"
    assert "evaluate_meeting" in {t.key for t in r.opened}
    await case.assert_read_model_matches()


async def test_zorgkantoor_takes_over_and_registers_a_provider(start):
    case = await start(entry="no_dossierhouder", max_declines=1)
    r = await case.complete("decide_dossierhouder", "declined", reason_code="vol", note="Vol")
    assert [t.key for t in r.opened] == ["take_over_mediation"]
    r = await case.complete(
        "take_over_mediation", "registered", actor=ZORGKANTOOR, provider_org=THIRD_PROVIDER.org
    )
    [decision] = r.opened
    assert (decision.key, decision.owner_org) == ("decide_dossierhouder", THIRD_PROVIDER.org)
    assert decision.due_at is not None and r.phase == "dossierhouder_search"
    state = await case.state()
    assert state.provider_org == THIRD_PROVIDER.org
    assert THIRD_PROVIDER.org in state.participants["intended_provider"]
    assert "provider_registered" in case.audit_actions()
    r = await case.complete("decide_dossierhouder", "accepted", actor=THIRD_PROVIDER)
    assert [t.key for t in r.opened] == ["arrange_care"]
    await case.assert_read_model_matches()


async def test_rejected_cost_estimate_is_estimated_again(start):
    case = await start(entry="care_not_suitable")
    await case.complete("establish_place_not_suitable", "not_suitable", note="Incidenten")
    first = await case.open_task("estimate_funding")
    r = await case.complete("estimate_funding", "done", cost_estimate=125000)
    assert [t.key for t in r.opened] == ["review_cost_estimate"]
    r = await case.complete("review_cost_estimate", "rejected", actor=ZORGKANTOOR, note="Te hoog")
    [again] = r.opened
    assert again.key == "estimate_funding" and again.id != first.id
    r = await case.complete("estimate_funding", "done", cost_estimate=98000)
    assert [t.key for t in r.opened] == ["review_cost_estimate"]
    r = await case.complete("review_cost_estimate", "approved", actor=ZORGKANTOOR)
    assert r.opened == [] and r.phase == "search_other_provider"
    keys = [t.key for t in (await case.state()).tasks if t.status == "done"]
    assert keys.count("estimate_funding") == 2 and keys.count("review_cost_estimate") == 2
    await case.assert_read_model_matches()

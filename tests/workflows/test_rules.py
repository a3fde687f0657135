"""Rules that hold in every phase: early warning, Praktijkteam VWS advice, continuity of
care, withdrawal, consent for new participants, and who informs the client."""

from __future__ import annotations

from tests.workflows.harness import COORDINATOR, OCO, PROVIDER, ZORGKANTOOR, to_meeting
from tests.workflows.test_rejections import rejected


async def test_stagnation_signal_gives_zorgkantoor_a_task_at_once(start):
    case = await start(entry="care_not_suitable", oco=True)
    result = await case.act("signal_stagnation", actor=OCO, note="Geen voortgang sinds 3 weken")
    task = result.opened[0]
    assert (task.key, task.owner_role, task.owner_org) == (
        "handle_stagnation_signal",
        "zorgkantoor",
        ZORGKANTOOR.org,
    )
    assert (
        await rejected(case.act("signal_stagnation", actor=ZORGKANTOOR, note="x"))
    ).type == "Forbidden"
    assert (await rejected(case.act("signal_stagnation", actor=PROVIDER))).type == "Invalid"


async def test_praktijkteam_advice_requested_and_answered_in_any_phase(start):
    case = await start(entry="care_not_suitable")
    await case.act("request_praktijkteam_advice", actor=PROVIDER, note="Valt dit onder Wlz of Zvw?")
    await case.complete(
        "record_praktijkteam_advice",
        "answered",
        actor=ZORGKANTOOR,
        advice="Wlz, met aanvullende GGZ-behandeling",
    )
    actions = case.audit_actions()
    assert "advice_requested" in actions
    assert actions.index("advice_requested") < actions.index("task_completed")


async def test_care_ended_requires_a_recorded_bridging_solution(start):
    case = await start(entry="care_not_suitable")
    error = await rejected(case.act("end_care_with_bridging", note="Zorgbeëindiging"))
    assert error.type == "Invalid" and "bridging_solution" in str(error)
    result = await case.act(
        "end_care_with_bridging",
        note="Zorgbeëindiging",
        bridging_solution="Logeeropvang bij Zorg West tot plaatsing",
    )
    assert result.outcome == "care_ended_with_bridging"
    assert (await case.state()).bridging_solution.startswith("Logeeropvang")


async def test_only_the_coordinator_withdraws_with_a_reason(start):
    case = await start()
    assert (await rejected(case.act("withdraw", actor=ZORGKANTOOR, note="x"))).type == "Forbidden"
    assert (await rejected(case.act("withdraw"))).type == "Invalid"
    result = await case.act("withdraw", actor=COORDINATOR, note="Indicatie vervallen")
    assert (result.status, result.outcome) == ("closed", "withdrawn")
    await case.assert_read_model_matches()


async def test_adding_an_oco_needs_consent(start):
    case = await start()
    error = await rejected(case.act("add_participant", org="MEE Groningen", capacity="oco"))
    assert error.type == "Invalid" and "consent" in str(error)
    await case.act("add_participant", org="MEE Groningen", capacity="oco", consent=True)
    state = await case.state()
    assert state.oco_org == "MEE Groningen" and state.participants["oco"] == ["MEE Groningen"]
    case_row = case.read_model_case()
    assert case_row.oco_org == "MEE Groningen"


async def test_without_oco_the_zorgkantoor_may_inform_the_client_on_request(start):
    case = await start(entry="care_not_suitable")
    await to_meeting(case)
    inform = await case.open_task("inform_client_about_meeting")
    assert "ask_zorgkantoor" in inform.allowed_outcomes
    result = await case.complete("inform_client_about_meeting", "ask_zorgkantoor")
    assert result.opened[0].owner_role == "zorgkantoor"


async def test_with_oco_the_provider_informs_the_client_itself(start):
    case = await start(entry="care_not_suitable", oco=True)
    await to_meeting(case)
    inform = await case.open_task("inform_client_about_meeting")
    assert inform.allowed_outcomes == ["done"] and "oco" in inform.supports

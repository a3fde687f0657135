"""Representative cases from start to close, driven with the workflow test harness:
every entry path and closing outcome, timer expiries and a repeated meeting.

Used by ``scripts/make_golden_histories.py`` (the golden histories in tests/histories)
and by the audit tests. Each scenario is (CaseInput overrides, driver).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from domain.messages import CaseActionKind
from tests.workflows.harness import (
    COORDINATOR,
    MEETING,
    NEXT_PROVIDER,
    OCO,
    PARTICIPANTS,
    PROVIDER,
    THIRD_PROVIDER,
    ZORGKANTOOR,
    CaseDriver,
    no_solution,
    to_meeting,
)


@dataclass(frozen=True)
class Scenario:
    drive: Callable[[CaseDriver], Awaitable[None]]
    inputs: dict[str, Any] = field(default_factory=dict)
    outcome: str = "placed"


async def accepted_placed(case: CaseDriver) -> None:
    await case.complete("inform_client_about_oco", actor=ZORGKANTOOR)
    await case.claim("decide_dossierhouder", PROVIDER)
    await case.complete("decide_dossierhouder", "accepted")
    await case.complete(
        "arrange_care",
        "placed",
        placed_at=PROVIDER.org,
        bridging_care="Dagbesteding tot de kamer vrij is",
    )


async def declined_twice_escalated(case: CaseDriver) -> None:
    await case.complete(
        "decide_dossierhouder", "declined", reason_code="geen_expertise", note="Geen expertise"
    )
    await case.complete(
        "register_with_next_provider",
        "registered",
        actor=ZORGKANTOOR,
        provider_org=NEXT_PROVIDER.org,
    )
    await case.complete(
        "decide_dossierhouder", "declined", actor=NEXT_PROVIDER, reason_code="vol", note="Geen plek"
    )
    await case.complete(
        "take_over_mediation", "escalate", actor=ZORGKANTOOR, note="Twee weigeringen"
    )
    await case.complete("document_attempts", actor=NEXT_PROVIDER)
    await case.complete(
        "second_registration_round", "placed", actor=ZORGKANTOOR, placed_at=THIRD_PROVIDER.org
    )


async def solved_in_place(case: CaseDriver) -> None:
    await case.complete("inform_zorgkantoor_early", "sparring")
    await case.act(CaseActionKind.REQUEST_ADVICE, actor=PROVIDER, note="Meerzorg mogelijk?")
    await case.complete(
        "record_praktijkteam_advice", "answered", actor=ZORGKANTOOR, advice="Meerzorg aanvragen"
    )
    await case.complete(
        "establish_place_not_suitable",
        "solved_in_place",
        note="Extra begeleiding in de avond volstaat",
    )


async def full_escalation_new_meeting(case: CaseDriver) -> None:
    await to_meeting(case)
    await case.act(CaseActionKind.SIGNAL_STAGNATION, actor=OCO, note="Cliënt wacht te lang")
    await case.complete("handle_stagnation_signal", actor=ZORGKANTOOR)
    await case.complete(
        "organise_meeting",
        meeting_at=MEETING,
        location="Online",
        chair="Voorzitter A",
        minute_taker="Notulist B",
        invitees=["CCE"],
    )
    await no_solution(case)
    await case.complete("evaluate_meeting", "new_meeting", note="Opnieuw, met mandaat")
    await case.complete(
        "hold_meeting",
        "solution",
        actor=ZORGKANTOOR,
        meeting_at="2027-01-05T10:00",
        participants=PARTICIPANTS,
        agreements="Aanbieder B neemt op na detox bij A",
    )
    await case.complete("monitor_agreements", "placed", placed_at=THIRD_PROVIDER.org)


async def decision_timer_expired(case: CaseDriver) -> None:
    await case.sleep(4.5)  # reminder one day before the deadline
    await case.sleep(1)  # deadline missed: overdue, zorgkantoor follows up
    await case.complete("follow_up_overdue_decision", actor=ZORGKANTOOR)
    await case.complete("decide_dossierhouder", "accepted")
    await case.complete("arrange_care", "placed", placed_at=PROVIDER.org)


async def missed_progress_report(case: CaseDriver) -> None:
    await to_meeting(case)
    await no_solution(case)
    await case.complete("evaluate_meeting", "continue_with_plan")
    await case.complete("make_plan_of_action")
    await case.complete("report_progress", "progress", note="Gesprekken lopen")
    await case.sleep(15)  # the next report is missed
    await case.complete("follow_up_missed_report", actor=ZORGKANTOOR)
    await case.complete("report_progress", "placed", placed_at=NEXT_PROVIDER.org)


async def withdrawn(case: CaseDriver) -> None:
    await case.act(
        CaseActionKind.ADD_PARTICIPANT,
        note="Cliënt wil ondersteuning",
        org=OCO.org,
        capacity="oco",
        consent=True,
    )
    await case.act(CaseActionKind.WITHDRAW, actor=COORDINATOR, note="Cliënt trekt aanvraag in")


async def care_ended_with_bridging(case: CaseDriver) -> None:
    await case.complete("establish_place_not_suitable", "not_suitable", note="Onveilig")
    await case.act(
        CaseActionKind.END_CARE_WITH_BRIDGING,
        note="Zorg beëindigd",
        bridging_solution="Logeeropvang bij Stichting Oost tot plaatsing",
    )


SCENARIOS: dict[str, Scenario] = {
    "no_dossierhouder_accepted_placed": Scenario(accepted_placed),
    "no_dossierhouder_declined_twice_escalated_placed": Scenario(declined_twice_escalated),
    "care_not_suitable_solved_in_place": Scenario(
        solved_in_place, {"entry": "care_not_suitable"}, "solved_in_place"
    ),
    "care_not_suitable_escalated_new_meeting_placed": Scenario(
        full_escalation_new_meeting, {"entry": "care_not_suitable", "oco": True}
    ),
    "decision_timer_expired_placed": Scenario(decision_timer_expired, {"decision_days": 5}),
    "missed_progress_report_placed": Scenario(
        missed_progress_report, {"entry": "care_not_suitable", "progress_report_days": 14}
    ),
    "withdrawn": Scenario(withdrawn, {}, "withdrawn"),
    "care_ended_with_bridging": Scenario(
        care_ended_with_bridging, {"entry": "care_not_suitable"}, "care_ended_with_bridging"
    ),
}


async def play(name: str, case: CaseDriver) -> None:
    """Drive a started case through scenario ``name`` to its closing outcome, as the
    golden-history script records it (and the regeneration check replays it)."""
    scenario = SCENARIOS[name]
    await scenario.drive(case)
    result = await case.handle.result()
    assert result.outcome == scenario.outcome, (name, result)
    await case.assert_read_model_matches()

"""Every update the workflow's validators refuse, with the error type the API maps to a
status (NotFound 404, Conflict 409, Forbidden 403, Invalid 422); a refusal changes
nothing."""

from __future__ import annotations

import copy

import pytest

from domain.messages import Actor
from tests.engine.driver import (
    AUDITOR,
    COLLEAGUE,
    COORDINATOR,
    NEXT_PROVIDER,
    OCO,
    OTHER_COORDINATOR,
    PROVIDER,
    ZORGKANTOOR,
    rejected,
    start,
    to_meeting,
)

BRIDGING_REQUIRED = (
    "data.bridging_solution is required: care may only end with a recorded "
    "bridging solution (continuity of care)"
)
CAPACITIES = ["intended_provider", "round_provider", "oco", "adviser"]


def test_a_refusal_changes_nothing():
    case = start()
    before = copy.deepcopy(case.state)
    error = rejected(lambda: case.complete("decide_dossierhouder", "maybe"))
    assert (error.type, error.non_retryable) == ("Invalid", True)
    assert case.state == before
    assert case.engine.drain() == (None, [])


def test_unknown_task_is_not_found():
    case = start()
    error = rejected(lambda: case.complete_id("c1:t99", "done"))
    assert error.type == "NotFound" and error.message == "task c1:t99 does not exist in this case"
    error = rejected(lambda: case.claim_id("nope", PROVIDER))
    assert (error.type, error.message) == ("NotFound", "task nope does not exist in this case")


@pytest.mark.parametrize(
    "intruder",
    [
        NEXT_PROVIDER,
        ZORGKANTOOR,
        COORDINATOR,
        OCO,
        Actor("u-a", "Auditor", "auditor", PROVIDER.org),
    ],
    ids=["other-provider", "zorgkantoor", "coordinator", "oco", "auditor-of-the-provider"],
)
def test_other_organisation_or_role_is_forbidden(intruder):
    case = start()
    error = rejected(lambda: case.complete("decide_dossierhouder", "accepted", actor=intruder))
    assert error.type == "Forbidden"
    task_id = case.open_task("decide_dossierhouder").id
    assert error.message == (
        f"task {task_id} belongs to aanbieder {PROVIDER.org}; "
        f"{intruder.role} {intruder.org} may not act on it"
    )


def test_coordinator_acts_for_its_own_zorgkantoor_only():
    case = start()
    forbidden = rejected(
        lambda: case.complete("inform_client_about_preferred_provider", actor=OTHER_COORDINATOR)
    )
    assert forbidden.type == "Forbidden"
    r = case.complete("inform_client_about_preferred_provider", actor=COORDINATOR)
    assert r.task is not None and r.task.completed_by == COORDINATOR


@pytest.mark.parametrize(
    "intruder",
    [AUDITOR, Actor("u-x", "Olga", "oco", ZORGKANTOOR.org), COLLEAGUE],
    ids=["auditor-of-the-zorgkantoor", "oco-role-in-the-zorgkantoor", "provider"],
)
def test_a_zorgkantoor_task_is_for_its_zorgkantoor_and_coordinators_only(intruder):
    case = start()
    error = rejected(
        lambda: case.complete("inform_client_about_preferred_provider", actor=intruder)
    )
    assert error.type == "Forbidden"


def test_a_colleague_of_the_same_organisation_may_complete():
    case = start()
    case.claim("decide_dossierhouder", PROVIDER)
    r = case.complete("decide_dossierhouder", "accepted", actor=COLLEAGUE)
    assert r.task is not None and r.task.completed_by == COLLEAGUE


def test_outcome_not_allowed_is_invalid():
    case = start()
    error = rejected(lambda: case.complete("decide_dossierhouder", "maybe"))
    assert error.type == "Invalid"
    assert error.message == (
        "outcome 'maybe' is not allowed for task decide_dossierhouder; "
        "allowed: ['accepted', 'declined']"
    )


def test_missing_data_and_motivation_are_invalid():
    case = start()
    error = rejected(lambda: case.complete("decide_dossierhouder", "declined"))
    assert error.type == "Invalid"
    assert error.message == (
        "data.reason_code is required for outcome 'declined'; "
        "note (motivation) is required for outcome 'declined'"
    )
    error = rejected(
        lambda: case.complete("decide_dossierhouder", "declined", reason_code="vol", note="  ")
    )
    assert error.message == "note (motivation) is required for outcome 'declined'"


def test_data_of_the_wrong_kind_is_invalid():
    case = start(entry="care_not_suitable")
    to_meeting(case)
    error = rejected(
        lambda: case.complete(
            "hold_meeting",
            "solution",
            actor=ZORGKANTOOR,
            meeting_at="morgen",
            participants=[{"name": "A"}],
            agreements="x",
        )
    )
    assert error.type == "Invalid"
    assert "data.meeting_at must be an ISO datetime" in error.message
    assert "data.participants must be a list of" in error.message


def test_with_an_oco_the_provider_may_not_hand_informing_to_the_zorgkantoor():
    case = start(entry="care_not_suitable", oco=True)
    to_meeting(case)
    error = rejected(lambda: case.complete("inform_client_about_meeting", "ask_zorgkantoor"))
    assert error.type == "Invalid" and "allowed: ['done']" in error.message


def test_completing_a_done_task_is_a_conflict():
    case = start()
    task = case.open_task("decide_dossierhouder")
    case.complete("decide_dossierhouder", "accepted")
    error = rejected(lambda: case.complete_id(task.id, "accepted"))
    assert error.type == "Conflict" and error.message == f"task {task.id} is no longer open (done)"


def test_completing_a_cancelled_task_is_a_conflict():
    case = start(entry="care_not_suitable")
    early = case.open_task("inform_zorgkantoor_early")
    case.complete("establish_place_not_suitable", "not_suitable", note="Incidenten")
    error = rejected(lambda: case.complete_id(early.id, "sparring"))
    assert error.type == "Conflict" and "(cancelled)" in error.message


def test_closed_case_refuses_everything():
    """The workflow has finished then (the server refuses too); its validators and the
    API's pre-checks say 409 first."""
    case = start()
    task = case.open_task("decide_dossierhouder")
    case.act("withdraw", note="Cliënt verhuist naar het buitenland")
    assert case.state.open_tasks == []
    for move in (
        lambda: case.complete_id(task.id, "accepted"),
        lambda: case.complete_id("c1:t99", "accepted"),  # closed wins over unknown
        lambda: case.claim_id(task.id, PROVIDER),
        lambda: case.act("withdraw", note="nog eens"),
        lambda: case.act("signal_stagnation", actor=AUDITOR, note="x"),  # before the role
    ):
        error = rejected(move)
        assert (error.type, error.message) == ("Conflict", "case c1 is closed")
    assert rejected(lambda: case.act("reopen")).type == "Invalid"  # unknown action first


# ---------------------------------------------------------------- claims
def test_claims_conflict_unless_forced():
    case = start()
    task = case.open_task("decide_dossierhouder")
    error = rejected(lambda: case.claim_id(task.id, PROVIDER, release=True))
    assert (error.type, error.message) == ("Conflict", f"task {task.id} is not claimed")
    result = case.claim("decide_dossierhouder", PROVIDER)
    assert result.task is not None and result.task.claimed_by == PROVIDER
    case.claim("decide_dossierhouder", PROVIDER)  # claiming one's own claim again is fine
    error = rejected(lambda: case.claim("decide_dossierhouder", COLLEAGUE))
    assert (error.type, error.message) == (
        "Conflict",
        f"task {task.id} is already claimed by {PROVIDER.name}; use force to take over",
    )
    error = rejected(lambda: case.claim("decide_dossierhouder", COLLEAGUE, release=True))
    assert (error.type, error.message) == (
        "Conflict",
        f"task {task.id} is claimed by {PROVIDER.name}; use force to release",
    )
    forbidden = rejected(lambda: case.claim("decide_dossierhouder", NEXT_PROVIDER, force=True))
    assert forbidden.type == "Forbidden"
    case.claim("decide_dossierhouder", COLLEAGUE, force=True)
    assert task.claimed_by == COLLEAGUE
    case.claim("decide_dossierhouder", PROVIDER, release=True, force=True)
    assert (task.claimed_by, task.claimed_at) == (None, None)


def test_a_done_task_cannot_be_claimed():
    case = start()
    task = case.open_task("decide_dossierhouder")
    case.complete("decide_dossierhouder", "accepted")
    assert rejected(lambda: case.claim_id(task.id, PROVIDER)).type == "Conflict"


# ---------------------------------------------------------------- case actions
def test_unknown_action_is_invalid():
    case = start()
    error = rejected(lambda: case.act("reopen"))
    assert error.type == "Invalid" and "withdraw" in error.message


@pytest.mark.parametrize("action", ["withdraw", "end_care_with_bridging", "add_participant"])
@pytest.mark.parametrize(
    "actor", [ZORGKANTOOR, OTHER_COORDINATOR, PROVIDER], ids=["zorgkantoor", "other-coord", "prov"]
)
def test_only_the_case_coordinator_steers(action, actor):
    case = start()
    error = rejected(
        lambda: case.act(
            action, actor=actor, note="x", bridging_solution="y", org="CCE", capacity="adviser"
        )
    )
    assert error.type == "Forbidden"
    assert error.message == f"only the case's coordinator ({ZORGKANTOOR.org}) may {action}"


@pytest.mark.parametrize(
    "action", ["withdraw", "signal_stagnation", "request_praktijkteam_advice", "add_participant"]
)
def test_auditors_change_nothing(action):
    case = start()
    error = rejected(lambda: case.act(action, actor=AUDITOR, note="x"))
    assert (error.type, error.message) == ("Forbidden", "auditors change nothing")


def test_only_the_coordinator_withdraws_with_a_reason():
    case = start()
    error = rejected(lambda: case.act("withdraw", note="   "))
    assert (error.type, error.message) == ("Invalid", "note (reason for withdrawal) is required")


@pytest.mark.parametrize("data", [{}, {"bridging_solution": "  "}, {"bridging_solution": None}])
def test_care_ended_requires_a_recorded_bridging_solution(data):
    case = start(entry="care_not_suitable")
    error = rejected(lambda: case.act("end_care_with_bridging", note="Einde", **data))
    assert (error.type, error.message) == ("Invalid", BRIDGING_REQUIRED)


@pytest.mark.parametrize(
    "actor", [ZORGKANTOOR, COORDINATOR, NEXT_PROVIDER, Actor("u-oco2", "Otto", "oco", "Zorgbelang")]
)
def test_stagnation_signal_comes_from_an_involved_provider_or_oco(actor):
    case = start(entry="care_not_suitable", oco=True)
    error = rejected(lambda: case.act("signal_stagnation", actor=actor, note="x"))
    assert (error.type, error.message) == (
        "Forbidden",
        "a stagnation signal comes from an involved aanbieder or oco",
    )


def test_stagnation_signal_needs_a_note():
    case = start(entry="care_not_suitable", oco=True)
    error = rejected(lambda: case.act("signal_stagnation", actor=PROVIDER))
    assert (error.type, error.message) == ("Invalid", "note (what stagnates) is required")


@pytest.mark.parametrize("actor", [NEXT_PROVIDER, OTHER_COORDINATOR, OCO])  # no OCO in the case
def test_advice_only_for_involved_parties(actor):
    case = start(entry="care_not_suitable")
    error = rejected(lambda: case.act("request_praktijkteam_advice", actor=actor, note="x"))
    assert (error.type, error.message) == (
        "Forbidden",
        "only parties involved in the case may request advice",
    )


def test_advice_needs_a_question():
    case = start(entry="care_not_suitable")
    error = rejected(lambda: case.act("request_praktijkteam_advice", actor=PROVIDER, note=" "))
    assert (error.type, error.message) == ("Invalid", "note (the question) is required")


@pytest.mark.parametrize(
    ("data", "kind", "message"),
    [
        ({"capacity": "adviser"}, "Invalid", "data.org (organisation name) is required"),
        (
            {"org": "  ", "capacity": "adviser"},
            "Invalid",
            "data.org (organisation name) is required",
        ),
        (
            {"org": "CCE", "capacity": "provider"},
            "Invalid",
            f"data.capacity must be one of {CAPACITIES}",
        ),
        (
            {"org": "MEE Groningen", "capacity": "oco"},
            "Invalid",
            "data.consent must be true: client data is shared only with recorded consent",
        ),
        (
            {"org": "Zorg West", "capacity": "intended_provider", "consent": "yes"},
            "Invalid",
            "data.consent must be true: client data is shared only with recorded consent",
        ),
        (
            {"org": "Zorg West", "capacity": "round_provider", "consent": False},
            "Invalid",
            "data.consent must be true: client data is shared only with recorded consent",
        ),
    ],
)
def test_adding_a_participant_needs_an_organisation_a_capacity_and_consent(data, kind, message):
    case = start()
    error = rejected(lambda: case.act("add_participant", **data))
    assert (error.type, error.message) == (kind, message)


def test_a_second_oco_is_a_conflict():
    case = start(oco=True)
    error = rejected(
        lambda: case.act("add_participant", org="Zorgbelang", capacity="oco", consent=True)
    )
    assert (error.type, error.message) == ("Conflict", f"an OCO is already involved ({OCO.org})")
    # the same OCO again is no conflict (and no change)
    case.act("add_participant", org=OCO.org, capacity="oco", consent=True)
    assert case.state.participants["oco"] == [OCO.org]
    assert "participant_added" not in case.actions()

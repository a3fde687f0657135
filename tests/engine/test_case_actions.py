"""Case actions that hold in every phase (withdrawal, care ended with bridging care,
stagnation signals, Praktijkteam VWS advice, new participants) and claims: what each
changes, records and announces."""

from __future__ import annotations

from tests.engine.driver import (
    COLLEAGUE,
    COORDINATOR,
    OCO,
    PROVIDER,
    ZORGKANTOOR,
    days,
    start,
    summary,
    to_meeting,
)

ZK, PROV = ZORGKANTOOR.org, PROVIDER.org


def test_withdraw_closes_the_case_with_the_reason():
    case = start()
    case.clock.at = days(1)
    mark = case.mark()
    r = case.act("withdraw", note="Indicatie vervallen")
    assert (r.phase, r.status, r.outcome, r.task, r.opened) == (
        "closed",
        "closed",
        "withdrawn",
        None,
        [],
    )
    entries, intents = case.since(mark)
    assert [(e.action, e.actor, e.motivation, e.request_id) for e in entries] == [
        ("withdrawn", COORDINATOR.name, "Indicatie vervallen", "r-withdraw"),
        ("case_closed", COORDINATOR.name, "Indicatie vervallen", "r-withdraw"),
    ]
    assert entries[1].after == {"status": "closed", "outcome": "withdrawn"}
    assert summary(intents) == [("case_closed", [PROV, ZK])]
    assert intents[0].context == {"outcome": "withdrawn", "outcome_title": "Ingetrokken"}
    assert {t.status for t in case.state.tasks} == {"cancelled"}
    assert (case.state.phase, case.state.phase_since) == ("closed", days(1))
    # the cancelled tasks reach the read model with the closing
    assert {t.key for t in case.batches[-1].tasks} == {
        "inform_client_about_oco",
        "inform_client_about_preferred_provider",
        "decide_dossierhouder",
    }


def test_care_ended_with_bridging_records_the_solution_and_closes():
    case = start(entry="care_not_suitable")
    case.complete("establish_place_not_suitable", "not_suitable", note="Onveilig")
    mark = case.mark()
    r = case.act(
        "end_care_with_bridging",
        note="Zorgbeëindiging",
        bridging_solution="Logeeropvang bij Zorg West tot plaatsing",
    )
    assert (r.status, r.outcome) == ("closed", "care_ended_with_bridging")
    assert case.state.bridging_solution == "Logeeropvang bij Zorg West tot plaatsing"
    entries, intents = case.since(mark)
    assert [e.action for e in entries] == ["bridging_solution_recorded", "case_closed"]
    assert entries[0].detail == {"bridging_solution": "Logeeropvang bij Zorg West tot plaatsing"}
    assert entries[0].motivation == "Zorgbeëindiging"
    assert entries[1].before == {"status": "open", "phase": "search_other_provider"}
    assert entries[1].motivation == "Zorgbeëindiging"
    assert intents[0].context["outcome_title"] == "Zorg beëindigd met overbruggingszorg"
    assert case.state.open_tasks == []


def test_stagnation_signal_gives_zorgkantoor_a_task_at_once():
    case = start(entry="care_not_suitable", oco=True)
    mark = case.mark()
    r = case.act("signal_stagnation", actor=OCO, note="Geen voortgang sinds 3 weken")
    [task] = r.opened
    assert (task.key, task.owner_role, task.owner_org, task.due_at) == (
        "handle_stagnation_signal",
        "zorgkantoor",
        ZK,
        None,
    )
    assert (r.phase, r.status, r.task) == ("current_place_review", "open", None)
    entries, intents = case.since(mark)
    assert [(e.action, e.actor, e.org) for e in entries] == [
        ("stagnation_signal", OCO.name, OCO.org),
        ("task_opened", OCO.name, OCO.org),
    ]
    assert entries[0].motivation == "Geen voortgang sinds 3 weken"
    assert summary(intents) == [("stagnation_signal", [ZK]), ("task_assigned", [ZK])]
    assert intents[0].context == {"signalled_by_org": OCO.org, "signalled_by_role": "oco"}
    assert intents[0].task_id is None
    case.complete("handle_stagnation_signal", actor=ZORGKANTOOR)


def test_any_phase_tasks_stay_open_when_the_phase_changes():
    case = start(entry="care_not_suitable")
    case.act("signal_stagnation", actor=PROVIDER, note="Stilstand")
    case.complete("establish_place_not_suitable", "not_suitable", note="Incidenten")
    assert "handle_stagnation_signal" in case.open_keys()


def test_praktijkteam_advice_requested_and_answered_in_any_phase():
    case = start(entry="care_not_suitable")
    to_meeting(case)
    mark = case.mark()
    r = case.act("request_praktijkteam_advice", actor=PROVIDER, note="Valt dit onder Wlz of Zvw?")
    [task] = r.opened
    assert (task.key, task.owner_org, task.phase) == (
        "record_praktijkteam_advice",
        ZK,
        "whole_system_meeting",
    )
    entries, intents = case.since(mark)
    assert [e.action for e in entries] == ["advice_requested", "task_opened"]
    assert entries[0].detail == {"adviser": "Praktijkteam VWS"}
    assert entries[0].motivation == "Valt dit onder Wlz of Zvw?"
    assert summary(intents) == [("task_assigned", [ZK]), ("advice_requested", [ZK, PROV])]
    assert intents[1].context == {"requested_by_org": PROV, "requested_by_role": "aanbieder"}
    assert intents[1].task_id == task.id
    mark = case.mark()
    case.complete(
        "record_praktijkteam_advice",
        "answered",
        actor=ZORGKANTOOR,
        advice="Wlz, met aanvullende GGZ-behandeling",
    )
    entries, intents = case.since(mark)
    assert [e.action for e in entries] == ["task_completed"]
    assert summary(intents) == [("advice_answered", [ZK, PROV])]


def test_advice_asked_by_the_coordinator_is_answered_once_to_the_zorgkantoor():
    case = start()
    case.act("request_praktijkteam_advice", actor=COORDINATOR, note="Vraag")
    assert summary(case.intents[-1:]) == [("advice_requested", [ZK])]  # duplicates dropped
    case.complete("record_praktijkteam_advice", "answered", actor=COORDINATOR, advice="A")
    assert summary(case.intents[-1:]) == [("advice_answered", [ZK])]


def test_adding_an_oco_with_consent():
    case = start()
    mark = case.mark()
    r = case.act(
        "add_participant",
        note="Cliënt wil ondersteuning",
        org=" MEE Groningen ",
        capacity="oco",
        consent=True,
    )
    assert r.opened == [] and r.task is None
    assert case.state.oco_org == "MEE Groningen"
    assert case.state.participants["oco"] == ["MEE Groningen"]
    entries, intents = case.since(mark)
    assert [e.action for e in entries] == ["participant_added"]
    assert entries[0].before == {"participants": {"provider": [PROV], "zorgkantoor": [ZK]}}
    assert entries[0].after == {"org": "MEE Groningen", "capacity": "oco"}
    assert entries[0].detail == {"consent_recorded": True}
    assert entries[0].motivation == "Cliënt wil ondersteuning"
    assert intents == []
    assert case.batches[-1].oco_org == "MEE Groningen"
    assert case.batches[-1].participants["oco"] == ["MEE Groningen"]
    # the OCO is involved now: it may signal stagnation, and later tasks see it
    case.act("signal_stagnation", actor=OCO, note="Stilstand")


def test_an_adviser_needs_no_consent_and_is_added_once():
    case = start()
    case.act("add_participant", org="CCE", capacity="adviser")
    assert case.state.participants["adviser"] == ["CCE"]
    assert case.last("participant_added").detail == {"consent_recorded": False}
    assert case.state.oco_org is None
    case.act("add_participant", org="CCE", capacity="adviser")  # already there: nothing
    assert case.actions().count("participant_added") == 1
    assert case.state.participants["adviser"] == ["CCE"]
    case.act("add_participant", org="COT", capacity="adviser")
    assert case.state.participants["adviser"] == ["CCE", "COT"]
    # a new participant hears when the case closes
    case.act("withdraw", note="Klaar")
    assert case.intents[-1].recipients == [PROV, ZK, "CCE", "COT"]


def test_without_oco_the_zorgkantoor_may_inform_the_client_on_request():
    case = start(entry="care_not_suitable")
    to_meeting(case)
    inform = case.open_task("inform_client_about_meeting")
    assert inform.allowed_outcomes == ["done", "ask_zorgkantoor"]
    r = case.complete("inform_client_about_meeting", "ask_zorgkantoor")
    assert [(t.key, t.owner_role, t.owner_org) for t in r.opened] == [
        ("inform_client_about_meeting_for_provider", "zorgkantoor", ZK)
    ]


def test_with_oco_the_provider_informs_the_client_itself():
    case = start(entry="care_not_suitable", oco=True)
    to_meeting(case)
    inform = case.open_task("inform_client_about_meeting")
    assert inform.allowed_outcomes == ["done"] and inform.supports == ["oco"]
    assert "advise_client_about_oco" not in {t.key for t in case.state.tasks}


# ---------------------------------------------------------------- claims
def test_claim_take_over_and_release_are_recorded():
    case = start()
    colleague = COLLEAGUE
    task = case.open_task("decide_dossierhouder")
    case.clock.at = days(1)
    r = case.claim("decide_dossierhouder", PROVIDER)
    assert (r.task, r.opened, r.phase) == (task, [], "dossierhouder_search")
    assert (task.claimed_by, task.claimed_at) == (PROVIDER, days(1))
    case.clock.at = days(2)
    case.claim("decide_dossierhouder", colleague, force=True)
    assert (task.claimed_by, task.claimed_at) == (colleague, days(2))
    case.claim("decide_dossierhouder", colleague, release=True)
    claims = [e for e in case.audit if "claim" in e.action]
    assert [(e.action, e.actor, e.before, e.after, e.detail) for e in claims] == [
        (
            "task_claimed",
            PROVIDER.name,
            {"claimed_by": None},
            {"claimed_by": PROVIDER.name},
            {"forced": False},
        ),
        (
            "task_claimed",
            colleague.name,
            {"claimed_by": PROVIDER.name},
            {"claimed_by": colleague.name},
            {"forced": True},
        ),
        (
            "task_unclaimed",
            colleague.name,
            {"claimed_by": colleague.name},
            {"claimed_by": None},
            {"forced": False},
        ),
    ]
    assert all(e.task_id == task.id and e.request_id == "r-claim" for e in claims)
    assert case.intents[3:] == []  # claims notify nobody
    assert case.batches[-1].tasks == [task]
    # a claim is no lock: the colleague's claim does not stop the provider
    case.claim("decide_dossierhouder", colleague)
    r = case.complete("decide_dossierhouder", "accepted", actor=PROVIDER)
    assert r.task is not None and r.task.completed_by == PROVIDER

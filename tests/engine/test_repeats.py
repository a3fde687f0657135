"""Steps that repeat: a declined registration opens the next one until the
zorgkantoor takes the mediation over, and a rejected cost estimate is made again until
it is approved."""

from __future__ import annotations

from tests.engine.driver import (
    COORDINATOR,
    NEXT_PROVIDER,
    PROVIDER,
    THIRD_PROVIDER,
    ZORGKANTOOR,
    days,
    start,
    summary,
)

ZK, PROV = ZORGKANTOOR.org, PROVIDER.org


def test_declines_open_new_registrations_then_zorgkantoor_takes_over():
    case = start(entry="no_dossierhouder", max_declines=2, decision_days=5)
    mark = case.mark()
    r = case.complete(
        "decide_dossierhouder", "declined", reason_code="geen_expertise", note="Geen GGZ-expertise"
    )
    assert [(t.key, t.owner_org) for t in r.opened] == [("register_with_next_provider", ZK)]
    assert case.state.declines == 1
    entries, _ = case.since(mark)
    assert [e.action for e in entries] == ["task_completed", "task_opened"]  # no escalation yet
    assert entries[0].detail["data"] == {"reason_code": "geen_expertise"}

    case.clock.at = days(1)
    mark = case.mark()
    r = case.complete(
        "register_with_next_provider",
        "registered",
        actor=ZORGKANTOOR,
        provider_org=NEXT_PROVIDER.org,
    )
    [decision] = r.opened
    assert (decision.key, decision.owner_org, decision.due_at) == (
        "decide_dossierhouder",
        NEXT_PROVIDER.org,
        days(6),
    )
    entries, intents = case.since(mark)
    assert [e.action for e in entries] == ["task_completed", "provider_registered", "task_opened"]
    assert (entries[1].before, entries[1].after) == (
        {"provider_org": PROV},
        {"provider_org": NEXT_PROVIDER.org},
    )
    assert summary(intents) == [("task_assigned", [NEXT_PROVIDER.org])]
    assert case.state.provider_org == NEXT_PROVIDER.org
    assert case.state.participants["intended_provider"] == [NEXT_PROVIDER.org]

    mark = case.mark()
    r = case.complete(
        "decide_dossierhouder", "declined", actor=NEXT_PROVIDER, reason_code="vol", note="Geen plek"
    )
    assert [(t.key, t.owner_org) for t in r.opened] == [("take_over_mediation", ZK)]
    entries, _ = case.since(mark)
    assert [e.action for e in entries] == ["task_completed", "escalation", "task_opened"]
    assert entries[1].detail == {"reason": "declines_limit", "declines": 2}
    assert entries[1].task_id == entries[0].task_id

    r = case.complete("take_over_mediation", "escalate", actor=COORDINATOR, note="Twee weigeringen")
    assert r.phase == "regular_steps_failed"
    assert case.state.declines == 2
    # the new provider is the case's provider now: its tasks go there
    assert case.open_task("document_attempts").owner_org == NEXT_PROVIDER.org
    assert "register_with_next_provider" not in case.open_keys()


def test_a_higher_decline_limit_keeps_registering():
    case = start(max_declines=3)
    for n, provider in enumerate((PROVIDER, NEXT_PROVIDER), start=1):
        r = case.complete(
            "decide_dossierhouder", "declined", actor=provider, reason_code="vol", note="Vol"
        )
        assert [t.key for t in r.opened] == ["register_with_next_provider"], n
        nxt = NEXT_PROVIDER if n == 1 else THIRD_PROVIDER
        case.complete(
            "register_with_next_provider", "registered", actor=ZORGKANTOOR, provider_org=nxt.org
        )
    r = case.complete(
        "decide_dossierhouder", "declined", actor=THIRD_PROVIDER, reason_code="vol", note="Vol"
    )
    assert [t.key for t in r.opened] == ["take_over_mediation"]
    assert case.state.declines == 3 and case.actions().count("escalation") == 1
    assert case.state.participants["intended_provider"] == [NEXT_PROVIDER.org, THIRD_PROVIDER.org]


def test_take_over_mediation_registers_with_a_provider_that_accepts():
    case = start(max_declines=1)
    r = case.complete("decide_dossierhouder", "declined", reason_code="vol", note="Vol")
    assert [t.key for t in r.opened] == ["take_over_mediation"]
    mark = case.mark()
    r = case.complete(
        "take_over_mediation", "registered", actor=COORDINATOR, provider_org=THIRD_PROVIDER.org
    )
    assert r.phase == "dossierhouder_search"
    assert [(t.key, t.owner_org) for t in r.opened] == [
        ("decide_dossierhouder", THIRD_PROVIDER.org)
    ]
    entries, intents = case.since(mark)
    assert [e.action for e in entries] == ["task_completed", "provider_registered", "task_opened"]
    assert (entries[1].actor, entries[1].task_id) == (COORDINATOR.name, entries[0].task_id)
    assert summary(intents) == [("task_assigned", [THIRD_PROVIDER.org])]
    assert case.state.provider_org == THIRD_PROVIDER.org
    assert case.state.participants["intended_provider"] == [THIRD_PROVIDER.org]
    case.complete("decide_dossierhouder", "accepted", actor=THIRD_PROVIDER)
    assert case.open_task("arrange_care").owner_org == THIRD_PROVIDER.org
    r = case.complete("arrange_care", "placed", actor=THIRD_PROVIDER, placed_at=THIRD_PROVIDER.org)
    assert r.outcome == "placed"
    assert case.intents[-1].recipients == [PROV, ZK, THIRD_PROVIDER.org]


def test_cost_estimate_rejected_reopens_the_estimate_until_approved():
    case = start(entry="care_not_suitable")
    case.complete("establish_place_not_suitable", "not_suitable", note="Incidenten")
    first = case.open_task("estimate_funding")
    r = case.complete("estimate_funding", cost_estimate=4200)
    assert [(t.key, t.owner_org) for t in r.opened] == [("review_cost_estimate", ZK)]
    assert case.tasks("estimate_funding")[0].data == {"cost_estimate": 4200}
    r = case.complete("review_cost_estimate", "rejected", actor=ZORGKANTOOR, note="Te hoog")
    [again] = r.opened
    assert (again.key, again.owner_org, again.status) == ("estimate_funding", PROV, "open")
    assert again.id != first.id
    r = case.complete("estimate_funding", cost_estimate=3100.5)
    assert [t.key for t in r.opened] == ["review_cost_estimate"]
    r = case.complete("review_cost_estimate", "approved", actor=ZORGKANTOOR)
    assert r.opened == [] and r.phase == "search_other_provider"
    assert [t.outcome for t in case.tasks("review_cost_estimate")] == ["rejected", "approved"]
    assert "estimate_funding" not in case.open_keys()


def test_estimate_not_applicable_opens_no_review():
    case = start(entry="care_not_suitable")
    case.complete("establish_place_not_suitable", "not_suitable", note="Incidenten")
    r = case.complete("estimate_funding", "not_applicable")
    assert r.opened == [] and "review_cost_estimate" not in case.open_keys()

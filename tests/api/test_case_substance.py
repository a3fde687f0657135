"""The case's substance: structured case data, documents, task forms over the API, and
everything entered shown on the case page (the Dutch way)."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import PROVIDER, PROVIDER_OTHER, ZK, Api
from tests.api.test_pages import csrf_of, sign_in

CARE_NOT_SUITABLE = {"entry": "care_not_suitable"}


async def complete(
    api: Api, case_id: str, key: str, user: str, outcome: str = "done", note: str = "", **data: Any
) -> dict:
    task = await api.open_task(case_id, key, user=user)
    r = await api.as_(
        user,
        "POST",
        f"/api/tasks/{task['id']}/complete",
        json={"outcome": outcome, "note": note, "data": data},
    )
    assert r.status_code == 200, r.text
    return r.json()


async def act(api: Api, case_id: str, user: str, action: str, note: str = "", **data: Any) -> Any:
    return await api.as_(
        user,
        "POST",
        f"/api/cases/{case_id}/actions",
        json={"action": action, "note": note, "data": data},
    )


async def test_case_data_at_start_is_checked_and_kept(api):
    r = await api.as_(
        "coordinator",
        "POST",
        "/api/cases",
        json={
            "client_ref": "CR-X",
            "sector": "GGZ",
            "region": "Groningen",
            "entry": "no_dossierhouder",
            "provider_org": PROVIDER,
            "case_data": {"care_need_type": "vampires"},
        },
    )
    assert r.status_code == 422
    assert "care_need_type must be one of" in r.text and "behaviour" in r.text
    case = await api.start_case(
        case_data={"care_need_type": "behaviour", "urgency": "high", "sub_region": "Stad"}
    )
    detail = (await api.as_("coordinator", "GET", f"/api/cases/{case['id']}")).json()
    assert detail["case_data"] == {
        "care_need_type": "behaviour",
        "urgency": "high",
        "sub_region": "Stad",
    }


async def test_an_edit_of_the_case_data_is_audited_with_before_and_after(api):
    case = await api.start_case(case_data={"urgency": "normal"})
    r = await act(api, case["id"], "zorgkantoor", "update_case_data", urgency="bogus")
    assert r.status_code == 422 and "urgency must be one of" in r.text
    r = await act(api, case["id"], "aanbieder_other", "update_case_data", urgency="high")
    assert r.status_code == 404  # not a party of the case: the case does not exist for it
    r = await act(
        api, case["id"], "zorgkantoor", "update_case_data", "meer incidenten", urgency="crisis"
    )
    assert r.status_code == 200, r.text
    detail = (await api.as_("coordinator", "GET", f"/api/cases/{case['id']}")).json()
    assert detail["case_data"]["urgency"] == "crisis"
    events = (await api.as_("auditor", "GET", f"/api/cases/{case['id']}/timeline")).json()
    edit = [e for e in events if e["action"] == "case_data_updated"][-1]
    assert (edit["before"], edit["after"], edit["motivation"]) == (
        {"urgency": "normal"},
        {"urgency": "crisis"},
        "meer incidenten",
    )


async def test_documents_are_references_and_missing_ones_show(api):
    case = await api.start_case()
    detail = (await api.as_("coordinator", "GET", f"/api/cases/{case['id']}")).json()
    missing = {d["kind"] for d in detail["documents_missing"]}
    # inform_client_about_preferred_provider asks for these (the OCO helps with the form)
    assert {"woonprofiel", "wensprofiel", "diagnostiek", "aanmeldformulier"} <= missing
    bad = await act(
        api,
        case["id"],
        "zorgkantoor",
        "add_document",
        kind="woonprofiel",
        date="2026-11-01",
        holder_org=PROVIDER,
        url="javascript:alert(1)",
    )
    assert bad.status_code == 422 and "data.url must be an http(s) link" in bad.text
    unknown = await act(
        api,
        case["id"],
        "zorgkantoor",
        "add_document",
        kind="x",
        date="2026-11-01",
        holder_org=PROVIDER,
    )
    assert unknown.status_code == 422 and "woonprofiel" in unknown.text
    ok = await act(
        api,
        case["id"],
        "zorgkantoor",
        "add_document",
        kind="woonprofiel",
        date="2026-11-01",
        holder_org=PROVIDER,
        url="https://dossier.example/woonprofiel/1",
    )
    assert ok.status_code == 200, ok.text
    detail = (await api.as_("coordinator", "GET", f"/api/cases/{case['id']}")).json()
    assert [d["kind"] for d in detail["documents"]] == ["woonprofiel"]
    assert "woonprofiel" not in {d["kind"] for d in detail["documents_missing"]}
    task = await api.open_task(case["id"], "inform_client_about_preferred_provider")
    shown = (await api.as_("zorgkantoor", "GET", f"/api/tasks/{task['id']}")).json()
    assert [d["kind"] for d in shown["context"]["documents_missing"]] == [
        "wensprofiel",
        "diagnostiek",
        "cce_informatie",
    ]


async def test_a_task_tells_its_form_and_what_it_must_judge(api):
    case = await api.start_case(**CARE_NOT_SUITABLE)
    await complete(api, case["id"], "investigate_internally", "aanbieder")
    await complete(api, case["id"], "explore_solutions_in_place", "aanbieder")
    await complete(
        api, case["id"], "establish_place_not_suitable", "aanbieder", "not_suitable", "vol"
    )
    await complete(api, case["id"], "estimate_funding", "aanbieder", cost_estimate=1250.5)
    review = await api.open_task(case["id"], "review_cost_estimate", user="zorgkantoor")
    body = (await api.as_("zorgkantoor", "GET", f"/api/tasks/{review['id']}")).json()
    outcomes = {o["name"]: o for o in body["form"]["outcomes"]}
    assert outcomes["rejected"]["note_required"] and outcomes["rejected"]["effect"] == "stays"
    assert outcomes["rejected"]["opens"] == ["estimate_funding"]
    assert body["context"]["client_ref"] == "CR-2026-0001"
    assert body["context"]["phase"] == "search_other_provider"
    [judged] = body["context"]["judges"]
    assert judged["key"] == "estimate_funding" and judged["data"] == {"cost_estimate": 1250.5}

    first = await api.open_task(case["id"], "first_registration_round")
    form = (await api.as_("aanbieder", "GET", f"/api/tasks/{first['id']}")).json()["form"]
    placed = next(o for o in form["outcomes"] if o["name"] == "placed")
    assert placed["effect"] == "closes" and placed["preconditions"] == [
        "guard_information_transfer"
    ]
    no_place = next(o for o in form["outcomes"] if o["name"] == "no_place")
    assert (no_place["effect"], no_place["to_phase"]) == ("moves", "regular_steps_failed")
    fields = {f["name"]: f for f in form["fields"]}
    assert fields["providers"]["required_for"] == ["no_place"]
    assert {c["code"] for c in fields["solution_kind"]["choices"]} >= {"regular_place"}


async def test_stagnation_task_shows_the_signal(api):
    case = await api.start_case()
    r = await act(api, case["id"], "aanbieder", "signal_stagnation", "Niemand reageert meer")
    assert r.status_code == 200, r.text
    task = await api.open_task(case["id"], "handle_stagnation_signal", user="zorgkantoor")
    context = (await api.as_("zorgkantoor", "GET", f"/api/tasks/{task['id']}")).json()["context"]
    assert (context["request"], context["requested_by"]) == ("Niemand reageert meer", "aanbieder")


async def test_the_case_page_shows_every_field_of_a_full_route(api):
    case = await api.start_case(**CARE_NOT_SUITABLE, case_data={"care_need_type": "dementia"})
    cid = case["id"]
    await complete(api, cid, "investigate_internally", "aanbieder")
    await complete(api, cid, "explore_solutions_in_place", "aanbieder")
    await complete(
        api,
        cid,
        "establish_place_not_suitable",
        "aanbieder",
        "not_suitable",
        "Agressie tegen personeel",
    )
    await complete(api, cid, "estimate_funding", "aanbieder", cost_estimate=1250.5)
    await complete(api, cid, "review_cost_estimate", "zorgkantoor", "approved")
    await complete(
        api,
        cid,
        "first_registration_round",
        "aanbieder",
        "no_place",
        "Niemand kan",
        providers=[PROVIDER_OTHER, "Zorg West"],
        round_results=[
            {"provider": PROVIDER_OTHER, "result": "declined", "reason_code": "no_capacity"},
            {"provider": "Zorg West", "result": "waiting_list"},
        ],
    )
    await complete(
        api,
        cid,
        "second_registration_round",
        "zorgkantoor",
        "no_place",
        "Wachtlijsten vol",
        providers=["Zorg Zuid"],
    )
    await complete(
        api,
        cid,
        "organise_meeting",
        "aanbieder",
        meeting_at="2026-12-10T14:00",
        location="Stadhuis Groningen",
        chair="Wim Voorzitter",
        minute_taker="Nel Notulist",
        invitees=["Praktijkteam VWS"],
        meeting_type="zorgconferentie",
    )
    await complete(api, cid, "update_overview", "aanbieder")
    await complete(
        api,
        cid,
        "hold_meeting",
        "zorgkantoor",
        "solution",
        meeting_at="2026-12-10T14:00",
        participants=[{"name": "Ans Aanbieder", "org": PROVIDER, "mandate": True}],
        agreements="Logeerbed bij Zorg West tot plaatsing",
        follow_up_at="2026-12-20",
    )
    await complete(
        api,
        cid,
        "monitor_agreements",
        "aanbieder",
        "placed",
        placed_at="Zorg West",
        solution_kind="route_a_to_b",
        bridging_care="Logeerbed tot 1 januari",
    )
    await sign_in(api, "coordinator")
    page = (await api.http.get(f"/cases/{cid}")).text
    for shown in (
        "Type zorgvraag",
        "Dementie met probleemgedrag",
        "Agressie tegen personeel",
        "€ 1.250,50",
        "Goedgekeurd",
        "Stichting Oost: Weigert (met reden) (Geen plek of capaciteit)",
        "Zorg West: Wachtlijst",
        "Wachtlijsten vol",
        "Zorg Zuid",
        "10 december 2026 14:00",
        "Stadhuis Groningen",
        "Wim Voorzitter",
        "Nel Notulist",
        "Praktijkteam VWS",
        "Zorgconferentie",
        "Ans Aanbieder (Zorggroep Noord, met mandaat)",
        "Logeerbed bij Zorg West tot plaatsing",
        "20 december 2026",
        "Route via aanbieder A naar aanbieder B",
        "Logeerbed tot 1 januari",
    ):
        assert shown in page, shown
    assert ZK in page


async def test_money_typed_the_dutch_way_is_euros(api):
    case = await api.start_case(**CARE_NOT_SUITABLE)
    for key in ("investigate_internally", "explore_solutions_in_place"):
        await complete(api, case["id"], key, "aanbieder")
    await complete(
        api, case["id"], "establish_place_not_suitable", "aanbieder", "not_suitable", "vol"
    )
    await sign_in(api, "aanbieder")
    task = await api.open_task(case["id"], "estimate_funding")
    form = await api.http.get(f"/tasks/{task['id']}")
    r = await api.http.post(
        f"/tasks/{task['id']}",
        data={"csrf_token": csrf_of(form.text), "outcome": "done", "cost_estimate": "1.250"},
    )
    assert r.status_code == 303, r.text
    review = await api.open_task(case["id"], "review_cost_estimate", user="zorgkantoor")
    body = (await api.as_("zorgkantoor", "GET", f"/api/tasks/{review['id']}")).json()
    assert body["context"]["judges"][0]["data"] == {"cost_estimate": 1250.0}

"""Step plan version 2 over HTTP: new cases start on it; the case detail shows the notice
and the bridging, the case actions and gates answer with the right status, skipped tasks
can be listed, an adviser without consent sees an anonymous case, and the deployment's
settings reach the case."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.config import get_settings
from tests.api.conftest import CASE_BODY, PROVIDER, PROVIDER_OTHER, ZK, Api

NOTICE = {"reason": "Veiligheid van medebewoners", "intended_end": "2026-12-31"}
CONSENT = {
    "given_by": "representative",
    "scope": "vraag aan het CCE",
    "date": "2026-10-30",
    "recorded_how": "telefoonnotitie in het dossier",
}
SECRET_NOTE = "Vertrouwelijke toelichting over de cliënt"


async def detail(api: Api, case_id: str, user: str = "coordinator") -> dict:
    r = await api.as_(user, "GET", f"/api/cases/{case_id}")
    assert r.status_code == 200, r.text
    return r.json()


async def act(api: Api, case_id: str, user: str, action: str, note: str = "", **data):
    body = {"action": action, "note": note, "data": data}
    return await api.as_(user, "POST", f"/api/cases/{case_id}/actions", json=body)


async def complete(api: Api, case_id: str, key: str, user: str, outcome: str = "done", **body):
    task = await api.open_task(case_id, key)
    return await api.as_(
        user,
        "POST",
        f"/api/tasks/{task['id']}/complete",
        json={"outcome": outcome, **body},
    )


async def tasks(api: Api, user: str, **params) -> list[dict]:
    r = await api.as_(user, "GET", "/api/tasks", params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def test_notice_and_bridging_in_the_case_detail(api):
    case = await api.start_case(entry="care_not_suitable")
    cid = case["id"]
    assert case["definition_version"] == 2
    assert (case["bridging"], case["notice"]) == (None, None)

    r = await act(api, cid, "aanbieder", "give_notice", **NOTICE)
    assert r.status_code == 200, r.text
    assert [t["key"] for t in r.json()["opened"]] == ["review_termination_grounds"]
    notice = (await detail(api, cid))["notice"]
    assert notice["by_org"] == PROVIDER and notice["review"] is None
    assert (notice["reason"], notice["intended_end"]) == (NOTICE["reason"], NOTICE["intended_end"])

    r = await act(api, cid, "coordinator", "end_care_with_bridging", bridging_care="Logeeropvang")
    assert r.status_code == 409
    assert "review_termination_grounds" in r.json()["detail"]
    assert "Eerst nodig" in r.json()["detail"]

    r = await complete(
        api,
        cid,
        "review_termination_grounds",
        "zorgkantoor",
        "agreed",
        note="Afwijsgronden getoetst",
        data={"finding": "Zorgvuldig proces"},
    )
    assert r.status_code == 200, r.text
    assert (await detail(api, cid))["notice"]["review"] == "agreed"

    r = await act(api, cid, "coordinator", "end_care_with_bridging", bridging_care="Logeeropvang")
    assert r.status_code == 200, r.text
    assert [t["key"] for t in r.json()["opened"]] == ["monitor_bridging"]
    shown = await detail(api, cid)
    assert (shown["status"], shown["phase"], shown["notice"]) == (
        "open",
        "current_place_review",
        None,
    )
    bridging = shown["bridging"]
    assert (bridging["arrangement"], bridging["ended_by_org"], bridging["agreed_by"]) == (
        "Logeeropvang",
        PROVIDER,
        "zorgkantoor",
    )
    assert shown["participants"]["former_provider"] == [PROVIDER]
    assert PROVIDER not in shown["participants"].get("provider", [])
    # the provider's tasks went to the zorgkantoor
    assert await tasks(api, "aanbieder", case_id=cid) == []
    owned = {t["key"] for t in await tasks(api, "zorgkantoor", case_id=cid)}
    assert {"monitor_bridging", "investigate_internally", "establish_place_not_suitable"} <= owned


async def test_end_of_care_refused_with_the_right_status(api):
    case = await api.start_case(entry="care_not_suitable")
    cid = case["id"]
    r = await act(api, cid, "zorgkantoor", "give_notice", **NOTICE)
    assert r.status_code == 403  # only the case's provider gives notice
    r = await act(api, cid, "aanbieder", "give_notice", reason="Vol", intended_end="later")
    assert r.status_code == 422 and "intended_end" in str(r.json()["detail"])
    assert (await act(api, cid, "aanbieder", "give_notice", **NOTICE)).status_code == 200
    r = await act(api, cid, "aanbieder", "give_notice", **NOTICE)
    assert r.status_code == 409  # already being handled
    r = await act(api, cid, "zorgkantoor", "end_care_with_bridging", bridging_care="x")
    assert r.status_code == 403  # the coordinator's action


async def test_skipped_tasks_are_listed(api):
    case = await api.start_case()  # with an OCO
    cid = case["id"]
    assert (await complete(api, cid, "decide_dossierhouder", "aanbieder", "accepted")).is_success
    r = await complete(api, cid, "arrange_care", "aanbieder", "no_place", note="Geen plek")
    assert r.status_code == 200, r.text
    assert [t["key"] for t in await tasks(api, "zorgkantoor", case_id=cid, status="skipped")] == [
        "inform_client_about_preferred_provider"
    ]
    assert [t["key"] for t in await tasks(api, "oco", case_id=cid, status="skipped")] == [
        "help_with_registration_form"
    ]
    assert await tasks(api, "zorgkantoor", case_id=cid, status="cancelled") == []
    events = (await api.as_("coordinator", "GET", f"/api/cases/{cid}/timeline")).json()
    ended = [e["detail"] for e in events if e["action"] == "task_skipped"]
    assert {d["key"] for d in ended} == {
        "help_with_registration_form",
        "inform_client_about_preferred_provider",
    }
    assert {(d["ended_by_task"], d["ended_by_outcome"]) for d in ended} == {
        ("arrange_care", "no_place")
    }


async def test_gates_answer_409_through_the_api(api):
    case = await api.start_case(entry="care_not_suitable")
    cid = case["id"]
    body = {"note": "Onveilig"}
    r = await complete(
        api, cid, "establish_place_not_suitable", "aanbieder", "not_suitable", **body
    )
    assert r.status_code == 409
    message = r.json()["detail"]
    assert "investigate_internally, explore_solutions_in_place" in message
    assert "Eerst nodig" in message and "Eerst intern onderzoeken" in message
    r = await complete(
        api,
        cid,
        "establish_place_not_suitable",
        "aanbieder",
        "not_suitable",
        note="Toch door",
        data={"override_gates": True},
    )
    assert r.status_code == 403  # only the zorgkantoor may override
    assert (await complete(api, cid, "investigate_internally", "aanbieder")).is_success
    assert (await complete(api, cid, "explore_solutions_in_place", "aanbieder")).is_success
    r = await complete(
        api, cid, "establish_place_not_suitable", "aanbieder", "not_suitable", **body
    )
    assert r.status_code == 200, r.text
    assert r.json()["phase"] == "search_other_provider"


async def add_adviser(api: Api, case_id: str, **extra) -> None:
    body = {"org": PROVIDER_OTHER, "capacity": "adviser", "note": "Vraag aan het CCE", **extra}
    r = await api.as_("coordinator", "POST", f"/api/cases/{case_id}/participants", json=body)
    assert r.status_code == 200, r.text


async def with_free_text(api: Api) -> str:
    """A case with a notice (its reason) and a completion with a motivation."""
    case = await api.start_case(entry="care_not_suitable")
    cid = case["id"]
    assert (await act(api, cid, "aanbieder", "give_notice", **NOTICE)).is_success
    r = await complete(
        api, cid, "inform_zorgkantoor_early", "aanbieder", "for_information", note=SECRET_NOTE
    )
    assert r.status_code == 200, r.text
    return cid


async def test_an_adviser_without_consent_sees_an_anonymous_case(api):
    cid = await with_free_text(api)
    await add_adviser(api, cid)
    shown = await detail(api, cid, "aanbieder_other")
    assert shown["client_ref"] == "(anoniem)"
    assert shown["summary"] is None
    assert shown["notice"] is not None and "reason" not in shown["notice"]
    listed = (await api.as_("aanbieder_other", "GET", "/api/cases")).json()["items"]
    assert [c["client_ref"] for c in listed] == ["(anoniem)"]
    r = await api.as_("aanbieder_other", "GET", f"/api/cases/{cid}/timeline")
    assert r.status_code == 200
    events = r.json()
    assert {e["action"] for e in events} >= {"task_completed", "notice_given"}
    assert all(e["motivation"] is None for e in events)
    text = str(events)
    assert SECRET_NOTE not in text and NOTICE["reason"] not in text
    assert CASE_BODY["client_ref"] not in str(shown)
    # the parties with consent see it all
    full = await detail(api, cid, "aanbieder")
    assert full["client_ref"] == CASE_BODY["client_ref"]
    assert full["summary"] == CASE_BODY["summary"]
    provider_events = (await api.as_("aanbieder", "GET", f"/api/cases/{cid}/timeline")).json()
    assert SECRET_NOTE in {e["motivation"] for e in provider_events}


async def test_an_adviser_with_consent_sees_the_client(api):
    cid = await with_free_text(api)
    await add_adviser(api, cid, consent_record=CONSENT)
    shown = await detail(api, cid, "aanbieder_other")
    assert shown["client_ref"] == CASE_BODY["client_ref"]
    assert PROVIDER_OTHER in shown["consent_recorded_for"]
    assert shown["notice"]["reason"] == NOTICE["reason"]
    events = (await api.as_("aanbieder_other", "GET", f"/api/cases/{cid}/timeline")).json()
    assert SECRET_NOTE in {e["motivation"] for e in events}


async def test_a_party_receiving_client_data_needs_a_consent_record(api):
    case = await api.start_case()
    url = f"/api/cases/{case['id']}/participants"
    body = {"org": PROVIDER_OTHER, "capacity": "intended_provider", "consent": True}
    r = await api.as_("coordinator", "POST", url, json=body)
    assert r.status_code == 422 and "consent_record" in str(r.json()["detail"])
    r = await api.as_("coordinator", "POST", url, json=body | {"consent_record": CONSENT})
    assert r.status_code == 200, r.text
    shown = await detail(api, case["id"])
    assert shown["participants"]["intended_provider"] == [PROVIDER_OTHER]
    assert PROVIDER_OTHER in shown["consent_recorded_for"]


async def test_registration_date_starts_the_decision_clock(api):
    registered = datetime.now(UTC).date() - timedelta(days=3)
    case = await api.start_case(registered_at=registered.isoformat(), decision_days=5)
    decision = await api.open_task(case["id"], "decide_dossierhouder")
    due = datetime.fromisoformat(decision["due_at"])
    assert due.date() == registered + timedelta(days=5)
    tomorrow = date.today() + timedelta(days=2)
    r = await api.as_(
        "coordinator", "POST", "/api/cases", json=CASE_BODY | {"registered_at": str(tomorrow)}
    )
    assert r.status_code == 422


async def test_the_deployment_settings_reach_the_case(api, monkeypatch):
    monkeypatch.setenv("CASUSREGIE_BRIDGING_CHECK_DAYS", "3")
    monkeypatch.setenv("CASUSREGIE_EVALUATION_DAYS", "9")
    get_settings.cache_clear()
    case = await api.start_case(entry="care_not_suitable")
    cid = case["id"]
    assert (await act(api, cid, "aanbieder", "give_notice", **NOTICE)).is_success
    r = await complete(
        api,
        cid,
        "review_termination_grounds",
        "zorgkantoor",
        "agreed",
        note="Getoetst",
        data={"finding": "Zorgvuldig"},
    )
    assert r.is_success, r.text
    r = await act(api, cid, "coordinator", "end_care_with_bridging", bridging_care="Logeeropvang")
    (check,) = r.json()["opened"]
    opened_at = datetime.fromisoformat(check["created_at"])
    assert datetime.fromisoformat(check["due_at"]) - opened_at == timedelta(days=3)

    placed = await api.start_case(entry="care_not_suitable")
    pid = placed["id"]
    r = await complete(
        api, pid, "establish_place_not_suitable", "aanbieder", "solved_in_place", note="x"
    )
    assert r.is_success and r.json()["opened"] == []  # no evaluation without a placement
    other = await api.start_case()
    oid = other["id"]
    assert (await complete(api, oid, "decide_dossierhouder", "aanbieder", "accepted")).is_success
    r = await complete(
        api, oid, "arrange_care", "aanbieder", "placed", data={"placed_at": PROVIDER}
    )
    assert r.status_code == 200, r.text
    (evaluation,) = r.json()["opened"]
    assert evaluation["key"] == "evaluate_placement" and evaluation["owner_org"] == ZK
    due = datetime.fromisoformat(evaluation["due_at"])
    assert due - datetime.fromisoformat(evaluation["created_at"]) == timedelta(days=9)
    # the evaluation is completed on the closed case
    assert (await detail(api, oid))["status"] == "closed"
    r = await complete(
        api, oid, "evaluate_placement", "zorgkantoor", "suitable", data={"finding": "Past"}
    )
    assert r.status_code == 200, r.text


async def test_a_stalled_case_shows_as_stalled(api, env, monkeypatch):
    monkeypatch.setenv("CASUSREGIE_PHASE_MAX_DAYS", '{"dossierhouder_search": 2}')
    get_settings.cache_clear()
    case = await api.start_case()
    assert case["stalled"] is False
    await env.sleep(timedelta(days=2.5))
    assert (await detail(api, case["id"]))["stalled"] is True
    listed = (await api.as_("coordinator", "GET", "/api/cases")).json()["items"]
    assert [c["stalled"] for c in listed] == [True]
    owned = await tasks(api, "zorgkantoor", case_id=case["id"])
    assert "follow_up_stalled_case" in {t["key"] for t in owned}


async def test_an_adviser_without_consent_sees_no_client_ref_on_the_pages(api):
    from tests.api.test_pages import sign_in

    cid = await with_free_text(api)
    await add_adviser(api, cid)
    task = await api.open_task(cid, "explore_solutions_in_place")
    await sign_in(api, "aanbieder_other")
    for url in (f"/cases/{cid}", f"/tasks/{task['id']}", "/cases"):
        page = await api.http.get(url)
        assert page.status_code == 200, url
        assert CASE_BODY["client_ref"] not in page.text, url
        assert SECRET_NOTE not in page.text and NOTICE["reason"] not in page.text, url
    assert "(anoniem)" in (await api.http.get(f"/tasks/{task['id']}")).text

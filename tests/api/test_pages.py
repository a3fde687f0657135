"""The Dutch pages in-process: sign-in cookie, CSRF, inbox, task form, case page."""

from __future__ import annotations

import re

from tests.api.conftest import Api


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the form"
    return match.group(1)


async def sign_in(api: Api, user: str) -> None:
    page = await api.http.get("/")
    r = await api.http.post(
        "/login", data={"token": api.tokens[user], "csrf_token": csrf_of(page.text)}
    )
    assert r.status_code == 303 and r.headers["location"] == "/start"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert api.tokens[user] not in cookie  # the token itself is not the session


async def test_sign_in_rejects_bad_token_and_missing_csrf(api):
    page = await api.http.get("/")
    assert page.status_code == 200 and 'lang="nl"' in page.text and "Aanmelden" in page.text
    r = await api.http.post("/login", data={"token": "nope", "csrf_token": csrf_of(page.text)})
    assert (
        r.status_code == 401
        and "Deze sleutel kennen we niet" in r.text
        and "<title>Fout: " in r.text
    )
    r = await api.http.post(
        "/login", data={"token": api.tokens["aanbieder"], "csrf_token": "forged"}
    )
    assert r.status_code == 403 and "formulier was verlopen" in r.text and "<h1>" in r.text
    assert "CSRF" not in r.text  # no jargon


async def test_pages_need_a_session(api):
    for url in ("/inbox", "/cases", "/cases/new"):
        r = await api.http.get(url)
        assert r.status_code == 303 and r.headers["location"].startswith("/?terug="), url


async def test_provider_completes_the_decision_in_the_form(api):
    case = await api.start_case()
    await sign_in(api, "aanbieder")
    inbox = await api.http.get("/inbox")
    assert "Besluiten over dossierhouderschap" in inbox.text and "Termijn" in inbox.text
    task = await api.open_task(case["id"], "decide_dossierhouder")
    form = await api.http.get(f"/tasks/{task['id']}")
    assert "Geaccepteerd: wij worden dossierhouder" in form.text
    assert 'for="f-declined-reason_code"' in form.text  # the FieldSpec, under its outcome
    assert "client" not in form.text.lower() or "CR-2026-0001" in form.text

    # declining needs a reason: the form says so in Dutch and keeps the input
    r = await api.http.post(
        f"/tasks/{task['id']}",
        data={"csrf_token": csrf_of(form.text), "outcome": "declined", "note": "vol"},
    )
    assert r.status_code == 422 and "Vul ‘Reden van weigering’ in" in r.text
    assert "<title>Fout: " in r.text and 'href="#f-declined-reason_code"' in r.text
    assert 'aria-invalid="true"' in r.text
    assert ">vol</textarea>" in r.text

    r = await api.http.post(
        f"/tasks/{task['id']}",
        data={"csrf_token": csrf_of(form.text), "outcome": "accepted", "note": ""},
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/inbox?afgerond=")
    after = await api.http.get(r.headers["location"])
    assert "Taak afgerond" in after.text and "Passende zorg regelen als dossierhouder" in after.text

    # the case page: phases with the current one marked, participants, timeline
    page = await api.http.get(f"/cases/{case['id']}")
    assert page.status_code == 200
    assert page.text.count('aria-current="step"') == 1
    assert "Taak afgerond" in page.text and "Zorggroep Noord" in page.text


async def test_foreign_case_page_is_a_dutch_404(api):
    case = await api.start_case()
    await sign_in(api, "aanbieder_other")
    r = await api.http.get(f"/cases/{case['id']}")
    assert r.status_code == 404 and "Niet gevonden" in r.text


async def test_coordinator_starts_a_case_from_the_form_once(api):
    await sign_in(api, "coordinator")
    form = await api.http.get("/cases/new")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.text).group(1)
    data = {
        "csrf_token": csrf_of(form.text),
        "idempotency_key": key,
        "client_ref": "CR-77",
        "sector": "VV",
        "region": "Groningen",
        "entry": "care_not_suitable",
        "provider_org": "Zorggroep Noord",
        "decision_days": "5",
        "summary": "",
    }
    first = await api.http.post("/cases/new", data=data)
    double = await api.http.post("/cases/new", data=data)  # a double click
    assert first.status_code == double.status_code == 303
    assert first.headers["location"] == double.headers["location"]
    bad = await api.http.post(
        "/cases/new", data=data | {"client_ref": "123456789", "idempotency_key": "x2"}
    )
    assert bad.status_code == 422 and "BSN" in bad.text
    listed = await api.http.get("/cases")
    assert "CR-77" in listed.text and "1 casus<" in listed.text


async def test_claim_and_case_action_from_the_pages(api):
    case = await api.start_case()
    task = await api.open_task(case["id"], "decide_dossierhouder")
    await sign_in(api, "aanbieder")
    page = await api.http.get(f"/tasks/{task['id']}")
    assert "Taak oppakken" in page.text
    # without the CSRF token nothing happens
    r = await api.http.post(f"/tasks/{task['id']}/claim", data={})
    assert r.status_code == 403
    r = await api.http.post(f"/tasks/{task['id']}/claim", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    page = await api.http.get(f"/tasks/{task['id']}")
    assert "Taak vrijgeven" in page.text and "Opgepakt door</dt><dd>aanbieder" in page.text

    case_page = await api.http.get(f"/cases/{case['id']}")
    assert "Stagnatie of onvrede melden" in case_page.text and "Intrekken" not in case_page.text
    r = await api.http.post(
        f"/cases/{case['id']}/action",
        data={
            "csrf_token": csrf_of(case_page.text),
            "action": "signal_stagnation",
            "note": "Geen reactie van de aanbieder",
            "bevestigd": "1",
        },
    )
    assert r.status_code == 303
    timeline = (await api.as_("coordinator", "GET", f"/api/cases/{case['id']}/timeline")).json()
    assert "stagnation_signal" in {e["action"] for e in timeline}
    r = await api.http.post(
        f"/cases/{case['id']}/action",
        data={"csrf_token": csrf_of(case_page.text), "action": "withdraw", "note": "x"},
    )
    assert r.status_code == 403 and "<h1>Geen toegang" in r.text


async def test_double_submit_of_the_task_form_completes_once(api):
    case = await api.start_case()
    task = await api.open_task(case["id"], "decide_dossierhouder")
    await sign_in(api, "aanbieder")
    form = await api.http.get(f"/tasks/{task['id']}")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.text).group(1)
    data = {"csrf_token": csrf_of(form.text), "idempotency_key": key, "outcome": "accepted"}
    first = await api.http.post(f"/tasks/{task['id']}", data=data)
    double = await api.http.post(f"/tasks/{task['id']}", data=data)  # a double click
    assert first.status_code == double.status_code == 303, double.text
    assert first.headers["location"] == double.headers["location"]
    timeline = (await api.as_("coordinator", "GET", f"/api/cases/{case['id']}/timeline")).json()
    assert [e["task_id"] for e in timeline if e["action"] == "task_completed"] == [task["id"]]
    # without the key the second submit is refused as before: the task is done
    r = await api.http.post(f"/tasks/{task['id']}", data=data | {"idempotency_key": ""})
    assert r.status_code == 422 and "Afgerond door aanbieder" in r.text

"""Early signals on the Dutch pages: a provider sends one with the form, the
zorgkantoor assesses it on its task page (the same form as every task), the sender
follows its status."""

from __future__ import annotations

import re

from tests.api.conftest import OCO_ORG, PROVIDER, Api
from tests.api.test_pages import csrf_of
from tests.api.test_pages import sign_in as first_sign_in


async def sign_in(api: Api, user: str) -> None:
    """Sign out whoever was signed in, then sign in as ``user``."""
    api.http.cookies.clear()
    await first_sign_in(api, user)


async def send_on_the_page(api: Api, **changes: str) -> str:
    """As the signed-in user; returns the new signal's page."""
    form = await api.http.get("/signalen/nieuw")
    assert form.status_code == 200 and "<h1>Nieuw signaal versturen</h1>" in form.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.text)
    assert key
    data = {
        "csrf_token": csrf_of(form.text),
        "idempotency_key": key.group(1),
        "kind": "early_information",
        "mode": "for_information",
        "client_ref": "CR-PAGINA-1",
        "sector": "VV",
        "region": "Groningen",
        "provider_org": PROVIDER,
        "oco_org": OCO_ORG,
        "note": "Ter kennisgeving: de zorg op de huidige plek wordt zwaar.",
    } | changes
    r = await api.http.post("/signalen/nieuw", data=data)
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


async def test_provider_sends_and_zorgkantoor_gives_advice_on_the_pages(api):
    await sign_in(api, "aanbieder")
    form = await api.http.get("/signalen/nieuw")
    # every input has a label; the provider's own organisation is filled in
    for name in ("client_ref", "sector", "region", "provider_org", "oco_org", "note", "mode"):
        assert f'for="{name}"' in form.text and f'id="{name}"' in form.text, name
    assert f'value="{PROVIDER}"' in form.text
    bad = await api.http.post(
        "/signalen/nieuw",
        data={
            "csrf_token": csrf_of(form.text),
            "kind": "early_information",
            "mode": "sparring",
            "client_ref": "CR-X",
            "sector": "VV",
            "region": "Utrecht",  # no zorgkantoor registered there
            "provider_org": PROVIDER,
            "note": "x",
        },
    )
    assert bad.status_code == 422 and "geen zorgkantoor voor deze regio" in bad.text
    assert 'id="foutmeldingen"' in bad.text and 'value="CR-X"' in bad.text

    location = await send_on_the_page(api)
    page = await api.http.get(location)
    assert "Signaal over CR-PAGINA-1" in page.text and "Ter kennisgeving" in page.text
    assert "het zorgkantoor beoordeelt het signaal" in page.text
    listed = await api.http.get("/signalen")
    assert "CR-PAGINA-1" in listed.text and "1 signaal" in listed.text

    await sign_in(api, "zorgkantoor")
    inbox = await api.http.get("/inbox")
    link = re.search(r'<a href="(/tasks/[^"]+)">Signaal beoordelen', inbox.text)
    assert link, inbox.text
    task_page = await api.http.get(link.group(1))
    assert '<h2 id="het-signaal">Het signaal</h2>' in task_page.text
    assert "de zorg op de huidige plek wordt zwaar" in task_page.text
    assert "Casus starten met de gegevens van het signaal" in task_page.text
    r = await api.http.post(
        link.group(1), data={"csrf_token": csrf_of(task_page.text), "outcome": "advice_given"}
    )
    assert r.status_code == 422 and "Vul ‘Advies aan de melder’ in" in r.text
    r = await api.http.post(
        link.group(1),
        data={"csrf_token": csrf_of(task_page.text), "outcome": "start_case"},
    )
    # a zorgkantoor user (not a coordinator) cannot start a case: refused, in Dutch
    assert r.status_code == 422 and "De taak is niet afgerond" in r.text
    assert "zorgbemiddelaar" in r.text
    r = await api.http.post(
        link.group(1),
        data={
            "csrf_token": csrf_of(task_page.text),
            "outcome": "advice_given",
            "advice_given:advice": "Neem contact op met het CCE.",
        },
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/inbox?afgerond=")

    await sign_in(api, "aanbieder")
    page = await api.http.get(location)
    assert "Advies gegeven" in page.text and "Neem contact op met het CCE." in page.text
    await sign_in(api, "aanbieder_other")
    assert (await api.http.get(location)).status_code == 404


async def test_coordinator_starts_the_case_from_the_task_page(api):
    await sign_in(api, "oco")
    location = await send_on_the_page(api, kind="request_mediation", mode="")
    await sign_in(api, "coordinator")
    signal = await api.http.get(location)
    task = re.search(r'<a href="(/tasks/[^"]+)">Naar de taak', signal.text)
    assert task
    page = await api.http.get(task.group(1))
    r = await api.http.post(
        task.group(1), data={"csrf_token": csrf_of(page.text), "outcome": "start_case"}
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/cases/")
    case_page = await api.http.get(r.headers["location"])
    assert "Casus CR-PAGINA-1" in case_page.text and "een vroeg signaal" in case_page.text
    assert "Indicatie, nog geen dossierhouder" in case_page.text  # request for mediation
    done = await api.http.get(task.group(1))
    assert "Naar de casus die uit dit signaal is gestart" in done.text

"""Issue 17 in-process: start pages per role, inbox and case list with context, search,
filters and sorting in the query; assigning a task to a colleague; case actions with a
confirmation; a form kept over an expired session; addresses in the app (own settings,
functional administrator); glossary; PDF, CSV and .ics; Dutch errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlmodel import Session, select

from db.models import Organisation, Task, User
from tests.api.conftest import PROVIDER, Api
from tests.api.test_pages import csrf_of, sign_in


async def test_start_page_per_role(api: Api):
    await api.start_case()
    await sign_in(api, "coordinator")
    page = await api.http.get("/start")
    assert "Wat vraagt aandacht?" in page.text and "Nieuwe signalen om te beoordelen" in page.text
    assert 'href="/inbox?te_laat=1"' in page.text
    api.http.cookies.clear()
    await sign_in(api, "aanbieder")
    page = await api.http.get("/start")
    assert re.search(r'<span class="count">1</span>Nieuw: nog door niemand opgepakt', page.text)
    assert "Nieuwe signalen" not in page.text
    api.http.cookies.clear()
    await sign_in(api, "auditor")
    page = await api.http.get("/start")
    assert "Casussen om te controleren" in page.text and "/cases?cohort=skipped" in page.text
    assert "Mijn taken" not in page.text  # an auditor has no inbox in the menu


async def test_inbox_rows_have_context_and_filters_stay_in_the_query(api: Api):
    await api.start_case()
    await api.start_case(client_ref="CR-2026-0002")
    await sign_in(api, "aanbieder")
    page = await api.http.get("/inbox")
    assert "CR-2026-0001" in page.text and "CR-2026-0002" in page.text
    assert 'data-label="Dagen in fase">0 dagen' in page.text and "2 open taken" in page.text
    found = await api.http.get("/inbox?zoek=CR-2026-0002&sorteer=fase&fase=dossierhouder_search")
    assert "CR-2026-0002" in found.text and "CR-2026-0001" not in found.text
    assert 'value="CR-2026-0002"' in found.text and 'value="fase" selected' in found.text
    partial = await api.http.get("/inbox?zoek=CR-2026")  # exact only
    assert "Geen open taken die passen bij uw keuze" in partial.text
    other_sector = await api.http.get("/inbox?sector=VV&regio=Groningen")
    assert (
        "Geen open taken die passen" in other_sector.text
        and 'value="VV" selected' in other_sector.text
    )
    same = await api.http.get("/inbox?sector=GGZ&regio=Groningen")
    assert "CR-2026-0001" in same.text
    mine = await api.http.get("/inbox?opgepakt=ik")
    assert "Geen open taken die passen" in mine.text
    cases = await api.http.get("/cases?zoek=CR-2026-0001&sorteer=dagen")
    assert (
        "CR-2026-0001" in cases.text
        and "CR-2026-0002" not in cases.text
        and "1 casus<" in cases.text
    )


async def test_assign_a_task_to_a_colleague(api: Api, engine):
    case = await api.start_case()
    task = await api.open_task(case["id"], "decide_dossierhouder")
    await sign_in(api, "aanbieder")
    page = await api.http.get(f"/tasks/{task['id']}")
    assert "Toewijzen aan een collega" in page.text and ">aanbieder2 (Zorgaanbieder)<" in page.text
    colleague = re.search(r'<option value="([^"]+)">aanbieder2', page.text)
    assert colleague
    r = await api.http.post(
        f"/tasks/{task['id']}/claim",
        data={"csrf_token": csrf_of(page.text), "voor": colleague.group(1)},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("bericht=toegewezen")
    page = await api.http.get(r.headers["location"])
    assert "De taak is toegewezen aan uw collega." in page.text
    assert "Opgepakt door</dt><dd>aanbieder2" in page.text
    timeline = (await api.as_("aanbieder", "GET", f"/api/cases/{case['id']}/timeline")).json()
    claimed = [e for e in timeline if e["action"] == "task_claimed"]
    assert (
        claimed[-1]["actor"] == "aanbieder" and claimed[-1]["detail"]["assigned_to"] == "aanbieder2"
    )
    # someone of another organisation cannot be chosen
    with Session(engine) as s:
        stranger = s.exec(select(User).where(User.name == "aanbieder_other")).one()
    r = await api.http.post(
        f"/tasks/{task['id']}/claim", data={"csrf_token": csrf_of(page.text), "voor": stranger.id}
    )
    assert r.status_code == 403 and "eigen organisatie" in r.text


async def test_case_action_confirms_and_reports(api: Api):
    case = await api.start_case()
    await sign_in(api, "coordinator")
    form = await api.http.get(f"/cases/{case['id']}/acties/withdraw")
    assert "Waarom trekt u de casus in?" in form.text and "(verplicht)" in form.text
    token = csrf_of(form.text)
    empty = await api.http.post(
        f"/cases/{case['id']}/action", data={"csrf_token": token, "action": "withdraw"}
    )
    assert empty.status_code == 422 and 'href="#a-note"' in empty.text
    asked = await api.http.post(
        f"/cases/{case['id']}/action",
        data={"csrf_token": token, "action": "withdraw", "note": "Verhuisd"},
    )
    assert asked.status_code == 200 and "Weet u het zeker?" in asked.text
    assert "Dit kunt u niet ongedaan maken." in asked.text
    detail = (await api.as_("coordinator", "GET", f"/api/cases/{case['id']}")).json()
    assert detail["status"] == "open"  # nothing happened yet
    back = await api.http.post(
        f"/cases/{case['id']}/action",
        data={"csrf_token": token, "action": "withdraw", "note": "Verhuisd", "terug": "1"},
    )
    assert ">Verhuisd</textarea>" in back.text
    done = await api.http.post(
        f"/cases/{case['id']}/action",
        data={"csrf_token": token, "action": "withdraw", "note": "Verhuisd", "bevestigd": "1"},
    )
    assert done.status_code == 303 and done.headers["location"].endswith("?gedaan=withdraw")
    page = await api.http.get(done.headers["location"])
    assert "De casus is ingetrokken. De casus is afgesloten: Ingetrokken." in page.text


async def test_wrong_organisation_keeps_the_participant_form(api: Api):
    case = await api.start_case()
    await sign_in(api, "coordinator")
    form = await api.http.get(f"/cases/{case['id']}/acties/add_participant")
    r = await api.http.post(
        f"/cases/{case['id']}/action",
        data={
            "csrf_token": csrf_of(form.text),
            "action": "add_participant",
            "org": "Zorgkantoor Twente",
            "capacity": "oco",
            "note": "Mijn toelichting",
            "bevestigd": "1",
        },
    )
    assert r.status_code in (403, 409, 422) and "Dit is niet gelukt." in r.text
    assert 'value="Zorgkantoor Twente"' in r.text and ">Mijn toelichting</textarea>" in r.text
    assert "data." not in r.text  # no field paths


async def test_an_expired_session_keeps_the_sent_form(api: Api):
    case = await api.start_case()
    r = await api.http.get(f"/cases/{case['id']}")
    assert r.status_code == 303 and r.headers["location"] == f"/?terug=%2Fcases%2F{case['id']}"
    page = await api.http.get("/")
    token = csrf_of(page.text)
    r = await api.http.post(
        f"/cases/{case['id']}/action",
        data={"csrf_token": token, "action": "withdraw", "note": "Tekst die blijft"},
    )
    assert r.status_code == 401 and "U was te lang niet actief" in r.text
    assert 'name="bewaard:note" value="Tekst die blijft"' in r.text
    assert 'name="bewaard:csrf_token"' not in r.text
    r = await api.http.post(
        "/login",
        data={
            "csrf_token": token,
            "token": api.tokens["coordinator"],
            "terug": f"/cases/{case['id']}/action",
            "bewaard:action": "withdraw",
            "bewaard:note": "Tekst die blijft",
        },
    )
    assert r.status_code == 200 and "U bent weer aangemeld" in r.text
    assert ">Tekst die blijft</textarea>" in r.text and "<h1>Casus intrekken</h1>" in r.text
    detail = (await api.as_("coordinator", "GET", f"/api/cases/{case['id']}")).json()
    assert detail["status"] == "open"  # shown again, not sent
    # a page asked for without a session: back there after signing in
    api.http.cookies.delete("casusregie_session")
    r = await api.http.post(
        "/login",
        data={"csrf_token": token, "token": api.tokens["coordinator"], "terug": "/cases"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/cases"
    api.http.cookies.delete("casusregie_session")  # the sign-in form's token is pre-session
    r = await api.http.post(
        "/login",
        data={"csrf_token": token, "token": api.tokens["coordinator"], "terug": "//evil.example"},
    )
    assert r.headers["location"] == "/start"


async def test_addresses_in_the_app(api: Api, engine):
    await sign_in(api, "aanbieder")
    page = await api.http.get("/mijn-gegevens")
    assert "elke dag rond 7:00 uur" in page.text  # CASUSREGIE_DIGEST_HOUR
    bad = await api.http.post(
        "/mijn-gegevens",
        data={"csrf_token": csrf_of(page.text), "email": "geen adres", "notify": "digest"},
    )
    assert bad.status_code == 422 and "Fout: Vul een geldig e-mailadres in" in bad.text
    assert 'value="geen adres"' in bad.text and 'value="digest" checked' in bad.text
    ok = await api.http.post(
        "/mijn-gegevens",
        data={"csrf_token": csrf_of(page.text), "email": "anna@noord.nl", "notify": "digest"},
    )
    assert ok.status_code == 303
    assert (await api.http.get("/beheer")).status_code == 403
    with Session(engine) as s:
        me = s.exec(select(User).where(User.name == "aanbieder")).one()
        assert (me.email, me.notify) == ("anna@noord.nl", "digest")
        org = s.exec(select(Organisation).where(Organisation.name == PROVIDER)).one()

    api.http.cookies.clear()
    await sign_in(api, "beheerder")
    overview = await api.http.get("/beheer")
    assert PROVIDER in overview.text and "anna@noord.nl" in overview.text
    form = await api.http.get(f"/beheer/organisaties/{org.id}")
    bad = await api.http.post(
        f"/beheer/organisaties/{org.id}",
        data={
            "csrf_token": csrf_of(form.text),
            "email": "zorg@noord.nl",
            "channels": ["email", "webhook"],
            "webhook_url": "http://example.org/hook",
        },
    )
    assert bad.status_code == 422 and "begint met https://" in bad.text
    ok = await api.http.post(
        f"/beheer/organisaties/{org.id}",
        data={
            "csrf_token": csrf_of(form.text),
            "email": "zorg@noord.nl",
            "channels": ["email", "webhook"],
            "webhook_url": "https://noord.example/hook",
            "webhook_secret": "geheim-1234",
        },
    )
    assert ok.status_code == 303
    with Session(engine) as s:
        saved = s.get(Organisation, org.id)
        assert saved is not None and saved.channels == ["email", "webhook"]
        assert (saved.email, saved.webhook_secret) == ("zorg@noord.nl", "geheim-1234")
    form = await api.http.get(f"/beheer/organisaties/{org.id}")
    assert "geheim-1234" not in form.text  # write-only
    # a functional administrator sees no case
    assert (await api.http.get("/cases")).status_code == 200
    assert "0 casussen" in (await api.http.get("/cases")).text


async def test_glossary_exports_and_dutch_errors(api: Api, engine):
    case = await api.start_case()
    glossary = await api.http.get("/begrippen")
    assert glossary.status_code == 200 and 'id="wsitr"' in glossary.text
    await sign_in(api, "coordinator")
    csv_file = await api.http.get(f"/cases/{case['id']}/tijdlijn.csv")
    assert csv_file.status_code == 200 and csv_file.text.startswith("\ufeffwanneer;wie;rol")
    assert "Casus gestart" in csv_file.text
    pdf = await api.http.get(f"/cases/{case['id']}/afdruk.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(pdf.content))
    assert len(reader.pages) <= 2 and "CR-2026-0001" in reader.pages[0].extract_text()
    missing = await api.http.get("/cases/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and "Deze casus bestaat niet" in missing.text
    assert "not found" not in missing.text
    meetings = await api.http.get(f"/cases/{case['id']}/bijeenkomsten")
    assert "Er is nog geen bijeenkomst georganiseerd." in meetings.text
    with Session(engine) as s:  # a meeting organised (as the read model records it)
        s.add(
            Task(
                id="meeting-1",
                case_id=case["id"],
                phase="whole_system_meeting",
                key="organise_meeting",
                title="Bijeenkomst organiseren",
                owner_role="aanbieder",
                owner_org=PROVIDER,
                status="done",
                data={"meeting_at": "2026-12-03T10:00:00+01:00", "location": "Stadhuis"},
                completed_at=datetime.now(UTC),
            )
        )
        s.commit()
    meetings = await api.http.get(f"/cases/{case['id']}/bijeenkomsten")
    assert "Toevoegen aan agenda" in meetings.text and "Stadhuis" in meetings.text
    ics = await api.http.get(f"/cases/{case['id']}/bijeenkomsten/meeting-1.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert "DTSTART:20261203T090000Z" in ics.text and "LOCATION:Stadhuis" in ics.text


async def test_assign_over_the_json_api(api: Api, engine):
    case = await api.start_case()
    task = await api.open_task(case["id"], "decide_dossierhouder")
    with Session(engine) as s:
        ids = {u.name: u.id for u in s.exec(select(User)).all()}
    url = f"/api/tasks/{task['id']}/claim"
    r = await api.as_("aanbieder", "POST", url, json={"assignee_id": ids["aanbieder_other"]})
    assert r.status_code == 403
    r = await api.as_("aanbieder", "POST", url, json={"assignee_id": ids["aanbieder2"]})
    assert r.status_code == 200, r.text
    assert r.json()["task"]["claimed_by"] == "aanbieder2"


def test_the_way_back_after_sign_in_stays_on_this_site():
    from api.pages.auth import safe_return

    assert safe_return("/cases?fase=plan_of_action") == "/cases?fase=plan_of_action"
    for bad in ("//evil.example", "/\t/evil.example", "/\\evil.example", "https://x", "", None):
        assert safe_return(bad) is None, bad

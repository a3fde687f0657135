"""Bounded requests and input that cannot hurt: body limit (also chunked, before
authentication), bounded data, limit/offset bounds, rate limits with Retry-After,
control characters, the BSN guard, the organisation registry, the region guard, and
the stable error shape with its code."""

from __future__ import annotations

import pytest

from api import ratelimit
from audit.log import neutralise
from domain.text import bsn_like, passes_elfproef
from tests.api.conftest import CASE_BODY, Api


async def test_body_limit_before_authentication(api: Api):
    big = b"x" * 1_000_001
    r = await api.http.post("/api/cases", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "body_too_large"
    assert "1000000 bytes" in r.json()["detail"]

    async def chunks():  # no Content-Length: counted while it streams
        for _ in range(40):
            yield b"y" * 50_000

    r = await api.http.post("/api/cases", content=chunks())
    assert r.status_code == 413

    # a page form too, with a Dutch page
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    r = await api.http.post("/login", content=chunks(), headers=form)
    assert r.status_code == 413 and "te groot" in r.text


async def test_data_limits(api: Api):
    case = await api.start_case()
    url = f"/api/cases/{case['id']}/actions"
    action = {"action": "end_care_with_bridging", "note": ""}
    huge = action | {"data": {"bridging_solution": "x" * 70_000}}
    r = await api.as_("coordinator", "POST", url, json=huge)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "data"]
    many = action | {"data": {"organisations": ["a"] * 51}}
    assert (await api.as_("coordinator", "POST", url, json=many)).status_code == 422
    long_item = action | {"data": {"organisations": ["a" * 501]}}
    assert (await api.as_("coordinator", "POST", url, json=long_item)).status_code == 422


@pytest.mark.parametrize("query", ["offset=9223372036854775808", "offset=-1", "limit=501"])
async def test_limit_offset_bounds_are_422(api: Api, query: str):
    for path in ("/api/cases", "/api/tasks"):
        r = await api.as_("coordinator", "GET", f"{path}?{query}")
        assert r.status_code == 422, (path, r.text)
        assert r.json()["code"] == "invalid_input" and isinstance(r.json()["detail"], list)


async def test_due_before_is_iso_only(api: Api):
    r = await api.as_("coordinator", "GET", "/api/tasks?due_before=0.5")
    assert r.status_code == 422
    ok = await api.as_("coordinator", "GET", "/api/tasks?due_before=2030-01-01T00:00:00Z")
    assert ok.status_code == 200


async def test_rate_limit_for_signals_with_retry_after(api: Api, monkeypatch):
    monkeypatch.setenv("CASUSREGIE_RATE_LIMIT_SIGNALS", "2/hour")
    from core.config import get_settings

    get_settings.cache_clear()
    ratelimit.reset()
    case = await api.start_case()
    url = f"/api/cases/{case['id']}/actions"
    signal = {"action": "signal_stagnation", "note": "geen voortgang"}
    for _ in range(2):
        assert (await api.as_("aanbieder", "POST", url, json=signal)).status_code == 200
    r = await api.as_("aanbieder", "POST", url, json=signal)
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert 0 < int(r.headers["retry-after"]) <= 3600
    # per user: a colleague still can
    assert (await api.as_("aanbieder2", "POST", url, json=signal)).status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("client_ref", "CR-1\x00"),
        ("client_ref", "CR-\x1b[31m"),
        ("provider_org", "Zorggroep\x00 Noord"),
        ("client_ref", "CR\u200b-1"),
        ("summary", "regel\x00"),
    ],
)
async def test_control_characters_are_refused(api: Api, field: str, value: str):
    r = await api.as_("coordinator", "POST", "/api/cases", json=CASE_BODY | {field: value})
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "control_characters"


@pytest.mark.parametrize(
    "ref", ["BSN123456782", "123_456_782", "123.456.782", "123 456 782", "x-111222333-y"]
)
async def test_bsn_guard_whatever_the_separators(api: Api, ref: str):
    r = await api.as_("coordinator", "POST", "/api/cases", json=CASE_BODY | {"client_ref": ref})
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "bsn"


def test_bsn_rules():
    assert passes_elfproef("123456782") and not passes_elfproef("123456789")
    assert bsn_like("123456789")  # nine digits alone: a BSN with a typo is still one
    assert not bsn_like("CR-2026-0001") and not bsn_like("tel 0612345678")


async def test_unknown_organisations_are_422_naming_the_known_ones(api: Api):
    body = CASE_BODY | {"provider_org": "Zorg Nergens"}
    r = await api.as_("coordinator", "POST", "/api/cases", json=body)
    assert r.status_code == 422 and r.json()["code"] == "unknown_organisation"
    assert "Zorggroep Noord" in r.json()["detail"][0]["msg"]
    r = await api.as_("coordinator", "POST", "/api/cases", json=CASE_BODY | {"oco_org": "X"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "oco_org"]
    case = await api.start_case()
    r = await api.as_(
        "coordinator",
        "POST",
        f"/api/cases/{case['id']}/participants",
        json={"org": "Onbekend", "capacity": "round_provider", "consent": True},
    )
    assert r.status_code == 422 and r.json()["code"] == "unknown_organisation"


async def test_coordinator_without_region_cannot_start_cases(api: Api, engine):
    from sqlmodel import Session

    from db.accounts import add_user

    with Session(engine) as session:
        new = add_user(session, name="zonder", role="coordinator", org="Zorgkantoor Zonder")
        session.commit()
    r = await api.http.post(
        "/api/cases", json=CASE_BODY, headers={"Authorization": f"Bearer {new.token}"}
    )
    assert r.status_code == 403 and r.json()["code"] == "region_required"


def test_csv_cells_cannot_become_formulas():
    for cell in ("=HYPERLINK(1)", "+1", "-1+2", "@SUM(A1)", "\t=1"):
        assert neutralise(cell).startswith("'")
    assert neutralise("gewoon") == "gewoon" and neutralise(3) == 3


async def test_errors_have_detail_and_code(api: Api):
    r = await api.http.get("/api/cases")
    assert r.json() == {"detail": "missing bearer token", "code": "unauthenticated"}
    r = await api.as_("coordinator", "GET", "/api/cases/nope")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = await api.as_("coordinator", "GET", "/api/cases/a%00b")
    assert r.status_code == 422
    r = await api.as_("auditor", "POST", "/api/cases/x/withdraw", json={"reason": "x"})
    assert r.json()["code"] in ("read_only", "not_found")


async def test_docs_work_offline(api: Api):
    page = await api.http.get("/docs")
    assert page.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower() and "<script>" not in page.text
    js = await api.http.get("/static/swagger/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 100_000
    assert (await api.http.get("/static/swagger-init.js")).status_code == 200


async def test_pages_bound_their_input_too(api: Api):
    from tests.api.test_pages import csrf_of, sign_in

    await sign_in(api, "coordinator")
    r = await api.http.get("/cases?pagina=99999999999999999999")
    assert r.status_code == 422 and "Niet goed ingevuld" in r.text
    form = await api.http.get("/cases/new")
    data = {
        "csrf_token": csrf_of(form.text),
        "idempotency_key": "k1",
        "client_ref": "CR-9",
        "sector": "VV",
        "region": "Groningen",
        "entry": "care_not_suitable",
        "provider_org": "Zorg Nergens",
        "decision_days": "5",
    }
    r = await api.http.post("/cases/new", data=data)
    assert r.status_code == 422 and "Bekende organisaties: " in r.text
    assert "Zorggroep Noord" in r.text  # the form says which ones it knows, in Dutch
    case = await api.start_case()
    page = await api.http.get(f"/cases/{case['id']}")
    r = await api.http.post(
        f"/cases/{case['id']}/action",
        data={
            "csrf_token": csrf_of(page.text),
            "action": "withdraw",
            "note": "stop\x00",
            "bevestigd": "1",
        },
    )
    assert r.status_code == 422 and "onzichtbare tekens" in r.text


async def test_nul_in_page_parameters_and_form_keys(api: Api):
    from tests.api.test_pages import csrf_of, sign_in

    await sign_in(api, "coordinator")
    assert (await api.http.get("/inbox?geopend=a%00b,c")).status_code == 200
    form = await api.http.get("/cases/new")
    data = {
        "csrf_token": csrf_of(form.text),
        "idempotency_key": "k\x00",
        "client_ref": "CR-10",
        "sector": "VV",
        "region": "Groningen",
        "entry": "care_not_suitable",
        "provider_org": "Zorggroep Noord",
        "decision_days": "5",
    }
    assert (await api.http.post("/cases/new", data=data)).status_code == 422


async def test_nul_in_the_workday_pages(api: Api):
    """Search boxes, the settings forms and the ids in their paths: a control character
    is a Dutch 422 (or a 404), never a 500 (PostgreSQL refuses NUL in text)."""
    from tests.api.test_pages import csrf_of, sign_in

    await sign_in(api, "coordinator")
    for url in ("/inbox?zoek=a%00b", "/cases?zoek=a%00b"):
        r = await api.http.get(url)
        assert r.status_code == 422 and "onzichtbare tekens" in r.text, url
    for url in ("/cases/a%00b/bijeenkomsten", "/cases/a%00b", "/tasks/a%00b", "/signalen/a%00b"):
        assert (await api.http.get(url)).status_code == 404, url
    page = await api.http.get("/mijn-gegevens")
    r = await api.http.post(
        "/mijn-gegevens",
        data={"csrf_token": csrf_of(page.text), "email": "a\x00@b.nl", "notify": "direct"},
    )
    assert r.status_code == 422 and "Fout:" in r.text

    api.http.cookies.clear()
    await sign_in(api, "beheerder")
    admin = await api.http.get("/beheer")
    token = csrf_of(admin.text)
    for url in ("/beheer/organisaties/a%00b", "/beheer/gebruikers/a%00b"):
        assert (await api.http.get(url)).status_code == 404, url
    org_link = admin.text.split('href="/beheer/organisaties/')[1].split('"')[0]
    r = await api.http.post(
        f"/beheer/organisaties/{org_link}",
        data={
            "csrf_token": token,
            "channels": ["email", "webhook"],
            "email": "info@noord.nl",
            "webhook_url": "https://noord.nl/\x00",
            "webhook_secret": "geheim\x00",
        },
    )
    assert r.status_code == 422 and "Fout:" in r.text

"""Single sign-on against a real OIDC provider process: login with PKCE, role and
organisation from claims or from the mapping file, logout (the cookie is dead after it,
and the browser goes to the provider's logout), ID tokens of another audience or expired
ones refused, at the callback and as API bearer tokens."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import Session, select

from api.deps import get_db_engine
from api.main import create_app
from core.config import get_settings
from db.accounts import add_organisation
from db.models import User
from tests.identity.oidc_provider import Provider, provider_process

ZK = "Zorgkantoor Groningen"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with provider_process() as p:
        yield p


@pytest.fixture
def registry(engine):
    with Session(engine) as session:
        add_organisation(session, name=ZK, kind="zorgkantoor", region="Groningen")
        add_organisation(session, name="Zorggroep Noord", kind="aanbieder")
        session.commit()


def sso_app(engine, monkeypatch, issuer: str, **extra: str):
    monkeypatch.setenv("CASUSREGIE_OIDC_ISSUER", issuer)
    monkeypatch.setenv("CASUSREGIE_OIDC_CLIENT_ID", "casusregie")
    monkeypatch.setenv("CASUSREGIE_OIDC_CLIENT_SECRET", "secret")
    monkeypatch.setenv("CASUSREGIE_TOKEN_SIGN_IN", "false")
    for key, value in extra.items():
        monkeypatch.setenv(f"CASUSREGIE_{key.upper()}", value)
    get_settings.cache_clear()
    app = create_app()
    app.dependency_overrides[get_db_engine] = lambda: engine
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def sign_on(
    web: httpx.AsyncClient, provider: Provider, sub: str, terug: str | None = None
) -> httpx.Response:
    start = await web.get("/auth/oidc/login", params={"terug": terug} if terug else None)
    assert start.status_code == 302
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["nonce"] and query["state"] and query["client_id"] == ["casusregie"]
    back = provider.authorize(start.headers["location"], sub)
    assert back.startswith("http://test/auth/oidc/callback?")
    return await web.get(back.removeprefix("http://test"))


async def test_login_with_claims_session_and_logout(engine, registry, provider, monkeypatch):
    provider.set_user(
        "ada",
        {"name": "Ada Jansen", "casusregie_role": "coordinator", "casusregie_org": ZK},
    )
    async with sso_app(engine, monkeypatch, provider.issuer) as web:
        page = await web.get("/")
        assert "Aanmelden via" in page.text and 'name="token"' not in page.text
        assert (await web.post("/login", data={"token": "x"})).status_code in (403, 404)

        done = await sign_on(web, provider, "ada")
        assert done.status_code == 303 and done.headers["location"] == "/start"
        cookie = web.cookies["casusregie_session"]
        inbox = await web.get("/inbox")
        assert inbox.status_code == 200 and "Ada Jansen" in inbox.text
        with Session(engine) as session:
            user = session.exec(select(User).where(User.oidc_subject == "ada")).one()
            assert user.role == "coordinator" and user.oidc_issuer == provider.issuer

        # the issuer's origin is an allowed form target (logout goes there)
        assert provider.issuer in inbox.headers["content-security-policy"]
        csrf = inbox.text.split('name="csrf_token" value="')[1].split('"')[0]
        out = await web.post("/logout", data={"csrf_token": csrf})
        assert out.status_code == 303
        assert out.headers["location"].startswith(f"{provider.issuer}/oauth2/end_session?")
        assert "id_token_hint=" in out.headers["location"]

        # the cookie copied before logout opens nothing any more
        web.cookies.clear()
        again = await web.get("/inbox", cookies={"casusregie_session": cookie})
        assert again.status_code == 303 and again.headers["location"].startswith("/")

        # signing on from a page asked for goes back there (never to another site)
        web.cookies.clear()
        done = await sign_on(web, provider, "ada", terug="/cases?zoek=CR-1")
        assert done.status_code == 303 and done.headers["location"] == "/cases?zoek=CR-1"
        web.cookies.clear()
        done = await sign_on(web, provider, "ada", terug="//evil.example")
        assert done.status_code == 303 and done.headers["location"] == "/start"


async def test_mapping_file_for_providers_without_role_claims(
    engine, registry, provider, monkeypatch, tmp_path
):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        '[[map]]\nclaim = "email"\nvalue = "bo@noord.example"\n'
        'role = "aanbieder"\norg = "Zorggroep Noord"\n'
    )
    provider.set_user("bo", {"name": "Bo", "email": "bo@noord.example"})
    provider.set_user("cas", {"name": "Cas", "email": "cas@elders.example"})
    async with sso_app(engine, monkeypatch, provider.issuer, oidc_mapping_file=str(mapping)) as web:
        done = await sign_on(web, provider, "bo")
        assert done.status_code == 303
        inbox = await web.get("/inbox")
        assert "Bo" in inbox.text and "Zorggroep Noord" in inbox.text
        web.cookies.clear()
        # no claims and no mapping: signed on at the provider, but no access here
        refused = await sign_on(web, provider, "cas")
        assert refused.status_code == 403 and "beheerder" in refused.text
        assert "casusregie_session" not in refused.headers.get("set-cookie", "")


async def test_callback_with_a_forged_state_is_refused(engine, registry, provider, monkeypatch):
    provider.set_user("ada", {"casusregie_role": "coordinator", "casusregie_org": ZK})
    async with sso_app(engine, monkeypatch, provider.issuer) as web:
        start = await web.get("/auth/oidc/login")
        back = provider.authorize(start.headers["location"], "ada")
        forged = back.replace("state=", "state=x")
        r = await web.get(forged.removeprefix("http://test"))
        assert r.status_code == 401 and "niet gelukt" in r.text


async def test_expired_id_token_is_refused_at_the_callback(engine, registry, monkeypatch):
    with provider_process(token_max_age=5) as short:  # room for a loaded machine
        short.set_user("ada", {"casusregie_role": "coordinator", "casusregie_org": ZK})
        async with sso_app(engine, monkeypatch, short.issuer, oidc_leeway_seconds="0") as web:
            start = await web.get("/auth/oidc/login")
            back = short.authorize(start.headers["location"], "ada")
            # the ID token is minted when the code is exchanged, during the callback: it
            # is checked as if five seconds later (its life is one second, no leeway)
            import joserfc._rfc7519.claims as claims

            monkeypatch.setattr(claims, "_generate_now", lambda: int(time.time()) + 5)
            r = await web.get(back.removeprefix("http://test"))
            assert r.status_code == 401 and "casusregie_session" not in r.headers.get(
                "set-cookie", ""
            )


async def test_provider_jwts_as_api_bearer_tokens(engine, registry, provider, monkeypatch):
    provider.set_user("ada", {"casusregie_role": "coordinator", "casusregie_org": ZK})
    async with sso_app(engine, monkeypatch, provider.issuer) as web:
        ours = provider.token_for("ada", client_id="casusregie")["id_token"]
        ok = await web.get("/api/cases", headers={"Authorization": f"Bearer {ours}"})
        assert ok.status_code == 200, ok.text

        other = provider.token_for("ada", client_id="another-app")["id_token"]
        r = await web.get("/api/cases", headers={"Authorization": f"Bearer {other}"})
        assert r.status_code == 401 and r.json()["code"] == "unauthenticated"

        tampered = ours[:-4] + ("AAAA" if not ours.endswith("AAAA") else "BBBB")
        r = await web.get("/api/cases", headers={"Authorization": f"Bearer {tampered}"})
        assert r.status_code == 401


async def test_expired_provider_jwt_is_refused_by_the_api(engine, registry, monkeypatch):
    with provider_process(token_max_age=5) as short:  # room for a loaded machine
        short.set_user("ada", {"casusregie_role": "coordinator", "casusregie_org": ZK})
        async with sso_app(engine, monkeypatch, short.issuer, oidc_leeway_seconds="0") as web:
            token = short.token_for("ada", client_id="casusregie")["id_token"]
            fresh = await web.get("/api/cases", headers={"Authorization": f"Bearer {token}"})
            assert fresh.status_code == 200
            time.sleep(5.5)
            r = await web.get("/api/cases", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 401

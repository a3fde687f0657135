"""Revocable access: server-side sessions ended by logout, idle and absolute timeouts,
CSRF bound to the session, revoke and rotate-token, token expiry and last use,
security headers, no-store, Secure cookies behind a trusted TLS proxy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import Session, select
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from db.accounts import find_user, revoke_user, rotate_token
from db.models import User, WebSession
from tests.api.conftest import Api, bearer
from tests.api.test_pages import csrf_of, sign_in


async def test_logout_ends_the_session_a_copied_cookie_is_dead(api: Api):
    await sign_in(api, "coordinator")
    copied = api.http.cookies["casusregie_session"]
    inbox = await api.http.get("/inbox")
    assert inbox.status_code == 200
    r = await api.http.post("/logout", data={"csrf_token": csrf_of(inbox.text)})
    assert r.status_code == 303
    api.http.cookies.clear()
    again = await api.http.get("/inbox", cookies={"casusregie_session": copied})
    assert again.status_code == 303 and again.headers["location"].startswith("/")


async def test_csrf_token_is_bound_to_the_session(api: Api):
    case = await api.start_case()
    await sign_in(api, "aanbieder")
    page = await api.http.get(f"/cases/{case['id']}")
    mine = csrf_of(page.text)
    # an attacker-chosen CSRF cookie equal to the form field is no longer enough
    api.http.cookies.set("casusregie_csrf", "A" * 43)
    r = await api.http.post(
        f"/cases/{case['id']}/action",
        data={"csrf_token": "A" * 43, "action": "signal_stagnation", "note": "x"},
    )
    assert r.status_code == 403 and "formulier was verlopen" in r.text
    # another session's token does not fit this session either
    other = httpx.AsyncClient(transport=api.http._transport, base_url="http://test")
    async with other:
        first = await other.get("/")
        await other.post(
            "/login", data={"token": api.tokens["aanbieder2"], "csrf_token": csrf_of(first.text)}
        )
        foreign = csrf_of((await other.get("/inbox")).text)
    assert foreign != mine
    r = await api.http.post(
        f"/cases/{case['id']}/action",
        data={"csrf_token": foreign, "action": "signal_stagnation", "note": "x"},
    )
    assert r.status_code == 403


def _age_session(engine, **changes) -> None:
    with Session(engine) as session:
        for row in session.exec(select(WebSession)).all():
            for key, value in changes.items():
                setattr(row, key, value)
            session.add(row)
        session.commit()


async def test_idle_and_absolute_timeouts(api: Api, engine):
    await sign_in(api, "coordinator")
    inbox = await api.http.get("/inbox")
    # the page knows when it ends and warns (static/session.js, no inline script)
    assert "data-session-seconds-left" in inbox.text and "sessie-waarschuwing" in inbox.text
    assert "<script>" not in inbox.text and "/static/session.js" in inbox.text
    _age_session(engine, last_seen_at=datetime.now(UTC) - timedelta(minutes=31))
    r = await api.http.get("/inbox")
    # to sign-in, saying why, and back to the page asked for afterwards
    assert r.status_code == 303 and r.headers["location"] == "/?verlopen=1&terug=%2Finbox"
    assert "afgemeld" in (await api.http.get("/?verlopen=1")).text

    await sign_in(api, "coordinator")
    _age_session(engine, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert (await api.http.get("/inbox")).status_code == 303


async def test_revoke_and_rotate_token(api: Api, engine):
    await sign_in(api, "aanbieder")
    assert (await api.as_("aanbieder", "GET", "/api/tasks")).status_code == 200
    with Session(engine) as session:
        revoke_user(session, find_user(session, "aanbieder"))
        session.commit()
    assert (await api.as_("aanbieder", "GET", "/api/tasks")).status_code == 401
    assert (await api.http.get("/inbox")).status_code == 303

    api.http.cookies.clear()
    await sign_in(api, "oco")
    with Session(engine) as session:
        new = rotate_token(session, find_user(session, "oco"))
        session.commit()
    assert (await api.as_("oco", "GET", "/api/tasks")).status_code == 401
    assert (await api.http.get("/api/tasks", headers=bearer(new))).status_code == 200
    assert (await api.http.get("/inbox")).status_code == 303  # sessions ended too


async def test_token_expiry_and_last_use(api: Api, engine):
    r = await api.as_("zorgkantoor", "GET", "/api/tasks")
    assert r.status_code == 200
    with Session(engine) as session:
        user = session.exec(select(User).where(User.name == "zorgkantoor")).one()
        assert user.token_last_used_at is not None
        assert user.token_expires_at.replace(tzinfo=UTC) > datetime.now(UTC) + timedelta(days=364)
        user.token_expires_at = datetime.now(UTC) - timedelta(minutes=1)
        session.add(user)
        session.commit()
    r = await api.as_("zorgkantoor", "GET", "/api/tasks")
    assert r.status_code == 401 and r.json()["code"] == "token_expired"


async def test_security_headers_and_no_store(api: Api):
    for r in (
        await api.http.get("/"),
        await api.as_("coordinator", "GET", "/api/cases"),
        await api.http.get("/api/cases"),  # an error too
    ):
        assert r.headers["cache-control"] == "no-store"
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in r.headers  # plain http
    static = await api.http.get("/static/style.css")
    assert static.status_code == 200 and static.headers.get("cache-control") != "no-store"


async def test_secure_cookie_and_hsts_behind_a_trusted_tls_proxy(api: Api):
    # what uvicorn does with --forwarded-allow-ips (CASUSREGIE_FORWARDED_ALLOW_IPS)
    proxied = ProxyHeadersMiddleware(api.app, trusted_hosts="127.0.0.1")
    transport = httpx.ASGITransport(app=proxied, client=("127.0.0.1", 5000))
    tls = {"X-Forwarded-Proto": "https"}
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as web:
        page = await web.get("/", headers=tls)
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert "Secure" in page.headers["set-cookie"]  # the CSRF cookie
        # the jar keeps Secure cookies from http://test: the browser would send it
        nonce = page.headers["set-cookie"].split("casusregie_csrf=")[1].split(";")[0]
        r = await web.post(
            "/login",
            data={"token": api.tokens["oco"], "csrf_token": csrf_of(page.text)},
            headers=tls | {"Cookie": f"casusregie_csrf={nonce}"},
        )
        assert r.status_code == 303 and "Secure" in r.headers["set-cookie"]
    # the same header from an untrusted address changes nothing
    untrusted = httpx.ASGITransport(app=proxied, client=("10.9.9.9", 5000))
    async with httpx.AsyncClient(transport=untrusted, base_url="http://test") as web:
        page = await web.get("/", headers=tls)
        assert "strict-transport-security" not in page.headers

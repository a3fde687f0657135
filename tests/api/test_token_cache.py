"""The API token cache (api/auth.py): a checked token is remembered by its hash for
``token_cache_seconds``; a change to the user in this process forgets it at once; a
change made elsewhere (another process: here raw SQL, around the ORM) takes effect
within the TTL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api import auth
from api.auth import TOKENS, TokenCache
from api.scoping import Principal
from core.config import get_settings
from core.security import hash_token
from db.accounts import find_user, revoke_user, rotate_token
from db.models import Organisation
from tests.api.conftest import bearer, build_app


@pytest.fixture
async def http(engine: Engine, tokens: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """The app without Temporal (these requests only read)."""
    TOKENS.clear()
    transport = httpx.ASGITransport(app=build_app(engine, None))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def user_queries(engine: Engine) -> list[str]:
    """The SQL statements on ``users`` the engine runs from now on."""
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if "users" in statement:
            seen.append(statement)

    return seen


async def test_a_checked_token_is_not_looked_up_again(http, engine, tokens):
    seen = user_queries(engine)
    headers = bearer(tokens["coordinator"])
    assert (await http.get("/api/tasks", headers=headers)).status_code == 200
    assert len(seen) >= 1  # the first request looked the token up
    before, hits = len(seen), TOKENS.hits
    for _ in range(3):
        assert (await http.get("/api/tasks", headers=headers)).status_code == 200
    assert len(seen) == before  # ... the next ones did not
    assert TOKENS.hits == hits + 3
    # remembered by its hash, never by the token
    assert hash_token(tokens["coordinator"]) in TOKENS._entries
    assert tokens["coordinator"] not in TOKENS._entries


async def test_revoke_and_rotate_in_this_process_take_effect_at_once(http, engine, tokens):
    for name in ("aanbieder", "oco"):
        assert (await http.get("/api/tasks", headers=bearer(tokens[name]))).status_code == 200
    with Session(engine) as session:
        revoke_user(session, find_user(session, "aanbieder"))
        session.commit()
    assert (await http.get("/api/tasks", headers=bearer(tokens["aanbieder"]))).status_code == 401
    with Session(engine) as session:
        new = rotate_token(session, find_user(session, "oco"))
        session.commit()
    assert (await http.get("/api/tasks", headers=bearer(tokens["oco"]))).status_code == 401
    assert (await http.get("/api/tasks", headers=bearer(new))).status_code == 200


async def test_a_changed_role_or_organisation_is_seen_at_once(http, engine, tokens):
    headers = bearer(tokens["zorgkantoor"])
    assert (await http.get("/api/tasks", headers=headers)).status_code == 200
    with Session(engine) as session:
        org = session.exec(
            select(Organisation).where(Organisation.name == "Zorgkantoor Groningen")
        ).one()
        org.region = "Twente"
        session.add(org)
        session.commit()
    assert len(TOKENS) == 0  # every entry forgotten: the principals carry the org's region
    assert (await http.get("/api/tasks", headers=headers)).status_code == 200
    assert next(iter(TOKENS._entries.values())).principal.org_region == "Twente"


async def test_a_change_elsewhere_takes_effect_within_the_ttl(http, engine, tokens, monkeypatch):
    """Another process (the CLI) revokes: this process's cache does not hear of it, and
    the token works until its entry is ``token_cache_seconds`` old, not after."""
    headers = bearer(tokens["coordinator"])
    assert (await http.get("/api/tasks", headers=headers)).status_code == 200
    with engine.begin() as conn:  # around the ORM, as another process would
        conn.execute(text("UPDATE users SET active = false WHERE name = 'coordinator'"))
    assert (await http.get("/api/tasks", headers=headers)).status_code == 200  # cached
    now = auth.time.monotonic()
    ttl = get_settings().token_cache_seconds
    assert 0 < ttl <= 10  # documented as "a few seconds" (docs/security.md)
    monkeypatch.setattr(auth.time, "monotonic", lambda: now + ttl)
    assert (await http.get("/api/tasks", headers=headers)).status_code == 401


async def test_no_cache_when_switched_off(http, engine, tokens, monkeypatch):
    monkeypatch.setenv("CASUSREGIE_TOKEN_CACHE_SECONDS", "0")
    get_settings.cache_clear()
    headers = bearer(tokens["coordinator"])
    assert (await http.get("/api/tasks", headers=headers)).status_code == 200
    assert len(TOKENS) == 0
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET active = false WHERE name = 'coordinator'"))
    assert (await http.get("/api/tasks", headers=headers)).status_code == 401


async def test_an_entry_never_outlives_the_token(http, engine, tokens):
    headers = bearer(tokens["coordinator"])
    assert (await http.get("/api/tasks", headers=headers)).status_code == 200
    entry = TOKENS._entries[hash_token(tokens["coordinator"])]
    principal, stored = entry.principal, entry.stored
    past = datetime.now(UTC) - timedelta(seconds=1)
    TOKENS._entries[hash_token(tokens["coordinator"])] = type(entry)(principal, past, stored)
    with engine.begin() as conn:  # expired in the database too, around the ORM
        conn.execute(
            text("UPDATE users SET token_expires_at = :t WHERE name = 'coordinator'"), {"t": past}
        )
    r = await http.get("/api/tasks", headers=headers)
    assert r.status_code == 401 and r.json()["code"] == "token_expired"


PRINCIPAL = Principal(user_id="u1", name="A", role="aanbieder", org="Zorg")
LATER = datetime.now(UTC) + timedelta(days=1)


def test_a_check_that_read_before_an_invalidation_is_not_stored():
    cache = TokenCache()
    generation = cache.generation  # the check starts reading the database
    cache.forget_users(["u1"])  # a revoke commits meanwhile
    cache.put("h1", PRINCIPAL, LATER, generation)
    assert cache.get("h1", ttl=5) is None
    cache.put("h1", PRINCIPAL, LATER, cache.generation)
    assert cache.get("h1", ttl=5) == PRINCIPAL


def test_the_cache_is_bounded_oldest_first():
    cache = TokenCache(max_entries=3)
    for n in range(5):
        cache.put(f"h{n}", PRINCIPAL, LATER, cache.generation)
    assert len(cache) == 3
    assert cache.get("h0", 5) is None and cache.get("h1", 5) is None
    assert cache.get("h4", 5) == PRINCIPAL

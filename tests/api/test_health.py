"""``/healthz``: ok when Temporal and the database answer; 503 naming what is down."""

from __future__ import annotations

import httpx
from sqlmodel import create_engine

from tests.api.conftest import build_app


async def get_health(app) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        return await http.get("/healthz")


async def test_healthz_ok(api):
    r = await api.http.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "temporal": "ok", "db": "ok"}
    assert r.headers["x-request-id"]


async def test_healthz_503_when_temporal_is_down(engine, monkeypatch):
    monkeypatch.setenv("CASUSREGIE_TEMPORAL_ADDRESS", "127.0.0.1:1")
    from core.config import get_settings

    get_settings.cache_clear()
    r = await get_health(build_app(engine, None))
    assert r.status_code == 503
    assert r.json()["temporal"] == "down" and r.json()["db"] == "ok"
    assert "temporal" in r.json()["detail"]


async def test_healthz_503_when_the_database_is_down(api, tmp_path):
    broken = create_engine(f"sqlite:///{tmp_path}/missing-dir/x.db")
    r = await get_health(build_app(broken, api.temporal))
    assert r.status_code == 503
    assert r.json()["db"] == "down" and r.json()["temporal"] == "ok"


async def test_request_id_is_taken_over_when_sane(api):
    r = await api.http.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = await api.http.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert r.headers["x-request-id"] != "<script>"


async def test_api_starts_while_temporal_is_down(engine, monkeypatch):
    """The lifespan does not wait for Temporal; /healthz tells it is down."""
    from api.deps import get_db_engine
    from api.main import create_app
    from core.config import get_settings

    monkeypatch.setenv("CASUSREGIE_TEMPORAL_ADDRESS", "127.0.0.1:1")
    get_settings.cache_clear()
    app = create_app()
    app.dependency_overrides[get_db_engine] = lambda: engine
    async with app.router.lifespan_context(app):
        r = await get_health(app)
        assert r.status_code == 503 and r.json()["temporal"] == "down"

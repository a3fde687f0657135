"""Health: ``/healthz`` (Temporal, database and a polling worker; 503 naming what is
down), ``/readyz`` (this API can serve: Temporal and database), ``/livez``."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import httpx
from google.protobuf.timestamp_pb2 import Timestamp
from sqlmodel import create_engine
from temporalio.api.taskqueue.v1 import PollerInfo

from api.workers import POLLER_FRESH, fresh_pollers, worker_polling
from tests.api.conftest import build_app
from tests.api.live import Live


async def get_health(app, path: str = "/healthz") -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        return await http.get(path)


async def test_healthz_ok_with_a_polling_worker(live: Live):
    from core.config import get_settings

    deadline = time.monotonic() + 10  # the worker's first polls reach Temporal
    while not await worker_polling(live.temporal, get_settings().task_queue):
        assert time.monotonic() < deadline, "the worker never polled"
        await asyncio.sleep(0.1)
    r = await live.http.get("/healthz")
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ok", "temporal": "ok", "db": "ok", "worker": "ok"}
    assert r.headers["x-request-id"]
    r = await live.http.get("/readyz")
    assert (r.status_code, r.json()) == (200, {"status": "ready", "temporal": "ok", "db": "ok"})


async def test_no_worker_on_the_queue_is_unhealthy_but_ready(live: Live, monkeypatch):
    from core.config import get_settings

    monkeypatch.setenv("CASUSREGIE_TASK_QUEUE", "a-queue-nobody-polls")
    get_settings.cache_clear()
    app = build_app(live.engine, live.temporal)
    r = await get_health(app)
    assert r.status_code == 503
    assert r.json()["worker"] == "down" and r.json()["temporal"] == "ok"
    assert r.json()["detail"] == "unavailable: worker"
    assert (await get_health(app, "/readyz")).status_code == 200
    assert (await get_health(app, "/livez")).json() == {"status": "alive"}


def test_only_recently_seen_pollers_count():
    now = datetime.now(UTC)

    def poller(name: str, seen: datetime) -> PollerInfo:
        stamp = Timestamp()
        stamp.FromDatetime(seen)
        return PollerInfo(identity=name, last_access_time=stamp)

    pollers = [
        poller("polling", now - timedelta(seconds=3)),
        poller("long-poll", now - POLLER_FRESH + timedelta(seconds=1)),
        poller("killed", now - POLLER_FRESH - timedelta(seconds=1)),
    ]
    assert fresh_pollers(pollers, now) == ["polling", "long-poll"]
    assert fresh_pollers(pollers[2:], now) == []


async def test_healthz_503_when_temporal_is_down(engine, monkeypatch):
    monkeypatch.setenv("CASUSREGIE_TEMPORAL_ADDRESS", "127.0.0.1:1")
    from core.config import get_settings

    get_settings.cache_clear()
    app = build_app(engine, None)
    r = await get_health(app)
    assert r.status_code == 503
    assert r.json()["temporal"] == "down" and r.json()["db"] == "ok"
    assert r.json()["worker"] == "down"
    assert "temporal" in r.json()["detail"]
    r = await get_health(app, "/readyz")
    assert r.status_code == 503 and r.json()["temporal"] == "down"
    assert (await get_health(app, "/livez")).status_code == 200


async def test_healthz_503_when_the_database_is_down(api, tmp_path):
    broken = create_engine(f"sqlite:///{tmp_path}/missing-dir/x.db")
    app = build_app(broken, api.temporal)
    r = await get_health(app)
    assert r.status_code == 503
    assert r.json()["db"] == "down" and r.json()["temporal"] == "ok"
    r = await get_health(app, "/readyz")
    assert r.status_code == 503 and r.json()["db"] == "down"


async def test_request_id_is_taken_over_when_sane(api):
    r = await api.http.get("/livez", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = await api.http.get("/livez", headers={"X-Request-ID": "<script>"})
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

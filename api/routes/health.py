"""Health for people, load balancers and Kubernetes probes:

- ``GET /healthz``: is casusregie working? Temporal, the database **and a worker polling
  the task queue** (``"worker": "ok"``); 503 naming what is down. For monitoring and
  ``casusregie up``.
- ``GET /readyz``: can this API process serve requests? Temporal and the database
  answer (reads work; changes answer 503 with Retry-After while no worker runs). For a
  load balancer or a Kubernetes readiness probe: a missing worker must not take every
  API instance out of rotation.
- ``GET /livez``: the process answers (Kubernetes liveness: restart when this fails).
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.engine import Engine

from api.deps import EngineDep, TemporalProviderDep

router = APIRouter(tags=["health"])


def _db_ok(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means: not healthy
        return False


def _report(checks: dict[str, bool], ok_status: str) -> JSONResponse:
    body: dict[str, str] = {name: "ok" if up else "down" for name, up in checks.items()}
    down = [name for name, up in checks.items() if not up]
    body = {"status": ok_status if not down else "unavailable", **body}
    if down:
        body["detail"] = f"unavailable: {', '.join(down)}"
    return JSONResponse(body, status_code=503 if down else 200)


class HealthOut(BaseModel):
    status: Literal["ok", "ready", "unavailable"]
    temporal: Literal["ok", "down"]
    db: Literal["ok", "down"]
    worker: Literal["ok", "down"] | None = Field(
        default=None, description="a worker polls the task queue (/healthz only)"
    )
    detail: str | None = Field(default=None, description="what is down (503 only)")


DOWN: dict[int | str, dict[str, Any]] = {
    503: {"model": HealthOut, "description": "something this check needs is down"}
}


@router.get("/healthz", response_model=HealthOut, responses=DOWN)
async def healthz(engine: EngineDep, temporal: TemporalProviderDep) -> JSONResponse:
    db_ok, temporal_ok, worker_ok = await asyncio.gather(
        asyncio.to_thread(_db_ok, engine), temporal.check(), temporal.worker_ok()
    )
    return _report({"temporal": temporal_ok, "db": db_ok, "worker": worker_ok}, "ok")


@router.get("/readyz", response_model=HealthOut, responses=DOWN)
async def readyz(engine: EngineDep, temporal: TemporalProviderDep) -> JSONResponse:
    db_ok, temporal_ok = await asyncio.gather(asyncio.to_thread(_db_ok, engine), temporal.check())
    return _report({"temporal": temporal_ok, "db": db_ok}, "ready")


@router.get("/livez")
async def livez() -> JSONResponse:
    return JSONResponse({"status": "alive"})

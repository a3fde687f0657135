"""``GET /healthz``: is the API usable, i.e. are Temporal and the database reachable."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.engine import Engine

from api.deps import EngineDep, TemporalProviderDep

router = APIRouter(tags=["health"])


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"]
    temporal: Literal["ok", "down"]
    db: Literal["ok", "down"]
    detail: str | None = Field(default=None, description="what is down (503 only)")


def _db_ok(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means: not healthy
        return False


@router.get(
    "/healthz",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "Temporal or the database is down"}},
)
async def healthz(engine: EngineDep, temporal: TemporalProviderDep) -> JSONResponse:
    db_ok, temporal_ok = await asyncio.gather(asyncio.to_thread(_db_ok, engine), temporal.check())
    body = {"temporal": "ok" if temporal_ok else "down", "db": "ok" if db_ok else "down"}
    down = [name for name, state in body.items() if state != "ok"]
    body = {"status": "ok" if not down else "unavailable", **body}
    if down:
        body["detail"] = f"unavailable: {', '.join(down)}"
    return JSONResponse(body, status_code=503 if down else 200)

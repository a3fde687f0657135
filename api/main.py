"""The FastAPI application: one Temporal client (lazy), request ids, error handlers,
the JSON routers and the Dutch web pages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import errors, pages
from api.requestid import RequestIdMiddleware
from api.routes import audit, audit_pages, cases, codec, health, notifications, tasks
from api.temporal import TemporalProvider, TemporalUnavailable
from core.config import get_settings

log = structlog.get_logger()
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


async def _connect_early(provider: TemporalProvider) -> None:
    try:
        await provider.client()
    except TemporalUnavailable:
        log.warning("api_started_without_temporal")  # requests retry; /healthz says so


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """One Temporal client for the app, connected in the background: the API serves (and
    /healthz reports "temporal": "down") while Temporal is still starting or away."""
    provider = TemporalProvider(get_settings())
    app.state.temporal = provider
    connecting = asyncio.create_task(_connect_early(provider))
    yield
    connecting.cancel()


def create_app() -> FastAPI:
    app = FastAPI(title="casusregie", version="0.1.0", lifespan=lifespan)
    app.add_middleware(RequestIdMiddleware)
    errors.install(app)
    for router in (
        health.router,
        cases.router,
        tasks.router,
        audit.router,
        notifications.router,
        audit_pages.router,
        codec.router,
    ):
        app.include_router(router)
    pages.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


app = create_app()

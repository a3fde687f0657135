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

from api import docs, errors, pages
from api.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from api.requestid import RequestIdMiddleware
from api.routes import (
    audit,
    audit_pages,
    cases,
    codec,
    health,
    metrics,
    monitor,
    notifications,
    reports,
    signals,
    tasks,
)
from api.temporal import TemporalProvider, TemporalUnavailable
from core.config import get_settings
from core.telemetry import instrument_app

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
    settings = get_settings()
    app = FastAPI(
        title="casusregie",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served offline by api/docs.py
        redoc_url=None,
    )
    # outermost last: request id, then security headers, then the body limit (before
    # anything reads a body), then the OIDC login state
    if settings.oidc_enabled:
        from api.oidc import OidcStateMiddleware, issuer_origin

        app.add_middleware(OidcStateMiddleware, settings=settings)
        form_targets: tuple[str, ...] = (issuer_origin(settings),)
    else:
        form_targets = ()
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware, form_targets=form_targets)
    app.add_middleware(RequestIdMiddleware)
    errors.install(app)
    docs.install(app)
    for router in (
        health.router,
        cases.router,
        tasks.router,
        signals.router,
        audit.router,
        notifications.router,
        audit_pages.router,
        monitor.router,
        reports.router,
        metrics.router,
        codec.router,
    ):
        app.include_router(router)
    pages.install(app, oidc=settings.oidc_enabled)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    instrument_app(app)  # traces, when OTEL_EXPORTER_OTLP_ENDPOINT is set
    return app


app = create_app()

"""Exception handlers: nothing a caller causes becomes a 500; JSON under ``/api`` (and
the health probes), a readable Dutch page for the web pages."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger()

DUTCH_TITLES = {
    400: "Ongeldig verzoek",
    401: "Niet aangemeld",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    409: "Conflict",
    422: "Ongeldige invoer",
    503: "Tijdelijk niet beschikbaar",
}


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api") or path in ("/healthz", "/readyz", "/livez")


def _error_page(
    request: Request, status: int, detail: Any, headers: dict[str, str] | None = None
) -> Response:
    from api.pages.render import render_error  # the page layer is optional for JSON

    return render_error(request, status, DUTCH_TITLES.get(status, "Fout"), detail, headers)


def respond(
    request: Request, status: int, detail: Any, headers: dict[str, str] | None = None
) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    return _error_page(request, status, detail, headers)


def validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Field, message and type only: the rejected input (possibly client data) is not
    echoed back."""
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return respond(request, exc.status_code, exc.detail, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return respond(request, 422, validation_details(exc))

    @app.exception_handler(OperationalError)
    async def db_down(request: Request, exc: OperationalError) -> Response:
        log.error("database_error", error=type(exc.orig).__name__)
        return respond(request, 503, "de database is niet bereikbaar (database unavailable)")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled_error", path=request.url.path)
        return respond(
            request,
            500,
            "interne fout (internal error); see the server log with this request's X-Request-ID",
        )


__all__ = ["HTTPException", "install", "respond", "wants_json"]

"""Errors: one shape for every JSON error, a stable ``code`` beside the English ``detail``,
and a readable Dutch page for the web pages (which translate the code).

JSON errors are ``{"detail": "<English sentence>", "code": "<code>"}``; validation
errors (422) are ``{"detail": [{"loc": [...], "msg": "...", "type": "..."}], "code":
"invalid_input"}``. Nothing a caller causes becomes a 500.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger()

# the code of an error without a more specific one, by HTTP status
CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}

DUTCH_TITLES = {
    400: "Ongeldig verzoek",
    401: "Niet aangemeld",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Niet mogelijk",
    409: "Niet meer mogelijk",
    413: "Te groot",
    422: "Niet goed ingevuld",
    429: "Te veel verzoeken",
    500: "Er ging iets mis",
    503: "Even niet bereikbaar",
}


class ApiError(HTTPException):
    """An HTTP error with a stable ``code`` (the pages translate it into Dutch) and,
    for the pages, an optional Dutch sentence that says more than the code."""

    def __init__(
        self,
        status_code: int,
        detail: Any,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        dutch: str | None = None,
    ) -> None:
        super().__init__(status_code, detail, headers)
        self.code = code or CODE_BY_STATUS.get(status_code, "error")
        self.dutch = dutch


def invalid(loc: list[str | int], msg: str, type_: str = "value_error", code: str = "") -> ApiError:
    """A 422 in the same shape as FastAPI's validation errors (one item)."""
    return ApiError(
        422, [{"loc": loc, "msg": msg, "type": type_}], code=code or CODE_BY_STATUS[422]
    )


def error_code(exc: Exception, status: int) -> str:
    return getattr(exc, "code", None) or CODE_BY_STATUS.get(status, "error")


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api", "/codec")) or path in (
        "/healthz",
        "/readyz",
        "/livez",
        "/openapi.json",
    )


def as_issue_list(detail: Any) -> list[dict[str, Any]]:
    """A 422's detail as a list of ``{loc, msg, type}`` (a plain sentence becomes one)."""
    if isinstance(detail, list):
        return detail
    return [{"loc": [], "msg": str(detail), "type": "value_error"}]


def respond(
    request: Request,
    status: int,
    detail: Any,
    headers: dict[str, str] | None = None,
    code: str | None = None,
    dutch: str | None = None,
) -> Response:
    code = code or CODE_BY_STATUS.get(status, "error")
    if status == 422:
        detail = as_issue_list(detail)
    elif not isinstance(detail, str):
        detail = str(detail)
    if wants_json(request):
        return JSONResponse({"detail": detail, "code": code}, status_code=status, headers=headers)
    from api.pages.render import render_error  # the page layer is optional for JSON

    title = DUTCH_TITLES.get(status, "Fout")
    return render_error(request, status, title, detail, code, dutch, headers)


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
        return respond(
            request,
            exc.status_code,
            exc.detail,
            getattr(exc, "headers", None),
            error_code(exc, exc.status_code),
            getattr(exc, "dutch", None),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, exc: RequestValidationError) -> Response:
        return respond(request, 422, validation_details(exc))

    @app.exception_handler(OperationalError)
    async def db_down(request: Request, exc: OperationalError) -> Response:
        log.error("database_error", error=type(exc.orig).__name__)
        return respond(request, 503, "database unavailable; nothing was changed, retry later")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled_error", path=request.url.path)
        return respond(
            request,
            500,
            "internal error; see the server log with this request's X-Request-ID",
        )


__all__ = ["ApiError", "HTTPException", "install", "invalid", "respond", "wants_json"]

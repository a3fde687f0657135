"""Request ids: taken from ``X-Request-ID`` when sane, else new; bound to every log line
of the request (structlog contextvars) and echoed in the response."""

from __future__ import annotations

import re

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.logging import bind_request

HEADER = "x-request-id"
SANE = re.compile(r"[A-Za-z0-9._\-]{1,64}")


def current_request_id() -> str | None:
    return structlog.contextvars.get_contextvars().get("request_id")


class RequestIdMiddleware:
    """Pure ASGI middleware (keeps contextvars visible to the route and its logs)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER.encode(), b"").decode("latin-1")
        request_id = bind_request(given if SANE.fullmatch(given) else None)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        # not cleared afterwards: the error handler outside still logs with the id, and
        # the next request starts with bind_request()'s clear
        await self.app(scope, receive, send_with_id)

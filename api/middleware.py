"""Pure ASGI middleware around the whole app: security headers and ``Cache-Control:
no-store`` on every response (static files excepted), and the request-body limit.

The body limit runs before anything reads the body (authentication, JSON parsing, form
parsing): a declared ``Content-Length`` over the limit is answered with 413 at once, and
a chunked body is counted while it streams and cut off with 413 at the limit.
"""

from __future__ import annotations

import json

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC_PREFIX = "/static/"
HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy(form_targets: tuple[str, ...] = ()) -> str:
    """No inline script or style anywhere: every script and stylesheet is a file under
    ``/static``. ``form_targets`` adds origins a form may lead to (the identity
    provider's logout after ``POST /logout``)."""
    form_action = " ".join(("'self'", *form_targets))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; "
        f"form-action {form_action}; frame-ancestors 'none'"
    )


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, form_targets: tuple[str, ...] = ()) -> None:
        self.app = app
        self.csp = content_security_policy(form_targets).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith(STATIC_PREFIX)
        tls = scope.get("scheme") == "https"  # after uvicorn's trusted proxy headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if static or k.lower() != b"cache-control"
                ]
                headers += [
                    (b"content-security-policy", self.csp),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                if not static:  # client data: never kept by the browser or a proxy
                    headers += [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]
                if tls:
                    headers.append((b"strict-transport-security", HSTS.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit (FastAPI re-raises
    HTTP exceptions from body parsing as they are, so the error handlers answer 413)."""

    code = "body_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_detail(limit))


def too_large_detail(limit: int) -> str:
    return f"request body too large: at most {limit} bytes are accepted"


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = json.dumps(
            {"detail": too_large_detail(self.max_bytes), "code": "body_too_large"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = False  # the server rejects a malformed length itself
            if too_big:
                await self._refuse(scope, send)
                return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, send)

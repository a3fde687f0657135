"""Web sessions and CSRF for the pages.

The session lives on the server (``db/sessions.py``); the cookie (HttpOnly,
SameSite=Lax, ``Secure`` when the request came over TLS, also via a trusted proxy)
carries only a random value whose hash names the row. Logout ends the row, so a cookie
copied before logout opens nothing.

CSRF: the token of a signed-in page is the session's own (stored with it); a form
posted with another session's token, or none, is refused. Before sign-in (the sign-in
form) the token is an HMAC of a random cookie under the server's key, so a cookie the
attacker chose cannot be paired with a form field of his own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response
from sqlmodel import Session

from api.errors import ApiError
from core.config import Settings
from db.models import WebSession
from db.sessions import active_session

SESSION_COOKIE = "casusregie_session"
CSRF_COOKIE = "casusregie_csrf"
CSRF_FIELD = "csrf_token"


def secure(request: Request) -> bool:
    """The request reached us over TLS (uvicorn sets the scheme from X-Forwarded-Proto
    only for proxies in ``CASUSREGIE_FORWARDED_ALLOW_IPS``)."""
    return request.url.scheme == "https"


def web_session(request: Request, db: Session, settings: Settings) -> WebSession | None:
    """The request's live session (looked up once per request)."""
    if not hasattr(request.state, "web_session"):
        request.state.web_session = active_session(
            db, settings, request.cookies.get(SESSION_COOKIE)
        )
    row: WebSession | None = request.state.web_session
    return row


def set_session_cookie(
    response: Response, request: Request, value: str, settings: Settings
) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=settings.session_absolute_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def _anonymous_token(settings: Settings, nonce: str) -> str:
    key = settings.derived_key("csrf-anonymous")
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request, settings: Settings) -> str:
    """The CSRF token for the forms of this page."""
    row: WebSession | None = getattr(request.state, "web_session", None)
    if row is not None:
        return row.csrf_token
    nonce = request.cookies.get(CSRF_COOKIE)
    if not nonce or not 32 <= len(nonce) <= 100:
        nonce = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_csrf = nonce
    return _anonymous_token(settings, nonce)


def set_csrf_cookie(response: Response, request: Request) -> None:
    nonce = getattr(request.state, "new_csrf", None)
    if nonce:
        response.set_cookie(
            CSRF_COOKIE,
            nonce,
            httponly=True,
            samesite="strict",
            secure=secure(request),
            path="/",
        )


def verify_csrf(request: Request, db: Session, settings: Settings, submitted: str) -> None:
    row = web_session(request, db, settings)
    if row is not None:
        expected = row.csrf_token
    else:
        nonce = request.cookies.get(CSRF_COOKIE) or ""
        expected = _anonymous_token(settings, nonce) if nonce else ""
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise ApiError(403, "CSRF token missing or not of this session", code="csrf_invalid")

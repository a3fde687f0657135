"""Web sessions and CSRF for the pages.

The sign-in form exchanges an API token for a session cookie (HttpOnly, SameSite=Lax):
``<user id>.<issued>.<HMAC>``, signed with a key derived from the secret and bound to
the user's current token hash (a new token ends old sessions). The token itself is
never stored in the cookie.

CSRF: double submit. A random ``csrf`` cookie (HttpOnly, SameSite=Strict) is set on
any page; every POST form carries the same value in a hidden field, compared in
constant time before anything is done.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from fastapi import HTTPException, Request, Response

from core.config import Settings

SESSION_COOKIE = "casusregie_session"
CSRF_COOKIE = "casusregie_csrf"
CSRF_FIELD = "csrf_token"
SESSION_SECONDS = 12 * 3600


def _sign(settings: Settings, *parts: str) -> str:
    key = settings.derived_key("web-session")
    return hmac.new(key, "|".join(parts).encode(), hashlib.sha256).hexdigest()


def session_value(settings: Settings, user_id: str, token_hash: str) -> str:
    issued = str(int(time.time()))
    return f"{user_id}.{issued}.{_sign(settings, user_id, issued, token_hash)}"


def session_user_id(settings: Settings, value: str | None) -> tuple[str, str, str] | None:
    """(user id, issued, signature) when well-formed and not expired; the signature is
    checked against the user's token hash by the caller (``check_session``)."""
    if not value or value.count(".") != 2:
        return None
    user_id, issued, signature = value.split(".")
    if not issued.isdigit() or time.time() - int(issued) > SESSION_SECONDS:
        return None
    return user_id, issued, signature


def check_session(
    settings: Settings, user_id: str, issued: str, signature: str, token_hash: str
) -> bool:
    return hmac.compare_digest(signature, _sign(settings, user_id, issued, token_hash))


def set_session(response: Response, request: Request, value: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def csrf_token(request: Request) -> str:
    """The request's CSRF token: the cookie's, or a new one (set by ``render``)."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) < 32:
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def set_csrf_cookie(response: Response, request: Request) -> None:
    token = getattr(request.state, "new_csrf", None)
    if token:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )


def verify_csrf(request: Request, submitted: str | None) -> None:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        raise HTTPException(
            403,
            "Het formulier is verlopen of ongeldig (CSRF). "
            "Laad de pagina opnieuw en probeer het nog eens.",
        )

"""Sign in (``/``): with the organisation's identity provider (``/auth/oidc/login``,
api/pages/sso.py) or, as a fallback for development, with a personal key (the API
token); sign out.

A page asked for without a session sends the browser here and back afterwards
(``?terug=``). A form sent after the session expired is not lost: the sign-in page
carries what was typed (hidden fields), and after signing in with a key the same form
is shown again, filled in, to check and send (``api/pages/refill.py``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from api.auth import check_token
from api.deps import SessionDep, SettingsDep
from api.errors import ApiError
from api.pages.deps import CheckedForm, LoginRequired, get_page_user
from api.pages.refill import KEPT, kept_values, refill
from api.pages.render import render
from api.pages.session import (
    CSRF_FIELD,
    clear_session_cookie,
    set_session_cookie,
    web_session,
)
from core.config import Settings, get_settings
from db.sessions import create_session, end_session

router = APIRouter()


def safe_return(path: str | None) -> str | None:
    """A path on this site to go back to (never another site)."""
    if not path or not path.startswith("/") or "\\" in path:
        return None
    if any(ord(c) < 33 or ord(c) == 127 for c in path) or path[1:2] == "/":
        return None  # browsers drop tabs and newlines: "/\t/x" would become "//x"
    return path[:2000]


def sign_in_context(
    settings: Settings,
    error: str | None = None,
    expired: bool = False,
    terug: str | None = None,
    kept: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    return {
        "error": error,
        "expired": expired,
        "terug": terug,
        "kept": kept or [],
        "oidc": settings.oidc_enabled,
        "oidc_name": settings.oidc_display_name,
        "token_sign_in": settings.token_sign_in_enabled,
        "absolute_hours": settings.session_absolute_hours,
    }


@router.get("/")
def sign_in_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    terug: str | None = None,
    verlopen: str | None = None,
) -> Response:
    try:
        get_page_user(request, session, settings)
        return RedirectResponse(safe_return(terug) or "/start", status_code=303)
    except LoginRequired:
        context = sign_in_context(settings, expired=verlopen == "1", terug=safe_return(terug))
        return render(request, "sign_in.html", context)


def sign_in_form(
    request: Request,
    terug: str | None,
    kept: list[tuple[str, str]],
    status: int = 200,
    error: str | None = None,
    expired: bool = False,
) -> Response:
    context = sign_in_context(get_settings(), error, expired, terug, kept)
    return render(request, "sign_in.html", context, status=status)


def start_session(
    request: Request,
    session: Session,
    settings: Settings,
    user_id: str,
    method: str,
    id_token_hint: str | None = None,
    target: str | None = None,
) -> RedirectResponse:
    """A new server-side session and the redirect (the start page, or the page asked
    for) that carries its cookie."""
    new = create_session(session, settings, user_id, method, id_token_hint)
    response = RedirectResponse(safe_return(target) or "/start", status_code=303)
    set_session_cookie(response, request, new.cookie, settings)
    return response


@router.post("/login")
async def sign_in(
    request: Request, form: CheckedForm, session: SessionDep, settings: SettingsDep
) -> Response:
    if not settings.token_sign_in_enabled:
        raise ApiError(
            404,
            "token sign-in is off; sign in with the identity provider",
            dutch="Aanmelden met een sleutel staat uit. Meld u aan via uw organisatie.",
        )
    token = str(form.get("token") or "").strip()
    check = check_token(session, settings, token) if token else None
    terug = safe_return(str(form.get("terug") or ""))
    kept = kept_values(form)
    if check is None or check.principal is None:
        message = (
            "Deze sleutel is verlopen. Vraag uw beheerder om een nieuwe."
            if check is not None and check.expired
            else "Deze sleutel kennen we niet, of hij is niet meer geldig. Controleer de "
            "sleutel of vraag uw beheerder om een nieuwe."
        )
        return sign_in_form(
            request,
            terug,
            [(f"{KEPT}{k}", v) for k, values in kept.items() for v in _list(values)],
            status=401,
            error=message,
            expired=bool(kept),
        )
    principal = check.principal
    old = web_session(request, session, settings)
    if old is not None:  # a new sign-in never continues an old session
        end_session(session, old, "replaced")
    new = create_session(session, settings, principal.user_id, "token")
    # the page rendered in this response carries the new session's CSRF token
    request.state.web_session = new.row
    request.state.principal = principal
    response: Response | None = None
    if terug and kept:
        response = await refill(request, session, settings, principal, terug, kept)
    if response is None:
        response = RedirectResponse(terug or "/start", status_code=303)
    set_session_cookie(response, request, new.cookie, settings)
    return response


def _list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


@router.post("/logout")
async def sign_out(
    request: Request, form: CheckedForm, session: SessionDep, settings: SettingsDep
) -> Response:
    row = web_session(request, session, settings)
    response: Response = RedirectResponse("/", status_code=303)
    if row is not None:
        end_session(session, row, "logout")
        if row.method == "oidc" and settings.oidc_enabled:
            from api.pages.sso import provider_logout

            response = await provider_logout(request, settings, row.id_token_hint)
    clear_session_cookie(response)
    return response


__all__ = ["CSRF_FIELD", "router", "safe_return", "sign_in_form", "start_session"]

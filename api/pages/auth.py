"""Sign in (``/``): with the organisation's identity provider (``/auth/oidc/login``,
api/pages/sso.py) or, as a fallback for development, with an API token; sign out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from api.auth import check_token
from api.deps import SessionDep, SettingsDep
from api.errors import ApiError
from api.pages.deps import CheckedForm, LoginRequired, get_page_user
from api.pages.render import render
from api.pages.session import clear_session_cookie, set_session_cookie, web_session
from core.config import Settings
from db.sessions import create_session, end_session

router = APIRouter()


def sign_in_context(
    settings: Settings, error: str | None = None, expired: bool = False
) -> dict[str, Any]:
    return {
        "error": error,
        "expired": expired,
        "oidc": settings.oidc_enabled,
        "oidc_name": settings.oidc_display_name,
        "token_sign_in": settings.token_sign_in_enabled,
    }


@router.get("/")
def sign_in_page(
    request: Request, session: SessionDep, settings: SettingsDep, verlopen: str | None = None
) -> Response:
    try:
        get_page_user(request, session, settings)
        return RedirectResponse("/inbox", status_code=303)
    except LoginRequired:
        return render(request, "sign_in.html", sign_in_context(settings, expired=verlopen == "1"))


def start_session(
    request: Request,
    session: Session,
    settings: Settings,
    user_id: str,
    method: str,
    id_token_hint: str | None = None,
) -> RedirectResponse:
    """A new server-side session and the redirect to the inbox that carries its cookie."""
    new = create_session(session, settings, user_id, method, id_token_hint)
    response = RedirectResponse("/inbox", status_code=303)
    set_session_cookie(response, request, new.cookie, settings)
    return response


@router.post("/login")
def sign_in(
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
    if check is None or check.principal is None:
        message = (
            "Deze sleutel is verlopen. Vraag uw beheerder om een nieuwe."
            if check is not None and check.expired
            else "Onbekende of verlopen sleutel. Controleer de token."
        )
        return render(request, "sign_in.html", sign_in_context(settings, error=message), status=401)
    old = web_session(request, session, settings)
    if old is not None:  # a new sign-in never continues an old session
        end_session(session, old, "replaced")
    return start_session(request, session, settings, check.principal.user_id, "token")


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

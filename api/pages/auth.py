"""Sign in with an API token (``/``) and sign out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import principal_for_token
from api.deps import SessionDep, SettingsDep
from api.pages.deps import CheckedForm, LoginRequired, get_page_user
from api.pages.render import render
from api.pages.session import clear_session, session_value, set_session
from core.security import hash_token

router = APIRouter()


@router.get("/")
def sign_in_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    try:
        get_page_user(request, session, settings)
        return RedirectResponse("/inbox", status_code=303)
    except LoginRequired:
        return render(request, "sign_in.html")


@router.post("/login")
def sign_in(
    request: Request, form: CheckedForm, session: SessionDep, settings: SettingsDep
) -> Response:
    token = str(form.get("token") or "").strip()
    principal = principal_for_token(session, token) if token else None
    if principal is None:
        return render(
            request,
            "sign_in.html",
            {"error": "Onbekende of verlopen sleutel. Controleer de token."},
            status=401,
        )
    response = RedirectResponse("/inbox", status_code=303)
    set_session(response, request, session_value(settings, principal.user_id, hash_token(token)))
    return response


@router.post("/logout")
def sign_out(form: CheckedForm) -> Response:
    response = RedirectResponse("/", status_code=303)
    clear_session(response)
    return response

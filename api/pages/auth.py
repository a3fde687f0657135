"""Sign in with a personal key (the API token) at ``/`` and sign out.

A page asked for without a session sends the browser here and back afterwards
(``?terug=``). A form sent after the session expired is not lost: the sign-in page
carries what was typed (hidden fields), and after signing in the same form is shown
again, filled in, to check and send (``api/pages/refill.py``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import principal_for_token
from api.deps import SessionDep, SettingsDep
from api.pages.deps import CheckedForm, LoginRequired, get_page_user
from api.pages.refill import KEPT, kept_values, refill
from api.pages.render import render
from api.pages.session import CSRF_FIELD, clear_session, session_value, set_session
from core.security import hash_token

router = APIRouter()


def safe_return(path: str | None) -> str | None:
    """A path on this site to go back to (never another site)."""
    if not path or not path.startswith("/") or "\\" in path:
        return None
    if any(ord(c) < 33 or ord(c) == 127 for c in path) or path[1:2] == "/":
        return None  # browsers drop tabs and newlines: "/\t/x" would become "//x"
    return path[:2000]


@router.get("/")
def sign_in_page(
    request: Request, session: SessionDep, settings: SettingsDep, terug: str | None = None
) -> Response:
    try:
        get_page_user(request, session, settings)
        return RedirectResponse(safe_return(terug) or "/start", status_code=303)
    except LoginRequired:
        return render(request, "sign_in.html", {"terug": safe_return(terug), "kept": []})


def sign_in_form(
    request: Request,
    terug: str | None,
    kept: list[tuple[str, str]],
    status: int = 200,
    error: str | None = None,
    expired: bool = False,
) -> Response:
    return render(
        request,
        "sign_in.html",
        {"terug": terug, "kept": kept, "error": error, "expired": expired},
        status=status,
    )


@router.post("/login")
async def sign_in(
    request: Request, form: CheckedForm, session: SessionDep, settings: SettingsDep
) -> Response:
    token = str(form.get("token") or "").strip()
    principal = principal_for_token(session, token) if token else None
    terug = safe_return(str(form.get("terug") or ""))
    kept = kept_values(form)
    if principal is None:
        return sign_in_form(
            request,
            terug,
            [(f"{KEPT}{k}", v) for k, values in kept.items() for v in _list(values)],
            status=401,
            error="Deze sleutel kennen we niet, of hij is niet meer geldig. Controleer de "
            "sleutel of vraag uw beheerder om een nieuwe.",
            expired=bool(kept),
        )
    request.state.principal = principal
    cookie = session_value(settings, principal.user_id, hash_token(token))
    response: Response | None = None
    if terug and kept:
        response = await refill(request, session, settings, principal, terug, kept)
    if response is None:
        response = RedirectResponse(terug or "/start", status_code=303)
    set_session(response, request, cookie)
    return response


def _list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


@router.post("/logout")
def sign_out(form: CheckedForm) -> Response:
    response = RedirectResponse("/", status_code=303)
    clear_session(response)
    return response


__all__ = ["CSRF_FIELD", "router", "safe_return", "sign_in_form"]

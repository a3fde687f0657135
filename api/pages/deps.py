"""Dependencies of the pages: the signed-in user (from the server-side session) and CSRF."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.auth import principal_for_user
from api.deps import SessionDep, SettingsDep
from api.errors import invalid
from api.pages.session import CSRF_FIELD, SESSION_COOKIE, verify_csrf, web_session
from api.scoping import Principal
from domain.text import has_control_characters


class LoginRequired(Exception):
    """No live session: the handler sends the browser to the sign-in page."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("login required")
        self.expired = expired


def get_page_user(request: Request, session: SessionDep, settings: SettingsDep) -> Principal:
    had_cookie = bool(request.cookies.get(SESSION_COOKIE))
    row = web_session(request, session, settings)
    if row is None:
        raise LoginRequired(expired=had_cookie)
    principal = principal_for_user(session, row.user_id)
    if principal is None:  # revoked in the meantime
        raise LoginRequired(expired=True)
    request.state.principal = principal
    return principal


PageUser = Annotated[Principal, Depends(get_page_user)]


async def csrf_checked(
    request: Request, session: SessionDep, settings: SettingsDep
) -> dict[str, object]:
    """The submitted form, after its CSRF token matched the session's."""
    form = await request.form()
    verify_csrf(request, session, settings, str(form.get(CSRF_FIELD) or ""))
    return {key: form.getlist(key) if len(form.getlist(key)) > 1 else form.get(key) for key in form}


CheckedForm = Annotated[dict[str, object], Depends(csrf_checked)]


def search_term(zoek: str | None = None) -> str:
    """The search box (``?zoek=``): trimmed, at most 64 characters, no control or
    invisible characters (a 422, like the API's names)."""
    text = (zoek or "").strip()[:64]
    if has_control_characters(text):
        raise invalid(
            ["query", "zoek"],
            "must not contain control or invisible characters",
            "control_characters",
        )
    return text


SearchTerm = Annotated[str, Depends(search_term)]

"""Dependencies of the pages: the signed-in user (from the session cookie) and CSRF."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.auth import principal_for_user
from api.deps import SessionDep, SettingsDep
from api.pages.session import (
    CSRF_FIELD,
    SESSION_COOKIE,
    check_session,
    session_user_id,
    verify_csrf,
)
from api.scoping import Principal


class LoginRequired(Exception):
    """No valid session: the handler sends the browser to the sign-in page."""


def get_page_user(request: Request, session: SessionDep, settings: SettingsDep) -> Principal:
    parsed = session_user_id(settings, request.cookies.get(SESSION_COOKIE))
    if parsed is None:
        raise LoginRequired
    found = principal_for_user(session, parsed[0])
    if found is None or not check_session(settings, *parsed, token_hash=found[1]):
        raise LoginRequired
    request.state.principal = found[0]
    return found[0]


PageUser = Annotated[Principal, Depends(get_page_user)]


async def csrf_checked(request: Request) -> dict[str, object]:
    """The submitted form, after its CSRF token matched the cookie."""
    form = await request.form()
    verify_csrf(request, str(form.get(CSRF_FIELD) or ""))
    return {key: form.getlist(key) if len(form.getlist(key)) > 1 else form.get(key) for key in form}


CheckedForm = Annotated[dict[str, object], Depends(csrf_checked)]

"""Back to a filled-in form after signing in again.

A form sent after the session expired arrives at the sign-in page (``LoginRequired``
on a POST): its fields travel along as hidden inputs named ``bewaard:<name>`` (never
the CSRF token) and ``terug`` says where the form was sent. After signing in, the page
of that form is shown again with what was typed, to check and send; nothing is done
before the person sends it again. A form this module does not know goes back to its
page empty (``None``: the caller redirects)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session

from api.pages.messages import FormErrors
from api.pages.session import CSRF_FIELD
from api.scoping import Principal
from core.config import Settings

KEPT = "bewaard:"
AGAIN = "U bent weer aangemeld. Controleer wat u invulde en verstuur het formulier opnieuw."


def kept_values(form: dict[str, Any]) -> dict[str, Any]:
    return {k[len(KEPT) :]: v for k, v in form.items() if k.startswith(KEPT)}


def carried(form: dict[str, Any]) -> list[tuple[str, str]]:
    """A posted form as hidden inputs of the sign-in page."""
    pairs = []
    for key, value in form.items():
        if key == CSRF_FIELD or key.startswith(KEPT) or key in ("bevestigd",):
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                pairs.append((f"{KEPT}{key}", item))
    return pairs


async def refill(
    request: Request,
    session: Session,
    settings: Settings,
    principal: Principal,
    path: str,
    values: dict[str, Any],
) -> Response | None:
    from api.pages import cases, inbox, settings_pages, signals

    try:
        if match := re.fullmatch(r"/tasks/([\w-]+)", path):
            ctx = inbox._task_context(session, principal, match.group(1), settings)
            return inbox._page(request, ctx, values, flash=AGAIN)
        if path == "/cases/new" and principal.role == "coordinator":
            form_values = cases.new_case_values(principal, values)
            return cases._new_case_form(request, form_values, FormErrors(), flash=AGAIN)
        if match := re.fullmatch(r"/cases/([\w-]+)/action", path):
            action = str(values.get("action") or "")
            if action in cases.ACTION_PAGES:
                case, page = cases._scoped_action(session, principal, match.group(1), action)
                ref = cases._ref(session, principal, case)
                return cases._action_page(
                    request, case, page, values, FormErrors(), client_ref=ref, flash=AGAIN
                )
            return None
        if path == "/signalen/nieuw":
            return signals._form(request, values, FormErrors(), flash=AGAIN)
        return await settings_pages.refill(request, session, principal, path, values, AGAIN)
    except HTTPException:  # no longer allowed or gone: go to the page itself
        return None

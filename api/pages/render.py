"""Jinja2 rendering of the Dutch pages, with the signed-in user and CSRF token."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from api.pages import messages as messages_nl
from api.pages.context import phase_number
from api.pages.session import CSRF_FIELD, csrf_token, set_csrf_cookie
from api.requestid import current_request_id
from core.config import get_settings
from db.sessions import ends_at
from domain import labels
from domain.casedata import CASE_DATA_FIELDS
from domain.codes import CONSENT_GIVERS
from domain.definitions import definition
from domain.display import field_label, format_value


def _day(iso: object) -> str:
    """An ISO date (or datetime) as '26 november 2026'; as given when it is no date."""
    try:
        return labels.dutch_day(date.fromisoformat(str(iso)[:10]))
    except ValueError:
        return str(iso)


TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates" / "pages"
STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "style.css"
templates = Jinja2Templates(directory=TEMPLATES_DIR)
# a form's hidden idempotency key: a double submit (or a retry after an error page) is
# applied once (api/services/idempotency.py)
IDEMPOTENCY_FIELD = "idempotency_key"
templates.env.globals.update(
    labels=labels,
    csrf_field=CSRF_FIELD,
    consent_givers=CONSENT_GIVERS,
    case_data_fields=CASE_DATA_FIELDS,
    idempotency_field=IDEMPOTENCY_FIELD,
    new_key=lambda: str(uuid.uuid4()),
    phase_number=phase_number,
)
templates.env.filters.update(
    waarde=lambda value, name: format_value(name, value),
    veldnaam=field_label,
    geld=labels.format_money,
    task_title=lambda key, version: definition(version).task(key).title,
    dag=_day,
    capacity_choice=lambda code: (code, labels.label(labels.CAPACITIES, code)),
    pair=lambda value: (value, value),
)
templates.env.filters.update(
    datum=labels.format_date, datumtijd=labels.format_datetime, dagen=labels.format_days_left
)


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    settings = get_settings()
    row = getattr(request.state, "web_session", None)
    ctx = {
        "principal": getattr(request.state, "principal", None),
        "csrf": csrf_token(request, settings),
        "now": datetime.now(UTC),
        # the page warns before the session ends (static/session.js reads these)
        "session_seconds_left": (
            int((ends_at(row, settings) - datetime.now(UTC)).total_seconds()) if row else None
        ),
        "session_warning_seconds": settings.session_warning_minutes * 60,
        "session_idle_minutes": settings.session_idle_minutes,
        "digest_hour": settings.digest_hour,
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, ctx, status_code=status, headers=headers)
    set_csrf_cookie(response, request)
    return response


def render_form(
    request: Request,
    name: str,
    values: dict[str, Any],
    errors: messages_nl.FormErrors,
    status: int = 200,
    flash: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """A form page: the values to show again, the errors per field (with the summary
    at the top), an optional confirmation (``flash``) and the page's own ``context``."""
    return render(
        request, name, {"values": values, "errors": errors, "flash": flash, **context}, status
    )


def form_key(values: dict[str, Any]) -> str:
    """The form's idempotency key: the one it was posted with, or a new one."""
    return str(values.get(IDEMPOTENCY_FIELD) or secrets.token_urlsafe(16))


def render_error(
    request: Request,
    status: int,
    title: str,
    detail: Any,
    code: str | None = None,
    dutch: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The Dutch error page, never the service's English text or a field path: the
    page's own Dutch sentence, a refusal it knows, or the sentence of the error's code;
    for validation errors one sentence per field. A 500 shows the request id to pass on."""
    messages = [dutch or messages_nl.dutch(status, detail, code)]
    if status == 422 and isinstance(detail, list):
        messages += messages_nl.issue_sentences(detail)
    return render(
        request,
        "error.html",
        {
            "status": status,
            "title": title,
            "messages": messages,
            "code": code,
            "request_id": current_request_id() if status >= 500 else None,
        },
        status=status,
        headers=headers,
    )

"""Jinja2 rendering of the Dutch pages, with the signed-in user and CSRF token."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from api.pages.context import phase_number
from api.pages.messages import TITLES, dutch
from api.pages.session import CSRF_FIELD, csrf_token, set_csrf_cookie
from api.requestid import current_request_id
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
templates.env.globals.update(
    labels=labels,
    csrf_field=CSRF_FIELD,
    consent_givers=CONSENT_GIVERS,
    case_data_fields=CASE_DATA_FIELDS,
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
    ctx = {
        "principal": getattr(request.state, "principal", None),
        "csrf": csrf_token(request),
        "now": datetime.now(UTC),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, ctx, status_code=status, headers=headers)
    set_csrf_cookie(response, request)
    return response


def render_error(
    request: Request, status: int, title: str, detail: Any, headers: dict[str, str] | None = None
) -> Response:
    """A Dutch error page: never the service's English text or a field path."""
    message = dutch(status, None if isinstance(detail, list) else detail)
    return render(
        request,
        "error.html",
        {
            "status": status,
            "title": TITLES.get(status, title),
            "messages": [message],
            "request_id": current_request_id() if status >= 500 else None,
        },
        status=status,
        headers=headers,
    )

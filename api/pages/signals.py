"""``/signalen``, ``/signalen/nieuw`` and ``/signalen/{id}``: early signals as Dutch HTML,
through the same services as ``/api/signals``. The zorgkantoor assesses a signal on the
task page of its ``assess_signal`` task (``api/pages/inbox.py``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.deps import SessionDep, SettingsDep, TemporalDep, scoped_signal
from api.errors import ApiError
from api.pages.deps import CheckedForm, PageUser
from api.pages.messages import FormErrors, explain, pydantic_message
from api.pages.render import form_key, render, render_form
from api.pages.taskform import text_value
from api.requestid import current_request_id
from api.schemas import SignalCreate
from api.scoping import Principal
from api.services import signals as service
from domain.signals import SENDER_ROLES, SignalStatus

router = APIRouter()
PAGE_SIZE = 50
FIELDS = ("kind", "mode", "client_ref", "sector", "region", "provider_org", "oco_org", "note")


def _sender(principal: Principal) -> None:
    if principal.role not in SENDER_ROLES:
        raise ApiError(
            403,
            "your role does not send signals",
            dutch="U kunt geen signaal versturen met deze rol.",
        )


@router.get("/signalen")
def signals_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    settings: SettingsDep,
    status: str | None = None,
    pagina: int = 0,
) -> Response:
    f = service.SignalFilter(
        status=status if status in {s.value for s in SignalStatus} else None,
        limit=PAGE_SIZE,
        offset=max(pagina, 0) * PAGE_SIZE,
    )
    page = service.list_signals(session, principal, f, settings)
    return render(
        request,
        "signals.html",
        {
            "page": page,
            "filter": f,
            "pagina": max(pagina, 0),
            "page_size": PAGE_SIZE,
            "may_send": principal.role in SENDER_ROLES,
        },
    )


LABELS = {
    "kind": "Soort signaal",
    "mode": "Waarvoor",
    "client_ref": "Cliëntreferentie",
    "sector": "Sector",
    "region": "Regio",
    "provider_org": "Zorgaanbieder",
    "oco_org": "Cliëntondersteuner (OCO)",
    "note": "Wat speelt er?",
}


def _form(
    request: Request,
    values: dict[str, Any],
    errors: FormErrors,
    status: int = 200,
    flash: str | None = None,
) -> HTMLResponse:
    return render_form(
        request, "signal_new.html", values, errors, status, flash, idempotency_key=form_key(values)
    )


@router.get("/signalen/nieuw")
def new_signal_page(request: Request, principal: PageUser) -> Response:
    _sender(principal)
    defaults = {"region": principal.org_region or "", "kind": "early_information"}
    if principal.role == "aanbieder":
        defaults["provider_org"] = principal.org
    if principal.role == "oco":
        defaults["oco_org"] = principal.org
    return _form(request, defaults, FormErrors())


@router.post("/signalen/nieuw")
async def new_signal(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    client: TemporalDep,
    settings: SettingsDep,
    form: CheckedForm,
) -> Response:
    _sender(principal)
    values = {name: text_value(form, name) for name in FIELDS}
    values["idempotency_key"] = text_value(form, "idempotency_key")
    given = {k: v for k, v in values.items() if v != "" and k in FIELDS}
    if given.get("kind") != "early_information":
        given.pop("mode", None)  # the form shows the mode for early information only
    try:
        body = SignalCreate(**given)
    except ValidationError as exc:
        errors = FormErrors()
        for e in exc.errors():
            loc = [str(p) for p in e.get("loc", ())]
            name = loc[0] if loc and loc[0] in LABELS else ("mode" if "mode" in e["msg"] else "")
            label = LABELS.get(name, "Het signaal")
            errors.add(f"{label}: {pydantic_message(e)}", name or None)
        return _form(request, values, errors, status=422)
    try:
        sent = await service.send_signal(
            session,
            client,
            principal,
            body,
            text_value(form, "idempotency_key") or None,
            settings,
            current_request_id(),
        )
    except HTTPException as exc:
        if exc.status_code not in (403, 409, 422, 503):
            raise
        errors = FormErrors()
        errors.add(explain(exc), "region" if "region" in str(exc.detail) else None)
        return _form(request, values, errors, status=exc.status_code)
    return RedirectResponse(f"/signalen/{sent.signal.id}", status_code=303)


@router.get("/signalen/{signal_id}")
def signal_page(
    request: Request,
    signal_id: str,
    principal: PageUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    signal = scoped_signal(session, principal, signal_id)
    detail = service.signal_detail(session, principal, signal, settings)
    return render(request, "signal.html", {"signal": detail})

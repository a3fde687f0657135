"""``/cases``, ``/cases/new`` and ``/cases/{id}``: the case services as Dutch HTML."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.deps import SessionDep, SettingsDep, TemporalDep, scoped_case
from api.pages.deps import CheckedForm, PageUser
from api.pages.render import render
from api.pages.taskform import text_value
from api.requestid import current_request_id
from api.schemas import CaseCreate
from api.scoping import Principal, sees_client_data, steers
from api.services import cases as service
from api.services import commands
from api.services.monitor import COHORTS
from domain.casedata import CASE_DATA_FIELDS
from domain.codes import CONSENT_GIVERS, DOCUMENT_KINDS
from domain.messages import CaseActionKind
from domain.permissions import PARTICIPANT_CAPACITIES
from domain.process import CONSENT_FIELDS
from domain.vocabulary import REGIONS, CaseStatus, Phase, Role, Sector

router = APIRouter()
PAGE_SIZE = 50
SORTS = {
    "nieuw": ("new", "Nieuwste eerst"),
    "dagen": ("days_in_phase", "Langst in fase"),
    "client": ("client", "Cliëntreferentie"),
    "fase": ("phase", "Fase"),
}


def _choice(value: str | None, allowed: Iterable[object]) -> str | None:
    return value if value in {str(a) for a in allowed} else None


@router.get("/cases")
def cases_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    fase: str | None = None,
    status: str | None = None,
    regio: str | None = None,
    sector: str | None = None,
    te_laat: str | None = None,
    cohort: str | None = None,
    zoek: str | None = None,
    sorteer: str | None = None,
    pagina: int = 0,
) -> Response:
    chosen = {
        "zoek": (zoek or "").strip()[:64],
        "sorteer": sorteer if sorteer in SORTS else "nieuw",
    }
    f = service.CaseFilter(
        phase=_choice(fase, [p.value for p in Phase]),
        status=_choice(status, [s.value for s in CaseStatus]),
        region=_choice(regio, REGIONS),
        sector=_choice(sector, [s.value for s in Sector]),
        overdue=True if te_laat == "1" else None,
        cohort=_choice(cohort, COHORTS),
        client_ref=chosen["zoek"] or None,
        sort=SORTS[chosen["sorteer"]][0],
        limit=PAGE_SIZE,
        offset=max(pagina, 0) * PAGE_SIZE,
    )
    page = service.list_cases(session, principal, f)
    query = {
        "zoek": chosen["zoek"],
        "fase": f.phase or "",
        "status": f.status or "",
        "regio": f.region or "",
        "sector": f.sector or "",
        "te_laat": "1" if f.overdue else "",
        "cohort": f.cohort or "",
        "sorteer": "" if chosen["sorteer"] == "nieuw" else chosen["sorteer"],
    }
    return render(
        request,
        "cases.html",
        {
            "page": page,
            "filter": f,
            "chosen": chosen,
            "sorts": SORTS,
            "query": urlencode({k: v for k, v in query.items() if v}),
            "pagina": max(pagina, 0),
            "page_size": PAGE_SIZE,
            "days_in_phase": _days_in_phase,
        },
    )


def _days_in_phase(case: Any) -> float:
    since = case.phase_since
    since = since.replace(tzinfo=UTC) if since.tzinfo is None else since
    return float((datetime.now(UTC) - since).total_seconds() / 86400)


def _new_case_form(
    request: Request, values: dict[str, Any], errors: list[str], status: int = 200
) -> HTMLResponse:
    return render(
        request,
        "case_new.html",
        {
            "values": values,
            "errors": errors,
            "idempotency_key": secrets.token_urlsafe(16),
        },
        status=status,
    )


def _coordinator(principal: Principal) -> None:
    if principal.role != Role.COORDINATOR:
        raise HTTPException(403, "Alleen een zorgbemiddelaar kan een casus starten.")


@router.get("/cases/new")
def new_case_page(request: Request, principal: PageUser) -> Response:
    _coordinator(principal)
    return _new_case_form(request, {"region": principal.org_region}, [])


@router.post("/cases/new")
async def new_case(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    client: TemporalDep,
    settings: SettingsDep,
    form: CheckedForm,
) -> Response:
    _coordinator(principal)
    fields = (
        "client_ref",
        "sector",
        "region",
        "entry",
        "provider_org",
        "oco_org",
        "decision_days",
        "registered_at",
        "summary",
    )
    values = {name: text_value(form, name) for name in fields}
    given: dict[str, object] = {k: v for k, v in values.items() if v != ""}
    case_data = {spec.name: text_value(form, spec.name) for spec in CASE_DATA_FIELDS}
    values |= case_data
    if any(case_data.values()):
        given["case_data"] = {k: v for k, v in case_data.items() if v}
    if str(given.get("decision_days", "")).isdigit():
        given["decision_days"] = int(str(given["decision_days"]))
    try:
        body = CaseCreate(**given)
    except ValidationError as exc:
        errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return _new_case_form(request, values, errors, status=422)
    started = await service.start_case(
        session,
        client,
        principal,
        body,
        text_value(form, "idempotency_key") or None,
        settings,
        current_request_id(),
    )
    return RedirectResponse(f"/cases/{started.case.id}", status_code=303)


@router.get("/cases/{case_id}")
def case_page(
    request: Request, case_id: str, principal: PageUser, session: SessionDep, settings: SettingsDep
) -> Response:
    case = scoped_case(session, principal, case_id)
    detail = service.case_detail(session, principal, case, settings)
    anonymous = not sees_client_data(principal, case, detail.participants)
    return render(
        request,
        "case.html",
        {
            "case": detail,
            "timeline": service.timeline(session, case.id, anonymous),
            "records": service.case_records(session, case.id, anonymous),
            "document_kinds": DOCUMENT_KINDS,
            "steers": steers(principal, case),
            "capacities": list(PARTICIPANT_CAPACITIES),
            "may_signal": principal.role in (Role.AANBIEDER, Role.OCO),
            "is_provider": principal.role == Role.AANBIEDER and principal.org == case.provider_org,
            "consent_givers": CONSENT_GIVERS,
        },
    )


@router.post("/cases/{case_id}/action")
async def case_action(
    case_id: str, principal: PageUser, session: SessionDep, client: TemporalDep, form: CheckedForm
) -> Response:
    case = scoped_case(session, principal, case_id)
    action = text_value(form, "action")
    if action not in CaseActionKind.ALL:
        raise HTTPException(422, "Onbekende actie.")
    note = text_value(form, "note")
    data = _action_data(action, form)
    if action == CaseActionKind.UPDATE_CASE_DATA:  # only what changed is an edit
        current = case.case_data or {}
        data = {k: v for k, v in data.items() if v != str(current.get(k) or "")}
        if not data:
            return RedirectResponse(f"/cases/{case.id}", status_code=303)
    await commands.case_action(client, session, principal, case, action, note, data)
    back = f"/tasks/{data['task_id']}" if "task_id" in data else f"/cases/{case.id}"
    return RedirectResponse(back, status_code=303)


def _consent_record(form: dict[str, object]) -> dict[str, str] | None:
    record = {name: text_value(form, f"consent_{name}") for name in CONSENT_FIELDS}
    return record if any(record.values()) else None


def _action_data(action: str, form: dict[str, object]) -> dict[str, Any]:
    """The form fields of a case action as the command's ``data``."""
    if action == CaseActionKind.ADD_PARTICIPANT:
        data: dict[str, Any] = {
            "org": text_value(form, "org"),
            "capacity": text_value(form, "capacity"),
            "consent": text_value(form, "consent") == "ja",
        }
        record = _consent_record(form)
        return data | ({"consent_record": record} if record else {})
    if action == CaseActionKind.END_CARE_WITH_BRIDGING:
        arrangement = text_value(form, "bridging_care")
        # version 1 of the step plan calls it bridging_solution
        return {"bridging_care": arrangement, "bridging_solution": arrangement}
    if action == CaseActionKind.GIVE_NOTICE:
        return {
            "reason": text_value(form, "reason"),
            "intended_end": text_value(form, "intended_end"),
        }
    if action == CaseActionKind.ADD_CONTRIBUTION:
        return {"task_id": text_value(form, "task_id")}
    if action == CaseActionKind.SWITCH_OCO:
        return {"org": text_value(form, "org"), "consent": _consent_record(form)}
    if action == CaseActionKind.UPDATE_CASE_DATA:
        return {spec.name: text_value(form, spec.name) for spec in CASE_DATA_FIELDS}
    if action == CaseActionKind.ADD_DOCUMENT:
        fields = ("kind", "date", "holder_org", "url")
        return {name: text_value(form, name) for name in fields if text_value(form, name)}
    return {}

"""``/cases``, ``/cases/new``, ``/cases/{id}`` and the case's actions, PDF and CSV: the
case services as Dutch HTML. A case action has a page of its own, asks for confirmation
(no script) and ends with a message on the case page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.deps import SessionDep, SettingsDep, TemporalDep, scoped_case
from api.errors import ApiError, invalid
from api.pages import messages as messages_nl
from api.pages.context import phase_sentence
from api.pages.deps import CheckedForm, PageUser, SearchTerm
from api.pages.messages import FormErrors, pydantic_message
from api.pages.render import IDEMPOTENCY_FIELD, STYLESHEET, form_key, render, render_form, templates
from api.pages.session import CSRF_FIELD
from api.pages.stepplan import overview
from api.pages.taskform import text_value
from api.requestid import current_request_id
from api.schemas import MAX_OFFSET, CaseCreate
from api.scoping import Principal, sees_client_data, steers
from api.services import cases as service
from api.services import commands
from api.services.idempotency import Attempt, fingerprint, once
from api.services.monitor import COHORTS
from core.config import Settings
from db.models import Case
from domain import labels
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
    "fase": ("phase", "Fase"),
}


def _choice(value: str | None, allowed: Iterable[object]) -> str | None:
    return value if value in {str(a) for a in allowed} else None


@router.get("/cases")
def cases_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    zoek: SearchTerm,
    fase: str | None = None,
    status: str | None = None,
    regio: str | None = None,
    sector: str | None = None,
    te_laat: str | None = None,
    cohort: str | None = None,
    sorteer: str | None = None,
    pagina: Annotated[int, Query(ge=0, le=MAX_OFFSET // PAGE_SIZE)] = 0,
) -> Response:
    chosen = {
        "zoek": zoek,
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


NEW_CASE_LABELS = {
    "client_ref": "Cliëntreferentie",
    "sector": "Sector",
    "region": "Regio",
    "entry": "Instroom",
    "provider_org": "Zorgaanbieder",
    "oco_org": "Cliëntondersteuner (OCO)",
    "decision_days": "Beslistermijn",
    "registered_at": "Datum van aanmelding",
    "summary": "Samenvatting",
}
NEW_CASE_FIELDS = tuple(NEW_CASE_LABELS)


def _new_case_form(
    request: Request,
    values: dict[str, Any],
    errors: FormErrors,
    status: int = 200,
    flash: str | None = None,
) -> HTMLResponse:
    return render_form(
        request,
        "case_new.html",
        values,
        errors,
        status,
        flash,
        idempotency_key=form_key(values),
        open_case_data=any(values.get(spec.name) for spec in CASE_DATA_FIELDS),
    )


def _coordinator(principal: Principal) -> None:
    if principal.role != Role.COORDINATOR:
        raise ApiError(
            403,
            "only a coordinator starts cases",
            dutch="Alleen een zorgbemiddelaar kan een casus starten.",
        )


def new_case_values(principal: Principal, form: dict[str, Any] | None = None) -> dict[str, Any]:
    """The new-case form's values: as typed, or the defaults of an empty form."""
    if form is None:
        return {"region": principal.org_region}
    values = {name: text_value(form, name) for name in NEW_CASE_FIELDS}
    values |= {spec.name: text_value(form, spec.name) for spec in CASE_DATA_FIELDS}
    values["idempotency_key"] = text_value(form, "idempotency_key")
    return values


@router.get("/cases/new")
def new_case_page(request: Request, principal: PageUser) -> Response:
    _coordinator(principal)
    return _new_case_form(request, new_case_values(principal), FormErrors())


def failed_field(exc: HTTPException, names: Iterable[str]) -> str | None:
    """Which of the form's fields a service's refusal is about (by the validation
    error's location, or by name in its text)."""
    detail = exc.detail
    if isinstance(detail, list):
        locs = [str(p) for item in detail if isinstance(item, dict) for p in item.get("loc", [])]
        return next((n for n in names if n in locs), None)
    return next((n for n in names if n in str(detail)), None)


def _field_errors(exc: ValidationError) -> FormErrors:
    errors = FormErrors()
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ())]
        name = loc[0] if loc else ""
        if name == "case_data":
            errors.add("Controleer de casusgegevens: kies een waarde uit de lijsten.", "cd-intro")
            continue
        label = NEW_CASE_LABELS.get(name, "Dit veld")
        errors.add(f"{label}: {pydantic_message(e)}", name if name in NEW_CASE_LABELS else None)
    return errors


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
    values = new_case_values(principal, form)
    given: dict[str, object] = {k: v for k, v in values.items() if v != "" and k in NEW_CASE_FIELDS}
    case_data = {spec.name: values[spec.name] for spec in CASE_DATA_FIELDS}
    if any(case_data.values()):
        given["case_data"] = {k: v for k, v in case_data.items() if v}
    if str(given.get("decision_days", "")).isdigit():
        given["decision_days"] = int(str(given["decision_days"]))
    try:
        body = CaseCreate(**given)
    except ValidationError as exc:
        return _new_case_form(request, values, _field_errors(exc), status=422)
    try:
        started = await service.start_case(
            session,
            client,
            principal,
            body,
            values["idempotency_key"] or None,
            settings,
            current_request_id(),
        )
    except HTTPException as exc:  # a wrong organisation, region, or Temporal away
        if exc.status_code not in (403, 409, 422, 503):
            raise
        errors = FormErrors()
        field = failed_field(exc, ("provider_org", "oco_org", "region"))
        errors.add(messages_nl.explain(exc), field)
        return _new_case_form(request, values, errors, status=exc.status_code)
    return RedirectResponse(f"/cases/{started.case.id}?gedaan=gestart", status_code=303)


DONE_MESSAGES = {
    "gestart": "De casus is gestart. De eerste taken staan klaar.",
    "signaal": "Taak afgerond. De casus is gestart vanuit het signaal.",
    "signal_stagnation": "Uw melding is verstuurd. Het zorgkantoor krijgt er een taak voor.",
    "request_praktijkteam_advice": "Uw vraag aan het Praktijkteam VWS is vastgelegd. "
    "Er staat een taak klaar om het advies vast te leggen.",
    "give_notice": "De opzegging is doorgegeven. Het zorgkantoor toetst nu de afwijsgronden.",
    "add_participant": "De deelnemer is toegevoegd.",
    "end_care_with_bridging": "De zorg is beëindigd met overbruggingszorg.",
    "switch_oco": "De cliëntondersteuner is gewisseld.",
    "withdraw": "De casus is ingetrokken.",
    "update_case_data": "De casusgegevens zijn opgeslagen.",
    "niets": "Er was niets veranderd; er is niets opgeslagen.",
    "add_document": "Het document is vastgelegd.",
}


def _case_view(
    session: Session, principal: Principal, case: Case, settings: Settings
) -> dict[str, Any]:
    detail = service.case_detail(session, principal, case, settings)
    anonymous = not sees_client_data(principal, case, detail.participants)
    events = service.timeline(session, case.id, anonymous)
    return {
        "case": detail,
        "timeline": events,
        "records": service.case_records(session, case.id, anonymous),
        "plan": overview(session, case, events),
        "document_kinds": DOCUMENT_KINDS,
        "actions": available_actions(principal, case),
        "consent_givers": CONSENT_GIVERS,
    }


@router.get("/cases/{case_id}")
def case_page(
    request: Request,
    case_id: str,
    principal: PageUser,
    session: SessionDep,
    settings: SettingsDep,
    gedaan: str | None = None,
) -> Response:
    case = scoped_case(session, principal, case_id)
    flash = DONE_MESSAGES.get(gedaan or "")
    if flash and gedaan not in ("update_case_data", "add_document", "niets"):
        flash = f"{flash} {phase_sentence(case)}"
    view = _case_view(session, principal, case, settings)
    return render(request, "case.html", {**view, "flash": flash})


@router.get("/cases/{case_id}/afdruk.pdf")
def case_pdf(
    case_id: str, principal: PageUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """The case as a PDF of one or two A4 pages: the page without its forms, printed
    with the print rules of ``static/style.css`` (WeasyPrint)."""
    from weasyprint import CSS, HTML  # imported on use: it loads Pango

    case = scoped_case(session, principal, case_id)
    view = _case_view(session, principal, case, settings)
    html = templates.get_template("case_print.html").render(
        **view, labels=labels, now=datetime.now(UTC), principal=principal
    )
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="casus-{case.id}.pdf"'},
    )


@router.get("/cases/{case_id}/tijdlijn.csv")
def timeline_csv(case_id: str, principal: PageUser, session: SessionDep) -> Response:
    """The case's timeline as CSV (semicolons and a BOM, so Excel opens it in Dutch)."""
    case = scoped_case(session, principal, case_id)
    anonymous = not sees_client_data(principal, case, service.participants_of(session, case.id))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        ["wanneer", "wie", "rol", "organisatie", "wat", "taak", "uitkomst", "motivatie"]
    )
    for e in service.timeline(session, case.id, anonymous):
        writer.writerow(
            [
                labels.format_datetime(e.at),
                e.actor,
                labels.label(labels.ROLES, e.role),
                e.org or "",
                labels.label(labels.ACTIONS, e.action),
                str(e.detail.get("title") or ""),
                labels.label(labels.OUTCOMES, e.detail.get("outcome"))
                if e.detail.get("outcome")
                else "",
                e.motivation or "",
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="tijdlijn-{case.id}.csv"'},
    )


# --- case actions: a page of their own, a confirmation, a message afterwards ---------


@dataclass(frozen=True)
class ActionPage:
    action: str
    title: str
    intro: str
    button: str
    confirm: str  # what the confirmation says will happen
    required: tuple[str, ...]  # form fields that must be filled in


ACTION_PAGES: dict[str, ActionPage] = {
    a.action: a
    for a in (
        ActionPage(
            CaseActionKind.SIGNAL_STAGNATION,
            "Stagnatie of onvrede melden",
            "Loopt de casus vast, of bent u ontevreden over hoe het gaat? Meld het aan het "
            "zorgkantoor. Het zorgkantoor krijgt er meteen een taak voor.",
            "Melding versturen",
            "Het zorgkantoor krijgt een taak om op uw melding te reageren.",
            ("note",),
        ),
        ActionPage(
            CaseActionKind.REQUEST_ADVICE,
            "Advies vragen aan het Praktijkteam VWS",
            "Het Praktijkteam VWS geeft informeel advies. Het kan niemand iets verplichten.",
            "Advies vragen",
            "Uw vraag komt in de tijdlijn en er komt een taak om het advies vast te leggen.",
            ("note",),
        ),
        ActionPage(
            CaseActionKind.GIVE_NOTICE,
            "Zorg opzeggen",
            "Geef door dat u de zorg voor deze cliënt wilt beëindigen. Het zorgkantoor toetst "
            "de afwijsgronden. De zorg stopt pas als het zorgkantoor akkoord is en er "
            "overbruggingszorg is.",
            "Opzegging doorgeven",
            "Het zorgkantoor krijgt een taak om de opzegging te toetsen. U kunt de opzegging "
            "hier niet intrekken.",
            ("reason", "intended_end"),
        ),
        ActionPage(
            CaseActionKind.ADD_PARTICIPANT,
            "Deelnemer toevoegen",
            "Voeg een organisatie toe aan de casus. Deelt u gegevens van de cliënt? Leg dan "
            "de toestemming van de cliënt vast.",
            "Deelnemer toevoegen",
            "De organisatie ziet de casus en krijgt meldingen. U kunt een deelnemer hier niet "
            "weer verwijderen.",
            ("org",),
        ),
        ActionPage(
            CaseActionKind.END_CARE_WITH_BRIDGING,
            "Zorg beëindigen met overbruggingszorg",
            "De huidige aanbieder stopt met de zorg. Leg vast welke overbruggingszorg de "
            "cliënt krijgt tot er een nieuwe plek is.",
            "Zorg beëindigen",
            "De zorg bij de huidige aanbieder stopt. Dit kunt u niet ongedaan maken.",
            ("bridging_care",),
        ),
        ActionPage(
            CaseActionKind.SWITCH_OCO,
            "Andere cliëntondersteuner",
            "De cliënt kiest een andere onafhankelijke cliëntondersteuner (OCO). Leg de "
            "toestemming van de cliënt vast.",
            "Cliëntondersteuner wisselen",
            "De vorige cliëntondersteuner is daarna niet meer betrokken bij de casus.",
            ("org",),
        ),
        ActionPage(
            CaseActionKind.WITHDRAW,
            "Casus intrekken",
            "Trek de casus in als er geen escalatie meer nodig is. Schrijf op waarom.",
            "Casus intrekken",
            "De casus wordt afgesloten met de uitkomst ‘Ingetrokken’. Open taken stoppen. "
            "Dit kunt u niet ongedaan maken.",
            ("note",),
        ),
    )
}
REQUIRED_LABELS = {
    "note": "Vul dit veld in.",
    "reason": "Vul de reden van de opzegging in.",
    "intended_end": "Vul de beoogde einddatum in.",
    "org": "Vul de naam van de organisatie in.",
    "bridging_care": "Beschrijf de overbruggingszorg.",
}


def available_actions(principal: Principal, case: Case) -> list[ActionPage]:
    """The case actions this principal can take now, in the order of the page."""
    if case.status != "open" or principal.read_only:
        return []
    v2 = case.definition_version >= 2
    may = {
        CaseActionKind.SIGNAL_STAGNATION: principal.role in (Role.AANBIEDER, Role.OCO),
        CaseActionKind.REQUEST_ADVICE: True,
        CaseActionKind.GIVE_NOTICE: principal.role == Role.AANBIEDER
        and principal.org == case.provider_org
        and v2
        and not case.notice,
        CaseActionKind.ADD_PARTICIPANT: steers(principal, case),
        CaseActionKind.END_CARE_WITH_BRIDGING: steers(principal, case)
        and (not v2 or bool(case.notice and case.notice.get("review") == "agreed")),
        CaseActionKind.SWITCH_OCO: steers(principal, case) and v2,
        CaseActionKind.WITHDRAW: steers(principal, case),
    }
    return [page for action, page in ACTION_PAGES.items() if may.get(action)]


def _action_page(
    request: Request,
    case: Case,
    page: ActionPage,
    values: dict[str, Any],
    errors: FormErrors,
    status: int = 200,
    client_ref: str | None = None,
    flash: str | None = None,
) -> HTMLResponse:
    return render_form(
        request,
        "case_action.html",
        values,
        errors,
        status,
        flash,
        case=case,
        client_ref=client_ref or case.client_ref,
        page=page,
        capacities=list(PARTICIPANT_CAPACITIES),
    )


def _scoped_action(
    session: Session, principal: Principal, case_id: str, action: str
) -> tuple[Case, ActionPage]:
    case = scoped_case(session, principal, case_id)
    page = next((a for a in available_actions(principal, case) if a.action == action), None)
    if page is None:
        raise ApiError(
            403,
            f"action {action}: not available to you in this case now",
            dutch="U kunt deze actie niet doen bij deze casus.",
        )
    return case, page


@router.get("/cases/{case_id}/acties/{action}")
def action_form(
    request: Request, case_id: str, action: str, principal: PageUser, session: SessionDep
) -> Response:
    case, page = _scoped_action(session, principal, case_id, action)
    return _action_page(
        request, case, page, {}, FormErrors(), client_ref=_ref(session, principal, case)
    )


def _ref(session: Session, principal: Principal, case: Case) -> str:
    """The client reference, or "(anoniem)" for an adviser without the client's consent."""
    participants = service.participants_of(session, case.id)
    return case.client_ref if sees_client_data(principal, case, participants) else service.ANONYMOUS


def _check_action_form(page: ActionPage, form: dict[str, Any]) -> FormErrors:
    errors = FormErrors()
    for name in page.required:
        if not text_value(form, name):
            errors.add(REQUIRED_LABELS[name], f"a-{name}")
    if page.action == CaseActionKind.GIVE_NOTICE and text_value(form, "intended_end"):
        try:
            date.fromisoformat(text_value(form, "intended_end"))
        except ValueError:
            errors.add("Vul een geldige datum in, bijvoorbeeld 31-12-2026.", "a-intended_end")
    consent = _consent_record(form)
    needs_consent = page.action == CaseActionKind.SWITCH_OCO or (
        page.action == CaseActionKind.ADD_PARTICIPANT
        and (text_value(form, "consent") == "ja" or consent is not None)
    )
    if needs_consent:
        for name, message in CONSENT_MESSAGES.items():
            if not (consent or {}).get(name):
                errors.add(message, f"a-consent-{name}")
    return errors


CONSENT_MESSAGES = {
    "given_by": "Toestemming: kies wie de toestemming gaf.",
    "scope": "Toestemming: vul in waarvoor de toestemming is.",
    "date": "Toestemming: vul de datum in.",
    "recorded_how": "Toestemming: vul in hoe de toestemming is vastgelegd.",
}


@router.post("/cases/{case_id}/action")
async def case_action(
    request: Request,
    case_id: str,
    principal: PageUser,
    session: SessionDep,
    client: TemporalDep,
    form: CheckedForm,
) -> Response:
    case = scoped_case(session, principal, case_id)
    action = text_value(form, "action")
    if action not in CaseActionKind.ALL:
        raise invalid(["body", "action"], f"unknown action; allowed: {sorted(CaseActionKind.ALL)}")
    page = ACTION_PAGES.get(action)
    if page is not None:
        case, page = _scoped_action(session, principal, case_id, action)
        errors = _check_action_form(page, form)
        if errors or form.get("terug"):
            status = 422 if errors else 200
            ref = _ref(session, principal, case)
            return _action_page(request, case, page, form, errors, status, client_ref=ref)
        if not form.get("bevestigd"):
            return render(
                request,
                "case_action_confirm.html",
                {
                    "case": case,
                    "client_ref": _ref(session, principal, case),
                    "page": page,
                    "form": form,
                    "hidden": [
                        (k, str(v))
                        for k, v in form.items()
                        if k not in (CSRF_FIELD, "bevestigd", "terug")
                    ],
                },
            )
    note = text_value(form, "note")
    data = _action_data(action, form)
    if action == CaseActionKind.UPDATE_CASE_DATA:  # only what changed is an edit
        current = case.all_case_data()
        data = {k: v for k, v in data.items() if v != str(current.get(k) or "")}
        if not data:
            return RedirectResponse(f"/cases/{case.id}?gedaan=niets", status_code=303)

    async def run(attempt: Attempt) -> dict[str, Any]:
        result = await commands.case_action(
            client, session, principal, case, action, note, data, attempt
        )
        return commands.update_out(case.id, result).model_dump(mode="json")

    key = text_value(form, IDEMPOTENCY_FIELD) or None
    fp = fingerprint("POST", f"/cases/{case.id}/action", [action, note, data])
    try:
        await once(session, principal.user_id, key, fp, run)
    except HTTPException as exc:
        if page is None or exc.status_code not in (403, 409, 422):
            raise
        errors = FormErrors()
        errors.add(f"Dit is niet gelukt. {messages_nl.explain(exc)}", _error_field(exc))
        ref = _ref(session, principal, case)
        return _action_page(request, case, page, form, errors, exc.status_code, client_ref=ref)
    if "task_id" in data:
        return RedirectResponse(f"/tasks/{data['task_id']}?bericht=bijdrage", status_code=303)
    return RedirectResponse(f"/cases/{case.id}?gedaan={action}", status_code=303)


def _error_field(exc: HTTPException) -> str | None:
    """The field of a case action's form a refusal is about."""
    if isinstance(exc.detail, list):
        field = failed_field(exc, ("note", "org", "reason", "bridging_care"))
        return f"a-{field}" if field else None
    detail = str(exc.detail)
    if "org" in detail or "OCO" in detail:
        return "a-org"
    if "consent" in detail:
        return "a-consent-given_by"
    return None


def _consent_record(form: dict[str, Any]) -> dict[str, str] | None:
    record = {name: text_value(form, f"consent_{name}") for name in CONSENT_FIELDS}
    return record if any(record.values()) else None


def _action_data(action: str, form: dict[str, Any]) -> dict[str, Any]:
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

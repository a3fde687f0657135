"""Addresses in the app (issue 17): each user's own e-mail address and notification
preference (``/mijn-gegevens``); the functional administrator (role ``beheerder``)
manages organisations' contact addresses and webhooks and users' e-mail and
preference (``/beheer``); the glossary (``/begrippen``); the meetings of a case with
an "add to calendar" file (``/cases/{id}/bijeenkomsten``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from api.deps import SessionDep, SettingsDep, known_id, scoped_case
from api.errors import ApiError
from api.pages.deps import CheckedForm, PageUser
from api.pages.messages import FormErrors
from api.pages.render import render, render_form
from api.pages.taskform import text_value
from api.scoping import Principal, sees_client_data
from api.services.cases import participants_of
from db.models import Organisation, Task, User
from domain.glossary import GLOSSARY
from domain.text import has_control_characters
from domain.vocabulary import Role, TaskStatus
from notifications.context import MessageContext, case_url
from notifications.ics import meeting_invitation_ics

router = APIRouter()
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
NOTIFY = {
    "direct": "Direct: een e-mail bij elke melding",
    "digest": "Eén keer per dag: een overzicht van de meldingen",
}
CHANNELS = {"email": "E-mail", "webhook": "Webhook (voor een eigen systeem)"}


def _email_error(value: str) -> str | None:
    if value and (len(value) > 254 or not EMAIL.fullmatch(value) or has_control_characters(value)):
        return "Vul een geldig e-mailadres in, bijvoorbeeld naam@organisatie.nl."
    return None


def _webhook_error(value: str) -> str | None:
    if not value:
        return None
    local = re.match(r"http://(localhost|127\.0\.0\.1)(:\d+)?/", value)
    if len(value) > 500 or has_control_characters(value):
        return "Een webhook-adres is een link zonder spaties of onzichtbare tekens."
    if not (value.startswith("https://") or local):
        return "Een webhook-adres begint met https://, bijvoorbeeld https://systeem.organisatie.nl/casusregie."
    return None


# --- my own settings -----------------------------------------------------------------


def _me(session: Session, principal: Principal) -> User:
    user = session.get(User, principal.user_id)
    if user is None:
        raise ApiError(404, "user not found", dutch="Uw gegevens zijn niet gevonden.")
    return user


def _mine_page(
    request: Request,
    user: User,
    values: dict[str, Any],
    errors: FormErrors,
    status: int = 200,
    flash: str | None = None,
) -> HTMLResponse:
    return render_form(
        request,
        "my_settings.html",
        values,
        errors,
        status,
        flash,
        active="mijn",
        user=user,
        notify_choices=NOTIFY,
    )


@router.get("/mijn-gegevens")
def my_settings(
    request: Request, principal: PageUser, session: SessionDep, opgeslagen: str | None = None
) -> Response:
    user = _me(session, principal)
    values = {"email": user.email or "", "notify": user.notify}
    flash = "Uw gegevens zijn opgeslagen." if opgeslagen else None
    return _mine_page(request, user, values, FormErrors(), flash=flash)


def _user_values(form: dict[str, Any]) -> tuple[dict[str, Any], FormErrors]:
    values = {"email": text_value(form, "email"), "notify": text_value(form, "notify")}
    errors = FormErrors()
    if message := _email_error(values["email"]):
        errors.add(message, "email")
    if values["notify"] not in NOTIFY:
        errors.add("Kies hoe u meldingen wilt krijgen.", "notify-direct")
    return values, errors


@router.post("/mijn-gegevens")
def save_my_settings(
    request: Request, principal: PageUser, session: SessionDep, form: CheckedForm
) -> Response:
    user = _me(session, principal)
    values, errors = _user_values(form)
    if errors:
        return _mine_page(request, user, values, errors, status=422)
    user.email, user.notify = values["email"] or None, values["notify"]
    session.add(user)
    session.commit()
    return RedirectResponse("/mijn-gegevens?opgeslagen=1", status_code=303)


# --- the functional administrator ----------------------------------------------------


def _beheerder(principal: Principal) -> None:
    if principal.role != Role.BEHEERDER:
        raise ApiError(
            403, "only a beheerder may do this", dutch="Alleen een functioneel beheerder kan dit."
        )


@router.get("/beheer")
def admin_page(
    request: Request, principal: PageUser, session: SessionDep, opgeslagen: str | None = None
) -> Response:
    _beheerder(principal)
    orgs = session.exec(select(Organisation).order_by(col(Organisation.name))).all()
    users = session.exec(select(User).order_by(col(User.name))).all()
    org_names = {o.id: o.name for o in orgs}
    return render(
        request,
        "admin.html",
        {
            "active": "beheer",
            "orgs": orgs,
            "users": users,
            "org_names": org_names,
            "notify_choices": NOTIFY,
            "channels": CHANNELS,
            "flash": "De wijziging is opgeslagen." if opgeslagen else None,
        },
    )


def _org(session: Session, org_id: str) -> Organisation:
    org = session.get(Organisation, org_id) if known_id(org_id) else None
    if org is None:
        raise ApiError(404, "organisation not found", dutch="Deze organisatie bestaat niet.")
    return org


def _org_page(
    request: Request,
    org: Organisation,
    values: dict[str, Any],
    errors: FormErrors,
    status: int = 200,
    flash: str | None = None,
) -> HTMLResponse:
    return render_form(
        request,
        "admin_org.html",
        values,
        errors,
        status,
        flash,
        active="beheer",
        org=org,
        channels=CHANNELS,
    )


@router.get("/beheer/organisaties/{org_id}")
def org_form(request: Request, org_id: str, principal: PageUser, session: SessionDep) -> Response:
    _beheerder(principal)
    org = _org(session, org_id)
    values = {
        "email": org.email or "",
        "webhook_url": org.webhook_url or "",
        "channels": list(org.channels or ["email"]),
    }
    return _org_page(request, org, values, FormErrors())


def _org_values(form: dict[str, Any]) -> tuple[dict[str, Any], FormErrors]:
    raw = form.get("channels") or []
    channels = [c for c in (raw if isinstance(raw, list) else [raw]) if c in CHANNELS]
    values: dict[str, Any] = {
        "email": text_value(form, "email"),
        "webhook_url": text_value(form, "webhook_url"),
        "webhook_secret": text_value(form, "webhook_secret"),
        "channels": channels,
    }
    errors = FormErrors()
    if message := _email_error(values["email"]):
        errors.add(message, "email")
    if message := _webhook_error(values["webhook_url"]):
        errors.add(message, "webhook_url")
    secret = values["webhook_secret"]
    if secret and (len(secret) > 500 or has_control_characters(secret)):
        errors.add("Het geheim bevat onzichtbare tekens of is te lang.", "webhook_secret")
    if "webhook" in channels and not values["webhook_url"]:
        errors.add("Vul een webhook-adres in, of zet het kanaal webhook uit.", "webhook_url")
    if not channels:
        errors.add("Kies ten minste één kanaal.", "channel-email")
    return values, errors


@router.post("/beheer/organisaties/{org_id}")
def save_org(
    request: Request, org_id: str, principal: PageUser, session: SessionDep, form: CheckedForm
) -> Response:
    _beheerder(principal)
    org = _org(session, org_id)
    values, errors = _org_values(form)
    if errors:
        return _org_page(request, org, values | {"webhook_secret": ""}, errors, status=422)
    org.email, org.webhook_url = values["email"] or None, values["webhook_url"] or None
    org.channels = values["channels"]
    if values["webhook_secret"]:
        org.webhook_secret = values["webhook_secret"]
    session.add(org)
    session.commit()
    return RedirectResponse("/beheer?opgeslagen=1", status_code=303)


def _user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id) if known_id(user_id) else None
    if user is None:
        raise ApiError(404, "user not found", dutch="Deze gebruiker bestaat niet.")
    return user


def _user_page(
    request: Request,
    session: Session,
    user: User,
    values: dict[str, Any],
    errors: FormErrors,
    status: int = 200,
    flash: str | None = None,
) -> HTMLResponse:
    org = session.get(Organisation, user.org_id)
    return render_form(
        request,
        "admin_user.html",
        values,
        errors,
        status,
        flash,
        active="beheer",
        user=user,
        org=org,
        notify_choices=NOTIFY,
    )


@router.get("/beheer/gebruikers/{user_id}")
def user_form(request: Request, user_id: str, principal: PageUser, session: SessionDep) -> Response:
    _beheerder(principal)
    user = _user(session, user_id)
    values = {"email": user.email or "", "notify": user.notify}
    return _user_page(request, session, user, values, FormErrors())


@router.post("/beheer/gebruikers/{user_id}")
def save_user(
    request: Request, user_id: str, principal: PageUser, session: SessionDep, form: CheckedForm
) -> Response:
    _beheerder(principal)
    user = _user(session, user_id)
    values, errors = _user_values(form)
    if errors:
        return _user_page(request, session, user, values, errors, status=422)
    user.email, user.notify = values["email"] or None, values["notify"]
    session.add(user)
    session.commit()
    return RedirectResponse("/beheer?opgeslagen=1", status_code=303)


async def refill(
    request: Request,
    session: Session,
    principal: Principal,
    path: str,
    values: dict[str, Any],
    flash: str,
) -> Response | None:
    """After signing in again: one of these forms, filled in as it was sent."""
    if path == "/mijn-gegevens":
        kept = {"email": text_value(values, "email"), "notify": text_value(values, "notify")}
        return _mine_page(request, _me(session, principal), kept, FormErrors(), flash=flash)
    if principal.role != Role.BEHEERDER:
        return None
    if match := re.fullmatch(r"/beheer/organisaties/([\w-]+)", path):
        kept, _ = _org_values(values)
        org = _org(session, match.group(1))
        return _org_page(request, org, kept | {"webhook_secret": ""}, FormErrors(), flash=flash)
    if match := re.fullmatch(r"/beheer/gebruikers/([\w-]+)", path):
        kept = {"email": text_value(values, "email"), "notify": text_value(values, "notify")}
        user = _user(session, match.group(1))
        return _user_page(request, session, user, kept, FormErrors(), flash=flash)
    return None


# --- glossary ---------------------------------------------------------------------


@router.get("/begrippen")
def glossary_page(request: Request) -> Response:
    """The glossary: open to everyone, also before signing in."""
    return render(request, "glossary.html", {"active": "begrippen", "glossary": GLOSSARY})


# --- meetings and "add to calendar" -------------------------------------------------


def _meetings(session: Session, case_id: str) -> list[Task]:
    return list(
        session.exec(
            select(Task)
            .where(
                Task.case_id == case_id,
                Task.key == "organise_meeting",
                Task.status == TaskStatus.DONE,
            )
            .order_by(col(Task.completed_at))
        ).all()
    )


def _meeting_at(task: Task) -> datetime | None:
    raw = (task.data or {}).get("meeting_at")
    try:
        at = datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


@router.get("/cases/{case_id}/bijeenkomsten")
def meetings_page(
    request: Request, case_id: str, principal: PageUser, session: SessionDep
) -> Response:
    case = scoped_case(session, principal, case_id)
    anonymous = not sees_client_data(principal, case, participants_of(session, case.id))
    meetings = [(t, _meeting_at(t)) for t in _meetings(session, case.id)]
    return render(
        request,
        "meetings.html",
        {
            "active": "cases",
            "case": case,
            "client_ref": "(anoniem)" if anonymous else case.client_ref,
            "meetings": meetings,
            "anonymous": anonymous,
        },
    )


@router.get("/cases/{case_id}/bijeenkomsten/{task_id}.ics")
def meeting_ics(
    case_id: str, task_id: str, principal: PageUser, session: SessionDep, settings: SettingsDep
) -> Response:
    case = scoped_case(session, principal, case_id)
    task = next((t for t in _meetings(session, case.id) if t.id == task_id), None)
    at = _meeting_at(task) if task else None
    if task is None or at is None:
        raise ApiError(404, "meeting not found", dutch="Deze bijeenkomst is niet gevonden.")
    data = task.data or {}
    ctx = MessageContext(
        event="meeting_invitation",
        case_id=case.id,
        case_url=case_url(settings.effective_public_url, case.id),
        recipient=principal.org,
        at=task.completed_at or at,
        meeting_at=at,
        meeting_end=at + timedelta(hours=2),
        location=str(data.get("location") or "") or None,
        chair=str(data.get("chair") or "") or None,
        minute_taker=str(data.get("minute_taker") or "") or None,
    )
    body = meeting_invitation_ics(ctx, task.id, settings.mail_from, None)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="bijeenkomst-{task.id}.ics"'},
    )

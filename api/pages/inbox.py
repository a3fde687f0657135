"""``/inbox`` and the task page (a case's task, or an early signal's ``assess_signal``):
the same services as ``/api/tasks``, as Dutch HTML.

The task page shows what the task must judge and what each outcome does; only the
chosen outcome's fields show (CSS, no script). An outcome that moves or closes the case
asks for confirmation on a page of its own; the next page says what happened."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from temporalio.client import Client

from api.deps import ID_PATTERN, SessionDep, SettingsDep, TemporalDep, scoped_task
from api.errors import ApiError
from api.pages import messages as messages_nl
from api.pages import taskform
from api.pages.context import case_infos, completed_message
from api.pages.deps import CheckedForm, PageUser, SearchTerm
from api.pages.messages import FormErrors
from api.pages.render import IDEMPOTENCY_FIELD, render
from api.pages.session import CSRF_FIELD
from api.schemas import MAX_OFFSET, TaskOut
from api.scoping import Principal, visible_cases
from api.services import commands, signal_commands
from api.services.idempotency import Attempt, fingerprint, once
from api.services.signals import signal_detail
from api.services.tasks import InboxFilter, inbox, task_out
from api.services.taskview import signal_task_detail, task_detail
from core.config import Settings
from db.models import Case, Organisation, Signal, Task, User
from domain.messages import Actor
from domain.permissions import may_act_on
from domain.process import FieldKind, TaskDef
from domain.signals import ASSESS_SIGNAL
from domain.vocabulary import REGIONS, Phase, Sector

router = APIRouter()
PAGE_SIZE = 50
SORTS = {
    "termijn": ("due", "Termijn (eerst)"),
    "fase": ("phase", "Fase"),
    "dagen": ("days_in_phase", "Langst in fase"),
    "nieuw": ("new", "Nieuwste eerst"),
}


def _opened(session: Session, principal: Principal, ids: str | None) -> list[TaskOut]:
    """Tasks named in ``?geopend=`` (after a completion), if the caller may see them."""
    wanted = [i for i in (ids or "").split(",") if re.fullmatch(ID_PATTERN, i)][:20]
    if not wanted:
        return []
    rows = session.exec(
        select(Task)
        .join(Case, col(Case.id) == col(Task.case_id))
        .where(col(Task.id).in_(wanted), visible_cases(principal))
    ).all()
    return [task_out(t) for t in rows]


@router.get("/inbox")
def inbox_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    zoek: SearchTerm,
    geopend: str | None = None,
    afgerond: str | None = None,
    fase: str | None = None,
    te_laat: str | None = None,
    opgepakt: str | None = None,
    sorteer: str | None = None,
    sector: str | None = None,
    regio: str | None = None,
    pagina: Annotated[int, Query(ge=0, le=MAX_OFFSET // PAGE_SIZE)] = 0,
) -> Response:
    chosen = {
        "sector": sector if sector in {s.value for s in Sector} else "",
        "regio": regio if regio in REGIONS else "",
        "fase": fase if fase in {p.value for p in Phase} | {"intake"} else "",
        "te_laat": "1" if te_laat == "1" else "",
        "opgepakt": opgepakt if opgepakt in ("ik", "niemand") else "",
        "zoek": zoek,
        "sorteer": sorteer if sorteer in SORTS else "termijn",
    }
    f = InboxFilter(
        phase=chosen["fase"] or None,
        overdue=True if chosen["te_laat"] else None,
        claimed_by_id=principal.user_id if chosen["opgepakt"] == "ik" else None,
        unclaimed=chosen["opgepakt"] == "niemand",
        client_ref=chosen["zoek"] or None,
        sector=chosen["sector"] or None,
        region=chosen["regio"] or None,
        sort=SORTS[chosen["sorteer"]][0],
        limit=PAGE_SIZE,
        offset=max(pagina, 0) * PAGE_SIZE,
    )
    mine = inbox(session, principal, f)
    supported = inbox(session, principal, InboxFilter(section="supports", limit=20))
    if f.sort == "due":  # overdue first, then by due date (the query sorts by due date)
        mine.items.sort(key=lambda t: not t.overdue)
    cases = case_infos(session, principal, [t.case_id for t in mine.items + supported.items])
    query = {k: v for k, v in chosen.items() if v and not (k == "sorteer" and v == "termijn")}
    return render(
        request,
        "inbox.html",
        {
            "mine": mine,
            "supported": supported,
            "cases": cases,
            "page": max(pagina, 0),
            "page_size": PAGE_SIZE,
            "opened": _opened(session, principal, geopend),
            "completed": completed_message(session, principal, afgerond),
            "chosen": chosen,
            "sorts": SORTS,
            "query": urlencode(query),
            "filtered": any(v for k, v in chosen.items() if k != "sorteer"),
        },
    )


def _colleagues(session: Session, principal: Principal, task: Task) -> list[User]:
    """Active users of the principal's organisation (not the principal) who may act on
    the task: the people it can be assigned to."""
    org = session.exec(select(Organisation).where(Organisation.name == principal.org)).first()
    if org is None:
        return []
    users = session.exec(
        select(User)
        .where(col(User.org_id) == org.id, col(User.active).is_(True), User.id != principal.user_id)
        .order_by(col(User.name))
    ).all()
    return [u for u in users if may_act_on(_actor(u, principal.org), task)]


def _actor(user: User, org: str) -> Actor:
    return Actor(user_id=user.id, name=user.name, role=user.role, org=org)


def _task_context(
    session: Session, principal: Principal, task_id: str, settings: Settings
) -> dict[str, Any]:
    """The task, what it belongs to (``owner``: its case, or the early signal it
    assesses), its form and its context (``api/services/taskview.py``)."""
    task, owner = scoped_task(session, principal, task_id)
    case = owner if isinstance(owner, Case) else None
    tdef: TaskDef | None
    if isinstance(owner, Signal):
        signal = signal_detail(session, principal, owner, settings)
        detail = signal_task_detail(principal, task, owner, settings)
        tdef = ASSESS_SIGNAL
    else:
        signal = None
        detail = task_detail(session, principal, task, owner, settings)
        tdef = commands.task_def(owner, task.key)
    may_act = may_act_on(principal.actor, task) and not principal.read_only
    form = detail.form
    outcome_fields = (
        {o.name: taskform.outcome_fields(tdef, o.name) for o in form.outcomes} if form else {}
    )
    grouped = set().union(*outcome_fields.values()) if outcome_fields else set()
    return {
        "task": detail,
        "row": task,
        "owner": owner,
        "case": case,
        "client_ref": detail.context.client_ref,  # "(anoniem)" for an adviser without consent
        "signal": signal,
        "tdef": tdef,
        "form": form,
        "context": detail.context,
        "may_act": may_act,
        "may_contribute": case is not None and _may_contribute(principal, task, case),
        "participant_rows": range(taskform.PARTICIPANT_ROWS),
        "outcome_fields": outcome_fields,
        "common_fields": [f for f in form.fields if f.name not in grouped] if form else [],
        "colleagues": _colleagues(session, principal, task) if may_act else [],
    }


def _may_contribute(principal: Principal, task: Task, case: Case) -> bool:
    """A supporting role of the task, in an organisation involved in the case (v2)."""
    role = "zorgkantoor" if principal.is_coordinator else principal.role
    involved = principal.org == case.zorgkantoor_org or principal.org in {
        case.provider_org,
        case.oco_org,
    }
    return case.definition_version >= 2 and role in task.supports and involved


def _field_id(ctx: dict[str, Any], outcome: str, name: str) -> str:
    """The id of the input a message about field ``name`` links to."""
    if name == "note":
        return "f-note"
    if name == "outcome":
        outcomes = ctx["form"].outcomes if ctx["form"] else []
        return f"o-{outcomes[0].name}" if outcomes else "f-note"
    prefix = f"{outcome}-" if name in ctx["outcome_fields"].get(outcome, set()) else ""
    kinds = {f.name: f.kind for f in ctx["tdef"].fields} if ctx["tdef"] else {}
    if kinds.get(name) == FieldKind.PARTICIPANTS:
        return f"f-{prefix}{name}-0-name"
    if kinds.get(name) == FieldKind.CONSENT:
        return f"f-{prefix}{name}-given_by"
    return f"f-{prefix}{name}"


def _page(
    request: Request,
    ctx: dict[str, Any],
    values: dict[str, Any],
    errors: FormErrors | None = None,
    status: int = 200,
    flash: str | None = None,
) -> Response:
    return render(
        request,
        "task.html",
        {**ctx, "values": values, "errors": errors or FormErrors(), "flash": flash},
        status=status,
    )


@router.get("/tasks/{task_id}")
def task_page(
    request: Request,
    task_id: str,
    principal: PageUser,
    session: SessionDep,
    settings: SettingsDep,
    bericht: str | None = None,
) -> Response:
    ctx = _task_context(session, principal, task_id, settings)
    return _page(request, ctx, {}, flash=CLAIM_MESSAGES.get(bericht or ""))


async def _complete(
    client: Client,
    session: Session,
    principal: Principal,
    ctx: dict[str, Any],
    settings: Settings,
    outcome: str,
    note: str,
    data: dict[str, Any],
    attempt: Attempt,
) -> str:
    """Complete the task through its case's or signal's command service; where to go
    next: the case a signal started, or the inbox with the tasks the completion opened."""
    owner, task_id = ctx["owner"], ctx["row"].id
    if isinstance(owner, Signal):
        done = await signal_commands.complete_task(
            client, session, principal, owner, ctx["row"], outcome, settings, note, data
        )
        if done.case_id:
            return f"/cases/{done.case_id}?gedaan=signaal"
        return f"/inbox?afgerond={task_id}"
    result = await commands.complete_task(
        client, session, principal, owner, ctx["row"], outcome, note, data, attempt
    )
    opened = ",".join(t.id for t in result.opened)
    return f"/inbox?afgerond={task_id}" + (f"&geopend={opened}" if opened else "")


def _hidden(form: dict[str, Any]) -> list[tuple[str, str]]:
    """The posted fields (not the CSRF token) as hidden inputs of the confirmation."""
    pairs = []
    for key, value in form.items():
        if key in (CSRF_FIELD, "bevestigd", "terug"):
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, str(item or "")))
    return pairs


@router.post("/tasks/{task_id}")
async def complete_from_form(
    request: Request,
    task_id: str,
    principal: PageUser,
    session: SessionDep,
    client: TemporalDep,
    settings: SettingsDep,
    form: CheckedForm,
) -> Response:
    ctx = _task_context(session, principal, task_id, settings)
    if not ctx["may_act"]:
        raise ApiError(
            403,
            "this task belongs to another role or organisation",
            dutch="U kunt deze taak niet afronden: hij hoort bij een andere rol of organisatie.",
        )
    if form.get("terug"):  # "Nee, terug naar het formulier" on the confirmation
        return _page(request, ctx, form)
    outcome = str(form.get("outcome") or "")
    chosen = taskform.for_outcome(form, outcome)
    note = taskform.text_value(chosen, "note")
    data, problems = taskform.parse_data(ctx["tdef"], chosen)
    spec = (
        next((o for o in ctx["form"].outcomes if o.name == outcome), None) if ctx["form"] else None
    )
    if spec is None:
        problems.insert(0, ("outcome", "Kies een uitkomst."))
    else:
        problems += taskform.missing_required(ctx["tdef"], outcome, note, data)
    errors = FormErrors()
    errors.extend((_field_id(ctx, outcome, name), message) for name, message in problems)
    if not errors and spec is not None and spec.effect != "stays" and not form.get("bevestigd"):
        return render(
            request,
            "task_confirm.html",
            {**ctx, "outcome": spec, "data": data, "note": note, "hidden": _hidden(form)},
        )
    if not errors:

        async def run(attempt: Attempt) -> dict[str, Any]:
            target = await _complete(
                client, session, principal, ctx, settings, outcome, note, data, attempt
            )
            return {"target": target}

        key = taskform.text_value(form, IDEMPOTENCY_FIELD) or None
        fp = fingerprint("POST", f"/tasks/{task_id}", [outcome, note, data])
        try:
            _, body = await once(session, principal.user_id, key, fp, run)
        except HTTPException as exc:
            if exc.status_code not in (403, 409, 422):
                raise
            errors.add(f"De taak is niet afgerond. {messages_nl.explain(exc)}")
        else:
            return RedirectResponse(body["target"], status_code=303)
    return _page(request, ctx, form, errors, status=422)


CLAIM_MESSAGES = {
    "opgepakt": "U heeft de taak opgepakt. Collega's zien dat u ermee bezig bent.",
    "vrijgegeven": "U heeft de taak vrijgegeven. Een collega kan hem nu oppakken.",
    "overgenomen": "U heeft de taak overgenomen.",
    "toegewezen": "De taak is toegewezen aan uw collega.",
    "bijdrage": "Uw bijdrage is toegevoegd. De eigenaar van de taak ziet hem.",
}


@router.post("/tasks/{task_id}/claim")
async def claim_from_form(
    task_id: str, principal: PageUser, session: SessionDep, client: TemporalDep, form: CheckedForm
) -> Response:
    task, owner = scoped_task(session, principal, task_id)
    if not may_act_on(principal.actor, task) or principal.read_only:
        raise ApiError(
            403,
            "this task belongs to another role or organisation",
            dutch="Deze taak hoort bij een andere rol of organisatie.",
        )
    release, force = form.get("release") == "1", form.get("force") == "1"
    assignee = None
    wanted = str(form.get("voor") or "")
    if wanted:
        if wanted not in {u.id for u in _colleagues(session, principal, task)}:
            raise ApiError(
                403,
                "assignee: not a colleague of your organisation who may act on this task",
                dutch="U kunt de taak alleen toewijzen aan een collega van uw eigen organisatie.",
            )
        assignee = commands.colleague(session, principal, wanted)
        force = True  # assigning replaces whoever holds the task (it is said on the page)

    async def run(attempt: Attempt) -> dict[str, Any]:
        if isinstance(owner, Signal):
            await signal_commands.claim_task(
                client, principal, owner, task, release, force, assignee
            )
        else:
            await commands.claim_task(
                client,
                principal,
                owner,
                task,
                release=release,
                force=force,
                attempt=attempt,
                assignee=assignee,
            )
        return {}

    key = taskform.text_value(form, IDEMPOTENCY_FIELD) or None
    fp = fingerprint("POST", f"/tasks/{task_id}/claim", [release, force, wanted])
    await once(session, principal.user_id, key, fp, run)
    if assignee is not None:
        message = "toegewezen"
    elif release:
        message = "vrijgegeven"
    else:
        message = "overgenomen" if force else "opgepakt"
    return RedirectResponse(f"/tasks/{task_id}?bericht={message}", status_code=303)

"""``/inbox`` and the task page: the same services as ``/api/tasks``, as Dutch HTML."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from api.deps import SessionDep, TemporalDep, scoped_task
from api.pages import taskform
from api.pages.deps import CheckedForm, PageUser
from api.pages.render import render
from api.schemas import TaskOut
from api.scoping import Principal, sees_client_data, visible_cases
from api.services import commands
from api.services.cases import ANONYMOUS, participants_of
from api.services.tasks import InboxFilter, inbox, task_out
from db.models import Case, Task
from domain.permissions import may_act_on

router = APIRouter()


def _opened(session: Session, principal: Principal, ids: str | None) -> list[TaskOut]:
    """Tasks named in ``?geopend=`` (after a completion), if the caller may see them."""
    wanted = [i for i in (ids or "").split(",") if i][:20]
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
    geopend: str | None = None,
    afgerond: str | None = None,
    pagina: int = 0,
) -> Response:
    size = 50
    mine = inbox(session, principal, InboxFilter(limit=size, offset=max(pagina, 0) * size))
    supported = inbox(session, principal, InboxFilter(section="supports", limit=20))
    # overdue first, then by due date (the query already sorts by due date)
    mine.items.sort(key=lambda t: not t.overdue)
    return render(
        request,
        "inbox.html",
        {
            "mine": mine,
            "supported": supported,
            "page": pagina,
            "page_size": size,
            "opened": _opened(session, principal, geopend),
            "completed": afgerond,
        },
    )


def _task_context(session: Session, principal: Principal, task_id: str) -> dict[str, Any]:
    task, case = scoped_task(session, principal, task_id)
    tdef = commands.task_def(case, task.key)
    anonymous = not sees_client_data(principal, case, participants_of(session, case.id))
    return {
        "task": task_out(task),
        "row": task,
        "case": case,
        "client_ref": ANONYMOUS if anonymous else case.client_ref,
        "tdef": tdef,
        "fields": taskform.form_fields(tdef),
        "note_required_for": taskform.note_required_for(tdef),
        "may_act": may_act_on(principal.actor, task) and not principal.read_only,
        "may_contribute": _may_contribute(principal, task, case),
        "participant_rows": range(taskform.PARTICIPANT_ROWS),
    }


def _may_contribute(principal: Principal, task: Task, case: Case) -> bool:
    """A supporting role of the task, in an organisation involved in the case (v2)."""
    role = "zorgkantoor" if principal.is_coordinator else principal.role
    involved = principal.org == case.zorgkantoor_org or principal.org in {
        case.provider_org,
        case.oco_org,
    }
    return case.definition_version >= 2 and role in task.supports and involved


@router.get("/tasks/{task_id}")
def task_page(request: Request, task_id: str, principal: PageUser, session: SessionDep) -> Response:
    return render(
        request,
        "task.html",
        {**_task_context(session, principal, task_id), "values": {}, "errors": []},
    )


@router.post("/tasks/{task_id}")
async def complete_from_form(
    request: Request,
    task_id: str,
    principal: PageUser,
    session: SessionDep,
    client: TemporalDep,
    form: CheckedForm,
) -> Response:
    ctx = _task_context(session, principal, task_id)
    if not ctx["may_act"]:
        raise HTTPException(
            403, "U kunt deze taak niet afronden: hij hoort bij een andere rol of organisatie."
        )
    outcome = str(form.get("outcome") or "")
    note = taskform.text_value(form, "note")
    data, errors = taskform.parse_data(ctx["tdef"], form)
    if not outcome:
        errors.append("Kies een uitkomst.")
    else:
        errors += taskform.missing_required(ctx["tdef"], outcome, note, data)
    if not errors:
        try:
            result = await commands.complete_task(
                client, session, principal, ctx["case"], ctx["row"], outcome, note, data
            )
        except HTTPException as exc:
            if exc.status_code not in (409, 422):
                raise
            errors.append(f"De taak is niet afgerond: {exc.detail}")
        else:
            opened = ",".join(t.id for t in result.opened)
            return RedirectResponse(f"/inbox?afgerond={task_id}&geopend={opened}", status_code=303)
    return render(request, "task.html", {**ctx, "values": form, "errors": errors}, status=422)


@router.post("/tasks/{task_id}/claim")
async def claim_from_form(
    task_id: str, principal: PageUser, session: SessionDep, client: TemporalDep, form: CheckedForm
) -> Response:
    task, case = scoped_task(session, principal, task_id)
    if not may_act_on(principal.actor, task) or principal.read_only:
        raise HTTPException(403, "Deze taak hoort bij een andere rol of organisatie.")
    release, force = form.get("release") == "1", form.get("force") == "1"
    await commands.claim_task(client, principal, case, task, release=release, force=force)
    return RedirectResponse(f"/tasks/{task_id}", status_code=303)

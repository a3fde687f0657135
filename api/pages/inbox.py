"""``/inbox`` and the task page (a case's task, or an early signal's ``assess_signal``):
the same services as ``/api/tasks``, as Dutch HTML."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from temporalio.client import Client

from api.deps import ID_PATTERN, SessionDep, SettingsDep, TemporalDep, scoped_task
from api.errors import ApiError
from api.pages import messages as messages_nl
from api.pages import taskform
from api.pages.deps import CheckedForm, PageUser
from api.pages.render import IDEMPOTENCY_FIELD, render
from api.schemas import MAX_OFFSET, TaskOut
from api.scoping import Principal, visible_cases
from api.services import commands, signal_commands
from api.services.idempotency import Attempt, fingerprint, once
from api.services.signals import signal_detail
from api.services.tasks import InboxFilter, inbox, task_out
from api.services.taskview import signal_task_detail, task_detail
from core.config import Settings
from db.models import Case, Signal, Task
from domain.permissions import may_act_on
from domain.process import TaskDef
from domain.signals import ASSESS_SIGNAL

router = APIRouter()


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
    geopend: str | None = None,
    afgerond: str | None = None,
    pagina: Annotated[int, Query(ge=0, le=MAX_OFFSET // 50)] = 0,
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
    return {
        "task": detail,
        "row": task,
        "owner": owner,
        "case": case,
        "client_ref": detail.context.client_ref,  # "(anoniem)" for an adviser without consent
        "signal": signal,
        "tdef": tdef,
        "form": detail.form,
        "context": detail.context,
        "may_act": may_act_on(principal.actor, task) and not principal.read_only,
        "may_contribute": case is not None and _may_contribute(principal, task, case),
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
def task_page(
    request: Request, task_id: str, principal: PageUser, session: SessionDep, settings: SettingsDep
) -> Response:
    return render(
        request,
        "task.html",
        {**_task_context(session, principal, task_id, settings), "values": {}, "errors": []},
    )


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
        return f"/cases/{done.case_id}" if done.case_id else f"/inbox?afgerond={task_id}"
    result = await commands.complete_task(
        client, session, principal, owner, ctx["row"], outcome, note, data, attempt
    )
    opened = ",".join(t.id for t in result.opened)
    return f"/inbox?afgerond={task_id}&geopend={opened}"


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
    outcome = str(form.get("outcome") or "")
    note = taskform.text_value(form, "note")
    data, errors = taskform.parse_data(ctx["tdef"], form)
    if not outcome:
        errors.append("Kies een uitkomst.")
    else:
        errors += taskform.missing_required(ctx["tdef"], outcome, note, data)
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
            errors.append(f"De taak is niet afgerond. {messages_nl.explain(exc)}")
        else:
            return RedirectResponse(body["target"], status_code=303)
    return render(request, "task.html", {**ctx, "values": form, "errors": errors}, status=422)


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

    async def run(attempt: Attempt) -> dict[str, Any]:
        if isinstance(owner, Signal):
            await signal_commands.claim_task(client, principal, owner, task, release, force)
        else:
            await commands.claim_task(
                client, principal, owner, task, release=release, force=force, attempt=attempt
            )
        return {}

    key = taskform.text_value(form, IDEMPOTENCY_FIELD) or None
    fp = fingerprint("POST", f"/tasks/{task_id}/claim", [release, force])
    await once(session, principal.user_id, key, fp, run)
    return RedirectResponse(f"/tasks/{task_id}", status_code=303)

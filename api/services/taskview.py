"""One task as a person or program needs it: the task, its form (from the step plan,
``domain/forms.py``) and its context (what it must judge). The JSON route and the task
page both build it here."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from api.schemas import TaskContext, TaskDetailOut, TaskFormOut, TaskJudged
from api.scoping import Principal, may_see_summary, sees_client_data
from api.services.cases import ANONYMOUS, participants_of
from api.services.commands import task_def
from api.services.signals import signal_out
from api.services.tasks import task_out
from core.config import Settings
from db.models import Case, Signal, Task
from domain.codes import DOCUMENT_KINDS, label_of
from domain.definitions import CURRENT_VERSION, definition
from domain.forms import describe
from domain.labels import PHASE_TITLES
from domain.process import TaskDef
from domain.signals import ASSESS_SIGNAL
from domain.vocabulary import Phase, TaskStatus


def _judged(
    session: Session, case: Case, keys: tuple[str, ...], anonymous: bool
) -> list[TaskJudged]:
    """The latest completion of each task in ``keys``: what this task must judge."""
    judged = []
    for key in keys:
        row = session.exec(
            select(Task)
            .where(Task.case_id == case.id, Task.key == key, Task.status == TaskStatus.DONE)
            .order_by(col(Task.completed_at).desc())
        ).first()
        if row is not None:
            judged.append(
                TaskJudged(
                    key=row.key,
                    title=row.title,
                    outcome=row.outcome,
                    data={} if anonymous else dict(row.data or {}),
                    note=None if anonymous else row.note,
                    completed_by=row.completed_by,
                    completed_at=row.completed_at,
                )
            )
    return judged


def _missing_documents(case: Case, tdef: TaskDef | None) -> list[dict[str, str]]:
    recorded = {d.get("kind") for d in case.documents or []}
    needed = tdef.documents if tdef else ()
    return [{"kind": k, "label": label_of(DOCUMENT_KINDS, k)} for k in needed if k not in recorded]


def task_detail(
    session: Session, principal: Principal, task: Task, case: Case, settings: Settings
) -> TaskDetailOut:
    tdef = task_def(case, task.key)
    anonymous = not sees_client_data(principal, case, participants_of(session, case.id))
    form = None
    if tdef is not None:
        spec = describe(
            tdef, list(task.allowed_outcomes or []), definition(case.definition_version)
        )
        form = TaskFormOut.model_validate(spec, from_attributes=True)
    summary = None
    if case.summary_encrypted and may_see_summary(principal, case) and not anonymous:
        summary = case.summary_encrypted  # the ORM unsealed it
    data: dict[str, Any] = dict(task.data or {})
    context = TaskContext(
        client_ref=ANONYMOUS if anonymous else case.client_ref,
        phase=case.phase,
        phase_title=PHASE_TITLES[Phase(case.phase)],
        summary=summary,
        request=None if anonymous else data.get("request"),
        requested_by=data.get("requested_by"),
        requested_by_org=data.get("requested_by_org"),
        judges=_judged(session, case, tdef.shows if tdef else (), anonymous),
        notice=case.notice if tdef and tdef.opened_by == "give_notice" and not anonymous else None,
        documents_recorded=[] if anonymous else list(case.documents or []),
        documents_missing=_missing_documents(case, tdef),
    )
    return TaskDetailOut(
        **task_out(task).model_dump(),
        form=form,
        context=context,
        contributions=[] if anonymous else list(task.contributions or []),
    )


def signal_task_detail(
    principal: Principal, task: Task, signal: Signal, settings: Settings
) -> TaskDetailOut:
    """An early signal's ``assess_signal`` task: its form, and the signal as context."""
    shown = signal_out(principal, signal, task.id, settings)
    spec = describe(ASSESS_SIGNAL, list(task.allowed_outcomes or []), definition(CURRENT_VERSION))
    return TaskDetailOut(
        **task_out(task).model_dump(),
        form=TaskFormOut.model_validate(spec, from_attributes=True),
        context=TaskContext(
            client_ref=shown.client_ref,
            phase="",
            phase_title="Vroegtijdig signaal",
            request=shown.note,
            requested_by=shown.sent_by,
            requested_by_org=shown.sender_org,
        ),
    )

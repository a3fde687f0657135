"""The changes people make to a case, built once for the JSON routes and the pages:
pre-check with the domain's rules on the read model (a refusal costs no round trip),
build the command with the caller as actor, send it as a workflow update.

The workflow's validators apply the same rules again on the workflow's own state, which
is authoritative; the API never writes task state itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

from fastapi import HTTPException
from pydantic_core import PydanticCustomError
from sqlalchemy import bindparam
from sqlmodel import Session, col, select
from temporalio.client import Client

from api import ratelimit
from api.errors import ApiError, invalid
from api.metrics import timed_update
from api.requestid import current_request_id
from api.schemas import TaskOut, UpdateOut, bounded_data, no_controls_but_lines
from api.scoping import Principal
from api.services.cases import participants_of, registered_org
from api.services.idempotency import FIRST, Attempt
from api.services.workflow import refusal_status, run_update
from core.config import get_settings
from db.accounts import CASE_ORG_KINDS
from db.models import Case, Organisation, Task, User
from db.read_model import task_row
from domain import permissions as rules
from domain.definitions import definition
from domain.messages import (
    Actor,
    CaseAction,
    CaseActionKind,
    ClaimTask,
    CompleteTask,
    TaskState,
    UpdateResult,
)
from domain.process import TaskDef
from workflows.case_workflow import CaseWorkflow

# the kind of organisation each participant capacity needs (an adviser: any kind)
PARTICIPANT_ORG_KINDS = {
    "intended_provider": ("aanbieder",),
    "round_provider": ("aanbieder",),
    "oco": ("oco",),
}


def checked(check: Callable[[], None], attempt: Attempt = FIRST) -> None:
    """The rule's refusal as an HTTP error; skipped for a retry of an earlier attempt."""
    if attempt.retry:
        return
    try:
        check()
    except rules.Refused as refused:
        raise HTTPException(refusal_status(refused.kind), refused.message) from None


def case_facts(session: Session, case: Case) -> rules.CaseFacts:
    return rules.CaseFacts(
        case_id=case.id,
        status=case.status,
        zorgkantoor_org=case.zorgkantoor_org,
        oco_org=case.oco_org,
        provider_org=case.provider_org,
        participants=participants_of(session, case.id),
        notice=case.notice,
    )


_TASK_FACTS = [col(getattr(Task, f.name)) for f in fields(rules.TaskFacts)]
_CASE_TASKS = select(*_TASK_FACTS).where(col(Task.case_id) == bindparam("case_id"))  # built once


def _case_tasks(session: Session, case: Case) -> list[rules.TaskFacts]:
    rows = session.exec(_CASE_TASKS, params={"case_id": case.id})
    return [rules.TaskFacts(*row) for row in rows]


def task_def(case: Case, key: str) -> TaskDef | None:
    """The step plan's task as the case's own definition version has it."""
    try:
        return definition(case.definition_version).task(key)
    except KeyError:
        return None


def colleague(session: Session, principal: Principal, user_id: str) -> Actor:
    """An active user of the principal's own organisation, as the assignee of a claim
    (whether they may act on the task is the rules' to judge: ``check_assignee``)."""
    user = session.get(User, user_id)
    org = session.get(Organisation, user.org_id) if user is not None else None
    if user is None or org is None or org.name != principal.org or not user.active:
        raise ApiError(
            403,
            "assignee_id: not an active user of your organisation",
            dutch="U kunt de taak alleen toewijzen aan een collega van uw eigen organisatie.",
        )
    return Actor(user_id=user.id, name=user.name, role=user.role, org=org.name)


def release(session: Session) -> None:
    """End the session's (read) transaction before the request waits for Temporal, so
    its database connection goes back to the pool meanwhile. Requests holding their
    connections across that wait exhausted the pool at 20 concurrent clients, and a
    checkout on the event loop then blocked every request (bench/e2e.py)."""
    session.commit()


def may_write(principal: Principal) -> None:
    if principal.read_only:
        raise ApiError(403, "your role has read-only access", code="read_only")


def _checked_text(note: str, data: dict[str, Any] | None) -> None:
    """The same bounds as the JSON bodies, for the pages' forms too."""
    for field, check in (
        ("note", lambda: no_controls_but_lines(note)),
        ("data", lambda: bounded_data(dict(data or {}))),
    ):
        try:
            check()
        except PydanticCustomError as err:
            raise invalid(["body", field], err.message(), err.type) from None


async def complete_task(
    client: Client,
    session: Session,
    principal: Principal,
    case: Case,
    task: Task,
    outcome: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    attempt: Attempt = FIRST,
) -> UpdateResult:
    may_write(principal)
    _checked_text(note, data)
    cmd = CompleteTask(
        task_id=task.id,
        outcome=outcome,
        actor=principal.actor,
        note=note,
        data=dict(data or {}),
        request_id=current_request_id(),
    )
    facts = case_facts(session, case)
    tasks = _case_tasks(session, case)
    defn = definition(case.definition_version)
    tdef = task_def(case, task.key)
    checked(lambda: rules.check_complete(facts, task, tdef, cmd, tasks=tasks, defn=defn), attempt)
    release(session)
    with timed_update("complete_task"):
        return await run_update(
            client, case.id, CaseWorkflow.complete_task, cmd, update_id=attempt.update_id
        )


async def claim_task(
    client: Client,
    principal: Principal,
    case: Case,
    task: Task,
    release: bool,
    force: bool,
    attempt: Attempt = FIRST,
    assignee: Actor | None = None,
) -> UpdateResult:
    """Claim (or release) a task; with ``assignee``: claim it on behalf of that colleague
    of the same organisation (assign it to them)."""
    may_write(principal)
    cmd = ClaimTask(
        task_id=task.id,
        actor=principal.actor,
        release=release,
        force=force,
        request_id=current_request_id(),
        assignee=assignee,
    )
    facts = rules.CaseFacts(case.id, case.status, case.zorgkantoor_org, case.oco_org)
    # who holds the claim is the workflow's to judge (the read model keeps only a name)
    checked(lambda: rules.check_open_task(facts, task, task.id, cmd.actor), attempt)
    checked(lambda: rules.check_assignee(cmd, task), attempt)
    with timed_update("claim_task"):
        return await run_update(
            client, case.id, CaseWorkflow.claim_task, cmd, update_id=attempt.update_id
        )


async def case_action(
    client: Client,
    session: Session,
    principal: Principal,
    case: Case,
    action: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    attempt: Attempt = FIRST,
) -> UpdateResult:
    may_write(principal)
    _checked_text(note, data)
    ratelimit.check_case_action(get_settings(), principal.user_id, action)
    cmd = CaseAction(
        action=action,
        actor=principal.actor,
        note=note,
        data=dict(data or {}),
        request_id=current_request_id(),
    )
    facts = case_facts(session, case)
    target = session.get(Task, str(cmd.data.get("task_id") or ""))
    target = target if target is not None and target.case_id == case.id else None
    defn = definition(case.definition_version)
    if action == CaseActionKind.ADD_PARTICIPANT:  # the registry first: a name, then rules
        kinds = PARTICIPANT_ORG_KINDS.get(str(cmd.data.get("capacity")), CASE_ORG_KINDS)
        registered_org(session, ["body", "org"], str(cmd.data.get("org") or ""), kinds)
    checked(lambda: rules.check_action(facts, cmd, defn, target), attempt)
    release(session)
    with timed_update("case_action"):
        return await run_update(
            client, case.id, CaseWorkflow.case_action, cmd, update_id=attempt.update_id
        )


def task_state_out(case_id: str, task: TaskState) -> TaskOut:
    return TaskOut.model_validate(task_row(task, case_id))


def update_out(case_id: str, result: UpdateResult) -> UpdateOut:
    return UpdateOut(
        case_id=case_id,
        phase=result.phase,
        status=result.status,
        outcome=result.outcome,
        task=task_state_out(case_id, result.task) if result.task else None,
        opened=[task_state_out(case_id, t) for t in result.opened],
        read_model_synced=result.read_model_synced,
    )

"""Who may do what on a case, and the update validators built on it.

Validators raise ``ApplicationError`` with an ``UpdateError`` type, before anything is
written to history; the API passes them on as 404/409/403/422.
"""

from __future__ import annotations

from typing import Any

from temporalio.exceptions import ApplicationError

from domain.process import ProcessDefinition
from domain.validation import completion_errors
from domain.vocabulary import CaseStatus, Role, TaskStatus
from workflows.messages import (
    Actor,
    CaseAction,
    CaseActionKind,
    CaseState,
    ClaimTask,
    CompleteTask,
    TaskState,
    UpdateError,
)

# capacities in which an organisation can be added to a case; those marked True receive
# client data, so the client's consent must be recorded
PARTICIPANT_CAPACITIES: dict[str, bool] = {
    "intended_provider": True,
    "round_provider": True,
    "oco": True,
    "adviser": False,  # e.g. CCE, COT: advice on anonymised questions
}


def reject(kind: str, message: str) -> ApplicationError:
    return ApplicationError(message, type=kind, non_retryable=True)


def org_for_role(state: CaseState, role: Role) -> str:
    if role is Role.AANBIEDER:
        return state.provider_org
    if role is Role.OCO:
        return state.oco_org or ""
    return state.zorgkantoor_org


def may_act_on(actor: Actor, task: TaskState) -> bool:
    """The owner organisation in the owner role; a coordinator counts as zorgkantoor."""
    role_ok = actor.role == task.owner_role or (
        actor.role == Role.COORDINATOR and task.owner_role == Role.ZORGKANTOOR
    )
    return role_ok and actor.org == task.owner_org


def _open_task(state: CaseState, task_id: str, actor: Actor) -> TaskState:
    if state.status == CaseStatus.CLOSED:
        raise reject(UpdateError.CONFLICT, f"case {state.case_id} is closed")
    task = state.task(task_id)
    if task is None:
        raise reject(UpdateError.NOT_FOUND, f"task {task_id} does not exist in this case")
    if not may_act_on(actor, task):
        raise reject(
            UpdateError.FORBIDDEN,
            f"task {task_id} belongs to {task.owner_role} "
            f"{task.owner_org}; {actor.role} {actor.org} may not act on it",
        )
    if task.status != TaskStatus.OPEN:
        raise reject(UpdateError.CONFLICT, f"task {task_id} is no longer open ({task.status})")
    return task


def validate_complete(state: CaseState, defn: ProcessDefinition, cmd: CompleteTask) -> None:
    task = _open_task(state, cmd.task_id, cmd.actor)
    # a claim shows who works on a task; it is no lock: a colleague may still complete it
    errors = completion_errors(
        defn.task(task.key), cmd.outcome, cmd.note, cmd.data, task.allowed_outcomes
    )
    if errors:
        raise reject(UpdateError.INVALID, "; ".join(errors))


def validate_claim(state: CaseState, cmd: ClaimTask) -> None:
    task = _open_task(state, cmd.task_id, cmd.actor)
    holder = task.claimed_by
    if cmd.release:
        if holder is None:
            raise reject(UpdateError.CONFLICT, f"task {task.id} is not claimed")
        if holder.user_id != cmd.actor.user_id and not cmd.force:
            raise reject(
                UpdateError.CONFLICT,
                f"task {task.id} is claimed by {holder.name}; use force to release",
            )
    elif holder and holder.user_id != cmd.actor.user_id and not cmd.force:
        raise reject(
            UpdateError.CONFLICT,
            f"task {task.id} is already claimed by {holder.name}; use force to take over",
        )


def _require(condition: bool, kind: str, message: str) -> None:
    if not condition:
        raise reject(kind, message)


def _involved(state: CaseState, actor: Actor) -> bool:
    return any(actor.org in orgs for orgs in state.participants.values())


def validate_action(state: CaseState, cmd: CaseAction) -> None:
    actor, data = cmd.actor, cmd.data
    _require(
        cmd.action in CaseActionKind.ALL,
        UpdateError.INVALID,
        f"action must be one of {list(CaseActionKind.ALL)}",
    )
    _require(
        state.status != CaseStatus.CLOSED, UpdateError.CONFLICT, f"case {state.case_id} is closed"
    )
    _require(actor.role != Role.AUDITOR, UpdateError.FORBIDDEN, "auditors change nothing")
    coordinator = actor.role == Role.COORDINATOR and actor.org == state.zorgkantoor_org
    note = (cmd.note or "").strip()
    if cmd.action in (
        CaseActionKind.WITHDRAW,
        CaseActionKind.END_CARE_WITH_BRIDGING,
        CaseActionKind.ADD_PARTICIPANT,
    ):
        _require(
            coordinator,
            UpdateError.FORBIDDEN,
            f"only the case's coordinator ({state.zorgkantoor_org}) may {cmd.action}",
        )
    if cmd.action == CaseActionKind.WITHDRAW:
        _require(bool(note), UpdateError.INVALID, "note (reason for withdrawal) is required")
    elif cmd.action == CaseActionKind.END_CARE_WITH_BRIDGING:
        _require(
            bool(str(data.get("bridging_solution") or "").strip()),
            UpdateError.INVALID,
            "data.bridging_solution is required: care may only end with a recorded "
            "bridging solution (continuity of care)",
        )
    elif cmd.action == CaseActionKind.SIGNAL_STAGNATION:
        _require(
            actor.role in (Role.AANBIEDER, Role.OCO) and _involved(state, actor),
            UpdateError.FORBIDDEN,
            "a stagnation signal comes from an involved aanbieder or oco",
        )
        _require(bool(note), UpdateError.INVALID, "note (what stagnates) is required")
    elif cmd.action == CaseActionKind.REQUEST_ADVICE:
        _require(
            _involved(state, actor) or coordinator,
            UpdateError.FORBIDDEN,
            "only parties involved in the case may request advice",
        )
        _require(bool(note), UpdateError.INVALID, "note (the question) is required")
    elif cmd.action == CaseActionKind.ADD_PARTICIPANT:
        _validate_participant(state, data)


def _validate_participant(state: CaseState, data: dict[str, Any]) -> None:
    org, capacity = str(data.get("org") or "").strip(), data.get("capacity")
    _require(bool(org), UpdateError.INVALID, "data.org (organisation name) is required")
    _require(
        capacity in PARTICIPANT_CAPACITIES,
        UpdateError.INVALID,
        f"data.capacity must be one of {list(PARTICIPANT_CAPACITIES)}",
    )
    if PARTICIPANT_CAPACITIES[capacity]:
        _require(
            data.get("consent") is True,
            UpdateError.INVALID,
            "data.consent must be true: client data is shared only with recorded consent",
        )
    if capacity == "oco":
        _require(
            not state.oco_org or state.oco_org == org,
            UpdateError.CONFLICT,
            f"an OCO is already involved ({state.oco_org})",
        )

"""Who may do what on a case: the one set of rules.

The workflow's update validators call these on the workflow's own state (authoritative);
the API calls the same functions on the read model first, so a refusal costs no round
trip to Temporal. A rule raises ``Refused`` with an ``UpdateError`` kind; the workflow
turns it into an ``ApplicationError`` and the API into an HTTP status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from domain.messages import Actor, CaseAction, CaseActionKind, ClaimTask, CompleteTask, UpdateError
from domain.process import TaskDef
from domain.validation import completion_errors
from domain.vocabulary import CaseStatus, Role, TaskStatus

# capacities in which an organisation can be added to a case; those marked True receive
# client data, so the client's consent must be recorded
PARTICIPANT_CAPACITIES: dict[str, bool] = {
    "intended_provider": True,
    "round_provider": True,
    "oco": True,
    "adviser": False,  # e.g. CCE, COT: advice on anonymised questions
}
# case actions only the case's own coordinator takes
STEERING_ACTIONS = (
    CaseActionKind.WITHDRAW,
    CaseActionKind.END_CARE_WITH_BRIDGING,
    CaseActionKind.ADD_PARTICIPANT,
)
ZORGKANTOOR_ROLES = (Role.ZORGKANTOOR, Role.COORDINATOR)
PARTICIPANT_ROLES = (Role.AANBIEDER, Role.OCO)


class Refused(Exception):
    """A rule said no; ``kind`` is an ``UpdateError`` value."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class CaseView(Protocol):
    """What the rules read of a case: the workflow's ``CaseState`` or ``CaseFacts``."""

    @property
    def case_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def zorgkantoor_org(self) -> str: ...
    @property
    def oco_org(self) -> str | None: ...
    @property
    def participants(self) -> dict[str, list[str]]: ...


class TaskView(Protocol):
    """What the rules read of a task: the workflow's ``TaskState`` or a read-model row."""

    @property
    def id(self) -> str: ...
    @property
    def owner_role(self) -> str: ...
    @property
    def owner_org(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def allowed_outcomes(self) -> list[str]: ...


@dataclass(frozen=True)
class CaseFacts:
    """A case as the API knows it from the read model."""

    case_id: str
    status: str
    zorgkantoor_org: str
    oco_org: str | None = None
    participants: dict[str, list[str]] = field(default_factory=dict)


def _require(condition: bool, kind: str, message: str) -> None:
    if not condition:
        raise Refused(kind, message)


def may_act_on(actor: Actor, task: TaskView) -> bool:
    """The owner organisation in the owner role; a coordinator counts as zorgkantoor."""
    role_ok = actor.role == task.owner_role or (
        actor.role == Role.COORDINATOR and task.owner_role == Role.ZORGKANTOOR
    )
    return role_ok and actor.org == task.owner_org


def check_open_task(case: CaseView, task: TaskView | None, task_id: str, actor: Actor) -> None:
    """The case is open, the task exists, belongs to the actor and is still open."""
    _require(
        case.status != CaseStatus.CLOSED, UpdateError.CONFLICT, f"case {case.case_id} is closed"
    )
    if task is None:
        raise Refused(UpdateError.NOT_FOUND, f"task {task_id} does not exist in this case")
    _require(
        may_act_on(actor, task),
        UpdateError.FORBIDDEN,
        f"task {task_id} belongs to {task.owner_role} {task.owner_org}; "
        f"{actor.role} {actor.org} may not act on it",
    )
    _require(
        task.status == TaskStatus.OPEN,
        UpdateError.CONFLICT,
        f"task {task_id} is no longer open ({task.status})",
    )


def check_complete(
    case: CaseView, task: TaskView | None, tdef: TaskDef | None, cmd: CompleteTask
) -> None:
    check_open_task(case, task, cmd.task_id, cmd.actor)
    assert task is not None
    assert tdef is not None
    # a claim shows who works on a task; it is no lock: a colleague may still complete it
    errors = completion_errors(tdef, cmd.outcome, cmd.note, cmd.data, task.allowed_outcomes)
    _require(not errors, UpdateError.INVALID, "; ".join(errors))


def check_claim(
    case: CaseView, task: TaskView | None, holder: Actor | None, cmd: ClaimTask
) -> None:
    """``holder``: who has claimed the task now (None: nobody)."""
    check_open_task(case, task, cmd.task_id, cmd.actor)
    mine = holder is None or holder.user_id == cmd.actor.user_id
    if cmd.release:
        _require(holder is not None, UpdateError.CONFLICT, f"task {cmd.task_id} is not claimed")
        _require(
            mine or cmd.force,
            UpdateError.CONFLICT,
            f"task {cmd.task_id} is claimed by {holder.name if holder else ''}; "
            "use force to release",
        )
    else:
        _require(
            mine or cmd.force,
            UpdateError.CONFLICT,
            f"task {cmd.task_id} is already claimed by {holder.name if holder else ''}; "
            "use force to take over",
        )


def involved(case: CaseView, org: str) -> bool:
    return any(org in orgs for orgs in case.participants.values())


def steers(actor: Actor, zorgkantoor_org: str) -> bool:
    """A coordinator steers (withdraws, adds participants to) its zorgkantoor's cases."""
    return actor.role == Role.COORDINATOR and actor.org == zorgkantoor_org


def check_action(case: CaseView, cmd: CaseAction) -> None:
    actor, data = cmd.actor, cmd.data
    _require(
        cmd.action in CaseActionKind.ALL,
        UpdateError.INVALID,
        f"action must be one of {list(CaseActionKind.ALL)}",
    )
    _require(
        case.status != CaseStatus.CLOSED, UpdateError.CONFLICT, f"case {case.case_id} is closed"
    )
    _require(actor.role != Role.AUDITOR, UpdateError.FORBIDDEN, "auditors change nothing")
    coordinator = steers(actor, case.zorgkantoor_org)
    note = (cmd.note or "").strip()
    if cmd.action in STEERING_ACTIONS:
        _require(
            coordinator,
            UpdateError.FORBIDDEN,
            f"only the case's coordinator ({case.zorgkantoor_org}) may {cmd.action}",
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
            actor.role in PARTICIPANT_ROLES and involved(case, actor.org),
            UpdateError.FORBIDDEN,
            "a stagnation signal comes from an involved aanbieder or oco",
        )
        _require(bool(note), UpdateError.INVALID, "note (what stagnates) is required")
    elif cmd.action == CaseActionKind.REQUEST_ADVICE:
        _require(
            involved(case, actor.org) or coordinator,
            UpdateError.FORBIDDEN,
            "only parties involved in the case may request advice",
        )
        _require(bool(note), UpdateError.INVALID, "note (the question) is required")
    elif cmd.action == CaseActionKind.ADD_PARTICIPANT:
        _check_participant(case, data)


def _check_participant(case: CaseView, data: dict[str, Any]) -> None:
    org, capacity = str(data.get("org") or "").strip(), data.get("capacity")
    _require(bool(org), UpdateError.INVALID, "data.org (organisation name) is required")
    _require(
        capacity in PARTICIPANT_CAPACITIES,
        UpdateError.INVALID,
        f"data.capacity must be one of {list(PARTICIPANT_CAPACITIES)}",
    )
    if PARTICIPANT_CAPACITIES[str(capacity)]:
        _require(
            data.get("consent") is True,
            UpdateError.INVALID,
            "data.consent must be true: client data is shared only with recorded consent",
        )
    if capacity == "oco":
        _require(
            not case.oco_org or case.oco_org == org,
            UpdateError.CONFLICT,
            f"an OCO is already involved ({case.oco_org})",
        )

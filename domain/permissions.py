"""Who may do what on a case: the one set of rules.

The workflow's update validators call these on the workflow's own state (authoritative);
the API calls the same functions on the read model first, so a refusal costs no round
trip to Temporal. A rule raises ``Refused`` with an ``UpdateError`` kind; the workflow
turns it into an ``ApplicationError`` and the API into an HTTP status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from domain.casedata import CASE_DATA_FIELDS, DOCUMENT_FIELDS
from domain.messages import Actor, CaseAction, CaseActionKind, ClaimTask, CompleteTask, UpdateError
from domain.process import ProcessDefinition, TaskDef
from domain.validation import completion_errors, consent_errors, fields_errors
from domain.vocabulary import CaseStatus, Phase, Role, TaskStatus

# capacities in which an organisation can be added to a case; those marked True receive
# client data, so the client's consent must be recorded
PARTICIPANT_CAPACITIES: dict[str, bool] = {
    "intended_provider": True,
    "round_provider": True,
    "oco": True,
    "adviser": False,  # e.g. CCE, COT: advice on anonymised questions
}
# parties that left the case (a provider that declined or ended care, an OCO the client
# switched away from): kept for the history and scoping, no longer acting or notified
FORMER_CAPACITIES = ("former_provider", "former_oco")
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
    def provider_org(self) -> str: ...
    @property
    def participants(self) -> dict[str, list[str]]: ...
    @property
    def notice(self) -> dict[str, Any] | None: ...


class TaskView(Protocol):
    """What the rules read of a task: the workflow's ``TaskState`` or a read-model row."""

    @property
    def id(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def phase(self) -> str: ...
    @property
    def supports(self) -> list[str]: ...
    @property
    def owner_role(self) -> str: ...
    @property
    def owner_org(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def allowed_outcomes(self) -> list[str]: ...


@dataclass
class TaskFacts:
    """A ``TaskView`` as plain values: a read-model row's columns (without loading, and
    unsealing, the task's notes and data), or a task in a query's JSON."""

    id: str
    key: str
    phase: str
    supports: list[str]
    owner_role: str
    owner_org: str
    status: str
    allowed_outcomes: list[str]


@dataclass(frozen=True)
class CaseFacts:
    """A case as the API knows it from the read model."""

    case_id: str
    status: str
    zorgkantoor_org: str
    oco_org: str | None = None
    provider_org: str = ""
    participants: dict[str, list[str]] = field(default_factory=dict)
    notice: dict[str, Any] | None = None


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
    """The case is open (or the task is a follow-up after closing), the task exists,
    belongs to the actor and is still open."""
    follow_up = task is not None and task.phase == Phase.CLOSED
    _require(
        case.status != CaseStatus.CLOSED or follow_up,
        UpdateError.CONFLICT,
        f"case {case.case_id} is closed",
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


def missing_gates(tdef: TaskDef, outcome: str, phase: str, tasks: Sequence[TaskView]) -> list[str]:
    """The preconditions of ``outcome`` not yet done in ``phase`` (task keys). A phase
    entered again (a new meeting) opens its preparatory tasks again: one that is open
    now is missing, whatever an earlier stay in the phase did."""
    in_phase = [t for t in tasks if t.phase == phase]
    done = {t.key for t in in_phase if t.status == TaskStatus.DONE}
    still_open = {t.key for t in in_phase if t.status == TaskStatus.OPEN}
    return [key for key in tdef.gates.get(outcome, ()) if key not in done or key in still_open]


def overrides_gates(cmd: CompleteTask) -> bool:
    return cmd.data.get("override_gates") is True


def is_zorgkantoor_of(actor: Actor, case: CaseView) -> bool:
    return actor.role in ZORGKANTOOR_ROLES and actor.org == case.zorgkantoor_org


def check_complete(
    case: CaseView,
    task: TaskView | None,
    tdef: TaskDef | None,
    cmd: CompleteTask,
    *,
    tasks: Sequence[TaskView] | None = None,
    defn: ProcessDefinition | None = None,
) -> None:
    """``tasks`` (all of the case) and ``defn``: to check the outcome's gates."""
    check_open_task(case, task, cmd.task_id, cmd.actor)
    assert task is not None
    assert tdef is not None
    # a claim shows who works on a task; it is no lock: a colleague may still complete it
    errors = completion_errors(tdef, cmd.outcome, cmd.note, cmd.data, task.allowed_outcomes)
    _require(not errors, UpdateError.INVALID, "; ".join(errors))
    if tasks is None or defn is None:
        return
    missing = missing_gates(tdef, cmd.outcome, task.phase, tasks)
    if not missing:
        return
    if overrides_gates(cmd):
        _require(
            is_zorgkantoor_of(cmd.actor, case),
            UpdateError.FORBIDDEN,
            "only the case's zorgkantoor may complete this without its preparatory steps",
        )
        _require(
            bool(cmd.note.strip()),
            UpdateError.INVALID,
            "note (motivation) is required to complete without the preparatory steps",
        )
        return
    titles = "; ".join(defn.task(key).title for key in missing)
    raise Refused(
        UpdateError.CONFLICT,
        f"first required: {', '.join(missing)} (Eerst nodig: {titles}). The zorgkantoor may "
        "complete it anyway with data.override_gates = true and a motivation.",
    )


def check_claim(
    case: CaseView, task: TaskView | None, holder: Actor | None, cmd: ClaimTask
) -> None:
    """``holder``: who has claimed the task now (None: nobody)."""
    check_open_task(case, task, cmd.task_id, cmd.actor)
    check_assignee(cmd, task)
    check_claim_holder(cmd, holder)


def check_assignee(cmd: ClaimTask, task: TaskView | None) -> None:
    """A claim on behalf of a colleague: someone of the actor's own organisation who may
    act on the task too; never a release."""
    if cmd.assignee is None:
        return
    _require(not cmd.release, UpdateError.INVALID, "a release has no assignee")
    _require(
        cmd.assignee.org == cmd.actor.org,
        UpdateError.FORBIDDEN,
        "a task is assigned only to a colleague of the same organisation",
    )
    _require(
        task is not None and may_act_on(cmd.assignee, task),
        UpdateError.FORBIDDEN,
        f"{cmd.assignee.name} may not act on task {cmd.task_id}",
    )


def check_claim_holder(cmd: ClaimTask, holder: Actor | None) -> None:
    """Claiming a task nobody (or the actor) holds, or releasing one's own claim; a
    colleague's claim only with ``force``; assigning the task to whoever holds it
    already changes nothing and needs no force."""
    mine = holder is None or holder.user_id in (cmd.actor.user_id, cmd.holder.user_id)
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
    """``org`` takes part in the case now: a party that left it (kept for the history)
    no longer acts on it."""
    return any(
        org in orgs
        for capacity, orgs in case.participants.items()
        if capacity not in FORMER_CAPACITIES
    )


def steers(actor: Actor, zorgkantoor_org: str) -> bool:
    """A coordinator steers (withdraws, adds participants to) its zorgkantoor's cases."""
    return actor.role == Role.COORDINATOR and actor.org == zorgkantoor_org


def check_action(
    case: CaseView,
    cmd: CaseAction,
    defn: ProcessDefinition | None = None,
    task: TaskView | None = None,
) -> None:
    """``defn``: the case's step plan (version-dependent rules); ``task``: the task a
    contribution is for (``data.task_id``)."""
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
        if defn is not None and defn.ending_care_keeps_case_open:
            _check_end_of_care(case, data)
        else:
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
        _check_participant(case, data, defn)
    elif cmd.action in (CaseActionKind.UPDATE_CASE_DATA, CaseActionKind.ADD_DOCUMENT):
        _require(
            involved(case, actor.org) or is_zorgkantoor_of(actor, case),
            UpdateError.FORBIDDEN,
            "only parties involved in the case may record its data and documents",
        )
        if cmd.action == CaseActionKind.UPDATE_CASE_DATA:
            _require(bool(data), UpdateError.INVALID, "data: give at least one field to set")
            errors = fields_errors(CASE_DATA_FIELDS, data)
        else:
            errors = _document_errors(data)
        _require(not errors, UpdateError.INVALID, "; ".join(errors))
    elif cmd.action in V2_ACTIONS:
        _require(
            defn is not None and defn.version >= 2,
            UpdateError.CONFLICT,
            f"{cmd.action} is not part of step plan version "
            f"{defn.version if defn else '?'} that this case runs on",
        )
        if cmd.action == CaseActionKind.GIVE_NOTICE:
            _check_notice(case, actor, data)
        elif cmd.action == CaseActionKind.ADD_CONTRIBUTION:
            _check_contribution(case, actor, note, task, data)
        else:
            _check_oco_switch(case, actor, data)


V2_ACTIONS = (
    CaseActionKind.GIVE_NOTICE,
    CaseActionKind.ADD_CONTRIBUTION,
    CaseActionKind.SWITCH_OCO,
)


def _document_errors(data: dict[str, Any]) -> list[str]:
    missing = [
        f"data.{name} is required" for name in ("kind", "date", "holder_org") if not data.get(name)
    ]
    return missing + fields_errors(DOCUMENT_FIELDS, data)


def _iso_date(value: Any) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def _check_notice(case: CaseView, actor: Actor, data: dict[str, Any]) -> None:
    _require(
        actor.role == Role.AANBIEDER and bool(case.provider_org) and actor.org == case.provider_org,
        UpdateError.FORBIDDEN,
        "only the case's current provider can give notice of ending care",
    )
    # a notice the zorgkantoor objected to may be followed by a new one
    pending = case.notice is not None and case.notice.get("review") != "objected"
    _require(
        not pending,
        UpdateError.CONFLICT,
        "a notice of ending care is already being handled for this case",
    )
    _require(
        bool(str(data.get("reason") or "").strip()),
        UpdateError.INVALID,
        "data.reason (why care ends) is required",
    )
    _require(
        _iso_date(data.get("intended_end")),
        UpdateError.INVALID,
        "data.intended_end must be an ISO date (e.g. 2026-12-31)",
    )


def _check_end_of_care(case: CaseView, data: dict[str, Any]) -> None:
    """Continuity of care: the zorgkantoor agreed to the notice, and a bridging solution
    is recorded."""
    review = (case.notice or {}).get("review")
    _require(
        review == "agreed",
        UpdateError.CONFLICT,
        "care can only end after the zorgkantoor agreed to the provider's notice: first "
        "give_notice, then review_termination_grounds with outcome agreed "
        "(Eerst nodig: opzegging door de aanbieder en akkoord van het zorgkantoor na "
        "toetsing van de afwijsgronden)",
    )
    _require(
        bool(str(data.get("bridging_care") or "").strip()),
        UpdateError.INVALID,
        "data.bridging_care is required: care may only end with a recorded bridging "
        "solution (continuity of care)",
    )


def _check_contribution(
    case: CaseView, actor: Actor, note: str, task: TaskView | None, data: dict[str, Any]
) -> None:
    if task is None:
        raise Refused(
            UpdateError.NOT_FOUND, f"task {data.get('task_id')} does not exist in this case"
        )
    _require(
        task.status == TaskStatus.OPEN, UpdateError.CONFLICT, f"task {task.id} is no longer open"
    )
    role = Role.ZORGKANTOOR.value if actor.role == Role.COORDINATOR else actor.role
    _require(
        role in task.supports and involved(case, actor.org),
        UpdateError.FORBIDDEN,
        f"only a supporting party of task {task.key} ({', '.join(task.supports) or 'none'}) "
        "involved in the case may add a contribution",
    )
    _require(bool(note), UpdateError.INVALID, "note (the contribution) is required")


def _check_oco_switch(case: CaseView, actor: Actor, data: dict[str, Any]) -> None:
    _require(
        steers(actor, case.zorgkantoor_org),
        UpdateError.FORBIDDEN,
        f"only the case's coordinator ({case.zorgkantoor_org}) may record a switch of OCO",
    )
    org = str(data.get("org") or "").strip()
    _require(bool(org), UpdateError.INVALID, "data.org (the new OCO) is required")
    _require(org != case.oco_org, UpdateError.CONFLICT, f"{org} is already the case's OCO")
    errors = consent_errors(data.get("consent"))
    _require(not errors, UpdateError.INVALID, "; ".join(errors))


def _check_participant(
    case: CaseView, data: dict[str, Any], defn: ProcessDefinition | None
) -> None:
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
        if defn is not None and defn.consent_records_required:
            errors = consent_errors(data.get("consent_record"), "consent_record")
            _require(not errors, UpdateError.INVALID, "; ".join(errors))
    record = data.get("consent_record")
    if record is not None:  # also for an adviser: a record is complete, or it is none
        errors = consent_errors(record, "consent_record")
        _require(not errors, UpdateError.INVALID, "; ".join(errors))
    if capacity == "oco":
        _require(
            not case.oco_org or case.oco_org == org,
            UpdateError.CONFLICT,
            f"an OCO is already involved ({case.oco_org})",
        )

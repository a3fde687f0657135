"""Inputs, outputs and state of the case workflow: one dataclass each (fields may be
added with defaults later; never removed or renamed while cases run).

Nothing here carries client data: ids, organisation names, Dutch task titles, and the
free-text motivations professionals enter (encrypted by the payload codec).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

WORKFLOW_NAME = "CaseWorkflow"
# the activities that write a case's read-model batch: a regular one (cases started
# before the local-activity patch) and the local one, whose result is the batch
APPLY_CHANGES = "apply_changes"
WRITE_READ_MODEL = "write_read_model"
# the local one for a batch with notifications: the batch and its outbox rows in one
# transaction; its result holds the batch too (``ReadModelAndOutboxWritten``)
WRITE_READ_MODEL_AND_OUTBOX = "write_read_model_and_outbox"


def workflow_id_for(case_id: str) -> str:
    return f"case-{case_id}"


@dataclass
class Actor:
    """Who does something: a user (id, name, role, organisation) or the system."""

    user_id: str
    name: str
    role: str
    org: str


SYSTEM = Actor(user_id="system", name="systeem", role="system", org="casusregie")


@dataclass
class CaseInput:
    case_id: str
    entry: str
    sector: str
    region: str
    provider_org: str
    zorgkantoor_org: str
    oco_org: str | None = None
    decision_days: int = 5
    progress_report_days: int = 14
    reminder_days_before: int = 1
    max_declines: int = 2
    definition_version: int = 1
    started_by: Actor | None = None
    request_id: str | None = None
    # how long an update waits for the read model before answering with
    # read_model_synced=False (histories written before this field decode to the default)
    sync_wait_seconds: float = 10.0
    # set only when the workflow continues as new: the state it carries over
    resume: CaseState | None = None
    # since step plan v2
    registered_at: datetime | None = None  # the registration date (decision clock); None: now
    bridging_check_days: int = 14  # interval of the zorgkantoor's bridging checks
    evaluation_days: int = 42  # the evaluation after a placement is due this much later
    phase_max_days: dict[str, int] = field(default_factory=dict)  # per-deployment overrides
    # the structured case data given at start (codes and short texts: domain/casedata.py)
    case_data: dict[str, Any] = field(default_factory=dict)
    signal_id: str | None = None  # the early signal the case was started from (issue 11)


@dataclass
class TaskState:
    id: str
    key: str
    phase: str
    title: str
    owner_role: str
    owner_org: str
    supports: list[str]
    allowed_outcomes: list[str]
    created_at: datetime
    status: str = "open"
    due_at: datetime | None = None
    remind_at: datetime | None = None
    reminded: bool = False
    overdue: bool = False
    outcome: str | None = None
    note: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    completed_by: Actor | None = None
    completed_at: datetime | None = None
    claimed_by: Actor | None = None
    claimed_at: datetime | None = None
    # contributions of supporting roles: {"at", "by", "org", "role", "note", "data"}
    contributions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class CaseState:
    case_id: str
    phase: str
    phase_since: datetime
    provider_org: str
    zorgkantoor_org: str
    oco_org: str | None = None
    status: str = "open"
    outcome: str | None = None
    # organisation names per capacity: provider, intended_provider, round_provider, oco, ...
    participants: dict[str, list[str]] = field(default_factory=dict)
    declines: int = 0
    meetings: int = 0  # whole-system meetings started (phase 4 entries)
    tasks: list[TaskState] = field(default_factory=list)
    next_seq: int = 1  # ids of tasks and events are "<case_id>:t<n>" / ":e<n>"
    event_seq: int = 1
    bridging_solution: str | None = None
    # since step plan v2
    registered_at: datetime | None = None  # start of the current decision clock
    stalled: bool = False  # past the current phase's maximum duration
    # a provider's notice of ending care: {"by_org", "reason", "intended_end", "at",
    # "review": None | "agreed" | "objected"}
    notice: dict[str, Any] | None = None
    # after care ended: {"since", "arrangement", "ended_by_org", "agreed_by", ...}
    bridging: dict[str, Any] | None = None
    # consent records per organisation that receives client data (CONSENT_FIELDS)
    consents: dict[str, dict[str, Any]] = field(default_factory=dict)
    # the structured case data (domain/casedata.py) and the document references
    case_data: dict[str, Any] = field(default_factory=dict)
    documents: list[dict[str, Any]] = field(default_factory=list)

    def task(self, task_id: str) -> TaskState | None:
        return next((t for t in self.tasks if t.id == task_id), None)

    @property
    def open_tasks(self) -> list[TaskState]:
        return [t for t in self.tasks if t.status == "open"]


@dataclass
class CompleteTask:
    task_id: str
    outcome: str
    actor: Actor
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    request_id: str | None = None
    # the API stops waiting at this moment: an attempt accepted later is refused (EXPIRED)
    not_after: datetime | None = None


@dataclass
class ClaimTask:
    task_id: str
    actor: Actor
    release: bool = False  # True: unclaim
    force: bool = False  # take over a colleague's claim (same organisation only)
    request_id: str | None = None
    not_after: datetime | None = None
    # claim on behalf of a colleague of the actor's organisation (assign the task to
    # them); None: the actor claims it. Added with a default: old histories decode.
    assignee: Actor | None = None

    @property
    def holder(self) -> Actor:
        """Who holds the task after this claim."""
        return self.assignee or self.actor


class CaseActionKind:
    WITHDRAW = "withdraw"  # coordinator; note = reason
    END_CARE_WITH_BRIDGING = "end_care_with_bridging"  # coordinator; data.bridging_solution
    SIGNAL_STAGNATION = "signal_stagnation"  # aanbieder / oco -> zorgkantoor task at once
    REQUEST_ADVICE = "request_praktijkteam_advice"  # any party; answered via a task
    ADD_PARTICIPANT = "add_participant"  # coordinator; data.org, data.capacity
    # since step plan v2
    GIVE_NOTICE = "give_notice"  # aanbieder; data.reason, data.intended_end
    ADD_CONTRIBUTION = "add_contribution"  # a supporting role; data.task_id
    SWITCH_OCO = "switch_oco"  # coordinator; data.org, data.consent (the client's choice)
    UPDATE_CASE_DATA = "update_case_data"  # involved parties; data: the fields to set
    ADD_DOCUMENT = "add_document"  # involved parties; data.kind, date, holder_org, url

    ALL = (
        WITHDRAW,
        END_CARE_WITH_BRIDGING,
        SIGNAL_STAGNATION,
        REQUEST_ADVICE,
        ADD_PARTICIPANT,
        GIVE_NOTICE,
        ADD_CONTRIBUTION,
        SWITCH_OCO,
        UPDATE_CASE_DATA,
        ADD_DOCUMENT,
    )


@dataclass
class CaseAction:
    action: str
    actor: Actor
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    request_id: str | None = None
    not_after: datetime | None = None


@dataclass
class UpdateResult:
    """What an update changed: the task it touched and the tasks it opened."""

    phase: str
    status: str
    outcome: str | None = None
    task: TaskState | None = None
    opened: list[TaskState] = field(default_factory=list)
    read_model_synced: bool = True


@dataclass
class AuditEntry:
    id: str
    case_id: str
    seq: int
    at: datetime
    actor: str
    action: str
    actor_id: str | None = None
    role: str | None = None
    org: str | None = None
    task_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    motivation: str | None = None
    request_id: str | None = None


@dataclass
class NotificationIntent:
    """Something parties must hear about; the notification activities turn it into
    outbox rows (one per recipient) and deliver them."""

    id: str  # unique per event; with the recipient it is the idempotency key
    event: str  # task_assigned, deadline_reminder, deadline_missed, phase_changed, ...
    case_id: str
    at: datetime
    recipients: list[str]  # organisation names
    task_id: str | None = None
    context: dict[str, Any] = field(default_factory=dict)  # ids, Dutch titles, dates


@dataclass
class ReadModelChanges:
    """One batch for the read model: the case row, changed tasks, new audit entries."""

    case_id: str
    phase: str
    status: str
    phase_since: datetime
    provider_org: str
    oco_org: str | None
    participants: dict[str, list[str]]
    meetings: int
    outcome: str | None = None
    overdue: bool = False
    tasks: list[TaskState] = field(default_factory=list)
    events: list[AuditEntry] = field(default_factory=list)
    # since step plan v2
    stalled: bool = False
    bridging: dict[str, Any] | None = None
    consents: dict[str, dict[str, Any]] = field(default_factory=dict)
    notice: dict[str, Any] | None = None
    case_data: dict[str, Any] = field(default_factory=dict)
    documents: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class CaseResult:
    case_id: str
    outcome: str


class UpdateError:
    """``ApplicationError.type`` values raised by update validators (the API maps them to
    HTTP status codes in ``api/services/workflow.py``)."""

    NOT_FOUND = "NotFound"  # 404: no such task in this case
    CONFLICT = "Conflict"  # 409: task no longer open, case closed, claimed by another
    FORBIDDEN = "Forbidden"  # 403: caller's role/organisation may not do this
    INVALID = "Invalid"  # 422: outcome not allowed, required data missing
    # 503: the attempt reached a worker after the API had stopped waiting for it; it is
    # not applied (the API sends it again, or the caller retries)
    EXPIRED = "Expired"

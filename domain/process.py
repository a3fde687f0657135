"""The shape of a step-plan definition: phases, tasks, outcomes and their effects.

The definition itself is data (``domain/stappenplan_v1.py``); the case workflow only
interprets it. A new task is a data change plus a test, not new control flow.
Definitions are versioned: a running case keeps the version it started with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.codes import DOCUMENT_KINDS, codes
from domain.vocabulary import CaseOutcome, NotificationEvent, Phase, Role

# system triggers of tasks no person opens (``TaskDef.opened_by``)
NOTIFICATION_FAILED = "notification_failed"  # a notification could not be delivered
PHASE_STALLED = "phase_stalled"  # the case stayed past its phase's maximum duration
CARE_ENDED = "care_ended"  # a provider ended care: the zorgkantoor monitors the bridging


class FieldKind(StrEnum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"
    DATE = "date"
    DATETIME = "datetime"
    ORGANISATION = "organisation"  # an organisation name
    ORGANISATIONS = "organisations"  # several organisation names
    PARTICIPANTS = "participants"  # [{"name", "org", "mandate": bool}]
    MONEY = "money"  # euros
    URL = "url"
    CHOICE = "choice"  # one code of ``FieldSpec.choices``
    YES_NO = "yes_no"  # true / false
    CONSENT = "consent"  # {"given_by", "scope", "date", "recorded_how"}: see CONSENT_FIELDS
    # per provider approached in a registration round: [{"provider", "result", "reason_code"}]
    PROVIDER_RESULTS = "provider_results"


# a consent record: who gave it (client or representative: ``domain.codes.CONSENT_GIVERS``),
# for what, when, and how it is kept in the file
CONSENT_FIELDS = ("given_by", "scope", "date", "recorded_how")


@dataclass(frozen=True)
class FieldSpec:
    """A piece of completion data a task asks for (``data`` in the completion body)."""

    name: str
    label: str  # Dutch
    kind: FieldKind = FieldKind.TEXT
    # for CHOICE: the allowed codes with their Dutch labels
    choices: tuple[tuple[str, str], ...] = ()


class Condition(StrEnum):
    """When a task is opened at all."""

    ALWAYS = "always"
    OCO_INVOLVED = "oco_involved"
    NO_OCO = "no_oco"


class Due(StrEnum):
    """Due periods that come from the case's settings rather than a fixed number."""

    DECISION_DAYS = "decision_days"  # counted from the registration date
    PROGRESS_REPORT_DAYS = "progress_report_days"
    BRIDGING_CHECK_DAYS = "bridging_check_days"
    EVALUATION_DAYS = "evaluation_days"


@dataclass(frozen=True)
class CountDecline:
    """Count a declined registration: below the case's limit of declines open ``opens``
    (a re-registration), at the limit ``at_limit_opens`` (the zorgkantoor takes over)."""

    opens: tuple[str, ...]
    at_limit_opens: tuple[str, ...]


@dataclass(frozen=True)
class RegisterProvider:
    """The completion names a provider (``data[field]``): it becomes the case's provider,
    joins the case in ``capacity``, and ``opens`` start (a new decision, a new timer)."""

    field: str
    capacity: str
    opens: tuple[str, ...]


class Party(StrEnum):
    """Recipients of a notice, resolved on the case at the moment it is sent."""

    PARTICIPANTS = "participants"  # every organisation taking part in the case
    ZORGKANTOOR = "zorgkantoor"


@dataclass(frozen=True)
class Notice:
    """A notification a completed task sends besides the usual ones."""

    event: NotificationEvent
    to: tuple[Party, ...]
    # task data fields naming more recipient organisations (a name or a list of names)
    to_fields: tuple[str, ...] = ()
    # task data fields passed on to the message (e.g. the meeting's date and place)
    context_fields: tuple[str, ...] = ()
    with_meeting_number: bool = False


@dataclass(frozen=True)
class Effect:
    """What an outcome does. All parts may combine; ``close`` wins over ``goto``."""

    goto: Phase | None = None
    close: CaseOutcome | None = None
    opens: tuple[str, ...] = ()  # task keys opened in the current phase
    count_decline: CountDecline | None = None
    register_provider: RegisterProvider | None = None
    # tasks opened after the case closed (``after_close`` tasks: e.g. the evaluation)
    follow_up: tuple[str, ...] = ()
    # the review of a provider's notice of ending care: "agreed" or "objected"
    notice_review: str | None = None

    @property
    def referenced_tasks(self) -> tuple[str, ...]:
        refs = self.opens + self.follow_up
        if self.count_decline:
            refs += self.count_decline.opens + self.count_decline.at_limit_opens
        if self.register_provider:
            refs += self.register_provider.opens
        return refs


@dataclass(frozen=True)
class TaskDef:
    key: str
    title: str  # Dutch, shown in inboxes
    owner: Role
    outcomes: dict[str, Effect]
    supports: tuple[Role, ...] = ()
    description: str = ""  # Dutch: what is expected
    condition: Condition = Condition.ALWAYS
    # opened when the phase starts (True) or only by another task's effect (False)
    on_phase_start: bool = True
    due: int | Due | None = None  # days after opening
    remind: bool = False  # reminder to the owner ``reminder_days_before`` the deadline
    on_overdue: str | None = None  # task key opened (for the zorgkantoor) at the deadline
    fields: tuple[FieldSpec, ...] = ()
    # data fields required per outcome; "note" means the motivation is required
    requires: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # outcomes only allowed when no OCO is involved in the case
    outcomes_without_oco: tuple[str, ...] = ()
    # sent when the task is completed (with any outcome)
    notice: Notice | None = None
    # what opens it besides another task's outcome: a case action (``CaseActionKind``)
    # or a system trigger (``NOTIFICATION_FAILED``, ``PHASE_STALLED``, ``CARE_ENDED``)
    opened_by: str | None = None
    # preconditions: per outcome, the tasks of the phase that must be done first
    # (the zorgkantoor may override with a motivation)
    gates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # due at the date in this field of the completion that opened it (e.g. the
    # follow-up date agreed in a meeting); ``due`` when that field is empty
    due_from_field: str | None = None
    # a follow-up after the case closed (its validator allows it on a closed case)
    after_close: bool = False
    # the documents the step plan ties to this task (``domain.codes.DOCUMENT_KINDS``):
    # a checklist; missing ones show on the task and the case
    documents: tuple[str, ...] = ()
    # tasks whose latest completion this task must judge (shown as its context, e.g.
    # the cost estimate for its review, the meeting's arrangements for the meeting)
    shows: tuple[str, ...] = ()

    @property
    def allowed_outcomes(self) -> tuple[str, ...]:
        return tuple(self.outcomes)

    @property
    def closes_phase(self) -> bool:
        return any(e.goto or e.close for e in self.outcomes.values())


@dataclass(frozen=True)
class PhaseDef:
    phase: Phase
    title: str
    tasks: tuple[TaskDef, ...]
    # entering the phase starts a (new) meeting: counted, numbered in notices
    counts_meetings: bool = False
    # past this many days in the phase the case is stalled (None: no maximum);
    # a deployment may override it per phase (``CASUSREGIE_PHASE_MAX_DAYS``)
    max_days: int | None = None


@dataclass(frozen=True)
class ProcessDefinition:
    version: int
    phases: tuple[PhaseDef, ...]
    # tasks that can be opened in any phase (signals, advice, escalations)
    any_phase_tasks: tuple[TaskDef, ...] = ()
    # a task left open when its phase ends (or the case closes) is recorded as
    # ``skipped`` with a ``task_skipped`` event (version 1: silently ``cancelled``)
    records_skipped: bool = False
    # continuity of care: ending care keeps the case open and the search going, the
    # provider that ended care leaves the case (version 1: the case closed)
    ending_care_keeps_case_open: bool = False
    # a provider that declines to become dossierhouder leaves the case's active parties
    declining_provider_leaves: bool = False
    # a party that receives client data needs a full consent record, not only a yes
    consent_records_required: bool = False
    # a task opened by a case action keeps the action's text as its context
    # (``data.request``: the stagnation signal, the question for the Praktijkteam)
    tasks_carry_request: bool = False

    def has_trigger(self, trigger: str) -> bool:
        return any(t.opened_by == trigger for t in self.all_tasks())

    def phase(self, phase: Phase) -> PhaseDef:
        for p in self.phases:
            if p.phase == phase:
                return p
        raise KeyError(phase)

    def task(self, key: str) -> TaskDef:
        for t in self.all_tasks():
            if t.key == key:
                return t
        raise KeyError(key)

    def all_tasks(self) -> tuple[TaskDef, ...]:
        return tuple(t for p in self.phases for t in p.tasks) + self.any_phase_tasks

    @property
    def task_keys(self) -> frozenset[str]:
        return frozenset(t.key for t in self.all_tasks())

    def fields_named(self) -> set[str]:
        return {f.name for t in self.all_tasks() for f in t.fields}

    def task_opened_by(self, trigger: str) -> TaskDef:
        """The task a case action or system trigger opens."""
        for t in self.all_tasks():
            if t.opened_by == trigger:
                return t
        raise KeyError(trigger)

    def validate(self) -> None:
        """Every referenced task exists, keys are unique and every working phase is there."""
        keys = [t.key for t in self.all_tasks()]
        duplicates = {k for k in keys if keys.count(k) > 1}
        if duplicates:
            raise ValueError(f"duplicate task keys: {sorted(duplicates)}")
        triggers = [t.opened_by for t in self.all_tasks() if t.opened_by]
        if len(triggers) != len(set(triggers)):
            raise ValueError(f"a trigger opens more than one task: {sorted(triggers)}")
        for t in self.all_tasks():
            refs = [k for e in t.outcomes.values() for k in e.referenced_tasks]
            refs += [t.on_overdue] if t.on_overdue else []
            for ref in refs:
                if ref not in keys:
                    raise ValueError(f"task {t.key} refers to unknown task {ref}")
            names = {f.name for f in t.fields}
            for outcome, gates in t.gates.items():
                if outcome not in t.outcomes or not set(gates) <= set(keys):
                    raise ValueError(f"task {t.key}: gates name unknown {outcome}/{gates}")
            if t.due_from_field and t.due_from_field not in self.fields_named():
                raise ValueError(f"task {t.key}: due_from_field {t.due_from_field} is no field")
            if not set(t.documents) <= set(codes(DOCUMENT_KINDS)):
                raise ValueError(f"task {t.key} names unknown document kinds {t.documents}")
            unknown = set(t.shows) - set(keys)
            if unknown:
                raise ValueError(f"task {t.key} shows unknown tasks {sorted(unknown)}")
            for e in t.outcomes.values():
                if e.register_provider and e.register_provider.field not in names:
                    raise ValueError(f"task {t.key} registers a provider without its field")
            for outcome, needed in t.requires.items():
                names = {f.name for f in t.fields} | {"note"}
                if outcome not in t.outcomes or not set(needed) <= names:
                    raise ValueError(f"task {t.key}: requires names unknown {outcome}/{needed}")

"""Request and response bodies of the JSON API (separate from the SQLModel tables).

Names and identifiers refuse control characters; free text refuses them except tab
and line breaks; listed values are enumerations in the OpenAPI; ``data`` is bounded
(``CASUSREGIE_MAX_DATA_BYTES``, ``_MAX_LIST_ITEMS``, ``_MAX_ITEM_CHARS``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from datetime import date as date_
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from core.config import get_settings
from db.models import TaskBase
from domain.casedata import CASE_DATA_FIELDS
from domain.definitions import DEFINITIONS
from domain.permissions import PARTICIPANT_CAPACITIES
from domain.signals import ASSESS_SIGNAL, SignalKind, SignalMode
from domain.text import FREE_TEXT_PATTERN, NAME_PATTERN, bsn_like, has_control_characters
from domain.validation import fields_errors
from domain.vocabulary import REGIONS, CaseOutcome, CaseStatus, Entry, Phase, Sector

MAX_OFFSET = 1_000_000  # deeper pages are not browsed; filters narrow the list instead
MAX_LIMIT = 500
# every outcome a task can have: the step plans' and the early-signal assessment's
ALL_OUTCOMES: tuple[str, ...] = tuple(
    sorted(
        {o for d in DEFINITIONS.values() for t in d.all_tasks() for o in t.allowed_outcomes}
        | set(ASSESS_SIGNAL.allowed_outcomes)
    )
)


def _no_controls(value: str) -> str:
    if has_control_characters(value):
        raise PydanticCustomError(
            "control_characters", "must not contain control or invisible characters"
        )
    return value


def no_controls_but_lines(value: str) -> str:
    if has_control_characters(value, free_text=True):
        raise PydanticCustomError("control_characters", "must not contain control characters")
    return value


def _known_region(value: str) -> str:
    if value not in REGIONS:
        raise PydanticCustomError(
            "enum",
            "unknown region {region!r}; allowed: {allowed}",
            {"region": value, "allowed": ", ".join(REGIONS)},
        )
    return value


def _iso_datetime(value: Any) -> Any:
    """ISO 8601 only: a bare number is not silently taken as a Unix time."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, datetime):
        return value
    raise PydanticCustomError(
        "datetime_from_iso", "must be an ISO 8601 date-time, e.g. 2026-12-01T12:00:00+01:00"
    )


# a name or identifier: one line, no control characters
Name = Annotated[
    str, AfterValidator(_no_controls), Field(json_schema_extra={"pattern": NAME_PATTERN})
]
# free text (notes, summaries): line breaks allowed, other control characters not
FreeText = Annotated[
    str,
    AfterValidator(no_controls_but_lines),
    Field(json_schema_extra={"pattern": FREE_TEXT_PATTERN}),
]
RegionName = Annotated[
    str, AfterValidator(_known_region), WithJsonSchema({"type": "string", "enum": list(REGIONS)})
]
Capacity = Literal["intended_provider", "round_provider", "oco", "adviser"]
assert set(Capacity.__args__) == set(PARTICIPANT_CAPACITIES)  # type: ignore[attr-defined]


def _known_outcome(value: str) -> str:
    if value not in ALL_OUTCOMES:
        raise PydanticCustomError(
            "enum",
            "unknown outcome; the step plan's outcomes: {allowed}",
            {"allowed": ", ".join(ALL_OUTCOMES)},
        )
    return value


OutcomeName = Annotated[
    str,
    Field(min_length=1, max_length=100),
    AfterValidator(_known_outcome),
    WithJsonSchema({"type": "string", "enum": list(ALL_OUTCOMES)}),
]
IsoDatetime = Annotated[
    datetime,
    BeforeValidator(_iso_datetime),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def bounded_data(value: dict[str, Any]) -> dict[str, Any]:
    """``data`` of an action or completion: size, list lengths and item lengths bounded,
    no control characters in any text."""
    settings = get_settings()
    size = len(json.dumps(value, ensure_ascii=False).encode())
    if size > settings.max_data_bytes:
        raise PydanticCustomError(
            "too_long",
            "data is {size} bytes; at most {limit}",
            {"size": size, "limit": settings.max_data_bytes},
        )

    def check(item: Any, depth: int) -> None:
        if depth > 4:
            raise PydanticCustomError("too_long", "data is nested too deeply (at most 4 levels)")
        if isinstance(item, str):
            if depth > 1 and len(item) > settings.max_item_chars:
                raise PydanticCustomError(
                    "string_too_long",
                    "a list item is longer than {limit} characters",
                    {"limit": settings.max_item_chars},
                )
            no_controls_but_lines(item)
        elif isinstance(item, list):
            if len(item) > settings.max_list_items:
                raise PydanticCustomError(
                    "too_long",
                    "a list in data has more than {limit} items",
                    {"limit": settings.max_list_items},
                )
            for sub in item:
                check(sub, depth + 1)
        elif isinstance(item, dict):
            for key, sub in item.items():
                _no_controls(str(key))
                check(sub, depth + 1)

    for sub in value.values():
        check(sub, 1)
    return value


Data = Annotated[dict[str, Any], AfterValidator(bounded_data)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ClientBody(Body):
    """What a case and an early signal both say about the client: a pseudonymous
    reference (never a BSN), sector, region, the provider and the OCO if any."""

    client_ref: Name = Field(
        min_length=1,
        max_length=64,
        description="pseudonymous reference; never a BSN (refused wherever it appears)",
    )
    sector: Sector
    region: RegionName
    provider_org: Name = Field(
        min_length=1, max_length=200, description="a registered provider (aanbieder)"
    )
    oco_org: Name | None = Field(
        default=None, max_length=200, description="a registered OCO organisation"
    )

    @field_validator("client_ref")
    @classmethod
    def _not_a_bsn(cls, value: str) -> str:
        if bsn_like(value):
            raise PydanticCustomError(
                "bsn", "client_ref looks like a BSN; use a pseudonymous reference"
            )
        return value

    @field_validator("oco_org", mode="before")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class CaseCreate(ClientBody):
    entry: Entry
    decision_days: Literal[5, 10] | None = None  # None: the default of the settings
    # the date the client registered with the provider: the 5/10-day decision clock starts
    # there (step plan v2); default: today
    registered_at: date_ | None = None
    summary: FreeText = Field(default="", max_length=20_000)
    # the structured case data (all optional; codes from the lists in docs/api.md)
    case_data: dict[str, str] = Field(default_factory=dict)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "client_ref": "CR-2026-0001",
                    "sector": "GGZ",
                    "region": "Groningen",
                    "entry": "no_dossierhouder",
                    "provider_org": "Zorggroep Noord",
                    "oco_org": "MEE Groningen",
                    "decision_days": 5,
                    "summary": "Korte samenvatting van de situatie",
                    "case_data": {"care_need_type": "behaviour", "urgency": "high"},
                }
            ]
        }
    )

    @field_validator("case_data")
    @classmethod
    def _known_case_data(cls, value: dict[str, str]) -> dict[str, str]:
        errors = fields_errors(CASE_DATA_FIELDS, value)
        if errors:
            raise ValueError("; ".join(errors))
        return value

    @field_validator("registered_at")
    @classmethod
    def _not_in_the_future(cls, value: date_ | None) -> date_ | None:
        if value is not None and value > datetime.now(UTC).date():
            raise ValueError("registered_at cannot be in the future")
        return value


class SignalCreate(ClientBody):
    """An early signal (issue 11): ``early_information`` with its ``mode``, or
    ``request_mediation``; ``note`` is the signal's text (encrypted wherever stored)."""

    kind: SignalKind
    mode: SignalMode | None = None
    note: FreeText = Field(min_length=1, max_length=20_000)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "early_information",
                    "mode": "sparring",
                    "client_ref": "CR-2026-0002",
                    "sector": "VV",
                    "region": "Groningen",
                    "provider_org": "Zorggroep Noord",
                    "note": "Onrust op de groep; graag sparren",
                }
            ]
        }
    )

    @model_validator(mode="after")
    def _mode_with_early_information(self) -> SignalCreate:
        modes = [m.value for m in SignalMode]
        if self.kind == SignalKind.EARLY_INFORMATION and self.mode is None:
            raise ValueError(f"mode is required for kind early_information; allowed: {modes}")
        if self.kind != SignalKind.EARLY_INFORMATION and self.mode is not None:
            raise ValueError("mode: only for kind early_information")
        return self


class ConsentRecord(Body):
    """Demonstrable consent of the client to share data with one party."""

    given_by: Literal["client", "representative"]
    scope: str = Field(min_length=1, max_length=500, description="what may be shared")
    date: date_ = Field(description="when consent was given")
    recorded_how: str = Field(
        min_length=1, max_length=500, description="how it is kept in the file"
    )


class ParticipantCreate(Body):
    org: Name = Field(min_length=1, max_length=200, description="a registered organisation")
    capacity: Capacity
    consent: bool = Field(
        default=False, description="the client's consent to share data is recorded"
    )
    # required with consent for cases on step plan v2
    consent_record: ConsentRecord | None = None
    note: FreeText = Field(default="", max_length=5000)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"org": "Stichting Oost", "capacity": "round_provider", "consent": True}]
        }
    )


class Withdraw(Body):
    reason: FreeText = Field(min_length=1, max_length=5000)

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "De cliënt heeft een plek gevonden."}]}
    )


class CaseActionBody(Body):
    action: Literal[
        "signal_stagnation",
        "request_praktijkteam_advice",
        "end_care_with_bridging",
        "give_notice",
        "add_contribution",
        "switch_oco",
        "update_case_data",
        "add_document",
    ]
    note: FreeText = Field(default="", max_length=5000)
    data: Data = Field(default_factory=dict)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"action": "signal_stagnation", "note": "Al drie weken geen reactie", "data": {}},
                {
                    "action": "end_care_with_bridging",
                    "note": "",
                    "data": {"bridging_solution": "Tijdelijk verblijf bij Zorggroep Noord"},
                },
            ]
        }
    )


class CompleteBody(Body):
    outcome: OutcomeName
    note: FreeText = Field(default="", max_length=10_000)
    data: Data = Field(default_factory=dict)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"outcome": "accepted", "note": "", "data": {}}],
        }
    )


class ClaimBody(Body):
    force: bool = False
    # claim on behalf of a colleague of the same organisation (assign the task to them)
    assignee_id: Annotated[Name, Field(max_length=100)] | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"force": False}]})


class TaskOut(TaskBase):
    """A task as the API shows it: the fields declared on ``db.models.TaskBase``;
    ``overdue`` is also true for an open task past its due date."""


class ChoiceOut(BaseModel):
    code: str
    label: str


class FormFieldOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    label: str = Field(description="Dutch label")
    kind: str = Field(
        description="text, long_text, date, datetime, organisation(s), "
        "participants, money, url, choice, yes_no, consent, provider_results"
    )
    choices: list[ChoiceOut] = []
    required_for: list[str] = Field(default=[], description="the outcomes that need it")


class OutcomeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    label: str = Field(description="Dutch label")
    effect: Literal["closes", "moves", "stays"]
    to_phase: str | None = None
    to_phase_title: str | None = None
    opens: list[str] = []
    note_required: bool = False
    preconditions: list[str] = Field(
        default=[], description="tasks of the phase that must be done first (gates)"
    )


class DocumentNeedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    label: str


class TaskFormOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    fields: list[FormFieldOut]
    outcomes: list[OutcomeOut]
    documents: list[DocumentNeedOut] = []
    description: str = ""


class TaskJudged(BaseModel):
    """The latest completion of a task this task must judge."""

    key: str
    title: str
    outcome: str | None
    data: dict[str, Any]
    note: str | None
    completed_by: str | None
    completed_at: datetime | None


class TaskContext(BaseModel):
    client_ref: str
    phase: str
    phase_title: str
    summary: str | None = None
    request: str | None = Field(
        default=None, description="the signal or question that opened the task"
    )
    requested_by: str | None = None
    requested_by_org: str | None = None
    judges: list[TaskJudged] = []
    notice: dict[str, Any] | None = None
    documents_recorded: list[dict[str, Any]] = []
    documents_missing: list[dict[str, str]] = []


class TaskDetailOut(TaskOut):
    """One task with the form it asks for and the context it must judge."""

    form: TaskFormOut | None = None
    context: TaskContext
    contributions: list[dict[str, Any]] = Field(default_factory=list)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class CaseSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    client_ref: str
    status: CaseStatus
    phase: Phase
    outcome: CaseOutcome | None
    sector: Sector
    region: RegionName
    entry: Entry
    provider_org: str
    zorgkantoor_org: str
    oco_org: str | None
    overdue: bool
    phase_since: datetime
    created_at: datetime
    stalled: bool = False  # past the phase's maximum duration (step plan v2)
    signal_id: str | None = None  # the early signal the case was started from


class CaseOut(CaseSummaryOut):
    workflow_id: str
    decision_days: int
    meetings_held: int
    days_in_phase: float
    participants: dict[str, list[str]]
    open_tasks: list[TaskOut]
    # only for the organisations named on the case (see api/scoping.may_see_summary)
    summary: str | None = None
    definition_version: int = 1
    # since step plan v2: after a provider ended care, the bridging arrangement (the case
    # stays open): since, arrangement, ended_by_org, agreed_by, ...; null when none
    bridging: dict[str, Any] | None = None
    # a provider's notice of ending care while it is being handled: by_org, reason,
    # intended_end, review (null, "agreed" or "objected")
    notice: dict[str, Any] | None = None
    # organisations whose consent record (to receive client data) is in the file
    consent_recorded_for: list[str] = []
    # the structured case data (codes and short texts) and the document references
    case_data: dict[str, Any] = Field(default_factory=dict)
    documents: list[dict[str, Any]] = Field(default_factory=list)
    # documents the step plan asks for in the open tasks that are not recorded yet
    documents_missing: list[dict[str, str]] = Field(default_factory=list)


class TimelineEvent(BaseModel):
    at: datetime
    seq: int
    actor: str
    role: str | None
    org: str | None
    action: str
    task_id: str | None
    detail: dict[str, Any]
    before: dict[str, Any] | None = None  # the values an action changed, as they were
    after: dict[str, Any] | None = None
    motivation: str | None
    request_id: str | None = None


class UpdateOut(BaseModel):
    """What a task completion, claim or case action changed."""

    case_id: str
    phase: str
    status: str
    outcome: str | None
    task: TaskOut | None
    opened: list[TaskOut]
    read_model_synced: bool


class DurationsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    count: int
    median_days: float | None
    p90_days: float | None


class MonitorOut(BaseModel):
    """The zorgplicht monitor of the caller's region(s)."""

    model_config = ConfigDict(from_attributes=True)

    region: str | None
    open_cases: int
    by_phase: dict[str, DurationsOut]
    overdue_tasks: int
    cases_held_up: int = Field(description="open cases with a task past its deadline")
    bridging: DurationsOut = Field(description="clients in bridging care, days since")
    stalled: int
    skipped_tasks: int
    cases_with_skipped: int
    decisions_in_time: int
    decisions_late: int
    missed_reports: int
    links: dict[str, str] = Field(description="the cases behind each number")


class AgreementCreate(Body):
    """A working agreement from a reflection meeting."""

    region: str
    agreed_on: date_
    text: FreeText = Field(min_length=1, max_length=5000)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "region": "Groningen",
                    "agreed_on": "2026-11-20",
                    "text": "Wachtlijstbemiddeling binnen vijf werkdagen",
                }
            ]
        }
    )

    @field_validator("region")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in REGIONS:
            raise ValueError(f"unknown region {value!r}; allowed: {', '.join(REGIONS)}")
        return value


class SignalOut(BaseModel):
    """An early signal as its sender and the zorgkantoor see it. ``note``, ``advice`` and
    ``motivation`` (free text) only for the sender's organisation and the zorgkantoor."""

    id: str
    kind: str
    mode: str | None
    sector: str
    region: str
    client_ref: str
    provider_org: str
    oco_org: str | None
    note: str | None = None
    sender_org: str
    sender_role: str
    sent_by: str
    zorgkantoor_org: str
    status: str  # open, starting_case, case_started, advice_given, not_needed
    outcome: str | None  # start_case, advice_given, not_needed
    advice: str | None = None
    motivation: str | None = None
    assessed_by: str | None
    assessed_by_org: str | None
    assessed_at: datetime | None
    case_id: str | None  # the case started from the signal
    task_id: str | None  # the zorgkantoor's assess_signal task
    created_at: datetime
    updated_at: datetime


class SignalUpdateOut(BaseModel):
    """What completing or claiming a signal's task changed."""

    signal_id: str
    status: str
    outcome: str | None
    case_id: str | None  # the case started from the signal (``start_case``)
    task: TaskOut
    opened: list[TaskOut] = []
    read_model_synced: bool

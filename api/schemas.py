"""Request and response bodies of the JSON API (separate from the SQLModel tables).

Names and identifiers refuse control characters; free text refuses them except tab
and line breaks; listed values are enumerations in the OpenAPI; ``data`` is bounded
(``CASUSREGIE_MAX_DATA_BYTES``, ``_MAX_LIST_ITEMS``, ``_MAX_ITEM_CHARS``).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from core.config import get_settings
from db.models import TaskBase
from domain.definitions import DEFINITIONS
from domain.permissions import PARTICIPANT_CAPACITIES
from domain.text import FREE_TEXT_PATTERN, NAME_PATTERN, bsn_like, has_control_characters
from domain.vocabulary import REGIONS, CaseOutcome, CaseStatus, Entry, Phase, Sector

MAX_OFFSET = 1_000_000  # deeper pages are not browsed; filters narrow the list instead
MAX_LIMIT = 500
ALL_OUTCOMES: tuple[str, ...] = tuple(
    sorted({o for d in DEFINITIONS.values() for t in d.all_tasks() for o in t.allowed_outcomes})
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


class CaseCreate(Body):
    client_ref: Name = Field(
        min_length=1,
        max_length=64,
        description="pseudonymous reference; never a BSN (refused wherever it appears)",
    )
    sector: Sector
    region: RegionName
    entry: Entry
    provider_org: Name = Field(
        min_length=1, max_length=200, description="a registered provider (aanbieder)"
    )
    oco_org: Name | None = Field(
        default=None, max_length=200, description="a registered OCO organisation"
    )
    decision_days: Literal[5, 10] | None = None  # None: the default of the settings
    summary: FreeText = Field(default="", max_length=20_000)

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
                }
            ]
        }
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


class ParticipantCreate(Body):
    org: Name = Field(min_length=1, max_length=200, description="a registered organisation")
    capacity: Capacity
    consent: bool = Field(
        default=False, description="the client's consent to share data is recorded"
    )
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
    action: Literal["signal_stagnation", "request_praktijkteam_advice", "end_care_with_bridging"]
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

    model_config = ConfigDict(json_schema_extra={"examples": [{"force": False}]})


class TaskOut(TaskBase):
    """A task as the API shows it: the fields declared on ``db.models.TaskBase``;
    ``overdue`` is also true for an open task past its due date."""


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class CaseSummaryOut(BaseModel):
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


class CaseOut(CaseSummaryOut):
    workflow_id: str
    decision_days: int
    meetings_held: int
    days_in_phase: float
    participants: dict[str, list[str]]
    open_tasks: list[TaskOut]
    # only for the organisations named on the case (see api/scoping.may_see_summary)
    summary: str | None = None


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

"""The events that notify, and the small typed context their templates are rendered from.

Only whitelisted keys of ``NotificationIntent.context`` reach a template: ids, Dutch
titles, dates, organisation names and the meeting's practical details. Anything else
the workflow might put there (a note, a motivation) is dropped here, so client data
cannot leak into a message by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.labels import OUTCOME_TITLES, PHASE_TITLES, ROLE_NOUNS
from domain.messages import NotificationIntent

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


# context keys the workflow may use for "who did it" (signal, advice request/answer)
_BY_ORG_KEYS = ("signalled_by_org", "requested_by_org", "answered_by_org", "by_org")
_BY_ROLE_KEYS = ("signalled_by_role", "requested_by_role", "answered_by_role", "by_role")

# the title tables keyed by plain strings: the context carries phases and outcomes as str
_PHASE_TITLES: dict[str, str] = {phase.value: title for phase, title in PHASE_TITLES.items()}
_OUTCOME_TITLES: dict[str, str] = {o.value: title for o, title in OUTCOME_TITLES.items()}


@dataclass(frozen=True)
class MessageContext:
    """Everything a notification template may show. No ORM objects, no client data."""

    event: str
    case_id: str
    case_url: str
    recipient: str  # organisation name
    at: datetime
    task_id: str | None = None
    task_key: str | None = None
    task_title: str | None = None
    due_at: datetime | None = None
    phase: str | None = None
    phase_title: str | None = None
    previous_phase: str | None = None
    previous_phase_title: str | None = None
    by_org: str | None = None
    by_role_title: str | None = None
    outcome: str | None = None
    outcome_title: str | None = None
    meeting_at: datetime | None = None
    meeting_end: datetime | None = None
    location: str | None = None
    chair: str | None = None
    minute_taker: str | None = None
    meeting_number: int | None = None
    owner_org: str | None = None  # whose task it is (deadline_missed)

    def as_template_vars(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def case_url(public_url: str, case_id: str) -> str:
    return f"{public_url.rstrip('/')}/cases/{case_id}"


def _datetime(value: Any) -> datetime | None:
    """Dates arrive as ``datetime`` or, after a JSON round trip, as ISO strings. A time
    without zone (e.g. a meeting time typed into a form) is Dutch local time."""
    if value in (None, ""):
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=AMSTERDAM)


def _first(ctx: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((ctx[k] for k in keys if ctx.get(k)), None)


def _phase_title(phase: str | None, given: Any) -> str | None:
    if given:
        return str(given)
    return _PHASE_TITLES.get(phase) if phase else None


def _str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def message_context(intent: NotificationIntent, recipient: str, public_url: str) -> MessageContext:
    """The template context for one recipient of an intent (whitelisted keys only)."""
    ctx = intent.context or {}
    phase, previous = _str(ctx.get("phase")), _str(ctx.get("previous_phase"))
    outcome = _str(ctx.get("outcome"))
    role = _first(ctx, _BY_ROLE_KEYS)
    number = ctx.get("meeting_number")
    return MessageContext(
        event=intent.event,
        case_id=intent.case_id,
        case_url=case_url(public_url, intent.case_id),
        recipient=recipient,
        at=_datetime(intent.at) or datetime.now(UTC),
        task_id=intent.task_id or _str(ctx.get("task_id")),
        task_key=_str(ctx.get("task_key")),
        task_title=_str(ctx.get("task_title")),
        due_at=_datetime(ctx.get("due_at")),
        phase=phase,
        phase_title=_phase_title(phase, ctx.get("phase_title")),
        previous_phase=previous,
        previous_phase_title=_phase_title(previous, ctx.get("previous_phase_title")),
        by_org=_str(_first(ctx, _BY_ORG_KEYS)),
        by_role_title=ROLE_NOUNS.get(role, _str(role)) if role else None,
        outcome=outcome,
        outcome_title=_str(ctx.get("outcome_title")) or _OUTCOME_TITLES.get(outcome or ""),
        meeting_at=_datetime(ctx.get("meeting_at")),
        meeting_end=_datetime(ctx.get("meeting_end")),
        location=_str(ctx.get("location")),
        chair=_str(ctx.get("chair")),
        minute_taker=_str(ctx.get("minute_taker")),
        meeting_number=int(number) if number not in (None, "") else None,
        owner_org=_str(ctx.get("owner_org")),
    )

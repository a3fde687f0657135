"""Jinja2 rendering of notification messages: a subject, a plain-text and an HTML part.

Templates live in ``templates/notifications/``: ``<event>.txt`` (with a ``subject``
block) and ``<event>.html``, both extending a base layout. HTML is autoescaped, text is
not; undefined variables fail loudly. Dates are shown in Dutch, Amsterdam time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.labels import dutch_day
from notifications.context import AMSTERDAM, MessageContext

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "notifications"
TEMPLATE_KINDS = ("txt", "html")

_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def dutch_date(value: datetime | None, with_time: bool = True) -> str:
    """``dinsdag 4 maart 2025 om 14:00`` in Amsterdam time; empty for None."""
    if value is None:
        return ""
    local = value.astimezone(AMSTERDAM)
    text = f"{_DAYS[local.weekday()]} {dutch_day(local.date())}"
    return f"{text} om {local:%H:%M}" if with_time else text


def dutch_time(value: datetime | None) -> str:
    """``14:00`` in Amsterdam time; empty for None."""
    return f"{value.astimezone(AMSTERDAM):%H:%M}" if value else ""


def case_ref(case_id: str) -> str:
    """The short form of a case id for subjects; bodies carry the full id and link."""
    return case_id[:8]


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


@lru_cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["datum"] = dutch_date
    env.filters["tijd"] = dutch_time
    env.filters["casus"] = case_ref
    return env


def template_names(event: str) -> tuple[str, ...]:
    return tuple(f"{event}.{kind}" for kind in TEMPLATE_KINDS)


def _render(name: str, variables: dict[str, Any]) -> RenderedMessage:
    env = environment()
    text_template = env.get_template(f"{name}.txt")
    subject_block = text_template.blocks["subject"]
    subject = "".join(subject_block(text_template.new_context(variables)))
    return RenderedMessage(
        subject=" ".join(subject.split()),  # one line, whatever the template's layout
        text=text_template.render(variables),
        html=env.get_template(f"{name}.html").render(variables),
    )


def render_message(ctx: MessageContext) -> RenderedMessage:
    return _render(ctx.event, ctx.as_template_vars())


DIGEST_TEMPLATE = "daily_digest"


def render_digest(
    items: list[tuple[str, str, str]], recipient: str, day: str, public_url: str
) -> RenderedMessage:
    """The daily digest of one user: per held message its subject, time and case link
    (``notifications/digest.py``); nothing else of the messages, so no client data."""
    variables = {
        "items": items,
        "recipient": recipient,
        "day": day,
        "settings_url": f"{public_url.rstrip('/')}/mijn-gegevens",
    }
    return _render(DIGEST_TEMPLATE, variables)

"""Every event has a Dutch plain-text and HTML template; they render from the typed
context, escape HTML, and carry no client data; the meeting .ics parses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from domain.vocabulary import NotificationEvent
from notifications.context import message_context
from notifications.ics import event_uid, meeting_invitation_ics
from notifications.render import (
    DIGEST_TEMPLATE,
    TEMPLATE_DIR,
    render_digest,
    render_message,
    template_names,
)
from tests.notifications.conftest import CASE_ID, PROVIDER, ZK, intent

PUBLIC = "https://casusregie.test"
SAMPLE_CONTEXT = {
    "task_id": f"{CASE_ID}:t3",
    "task_key": "decide_dossierhouder",
    "task_title": "Besluiten over dossierhouderschap",
    "phase": "dossierhouder_search",
    "phase_title": "Dossierhouder zoeken",
    "previous_phase": "current_place_review",
    "due_at": "2026-03-09T09:00:00+00:00",
    "signalled_by_org": PROVIDER,
    "signalled_by_role": "aanbieder",
    "requested_by_org": PROVIDER,
    "outcome": "placed",
    "meeting_at": "2026-03-12T13:30:00+00:00",
    "location": "https://meet.example/abc",
    "chair": "J. de Vries",
    "minute_taker": "P. Jansen",
    "meeting_number": 1,
}
# what the workflow must never pass on, but might by mistake
CLIENT_DATA = {
    "summary": "Mevrouw K. (BSN 123456782) heeft ernstige dementie",
    "client_ref": "CR-2026-0001",
    "note": "agressie tegen begeleiders",
}
DUTCH_WORDS = {
    "task_assigned": "nieuwe taak",
    "deadline_reminder": "herinnering",
    "deadline_missed": "termijn verstreken",
    "phase_changed": "nieuwe fase",
    "stagnation_signal": "stagnatie",
    "advice_requested": "Praktijkteam VWS",
    "advice_answered": "Praktijkteam VWS",
    "meeting_invitation": "uitnodiging",
    "case_closed": "afgesloten",
}


def test_every_event_has_both_templates_and_no_orphans() -> None:
    expected = {name for event in NotificationEvent for name in template_names(event)}
    own = {"base.txt", "base.html", *template_names(DIGEST_TEMPLATE)}  # the daily digest
    present = {p.name for p in TEMPLATE_DIR.iterdir()} - own
    assert expected - present == set(), "missing templates"
    assert present - expected == set(), "templates without an event"
    assert set(DUTCH_WORDS) == set(NotificationEvent)


@pytest.mark.parametrize("event", list(NotificationEvent))
def test_render_every_event(event: str) -> None:
    ctx = message_context(intent(event, [ZK], **SAMPLE_CONTEXT, **CLIENT_DATA), ZK, PUBLIC)
    msg = render_message(ctx)
    link = f"{PUBLIC}/cases/{CASE_ID}"
    assert DUTCH_WORDS[event].lower() in msg.subject.lower()
    assert CASE_ID[:8] in msg.subject and "\n" not in msg.subject
    for part in (msg.text, msg.html):
        assert link in part and "cliënt" in part and ZK in part
        assert "None" not in part
        for secret in CLIENT_DATA.values():
            assert secret not in part and secret not in msg.subject
    assert msg.html.lstrip().startswith("<!DOCTYPE html>")
    assert "<p>" not in msg.text


def test_dates_are_dutch_in_amsterdam_time() -> None:
    ctx = message_context(intent("task_assigned", [ZK], **SAMPLE_CONTEXT), ZK, PUBLIC)
    assert "maandag 9 maart 2026 om 10:00" in render_message(ctx).text  # UTC+1 in March


def test_meeting_time_without_zone_is_dutch_local_time() -> None:
    source = intent("meeting_invitation", [ZK], meeting_at="2026-07-01T14:00")
    ctx = message_context(source, ZK, PUBLIC)
    assert "woensdag 1 juli 2026 om 14:00" in render_message(ctx).subject
    ics = meeting_invitation_ics(ctx, source.id, "casusregie@zk.test", None)
    assert "DTSTART:20260701T120000Z" in ics  # CEST is UTC+2


def test_html_is_autoescaped_text_is_not() -> None:
    ctx = message_context(
        intent("task_assigned", [ZK], task_title="Overleg <b>& plan</b>"), ZK, PUBLIC
    )
    msg = render_message(ctx)
    assert "Overleg &lt;b&gt;&amp; plan&lt;/b&gt;" in msg.html
    assert "Overleg <b>& plan</b>" in msg.text
    assert "Voor deze taak geldt geen termijn." in msg.text  # due_at None


def test_meeting_ics_parses_with_icalendar() -> None:
    source = intent("meeting_invitation", [ZK], **SAMPLE_CONTEXT)
    ctx = message_context(source, ZK, PUBLIC)
    ics = meeting_invitation_ics(ctx, source.id, "casusregie@zk.test", "zk@zk.test")
    calendar = Calendar.from_ical(ics)
    assert str(calendar["method"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2026, 3, 12, 13, 30, tzinfo=UTC)
    assert "DTSTART:20260312T133000Z" in ics  # UTC on the wire
    assert event.decoded("dtend") == datetime(2026, 3, 12, 15, 30, tzinfo=UTC)
    assert str(event["location"]) == "https://meet.example/abc"
    assert str(event["uid"]) == event_uid(source.id)
    assert f"{PUBLIC}/cases/{CASE_ID}" in str(event["description"])
    assert str(event["attendee"]) == "mailto:zk@zk.test"


def test_the_daily_digest_lists_subjects_and_links_only() -> None:
    items = [
        (f"Casus {CASE_ID[:8]}: nieuwe taak – Plan <van> aanpak", "maandag 2 maart", PUBLIC),
        (f"Casus {CASE_ID[:8]}: herinnering", "dinsdag 3 maart", f"{PUBLIC}/cases/{CASE_ID}"),
    ]
    msg = render_digest(items, PROVIDER, "woensdag 4 maart 2026", PUBLIC)
    assert msg.subject == "casusregie: dagoverzicht van woensdag 4 maart 2026, 2 meldingen"
    assert "Plan <van> aanpak" in msg.text and "Plan &lt;van&gt; aanpak" in msg.html
    for part in (msg.text, msg.html):
        assert f"{PUBLIC}/cases/{CASE_ID}" in part and f"{PUBLIC}/mijn-gegevens" in part
        assert PROVIDER in part and "cliënt" in part and "None" not in part
    one = render_digest(items[:1], PROVIDER, "woensdag 4 maart 2026", PUBLIC)
    assert one.subject.endswith(", 1 melding")

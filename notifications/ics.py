"""The iCalendar (RFC 5545/5546) invitation attached to a Whole-system meeting invitation.

One VEVENT per meeting intent: the UID derives from the intent id, so every recipient's
calendar sees the same event, and a retried delivery carries the identical file.
DTSTAMP is the intent's time (not "now") for the same reason.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

from notifications.context import MessageContext

DEFAULT_MEETING_DURATION = timedelta(hours=2)
PRODID = "-//casusregie//Whole system in the room//NL"


def event_uid(intent_id: str) -> str:
    return f"{intent_id}@casusregie"


def meeting_invitation_ics(
    ctx: MessageContext, intent_id: str, organizer: str, attendee: str | None
) -> str:
    """A METHOD:REQUEST calendar with the meeting; times in UTC. Raises when the
    context has no meeting time (the workflow must send ``meeting_at``)."""
    if ctx.meeting_at is None:
        raise ValueError("meeting_invitation without meeting_at")
    start = ctx.meeting_at.astimezone(UTC)
    end = (ctx.meeting_end or ctx.meeting_at + DEFAULT_MEETING_DURATION).astimezone(UTC)

    event = Event()
    event.add("uid", event_uid(intent_id))
    event.add("sequence", 0)
    event.add("dtstamp", ctx.at.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", f"Whole system in the room – casus {ctx.case_id[:8]}")
    if ctx.location:
        event.add("location", ctx.location)
    lines = [f"Overleg over casus {ctx.case_id}: {ctx.case_url}"]
    if ctx.chair:
        lines.append(f"Voorzitter: {ctx.chair}")
    if ctx.minute_taker:
        lines.append(f"Notulist: {ctx.minute_taker}")
    event.add("description", "\n".join(lines))
    event.add("url", ctx.case_url)
    organizer_address = vCalAddress(f"mailto:{organizer}")
    organizer_address.params["cn"] = vText("casusregie")
    event.add("organizer", organizer_address)
    if attendee:
        attendee_address = vCalAddress(f"mailto:{attendee}")
        attendee_address.params["cn"] = vText(ctx.recipient)
        attendee_address.params["role"] = vText("REQ-PARTICIPANT")
        attendee_address.params["partstat"] = vText("NEEDS-ACTION")
        attendee_address.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee_address)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    calendar.add("calscale", "GREGORIAN")
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical.decode()

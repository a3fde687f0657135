"""``send_notifications`` in a workflow, real activities, a real aiosmtpd server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from core.ports import free_port
from tests.notifications.conftest import (
    CASE_ID,
    PROVIDER,
    ZK,
    add_org,
    add_user,
    intent,
    outbox_rows,
)


async def test_meeting_invitation_reaches_every_address_with_ics(smtp, engine, notify) -> None:
    zk = add_org(engine, ZK, "zorgkantoor", email="regie@zk.test")
    add_user(engine, zk, "Zeynep", "zeynep@zk.test")
    add_user(engine, zk, "Zonder adres", None)
    add_org(engine, PROVIDER, "aanbieder", email="zorg@noord.test")
    meeting = intent(
        "meeting_invitation",
        [ZK, PROVIDER, ZK],
        meeting_at="2026-03-12T13:30:00+00:00",
        location="Gemeentehuis Assen, zaal 2",
        chair="J. de Vries",
        minute_taker="P. Jansen",
        meeting_number=1,
        summary="vertrouwelijk: mag nergens in staan",
    )

    assert await notify([meeting]) == []

    assert sorted(r for m in smtp.received for r in m.rcpt_tos) == [
        "regie@zk.test",
        "zeynep@zk.test",
        "zorg@noord.test",
    ]
    mail = smtp.to("zorg@noord.test")[0]
    msg = mail.message
    assert mail.mail_from == "casusregie@zorgkantoor.test"
    assert msg["Subject"].startswith(f"Casus {CASE_ID[:8]}: uitnodiging overleg")
    assert "donderdag 12 maart 2026 om 14:30" in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()
    assert "Gemeentehuis Assen, zaal 2" in text and "Voorzitter: J. de Vries" in text
    assert f"https://casusregie.test/cases/{CASE_ID}" in text
    assert "vertrouwelijk" not in mail.data.decode()
    assert "<strong>Whole system in the room</strong>" in msg.get_body(("html",)).get_content()
    (attachment,) = [p for p in msg.iter_attachments() if p.get_filename() == "uitnodiging.ics"]
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    (event,) = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2026, 3, 12, 13, 30, tzinfo=UTC)
    assert str(event["location"]) == "Gemeentehuis Assen, zaal 2"
    assert str(event["attendee"]) == "mailto:zorg@noord.test"
    uids = {
        str(
            Calendar.from_ical(next(p for p in m.message.iter_attachments()).get_content()).walk(
                "VEVENT"
            )[0]["uid"]
        )
        for m in smtp.received
    }
    assert len(uids) == 1  # one calendar event, whoever receives it

    rows = outbox_rows(engine)
    assert [(r.status, r.attempts, r.uncertain) for r in rows] == [("sent", 1, False)] * 3
    assert all(r.message_id and r.message_id.endswith("@zorgkantoor.test>") for r in rows)
    assert {m.message["Message-ID"] for m in smtp.received} == {r.message_id for r in rows}


async def test_crash_after_handover_is_not_sent_again(
    smtp, engine, notify, crash_after_handover
) -> None:
    """The activity fails after the server accepted the message but before the outbox
    says so: the retry finds the fence crossed and does not send a second time."""
    add_org(engine, PROVIDER, "aanbieder", email="zorg@noord.test")
    assigned = intent(
        "task_assigned",
        [PROVIDER],
        task_id=f"{CASE_ID}:t1",
        task_title="Besluiten over dossierhouderschap",
        phase="dossierhouder_search",
    )

    assert await notify([assigned]) == []

    assert crash_after_handover and len(smtp.received) == 1
    (row,) = outbox_rows(engine)
    assert (row.status, row.attempts, row.uncertain) == ("sent", 1, True)
    assert "niet opnieuw verstuurd" in row.last_error


async def test_temporary_reject_is_retried_and_arrives_once(smtp, engine, notify) -> None:
    add_org(engine, PROVIDER, "aanbieder", email="zorg@noord.test")
    smtp.defer_once.add("zorg@noord.test")

    assert await notify([intent("phase_changed", [PROVIDER], phase="search_other_provider")]) == []

    assert len(smtp.received) == 1
    (row,) = outbox_rows(engine)
    assert (row.status, row.attempts, row.uncertain) == ("sent", 2, False)


async def test_permanent_reject_is_reported_and_missing_address_skipped(
    smtp, engine, notify
) -> None:
    add_org(engine, ZK, "zorgkantoor", email="regie@zk.test")
    add_org(engine, PROVIDER, "aanbieder", email="weg@noord.test")
    smtp.reject.add("weg@noord.test")
    closed = intent("case_closed", [ZK, PROVIDER, "Onbekende Stichting"], outcome="placed")

    failures = await notify([closed], max_attempts=5)

    assert [m.rcpt_tos for m in smtp.received] == [["regie@zk.test"]]
    by_recipient = {f.recipient: f for f in failures}
    assert set(by_recipient) == {PROVIDER}  # no address is no failure: the inbox shows it
    rejected = by_recipient[PROVIDER]
    assert (rejected.channel, rejected.event, rejected.address) == (
        "email",
        "case_closed",
        "weg@noord.test",
    )
    assert "550" in rejected.error
    rows = {r.recipient: r for r in outbox_rows(engine)}
    assert rows[PROVIDER].status == "failed" and rows[PROVIDER].attempts == 1  # no retries
    assert rows["Onbekende Stichting"].status == "skipped"
    assert rows[ZK].status == "sent"


async def test_unreachable_server_fails_after_bounded_retries(engine, notify, monkeypatch) -> None:
    monkeypatch.setenv("CASUSREGIE_MAIL_BACKEND", "smtp")
    monkeypatch.setenv("CASUSREGIE_SMTP_PORT", str(free_port()))  # nobody listens
    from core.config import get_settings

    get_settings.cache_clear()
    add_org(engine, ZK, "zorgkantoor", email="regie@zk.test")

    (failure,) = await notify(
        [intent("stagnation_signal", [ZK], signalled_by_org=PROVIDER)], max_attempts=2
    )

    assert failure.recipient == ZK and "Connection refused" in failure.error
    (row,) = outbox_rows(engine)
    assert (row.status, row.attempts) == ("failed", 2)


async def test_empty_list_sends_nothing(smtp, engine, notify) -> None:
    assert await notify([]) == []
    assert smtp.received == [] and outbox_rows(engine) == []


@pytest.mark.parametrize("event", ["unknown_event", "meeting_invitation"])
async def test_unrenderable_intent_is_reported_not_raised(smtp, engine, notify, event) -> None:
    add_org(engine, ZK, "zorgkantoor", email="regie@zk.test")
    (failure,) = await notify([intent(event, [ZK])])  # meeting without meeting_at
    assert "kon niet worden opgemaakt" in failure.error and smtp.received == []

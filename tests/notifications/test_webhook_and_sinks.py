"""Signed webhooks against a local HTTP receiver; the development file and console sinks."""

from __future__ import annotations

import hashlib
import hmac
import time

from structlog.testing import capture_logs

from core.config import get_settings
from notifications.webhook import SIGNATURE_HEADER, verify_signature
from tests.notifications.conftest import CASE_ID, PROVIDER, ZK, add_org, intent, outbox_rows

SECRET = "whsec-test-9f2c"


async def test_webhook_is_signed_and_carries_no_client_data(
    engine, notify, webhook_receiver
) -> None:
    add_org(
        engine,
        PROVIDER,
        "aanbieder",
        channels=["webhook"],
        webhook_url=webhook_receiver.url,
        webhook_secret=SECRET,
    )
    assigned = intent(
        "task_assigned",
        [PROVIDER],
        task_id=f"{CASE_ID}:t4",
        task_title="Plan van aanpak opstellen",
        phase="plan_of_action",
        summary="Meneer B., BSN 123456782",
        client_ref="CR-1",
    )

    assert await notify([assigned]) == []

    (hook,) = webhook_receiver.received
    assert hook.path == "/hooks/casusregie"
    # verified independently of the production helper: HMAC-SHA256 over "<t>.<body>"
    t, v1 = (part.split("=", 1)[1] for part in hook.headers[SIGNATURE_HEADER].split(","))
    expected = hmac.new(SECRET.encode(), f"{t}.".encode() + hook.body, hashlib.sha256)
    assert hmac.compare_digest(v1, expected.hexdigest())
    assert abs(int(t) - time.time()) < 60
    assert verify_signature(SECRET, hook.headers[SIGNATURE_HEADER], hook.body)
    assert not verify_signature("wrong", hook.headers[SIGNATURE_HEADER], hook.body)
    assert not verify_signature(SECRET, hook.headers[SIGNATURE_HEADER], hook.body + b" ")
    body = hook.json
    assert body["event"] == "task_assigned" and body["case_id"] == CASE_ID
    assert body["task_id"] == f"{CASE_ID}:t4"
    assert body["title"] == f"Casus {CASE_ID[:8]}: nieuwe taak – Plan van aanpak opstellen"
    assert body["link"] == f"{get_settings().effective_public_url}/cases/{CASE_ID}"
    assert "BSN" not in hook.body.decode() and "CR-1" not in hook.body.decode()
    (row,) = outbox_rows(engine)
    assert (row.channel, row.status, row.id) == ("webhook", "sent", body["id"])


async def test_webhook_4xx_fails_without_retry(engine, notify, webhook_receiver) -> None:
    add_org(
        engine,
        PROVIDER,
        "aanbieder",
        channels=["webhook", "email"],
        email="a@noord.test",
        webhook_url=webhook_receiver.url,
        webhook_secret=SECRET,
    )
    webhook_receiver.status = 410

    (failure,) = await notify([intent("case_closed", [PROVIDER], outcome="withdrawn")])

    assert (failure.channel, failure.recipient) == ("webhook", PROVIDER)
    assert "HTTP 410" in failure.error and len(webhook_receiver.received) == 1
    rows = {r.channel: r for r in outbox_rows(engine)}
    assert rows["email"].status == "sent"  # the file sink (development default)
    assert (rows["webhook"].status, rows["webhook"].attempts) == ("failed", 1)


async def test_file_sink_and_crash_after_handover_is_confirmed(
    engine, notify, crash_after_handover
) -> None:
    """Development default: the .eml lands under data_dir/mail. After a crash past the
    fence the retry can *see* the file, so the row is sent and not uncertain."""
    add_org(engine, ZK, "zorgkantoor", email="regie@zk.test")

    assert (
        await notify(
            [intent("stagnation_signal", [ZK], signalled_by_org=PROVIDER, signalled_by_role="oco")]
        )
        == []
    )

    (row,) = outbox_rows(engine)
    files = list((get_settings().data_dir / "mail").glob("*.eml"))
    assert [f.name for f in files] == [f"{row.id}.eml"]
    content = files[0].read_bytes().decode()
    assert "To: regie@zk.test" in content and "signaal van stagnatie" in content
    assert crash_after_handover == [row.id]
    assert (row.status, row.attempts, row.uncertain) == ("sent", 1, False)


async def test_console_sink_logs_subject_and_recipient_only(engine, notify, monkeypatch) -> None:
    monkeypatch.setenv("CASUSREGIE_MAIL_BACKEND", "console")
    get_settings.cache_clear()
    add_org(engine, ZK, "zorgkantoor", email="regie@zk.test")
    with capture_logs() as logs:
        assert await notify([intent("phase_changed", [ZK], phase="regular_steps_failed")]) == []
    (line,) = [e for e in logs if e["event"] == "notification mail (console)"]
    assert line["to"] == "regie@zk.test"
    assert line["subject"].endswith("nieuwe fase – Reguliere stappen leveren geen plek op")
    assert set(line) <= {"event", "log_level", "outbox_id", "to", "subject"}

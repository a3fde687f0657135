"""The daily digest: a user who chose ``digest`` (``users.notify``) gets no message at
once but one Dutch overview a day; the organisation's address and colleagues who chose
``direct`` are not affected. Real activities, the digest workflow on the time-skipping
server, a real SMTP server."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.registry import build_activities
from core.config import get_settings
from domain.notification_messages import DigestReport
from notifications import outbox
from tests.notifications.conftest import (
    CASE_ID,
    PROVIDER,
    add_org,
    add_user,
    intent,
    outbox_rows,
)
from workflows.digest_workflow import NotificationDigestWorkflow


async def run_digest(env: WorkflowEnvironment, engine: Engine, task_queue: str) -> DigestReport:
    """One run of the daily digest, as the schedule starts it."""
    with ThreadPoolExecutor(max_workers=2) as executor:
        async with Worker(
            env.client,
            task_queue=task_queue,
            workflows=[NotificationDigestWorkflow],
            activities=build_activities(engine, get_settings()),
            activity_executor=executor,
        ):
            return await env.client.execute_workflow(
                NotificationDigestWorkflow.run,
                id=f"digest-{uuid.uuid4()}",
                task_queue=task_queue,
            )


async def test_a_user_who_chose_the_digest_gets_one_message_a_day(
    smtp, engine, notify, env, task_queue
) -> None:
    org = add_org(engine, PROVIDER, "aanbieder", email="zorg@noord.test")
    add_user(engine, org, "Anna", "anna@noord.test", notify="digest")
    add_user(engine, org, "Bert", "bert@noord.test")
    new_task = intent(
        "task_assigned",
        [PROVIDER],
        task_id=f"{CASE_ID}:t4",
        task_title="Plan van aanpak opstellen",
        summary="vertrouwelijk: mag nergens in staan",
    )
    reminder = intent("deadline_reminder", [PROVIDER], task_title="Besluit dossierhouderschap")

    assert await notify([new_task, reminder]) == []
    # at once: the organisation's address and the colleague who chose "direct", not Anna
    assert sorted(r for m in smtp.received for r in m.rcpt_tos) == [
        "bert@noord.test",
        "bert@noord.test",
        "zorg@noord.test",
        "zorg@noord.test",
    ]
    held = [r for r in outbox_rows(engine) if r.address == "anna@noord.test"]
    assert [r.status for r in held] == [outbox.HELD, outbox.HELD]

    report = await run_digest(env, engine, task_queue)
    assert (report.digests, report.failed, report.messages) == (1, 0, 2)
    (mail,) = smtp.to("anna@noord.test")
    msg = mail.message
    assert msg["Subject"].startswith("casusregie: dagoverzicht van ")
    assert msg["Subject"].endswith(", 2 meldingen")
    text = msg.get_body(("plain",)).get_content()
    for row in held:
        assert row.subject in text
    assert f"https://casusregie.test/cases/{CASE_ID}" in text
    assert "https://casusregie.test/mijn-gegevens" in text
    assert "vertrouwelijk" not in mail.data.decode()
    rows = {r.id: r for r in outbox_rows(engine)}
    assert {rows[r.id].status for r in held} == {outbox.SENT}
    digest_id = rows[held[0].id].digest_id
    assert digest_id and rows[digest_id].status == outbox.SENT
    assert rows[digest_id].event == "daily_digest" and rows[digest_id].address == "anna@noord.test"

    # the next day: nothing held, nothing sent
    report = await run_digest(env, engine, task_queue)
    assert (report.digests, report.messages) == (0, 0)
    assert len(smtp.to("anna@noord.test")) == 1


async def test_a_digest_that_cannot_be_delivered_fails_its_messages_visibly(
    smtp, engine, notify, env, task_queue
) -> None:
    org = add_org(engine, PROVIDER, "aanbieder")
    add_user(engine, org, "Anna", "anna@noord.test", notify="digest")
    smtp.reject.add("anna@noord.test")
    assert await notify([intent("deadline_reminder", [PROVIDER], task_title="Besluit")]) == []
    assert smtp.received == []

    report = await run_digest(env, engine, task_queue)
    assert (report.digests, report.failed, report.messages) == (1, 1, 1)
    (held,) = [r for r in outbox_rows(engine) if r.event == "deadline_reminder"]
    assert held.status == outbox.FAILED
    assert held.last_error.startswith("het dagoverzicht kon niet worden bezorgd: ")

"""What the workflow does with notifications: parties hear about their tasks, and a
message that cannot be delivered becomes a task for the zorgkantoor."""

from __future__ import annotations

import asyncio

from sqlmodel import Session, select

from db.models import NotificationOutbox, Organisation
from tests.workflows.harness import PROVIDER, ZORGKANTOOR


def add_org(engine, name: str, kind: str, **settings) -> None:
    with Session(engine) as session:
        session.add(Organisation(name=name, kind=kind, **settings))
        session.commit()


async def eventually(predicate, what: str):
    """Notifications are delivered in the background: wait briefly (real time) for them."""
    for _ in range(100):
        result = await predicate()
        if result:
            return result
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


async def test_undeliverable_message_becomes_one_zorgkantoor_task(start, engine):
    add_org(engine, PROVIDER.org, "aanbieder", channels=["fax"])  # no such channel
    add_org(engine, ZORGKANTOOR.org, "zorgkantoor", email="regie@zk.test")
    case = await start()

    async def resolve_tasks():
        state = await case.state()
        return [t for t in state.open_tasks if t.key == "resolve_failed_notification"]

    [task] = await eventually(resolve_tasks, "a resolve_failed_notification task")
    assert (task.owner_role, task.owner_org) == ("zorgkantoor", ZORGKANTOOR.org)
    assert task.data["recipient"] == PROVIDER.org and task.data["channel"] == "fax"

    def failures() -> int:  # the read model follows the workflow's state a moment later
        return case.audit_actions().count("notification_failed")

    async def failed(count: int):
        return failures() >= count

    await eventually(lambda: failed(1), "the failure in the timeline")
    before = failures()
    # arrange_care is assigned to the provider: its message fails as well
    await case.complete("decide_dossierhouder", "accepted")
    await eventually(lambda: failed(before + 1), "the second failure in the timeline")
    assert len(await resolve_tasks()) == 1  # still the one task
    resolve = [t for t in case.read_model_tasks() if t.key == "resolve_failed_notification"]
    assert len(resolve) == 1


async def test_advice_answer_reaches_the_party_that_asked(start, engine):
    case = await start(entry="care_not_suitable")
    await case.act("request_praktijkteam_advice", actor=PROVIDER, note="Wlz of Zvw?")
    await case.complete("record_praktijkteam_advice", "answered", actor=ZORGKANTOOR, advice="Wlz")

    def answered():
        with Session(engine) as session:
            rows = session.exec(
                select(NotificationOutbox).where(NotificationOutbox.event == "advice_answered")
            ).all()
            return {r.recipient for r in rows}

    async def both():
        return answered() == {PROVIDER.org, ZORGKANTOOR.org}

    await eventually(both, "advice_answered to the requester and the zorgkantoor")


async def test_outbox_rows_are_written_with_the_read_model(start, engine):
    """The transactional outbox: when an update answers, the messages it causes are in
    the outbox already (same transaction as the read model), not enqueued by a later
    activity; only the rows with an address are delivered by activities."""
    add_org(engine, PROVIDER.org, "aanbieder", email="planning@noord.test")
    case = await start(entry="no_dossierhouder")
    result = await case.complete("decide_dossierhouder", "accepted")
    assert result.read_model_synced
    arrange = next(t for t in case.read_model_tasks() if t.key == "arrange_care")
    with Session(engine) as session:
        rows = session.exec(
            select(NotificationOutbox).where(NotificationOutbox.task_id == arrange.id)
        ).all()
    assert {(r.recipient, r.event) for r in rows} == {(PROVIDER.org, "task_assigned")}

    async def delivered():
        history = await case.handle.fetch_history()
        names = [
            e.activity_task_scheduled_event_attributes.activity_type.name
            for e in history.events
            if e.HasField("activity_task_scheduled_event_attributes")
        ]
        return names if "deliver_notification" in names else None

    names = await eventually(delivered, "a delivery of the provider's e-mail")
    assert "enqueue_notifications" not in names and "apply_changes" not in names

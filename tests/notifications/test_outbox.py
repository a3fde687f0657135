"""The outbox without Temporal: idempotent enqueue, recipient planning, and the fence
that lets at most one attempt per message reach the hand-over."""

from __future__ import annotations

from sqlalchemy import event, text
from sqlmodel import Session

from core.config import get_settings
from notifications import outbox
from notifications.delivery import give_up
from tests.notifications.conftest import PROVIDER, ZK, add_org, add_user, intent, outbox_rows


def enqueue(engine, intents) -> list[str]:
    with Session(engine) as session:
        rows = outbox.enqueue(session, intents, get_settings())
        session.commit()
        return [row.id for row in rows]


def test_enqueue_is_idempotent_per_intent_recipient_and_channel(engine) -> None:
    zk = add_org(
        engine,
        ZK,
        "zorgkantoor",
        email="regie@zk.test",
        channels=["email", "webhook"],
        webhook_url="https://zk.test/hook",
    )
    add_user(engine, zk, "Zeynep", "zeynep@zk.test")
    add_user(engine, zk, "Dubbel", "REGIE@zk.test")  # same mailbox as the organisation
    reminder = intent(
        "deadline_reminder", [ZK, ZK], task_title="Besluiten", due_at="2026-03-09T09:00:00+00:00"
    )

    first = enqueue(engine, [reminder])
    assert enqueue(engine, [reminder]) == first  # a retried activity writes nothing new
    rows = outbox_rows(engine)
    assert sorted((r.channel, r.address) for r in rows) == [
        ("email", "regie@zk.test"),
        ("email", "zeynep@zk.test"),
        ("webhook", "https://zk.test/hook"),
    ]
    assert len({r.idempotency_key for r in rows}) == 3

    outbox.mark_sent(engine, first[0])
    assert enqueue(engine, [reminder]) == first[1:]  # sent rows need no delivery


def test_enqueue_costs_a_few_queries_whatever_the_batch(engine) -> None:
    """The organisations, their users and the existing keys are read once per batch,
    and the new rows written in one flush: not a query per message or recipient."""
    zk = add_org(engine, ZK, "zorgkantoor", email="regie@zk.test")
    add_user(engine, zk, "Zeynep", "zeynep@zk.test")
    add_org(engine, PROVIDER, "aanbieder")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(" ".join(statement.split()[:6]))

    batch = [intent("phase_changed", [ZK, PROVIDER, "Onbekend"], phase="x") for _ in range(5)]
    event.listen(engine, "before_cursor_execute", count)
    try:
        with Session(engine) as session:
            outbox.enqueue(session, batch, get_settings())
            session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    reads = [s for s in statements if s.startswith("SELECT")]
    assert len(reads) <= 4, "\n".join(statements)  # organisations, users, keys, case key
    assert len(outbox_rows(engine)) == 5 * 4  # two addresses at the zorgkantoor


def test_unknown_channel_fails_later_and_no_address_is_skipped(engine) -> None:
    """An unknown channel is a configuration error that must surface; an organisation
    without any address just works from its inbox: recorded, not sent, no alarm."""
    add_org(engine, PROVIDER, "aanbieder", channels=["sms"])
    enqueue(engine, [intent("case_closed", [PROVIDER, "Nergens BV"], outcome="placed")])
    rows = {r.recipient: r for r in outbox_rows(engine)}
    assert (rows[PROVIDER].channel, rows[PROVIDER].address) == ("sms", None)
    assert rows[PROVIDER].status == "pending"
    assert (rows["Nergens BV"].channel, rows["Nergens BV"].status) == ("email", "skipped")


def test_only_one_attempt_crosses_the_fence(any_engine) -> None:
    """Attempt 1 stalls before the hand-over, Temporal times it out and starts attempt 2;
    when the stale attempt 1 wakes up it can no longer claim the hand-over."""
    engine = any_engine
    add_org(engine, ZK, "zorgkantoor", email="regie@zk.test")
    (outbox_id,) = enqueue(engine, [intent("phase_changed", [ZK], phase="plan_of_action")])

    first = outbox.begin_attempt(engine, outbox.load(engine, outbox_id))
    second = outbox.begin_attempt(engine, outbox.load(engine, outbox_id))
    assert (first, second) == (1, 2)
    assert outbox.claim_handover(engine, outbox_id, first) is False
    assert outbox.claim_handover(engine, outbox_id, second) is True
    assert outbox.claim_handover(engine, outbox_id, second) is False  # once only
    # a third attempt must not start from a stale view of the row
    stale = outbox.load(engine, outbox_id)
    stale.handover_at = None
    assert outbox.begin_attempt(engine, stale) is None


def test_give_up_never_fails_a_message_that_may_have_arrived(engine) -> None:
    add_org(engine, ZK, "zorgkantoor", email="regie@zk.test")
    crossed, untouched = enqueue(
        engine,
        [
            intent("phase_changed", [ZK], phase="plan_of_action"),
            intent("case_closed", [ZK], outcome="placed"),
        ],
    )
    attempt = outbox.begin_attempt(engine, outbox.load(engine, crossed))
    assert outbox.claim_handover(engine, crossed, attempt)

    settings = get_settings().model_copy(update={"mail_backend": "smtp"})
    assert give_up(engine, settings, crossed, "timeout").status == "sent"
    assert outbox.load(engine, crossed).uncertain is True
    gave_up = give_up(engine, settings, untouched, "Connection refused")
    assert (gave_up.status, gave_up.error) == ("failed", "Connection refused")


def test_targets_read_the_addresses_unsealed_and_older_plain_ones_as_they_are(engine) -> None:
    """``targets_by_org`` reads the organisations and users with Core statements and
    unseals their addresses itself (``db.sealing.unseal_ring_column``), as the ORM would;
    an address written before sealing (plain) is used as it is."""
    zk = add_org(engine, ZK, "zorgkantoor", email="regie@zk.test")
    add_user(engine, zk, "Zeynep", "zeynep@zk.test", notify="digest")
    add_user(engine, zk, "Oud", None)
    with engine.begin() as conn:
        sealed = conn.execute(text("SELECT email FROM organisations")).scalar_one()
        assert sealed.startswith("enc1:r:")
        conn.execute(
            text("UPDATE users SET email = 'oud@zk.test' WHERE name = 'Oud'")
        )  # as written before sealing
    with Session(engine) as session:
        targets = outbox.targets_by_org(session, [ZK, "Onbekend"])
    assert [(t.ref.split(":")[0], t.address, t.held) for t in targets[ZK]] == [
        ("org", "regie@zk.test", False),
        ("user", "zeynep@zk.test", True),
        ("user", "oud@zk.test", False),
    ]
    assert targets["Onbekend"] == [outbox.Target("Onbekend", "org", "email", None)]


def test_a_skipped_row_is_written_in_bulk_as_the_orm_would_write_it(engine) -> None:
    """Rows for a target without address (most rows: an organisation without addresses
    works from its inbox) are written with one Core insert instead of ORM objects: the
    same columns as ``build_row``'s row, sealed at rest as the ORM hooks seal them."""
    add_org(engine, PROVIDER, "aanbieder")
    message = intent("case_closed", [PROVIDER], outcome="placed")
    assert enqueue(engine, [message]) == []  # nothing to deliver
    [row] = outbox_rows(engine)
    expected = outbox.build_row(
        message, outbox.Target(PROVIDER, "org", "email", None), get_settings()
    )
    own = {"id", "created_at", "updated_at"}
    assert row.model_dump(exclude=own) == expected.model_dump(exclude=own)
    assert row.status == "skipped" and row.subject == "case_closed"
    with engine.connect() as conn:
        subject, body = conn.execute(
            text("SELECT subject, body_text FROM notification_outbox")
        ).one()
    assert subject.startswith("enc1:c:") and body.startswith("enc1:c:")
    assert enqueue(engine, [message]) == [] and len(outbox_rows(engine)) == 1  # idempotent

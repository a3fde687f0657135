"""Retention by crypto-shredding, end to end on a real dev server (issue 13, item 3): a
closed case past ``CASUSREGIE_RETENTION_DAYS`` loses its data key; its history and
sealed columns become noise, the rows and counts stay, and replay says "shredded"."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from audit import retention
from audit.history import export_history
from audit.reconcile import verify_case
from audit.replay import SHREDDED, make_replayer, replay_case
from cli.main import run
from core.config import Settings, get_settings
from core.crypto import decrypt_text, encrypt_text
from core.keys import CaseShredded
from core.temporal import connect_client
from db.models import AuditEvent, Case, Signal, Task
from db.sealing import SHREDDED as SHREDDED_TEXT
from domain.messages import CaseAction, workflow_id_for
from tests.workflows.harness import COORDINATOR, case_input, insert_case_row
from worker import run_worker
from workflows.case_workflow import CaseWorkflow
from workflows.registry import WORKFLOWS

REASON = "Cliënt verhuist naar Xylofoonstraat 77"


def _raw(engine: Engine, sql: str, **params: object) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


async def test_retention_shreds_a_closed_case_and_keeps_its_counts(
    dev_server: str, engine: Engine, task_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASUSREGIE_TEMPORAL_ADDRESS", dev_server)
    monkeypatch.setenv("CASUSREGIE_TASK_QUEUE", task_queue)
    get_settings.cache_clear()
    settings = Settings(temporal_address=dev_server, task_queue=task_queue)
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, engine=engine, stop=stop))
    try:
        client = await connect_client(settings)
        kept, old = case_input(), case_input()
        for inp in (kept, old):
            insert_case_row(engine, inp)
            await client.start_workflow(
                CaseWorkflow.run, inp, id=workflow_id_for(inp.case_id), task_queue=task_queue
            )
        handle = client.get_workflow_handle(workflow_id_for(old.case_id))
        await handle.execute_update(CaseWorkflow.sync_read_model)  # started, then withdrawn
        await handle.execute_update(
            CaseWorkflow.case_action, CaseAction(action="withdraw", actor=COORDINATOR, note=REASON)
        )
        await asyncio.wait_for(handle.result(), timeout=30)
        await client.get_workflow_handle(workflow_id_for(kept.case_id)).execute_update(
            CaseWorkflow.sync_read_model
        )
        with Session(engine) as session:
            events = session.exec(select(AuditEvent).where(AuditEvent.case_id == old.case_id)).all()
            tasks = session.exec(select(Task).where(Task.case_id == old.case_id)).all()
            assert any(REASON in f"{e.detail}{e.motivation}" for e in events)
        counts = (len(events), len(tasks))
        raw_before = _raw(engine, "SELECT client_ref FROM cases WHERE id = :id", id=old.case_id)

        # too early: nothing happens; later (simulated clock): the closed case is shredded
        assert await asyncio.to_thread(run, ["retention", "apply", "--days", "30"]) == 0
        with Session(engine) as session:
            assert session.get(Case, old.case_id).shredded_at is None
        later = (datetime.now(UTC) + timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%S")
        assert (
            await asyncio.to_thread(run, ["retention", "apply", "--days", "30", "--now", later])
            == 0
        )

        with Session(engine) as session:
            case = session.get(Case, old.case_id)
            assert case.shredded_at is not None and case.status == "closed"
            assert case.client_ref == SHREDDED_TEXT and case.client_ref_hash is None
            events = session.exec(select(AuditEvent).where(AuditEvent.case_id == old.case_id)).all()
            tasks = session.exec(select(Task).where(Task.case_id == old.case_id)).all()
            assert (len(events), len(tasks)) == counts  # counts stay for reflection
            assert "case_closed" in {e.action for e in events}
            assert all(REASON not in f"{e.detail}{e.motivation}" for e in events)
            other = session.get(Case, kept.case_id)
            assert other.shredded_at is None and other.client_ref == "CR-TEST"  # still open
        # at rest the ciphertext is unchanged, but its key is gone
        assert _raw(engine, "SELECT client_ref FROM cases WHERE id = :id", id=old.case_id) == (
            raw_before
        )
        assert _raw(
            engine, "SELECT wrapped_key FROM case_keys WHERE case_id = :id", id=old.case_id
        ) == [(None,)]

        # the history: replay reports "shredded", decoding raises CaseShredded
        [verdict] = await replay_case(client, old.case_id, make_replayer(settings, WORKFLOWS))
        assert (verdict.verdict, verdict.ok) == (SHREDDED, False)
        with pytest.raises(CaseShredded):
            await export_history(client, old.case_id, decode=True)
        check = await verify_case(client, engine, old.case_id, query=False)
        assert check.error and check.error.startswith("shredded")
        encrypted = await export_history(client, old.case_id, decode=False)
        assert REASON not in str(encrypted)
        assert (
            await asyncio.to_thread(run, ["replay", "--case", old.case_id]) == 0
        )  # not a failure, not a crash
    finally:
        stop.set()
        await asyncio.wait_for(worker, timeout=30)


def test_retention_apply_without_a_period_does_nothing() -> None:
    assert run(["retention", "apply"]) == 2


def _signal(signal_id: str, **fields: object) -> Signal:
    return Signal(
        id=signal_id,
        workflow_id=f"signal-{signal_id}",
        kind="early_information",
        sector="GZ",
        region="Groningen",
        provider_org="Zorggroep Noord",
        zorgkantoor_org="Zorgkantoor Groningen",
        sender_org="Zorggroep Noord",
        sender_role="aanbieder",
        sent_by="Petra",
        sent_by_id="u-p",
        client_ref_encrypted=encrypt_text("CR-SIGNAAL"),
        note_encrypted=encrypt_text(REASON),
        **fields,
    )


def test_retention_erases_the_texts_of_old_signals_and_of_shredded_cases(engine: Engine) -> None:
    now = datetime.now(UTC)
    long_ago, recently = now - timedelta(days=40), now - timedelta(days=5)
    with Session(engine) as session:
        session.add(
            Case(
                id="gone",
                workflow_id="case-gone",
                client_ref="CR-X",
                sector="GZ",
                region="Groningen",
                entry="no_dossierhouder",
                provider_org="Zorggroep Noord",
                zorgkantoor_org="Zorgkantoor Groningen",
                phase="closed",
                status="closed",
                shredded_at=recently,
            )
        )
        session.add(_signal("s-case", status="case_started", case_id="gone", assessed_at=recently))
        session.add(_signal("s-old", status="not_needed", assessed_at=long_ago))
        session.add(_signal("s-new", status="advice_given", assessed_at=recently))
        session.add(_signal("s-open", status="open"))
        session.commit()
    cutoff = now - timedelta(days=30)
    due = retention.due_signals(engine, cutoff)
    assert sorted(due) == ["s-case", "s-old"]
    retention.erase_signals(engine, due, now)
    with Session(engine) as session:
        for signal in session.exec(select(Signal)):
            texts = decrypt_text(signal.client_ref_encrypted) + decrypt_text(signal.note_encrypted)
            assert (REASON not in texts) == (signal.id in due), signal.id
            assert (signal.erased_at is not None) == (signal.id in due)
    assert retention.due_signals(engine, cutoff) == []  # once

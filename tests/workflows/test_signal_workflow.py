"""The signal workflow on the time-skipping server (issue 11, early intake): it opens
``assess_signal`` for the region's zorgkantoor in the read model before anyone can act,
refuses what the rules refuse, records each outcome and ends once a decided case start
is linked."""

from __future__ import annotations

import uuid
from dataclasses import fields

import pytest
from sqlmodel import Session, select
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from core.crypto import decrypt_text, encrypt_text
from db.models import Signal, Task
from domain.messages import Actor, ClaimTask, CompleteTask
from domain.signal_messages import LinkCase, SignalInput, SignalResult, signal_workflow_id_for
from tests.workflows.harness import COORDINATOR, PROVIDER, ZORGKANTOOR, running_worker
from workflows.signal_workflow import SignalWorkflow

OTHER_ZK = Actor("u-zk2", "Ties Twente", "coordinator", "Zorgkantoor Twente")


def insert_signal(engine, inp: SignalInput) -> None:
    with Session(engine) as session:
        session.add(
            Signal(
                id=inp.signal_id,
                workflow_id=signal_workflow_id_for(inp.signal_id),
                kind=inp.kind,
                mode=inp.mode,
                sector=inp.sector,
                region=inp.region,
                provider_org=inp.provider_org,
                zorgkantoor_org=inp.zorgkantoor_org,
                sender_org=inp.sender_org,
                sender_role=inp.sent_by.role,
                sent_by=inp.sent_by.name,
                sent_by_id=inp.sent_by.user_id,
                client_ref_encrypted=encrypt_text("CR-TEST"),
                note_encrypted=encrypt_text("Zorgen over de huidige plek"),
                workflow_state="running",
            )
        )
        session.commit()


def signal_input(kind: str = "early_information") -> SignalInput:
    return SignalInput(
        signal_id=str(uuid.uuid4()),
        kind=kind,
        mode="sparring" if kind == "early_information" else None,
        sector="VV",
        region="Groningen",
        provider_org=PROVIDER.org,
        zorgkantoor_org=ZORGKANTOOR.org,
        sender_org=PROVIDER.org,
        sent_by=PROVIDER,
    )


@pytest.fixture
async def send(env, engine, task_queue):
    async with running_worker(env, engine, task_queue) as client:

        async def _send(kind: str = "early_information") -> tuple[WorkflowHandle, str]:
            inp = signal_input(kind)
            insert_signal(engine, inp)
            handle = await client.start_workflow(
                SignalWorkflow.run,
                inp,
                id=signal_workflow_id_for(inp.signal_id),
                task_queue=task_queue,
            )
            assert await handle.execute_update(SignalWorkflow.sync_read_model)
            return handle, inp.signal_id

        yield _send


def rows(engine, signal_id: str) -> tuple[Signal, Task]:
    with Session(engine) as session:
        signal = session.get(Signal, signal_id)
        task = session.exec(select(Task).where(Task.signal_id == signal_id)).one()
        assert signal is not None
        return signal, task


async def refused(handle: WorkflowHandle, update, cmd) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await handle.execute_update(update, cmd)
    cause = info.value.cause
    assert isinstance(cause, ApplicationError)
    return str(cause.type)


def test_the_input_carries_no_client_data() -> None:
    names = {f.name for f in fields(SignalInput)}
    assert not names & {"client_ref", "note", "summary"}


async def test_start_case_is_decided_once_and_ends_with_the_linked_case(send, engine):
    handle, signal_id = await send()
    signal, task = rows(engine, signal_id)
    assert (signal.status, task.key, task.status) == ("open", "assess_signal", "open")
    assert (task.owner_role, task.owner_org, task.case_id) == ("zorgkantoor", ZORGKANTOOR.org, None)

    complete = SignalWorkflow.complete_task
    assert await refused(handle, complete, CompleteTask("nope", "not_needed", COORDINATOR)) == (
        "NotFound"
    )
    for intruder in (PROVIDER, OTHER_ZK):
        cmd = CompleteTask(task.id, "not_needed", intruder, note="x")
        assert await refused(handle, complete, cmd) == "Forbidden"
    cmd = CompleteTask(task.id, "start_case", ZORGKANTOOR)  # only a coordinator starts cases
    assert await refused(handle, complete, cmd) == "Forbidden"
    assert await refused(handle, complete, CompleteTask(task.id, "not_needed", ZORGKANTOOR)) == (
        "Invalid"
    )
    link = LinkCase(case_id="c-1", actor=COORDINATOR)
    assert await refused(handle, SignalWorkflow.link_case, link) == "Conflict"

    claimed = await handle.execute_update(
        SignalWorkflow.claim_task, ClaimTask(task.id, ZORGKANTOOR)
    )
    assert claimed.task.claimed_by == ZORGKANTOOR
    assert rows(engine, signal_id)[1].claimed_by == ZORGKANTOOR.name

    decided = await handle.execute_update(
        complete, CompleteTask(task.id, "start_case", COORDINATOR)
    )
    assert decided.status == "starting_case" and decided.case_id is None
    assert decided.task.data == {"entry": "care_not_suitable"}  # the default of an early signal
    assert rows(engine, signal_id)[0].status == "starting_case"
    # a retry changes nothing; another outcome is refused
    again = await handle.execute_update(complete, CompleteTask(task.id, "start_case", COORDINATOR))
    assert again.task.completed_at == decided.task.completed_at
    cmd = CompleteTask(task.id, "not_needed", COORDINATOR, note="toch niet")
    assert await refused(handle, complete, cmd) == "Conflict"

    linked = await handle.execute_update(SignalWorkflow.link_case, link)
    assert (linked.status, linked.case_id) == ("case_started", "c-1")
    result = await handle.result()
    assert result == SignalResult(signal_id=signal_id, status="case_started", case_id="c-1")
    signal, task = rows(engine, signal_id)
    assert (signal.status, signal.outcome, signal.case_id) == ("case_started", "start_case", "c-1")
    assert (task.status, task.outcome, task.completed_by) == (
        "done",
        "start_case",
        COORDINATOR.name,
    )
    assert signal.assessed_by_org == COORDINATOR.org


async def test_advice_is_kept_encrypted_on_the_signal_and_ends_the_workflow(send, engine):
    handle, signal_id = await send(kind="request_mediation")
    task = rows(engine, signal_id)[1]
    cmd = CompleteTask(
        task.id, "advice_given", ZORGKANTOOR, note="kort", data={"advice": "Bel MEE."}
    )
    done = await handle.execute_update(SignalWorkflow.complete_task, cmd)
    assert done.status == "advice_given"
    assert (await handle.result()).status == "advice_given"
    signal, task = rows(engine, signal_id)
    assert signal.advice_encrypted and decrypt_text(signal.advice_encrypted) == "Bel MEE."
    assert signal.motivation_encrypted and decrypt_text(signal.motivation_encrypted) == "kort"
    assert task.note is None and task.data == {}  # no free text in the task row
    assert signal.assessed_by == ZORGKANTOOR.name and signal.assessed_at is not None

"""Every update the workflow must refuse, with the error type the API maps to a status."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from domain.messages import Actor, CompleteTask
from tests.workflows.harness import (
    COORDINATOR,
    NEXT_PROVIDER,
    OCO,
    PROVIDER,
    ZORGKANTOOR,
    GatedNotifications,
    activities_with_gated_notifications,
    case_input,
    running_worker,
    start_case,
)
from workflows.case_workflow import CaseWorkflow


async def rejected(coro) -> ApplicationError:
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await coro
    cause = info.value.cause
    assert isinstance(cause, ApplicationError)
    return cause


async def test_unknown_task_is_not_found(start):
    case = await start()
    error = await rejected(
        case.handle.execute_update(
            CaseWorkflow.complete_task, CompleteTask("nope", "done", PROVIDER)
        )
    )
    assert error.type == "NotFound"


async def test_other_organisation_or_role_is_forbidden(start):
    case = await start()
    for intruder in (
        NEXT_PROVIDER,  # the right role, another organisation
        ZORGKANTOOR,
        OCO,
        Actor("u-aud", "Auditor", "auditor", PROVIDER.org),  # the right organisation
    ):
        error = await rejected(case.complete("decide_dossierhouder", "accepted", actor=intruder))
        assert error.type == "Forbidden", intruder
        # names the owner and the refused party (the owner's role alone is in every one)
        assert f"belongs to aanbieder {PROVIDER.org}" in str(error)
        assert f"{intruder.role} {intruder.org} may not act" in str(error)
    assert (await case.open_task("decide_dossierhouder")).status == "open"


async def test_coordinator_acts_for_its_own_zorgkantoor(start):
    case = await start()
    await case.complete("inform_client_about_preferred_provider", actor=COORDINATOR)


async def test_outcome_not_allowed_and_missing_data_are_invalid(start):
    case = await start()
    error = await rejected(case.complete("decide_dossierhouder", "maybe"))
    assert error.type == "Invalid" and "accepted" in str(error)
    error = await rejected(case.complete("decide_dossierhouder", "declined"))
    assert error.type == "Invalid"
    assert "data.reason_code" in str(error) and "note" in str(error)


async def test_completing_a_done_task_is_a_conflict(start):
    case = await start()
    task = await case.open_task("decide_dossierhouder")
    await case.complete("decide_dossierhouder", "accepted")
    error = await rejected(
        case.handle.execute_update(
            CaseWorkflow.complete_task, CompleteTask(task.id, "accepted", PROVIDER)
        )
    )
    assert error.type == "Conflict"


async def test_closed_case_refuses_everything(start):
    """A closed case's workflow has finished: the server itself refuses updates (the API
    answers 409 from the read model before it gets that far)."""
    case = await start()
    task = await case.open_task("decide_dossierhouder")
    await case.act("withdraw", note="Cliënt verhuist naar het buitenland")
    await case.handle.result()
    with pytest.raises(RPCError):
        await case.handle.execute_update(
            CaseWorkflow.complete_task, CompleteTask(task.id, "accepted", PROVIDER)
        )
    assert (await case.state()).open_tasks == []


async def test_closed_case_refuses_updates_while_it_finishes(env, engine, task_queue):
    """Between closing and finishing (its last notifications still go out) the workflow
    runs: its own validators refuse, whatever the (stale) read model told the caller."""
    notifications = GatedNotifications(engine)
    activities = activities_with_gated_notifications(notifications, engine)
    async with running_worker(env, engine, task_queue, activities) as client:
        case = await start_case(client, env, engine, task_queue, case_input())
        task = await case.open_task("decide_dossierhouder")
        await case.act("withdraw", note="Cliënt verhuist naar het buitenland")
        for update in (
            case.handle.execute_update(
                CaseWorkflow.complete_task, CompleteTask(task.id, "accepted", PROVIDER)
            ),
            case.act("signal_stagnation", actor=PROVIDER, note="Geen voortgang"),
        ):
            error = await rejected(update)
            assert error.type == "Conflict" and "is closed" in str(error)
        notifications.gate.set()
        assert (await case.handle.result()).outcome == "withdrawn"


async def test_claims_conflict_unless_forced(start):
    case = await start()
    colleague = Actor("u-prov-b", "Bart Collega", "aanbieder", PROVIDER.org)
    result = await case.claim("decide_dossierhouder", PROVIDER)
    assert result.task.claimed_by.name == PROVIDER.name
    assert (await rejected(case.claim("decide_dossierhouder", colleague))).type == "Conflict"
    assert (
        await rejected(case.claim("decide_dossierhouder", colleague, release=True))
    ).type == "Conflict"
    assert (
        await rejected(case.claim("decide_dossierhouder", NEXT_PROVIDER, force=True))
    ).type == "Forbidden"
    result = await case.claim("decide_dossierhouder", colleague, force=True)
    assert result.task.claimed_by.name == colleague.name
    await case.claim("decide_dossierhouder", colleague, release=True)
    assert (await case.open_task("decide_dossierhouder")).claimed_by is None
    assert [a for a in case.audit_actions() if "claim" in a] == [
        "task_claimed",
        "task_claimed",
        "task_unclaimed",
    ]

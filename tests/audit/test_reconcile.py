"""``audit verify``: a corrupted read model is reported (against the workflow's state
query, or the history alone) and ``--repair`` rebuilds it from the history."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlmodel import Session

from audit.reconcile import verify_case
from cli.main import run
from db.models import AuditEvent, Case, Task


def _corrupt(engine, case_id: str, task_id: str, deleted_task_id: str) -> None:
    with Session(engine) as session:
        row = session.get(Task, task_id)
        row.status, row.outcome, row.owner_org = "open", None, "Iemand Anders"
        session.add(row)
        session.delete(session.get(Task, deleted_task_id))
        case = session.get(Case, case_id)
        case.phase = "plan_of_action"
        session.add(case)
        session.commit()


async def test_verify_reports_differences_and_repair_rebuilds(start, engine):
    case = await start(entry="no_dossierhouder")
    await case.complete("decide_dossierhouder", "accepted")
    decision = next(t for t in await _tasks(case) if t.key == "decide_dossierhouder")
    arrange = await case.open_task("arrange_care")
    assert (await verify_case(case.client, engine, case.case_id)).ok

    _corrupt(engine, case.case_id, decision.id, arrange.id)
    expected = {
        ("case", case.case_id, "phase", "plan_of_action", "dossierhouder_search"),
        ("task", decision.id, "status", "open", "done"),
        ("task", decision.id, "outcome", None, "accepted"),
        ("task", decision.id, "owner_org", "Iemand Anders", decision.owner_org),
        ("missing_task", arrange.id, "", None, None),
    }
    for query, source in ((True, "workflow"), (False, "history")):
        check = await verify_case(case.client, engine, case.case_id, query=query)
        assert check.source == source and not check.ok
        assert {
            (d.kind, d.ref, d.field, d.read_model, d.workflow) for d in check.differences
        } == expected

    check = await verify_case(case.client, engine, case.case_id, fix=True)
    assert check.repaired and check.remaining == [] and check.ok
    await case.assert_read_model_matches()
    assert (await verify_case(case.client, engine, case.case_id)).differences == []


async def test_cli_verify_exit_codes_and_foreign_audit_rows(start, engine, cli_env, capsys):
    case = await start(entry="care_not_suitable")
    assert await case.handle.execute_update("sync_read_model")  # the first tasks are written
    task = await case.open_task("inform_zorgkantoor_early")
    with Session(engine) as session:
        row = session.get(Task, task.id)
        row.status = "cancelled"
        session.add(row)
        session.add(
            AuditEvent(
                id="forged",
                case_id=case.case_id,
                seq=99,
                actor="x",
                at=datetime.now(UTC),
                action="task_completed",
            )
        )
        session.commit()

    code = await asyncio.to_thread(run, ["audit", "verify", "--case", case.case_id])
    out = capsys.readouterr().out
    assert code == 1
    assert f"task {task.id} status: read model 'cancelled', workflow 'open'" in out
    assert "unknown_event forged" in out

    code = await asyncio.to_thread(run, ["audit", "verify", "--repair"])
    out = capsys.readouterr().out
    # the task is repaired; the foreign audit row stays (append-only) and is reported
    assert code == 1 and "still: unknown_event forged" in out
    assert "still: task" not in out
    with Session(engine) as session:
        assert session.get(Task, task.id).status == "open"


async def _tasks(case):
    return (await case.state()).tasks

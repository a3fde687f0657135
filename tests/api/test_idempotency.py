"""Changes that are never uncertain, on a real Temporal dev server with a worker the test
stops and starts: no worker -> 503 with Retry-After and nothing applied later; a retry
with the same ``Idempotency-Key`` is applied exactly once and returns the first answer,
also after an interrupted first attempt and after the case closed."""

from __future__ import annotations

import asyncio
import time

from sqlmodel import Session, select

from api.services.idempotency import request_id_for
from db.models import IdempotentRequest, User
from domain.messages import Actor, CaseAction, CompleteTask, workflow_id_for
from tests.api.live import TIMEOUT_S, Live
from workflows.case_workflow import CaseWorkflow


async def test_no_worker_503_then_never_applied_unless_retried(live: Live):
    case = await live.start_case()
    task = await live.open_task(case["id"], "decide_dossierhouder", "aanbieder")
    url, body, key = f"/api/tasks/{task['id']}/complete", {"outcome": "accepted"}, "k-1"
    await live.stop_worker()

    started = time.monotonic()
    r = await live.as_("aanbieder", "POST", url, json=body, headers={"Idempotency-Key": key})
    waited = time.monotonic() - started
    assert r.status_code == 503 and r.headers["retry-after"], r.text
    assert TIMEOUT_S <= waited < TIMEOUT_S + 4, waited  # bounded, not 30 s or more

    # the worker returns; the attempt the API gave up on reaches it and is refused
    await live.start_worker()
    await live.settle(case["id"])
    assert (await live.as_("aanbieder", "GET", f"/api/tasks/{task['id']}")).json()[
        "status"
    ] == "open"
    assert live.completions(task["id"]) == 0

    # the retry with the same key is applied, once; a second retry gets the same answer
    first = await live.until_ok("aanbieder", url, key, body)
    assert first.status_code == 200, first.text
    assert first.json()["task"]["status"] == "done"
    again = await live.as_("aanbieder", "POST", url, json=body, headers={"Idempotency-Key": key})
    assert (again.status_code, again.json()) == (200, first.json())
    assert live.completions(task["id"]) == 1


async def test_retries_while_the_worker_is_down_apply_once(live: Live):
    case = await live.start_case()
    task = await live.open_task(case["id"], "decide_dossierhouder", "aanbieder")
    url, body, key = f"/api/tasks/{task['id']}/complete", {"outcome": "accepted"}, "k-2"
    await live.stop_worker()
    for _ in range(2):
        r = await live.as_("aanbieder", "POST", url, json=body, headers={"Idempotency-Key": key})
        assert r.status_code == 503
    await live.start_worker()
    done = await live.until_ok("aanbieder", url, key, body)
    assert done.status_code == 200, done.text
    await live.settle(case["id"])
    assert live.completions(task["id"]) == 1
    # without the key a second completion is refused as usual: the task is done
    r = await live.as_("aanbieder", "POST", url, json=body)
    assert r.status_code == 409


async def test_concurrent_requests_with_one_key_apply_once_and_answer_alike(live: Live):
    case = await live.start_case()
    task = await live.open_task(case["id"], "decide_dossierhouder", "aanbieder")
    url, body = f"/api/tasks/{task['id']}/complete", {"outcome": "accepted"}
    headers = {"Idempotency-Key": "k-3"}
    answers = await asyncio.gather(
        *(live.as_("aanbieder", "POST", url, json=body, headers=headers) for _ in range(3))
    )
    assert [r.status_code for r in answers] == [200, 200, 200], [r.text for r in answers]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert live.completions(task["id"]) == 1


def _user(live: Live, name: str) -> tuple[str, Actor]:
    with Session(live.engine) as session:
        user = session.exec(select(User).where(User.name == name)).one()
        from api.auth import principal_for_user

        principal = principal_for_user(session, user.id)
        assert principal is not None
        return user.id, principal.actor


async def _interrupted(live: Live, user_id: str, key: str, path: str, body: dict, call) -> None:
    """What an API process killed mid-request leaves: the key recorded without an answer,
    and the update sent to the workflow under the key's update id (and applied)."""
    from api.services.idempotency import _begin, fingerprint

    with Session(live.engine) as session:
        _begin(session, request_id_for(user_id, key), user_id, fingerprint("POST", path, body))
    await call(f"idem-{request_id_for(user_id, key)}")


async def test_retry_after_an_interrupted_completion_returns_its_result(live: Live):
    case = await live.start_case()
    task = await live.open_task(case["id"], "decide_dossierhouder", "aanbieder")
    path, body, key = f"/api/tasks/{task['id']}/complete", {"outcome": "accepted"}, "k-4"
    user_id, actor = _user(live, "aanbieder")
    handle = live.temporal.get_workflow_handle(workflow_id_for(case["id"]))
    cmd = CompleteTask(task_id=task["id"], outcome="accepted", actor=actor)
    full = {"outcome": "accepted", "note": "", "data": {}}

    async def send(update_id: str) -> None:
        await handle.execute_update(CaseWorkflow.complete_task, cmd, id=update_id)

    await _interrupted(live, user_id, key, path, full, send)
    r = await live.as_("aanbieder", "POST", path, json=body, headers={"Idempotency-Key": key})
    assert r.status_code == 200, r.text  # not 409 "no longer open"
    assert r.json()["task"]["status"] == "done" and r.json()["task"]["id"] == task["id"]
    assert live.completions(task["id"]) == 1
    with Session(live.engine) as session:
        row = session.get(IdempotentRequest, request_id_for(user_id, key))
        assert row is not None and row.status_code == 200


async def test_retry_after_an_interrupted_withdrawal_of_a_closed_case(live: Live):
    case = await live.start_case()
    path = f"/api/cases/{case['id']}/withdraw"
    body, key = {"reason": "dubbel"}, "k-5"
    user_id, actor = _user(live, "coordinator")
    handle = live.temporal.get_workflow_handle(workflow_id_for(case["id"]))
    cmd = CaseAction(action="withdraw", actor=actor, note="dubbel")

    async def send(update_id: str) -> None:
        await handle.execute_update(CaseWorkflow.case_action, cmd, id=update_id)
        await handle.result()  # the workflow has closed

    await _interrupted(live, user_id, key, path, body, send)
    r = await live.as_("coordinator", "POST", path, json=body, headers={"Idempotency-Key": key})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["outcome"]) == ("closed", "withdrawn")


async def test_a_refusal_is_kept_and_a_key_is_not_reused_for_another_request(live: Live):
    case = await live.start_case()
    task = await live.open_task(case["id"], "decide_dossierhouder", "aanbieder")
    url = f"/api/tasks/{task['id']}/complete"
    headers = {"Idempotency-Key": "k-6"}
    bad = {"outcome": "declined", "note": "vol"}  # data.reason_code missing
    first = await live.as_("aanbieder", "POST", url, json=bad, headers=headers)
    assert first.status_code == 422
    again = await live.as_("aanbieder", "POST", url, json=bad, headers=headers)
    assert (again.status_code, again.json()) == (422, first.json())
    other = await live.as_("aanbieder", "POST", url, json={"outcome": "accepted"}, headers=headers)
    assert other.status_code == 422 and "different request" in str(other.json()["detail"])
    # keys are per user: a colleague's same key is a different request
    r = await live.as_("aanbieder2", "POST", url, json={"outcome": "accepted"}, headers=headers)
    assert r.status_code == 200, r.text

"""The inbox, claims and completions over HTTP, through the real workflow."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from domain.messages import CaseState, workflow_id_for
from tests.api.conftest import CASE_BODY, Api, build_app, messages
from tests.workflows.harness import FlakyReadModel, activities_with, running_worker


async def inbox(api: Api, user: str, **params) -> dict:
    r = await api.as_(user, "GET", "/api/tasks", params=params)
    assert r.status_code == 200, r.text
    return r.json()


async def test_inbox_shows_own_tasks_and_supported_tasks_separately(api):
    case = await api.start_case()
    mine = await inbox(api, "aanbieder")
    assert [t["key"] for t in mine["items"]] == ["decide_dossierhouder"]
    assert mine["total"] == 1 and mine["items"][0]["due_at"]  # the decision timer
    zk = await inbox(api, "zorgkantoor")
    assert {t["key"] for t in zk["items"]} == {"inform_client_about_preferred_provider"}
    # a coordinator also sees its zorgkantoor's tasks
    assert (await inbox(api, "coordinator"))["total"] == zk["total"]
    # the OCO supports the zorgkantoor's information task and owns the form help
    oco_supports = await inbox(api, "oco", section="supports")
    assert [t["key"] for t in oco_supports["items"]] == ["inform_client_about_preferred_provider"]
    assert [t["key"] for t in (await inbox(api, "oco"))["items"]] == ["help_with_registration_form"]
    for user in ("aanbieder_other", "zorgkantoor_other", "auditor"):
        assert (await inbox(api, user))["total"] == 0, user
    assert (await inbox(api, "aanbieder_other", section="supports"))["total"] == 0
    # filters
    assert (await inbox(api, "aanbieder", case_id=case["id"]))["total"] == 1
    assert (await inbox(api, "aanbieder", case_id="nope"))["total"] == 0
    assert (await inbox(api, "aanbieder", overdue="true"))["total"] == 0
    assert (await inbox(api, "aanbieder", phase="plan_of_action"))["total"] == 0
    assert (await inbox(api, "aanbieder", due_before="2000-01-01T00:00:00Z"))["total"] == 0
    assert (await inbox(api, "aanbieder", due_before="2999-01-01T00:00:00"))["total"] == 1
    r = await api.as_("aanbieder", "GET", "/api/tasks", params={"phase": "nowhere"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "phase"]


async def test_inbox_sorts_by_due_date_and_paginates(api):
    """Earliest due first, tasks without a due date last, whatever order they were made
    in (here: due in 10 days, no due date, due in 5 days); pages keep that order."""
    late = await api.start_case(decision_days=10)
    accepted = await api.start_case()
    decision = await api.open_task(accepted["id"], "decide_dossierhouder")
    r = await api.as_(
        "aanbieder", "POST", f"/api/tasks/{decision['id']}/complete", json={"outcome": "accepted"}
    )
    assert r.status_code == 200, r.text  # opens arrange_care: no due date
    early = await api.start_case()
    expected = [
        (early["id"], "decide_dossierhouder"),
        (late["id"], "decide_dossierhouder"),
        (accepted["id"], "arrange_care"),
    ]
    items = (await inbox(api, "aanbieder"))["items"]
    assert [(t["case_id"], t["key"]) for t in items] == expected
    page = await inbox(api, "aanbieder", limit=2)
    rest = await inbox(api, "aanbieder", limit=2, offset=2)
    assert page["total"] == rest["total"] == 3
    assert [(t["case_id"], t["key"]) for t in page["items"] + rest["items"]] == expected


async def test_overdue_filter_finds_missed_deadlines(api, env):
    on_time = await api.start_case(decision_days=10)
    missed = await api.start_case(decision_days=5)
    undated = await api.start_case()
    decision = await api.open_task(undated["id"], "decide_dossierhouder")
    r = await api.as_(
        "aanbieder", "POST", f"/api/tasks/{decision['id']}/complete", json={"outcome": "accepted"}
    )
    assert r.status_code == 200, r.text  # opens arrange_care: no due date, never late
    await env.sleep(timedelta(days=6))  # time skipping: only the 5-day decision expires

    async def listed(overdue: str) -> list[tuple[str, str, bool]]:
        items = (await inbox(api, "aanbieder", overdue=overdue))["items"]
        return [(t["case_id"], t["key"], t["overdue"]) for t in items]

    for _ in range(100):  # the read model follows the workflow a moment later
        if await listed("true"):
            break
        await asyncio.sleep(0.05)
    assert await listed("true") == [(missed["id"], "decide_dossierhouder", True)]
    assert await listed("false") == [
        (on_time["id"], "decide_dossierhouder", False),
        (undated["id"], "arrange_care", False),
    ]


async def test_claim_conflicts(api):
    case = await api.start_case()
    task = await api.open_task(case["id"], "decide_dossierhouder")
    url = f"/api/tasks/{task['id']}"
    r = await api.as_("aanbieder", "POST", f"{url}/claim")
    assert r.status_code == 200 and r.json()["task"]["claimed_by"] == "aanbieder"
    assert (await api.as_("aanbieder", "GET", url)).json()["claimed_by"] == "aanbieder"
    r = await api.as_("aanbieder2", "POST", f"{url}/claim")
    assert r.status_code == 409 and "force" in r.json()["detail"]
    r = await api.as_("aanbieder2", "POST", f"{url}/claim", json={"force": True})
    assert r.status_code == 200 and r.json()["task"]["claimed_by"] == "aanbieder2"
    assert (await api.as_("aanbieder", "POST", f"{url}/unclaim")).status_code == 409
    r = await api.as_("aanbieder", "POST", f"{url}/unclaim", json={"force": True})
    assert r.status_code == 200 and r.json()["task"]["claimed_by"] is None
    assert (await api.as_("aanbieder", "POST", f"{url}/unclaim")).status_code == 409
    # another organisation cannot force anything: the task does not exist for it
    assert (
        await api.as_("aanbieder_other", "POST", f"{url}/claim", json={"force": True})
    ).status_code == 404


async def test_complete_wrong_outcome_missing_data_and_twice(api):
    case = await api.start_case()
    task = await api.open_task(case["id"], "decide_dossierhouder")
    url = f"/api/tasks/{task['id']}/complete"
    r = await api.as_("aanbieder", "POST", url, json={"outcome": "maybe"})
    assert r.status_code == 422 and "accepted" in messages(r)
    r = await api.as_("aanbieder", "POST", url, json={"outcome": "declined", "note": "vol"})
    assert r.status_code == 422 and "data.reason_code" in messages(r)
    r = await api.as_("aanbieder", "POST", url, json={"outcome": "accepted", "bogus": 1})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "bogus"]

    r = await api.as_("aanbieder", "POST", url, json={"outcome": "accepted", "note": "ok"})
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["task"]["status"] == "done" and done["read_model_synced"] is True
    assert [t["key"] for t in done["opened"]] == ["arrange_care"]
    assert "arrange_care" in {t["key"] for t in (await inbox(api, "aanbieder"))["items"]}

    again = await api.as_("aanbieder", "POST", url, json={"outcome": "accepted"})
    assert again.status_code == 409 and "no longer open" in again.json()["detail"]


async def test_timeline_records_who_did_what(api):
    case = await api.start_case()
    task = await api.open_task(case["id"], "decide_dossierhouder")
    await api.as_(
        "aanbieder",
        "POST",
        f"/api/tasks/{task['id']}/complete",
        json={"outcome": "declined", "note": "geen plek", "data": {"reason_code": "no_capacity"}},
    )
    events = (await api.as_("auditor", "GET", f"/api/cases/{case['id']}/timeline")).json()
    assert events[0]["action"] == "case_started" and events[0]["role"] == "coordinator"
    done = [e for e in events if e["action"] == "task_completed"]
    assert done and done[0]["actor"] == "aanbieder" and done[0]["org"] == CASE_BODY["provider_org"]
    assert done[0]["motivation"] == "geen plek"
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)


async def test_closed_case_refuses_changes(api):
    case = await api.start_case()
    task = await api.open_task(case["id"], "decide_dossierhouder")
    r = await api.as_(
        "coordinator",
        "POST",
        f"/api/cases/{case['id']}/withdraw",
        json={"reason": "dubbel aangemeld"},
    )
    assert r.status_code == 200 and r.json()["outcome"] == "withdrawn"
    detail = (await api.as_("coordinator", "GET", f"/api/cases/{case['id']}")).json()
    assert (detail["status"], detail["outcome"], detail["open_tasks"]) == (
        "closed",
        "withdrawn",
        [],
    )
    r = await api.as_(
        "aanbieder", "POST", f"/api/tasks/{task['id']}/complete", json={"outcome": "accepted"}
    )
    assert r.status_code == 409
    r = await api.as_(
        "coordinator", "POST", f"/api/cases/{case['id']}/withdraw", json={"reason": "nogmaals"}
    )
    assert r.status_code == 409


async def test_completion_accepted_during_read_model_outage_is_not_lost(
    env, engine, task_queue, tokens, monkeypatch
):
    import httpx

    from core.config import get_settings

    monkeypatch.setenv("CASUSREGIE_TASK_QUEUE", task_queue)
    monkeypatch.setenv("CASUSREGIE_READ_MODEL_SYNC_WAIT_SECONDS", "0.5")  # default 10
    get_settings.cache_clear()
    flaky = FlakyReadModel(engine)
    async with running_worker(env, engine, task_queue, activities_with(flaky, engine)) as client:
        app = build_app(engine, client)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            api = Api(http=http, temporal=client, tokens=tokens, app=app)
            case = await api.start_case()
            task = await api.open_task(case["id"], "decide_dossierhouder")
            flaky.down = True
            asked = time.monotonic()
            r = await api.as_(
                "aanbieder",
                "POST",
                f"/api/tasks/{task['id']}/complete",
                json={"outcome": "accepted"},
            )
            assert r.status_code == 200 and r.json()["read_model_synced"] is False
            # the setting reached the case: 0.5 s, not the default 10 s
            assert time.monotonic() - asked < 5
            handle = client.get_workflow_handle(workflow_id_for(case["id"]))
            state = await handle.query("state", result_type=CaseState)
            assert state.task(task["id"]).status == "done"  # the workflow holds it
            stale = (await api.as_("aanbieder", "GET", f"/api/tasks/{task['id']}")).json()
            assert stale["status"] == "open"  # the read model lags while the DB is down

            flaky.down = False  # the activity's next retry (1 s after the failure) catches up
            caught_up = stale
            for _ in range(120):
                await asyncio.sleep(0.5)
                caught_up = (await api.as_("aanbieder", "GET", f"/api/tasks/{task['id']}")).json()
                if caught_up["status"] != "open":
                    break
            assert caught_up["status"] == "done" and caught_up["outcome"] == "accepted"
            await handle.terminate("test done")

"""Starting cases over HTTP: validation, idempotency, the running workflow, and the
outcome when Temporal cannot be reached."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import Session, select
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from core.config import get_settings
from db.models import Case, CaseParticipant
from tests.api.conftest import CASE_BODY, OCO_ORG, PROVIDER, ZK, bearer, build_app


async def test_case_started_over_http_has_a_running_workflow(api, engine):
    r = await api.as_("coordinator", "POST", "/api/cases", json=CASE_BODY)
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["status"] == "open" and case["phase"] == "dossierhouder_search"
    assert case["zorgkantoor_org"] == ZK
    assert case["participants"] == {"provider": [PROVIDER], "zorgkantoor": [ZK], "oco": [OCO_ORG]}
    # the workflow wrote its first tasks before the response (sync_read_model)
    assert "decide_dossierhouder" in {t["key"] for t in case["open_tasks"]}

    described = await api.temporal.get_workflow_handle(case["workflow_id"]).describe()
    assert described.status == WorkflowExecutionStatus.RUNNING
    with Session(engine) as session:
        row = session.get(Case, case["id"])
        assert row.workflow_state == "running"
        assert row.summary_encrypted == CASE_BODY["summary"]  # unsealed by the ORM
    with engine.connect() as conn:  # at rest: sealed under the case's data key
        summary, ref = conn.execute(
            text("SELECT summary_encrypted, client_ref FROM cases WHERE id = :id"),
            {"id": case["id"]},
        ).one()
    assert summary.startswith("enc1:c:") and "Vertrouwelijke" not in summary
    assert ref.startswith("enc1:c:") and CASE_BODY["client_ref"] not in ref


async def test_same_idempotency_key_gives_one_case_and_one_workflow(api, engine):
    headers = {"Idempotency-Key": "form-123"}
    first = await api.as_("coordinator", "POST", "/api/cases", json=CASE_BODY, headers=headers)
    again = await api.as_("coordinator", "POST", "/api/cases", json=CASE_BODY, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    other = await api.as_(
        "coordinator", "POST", "/api/cases", json=CASE_BODY, headers={"Idempotency-Key": "form-124"}
    )
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    with Session(engine) as session:
        assert len(session.exec(select(Case)).all()) == 2


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("sector", "XX", "VV"),
        ("region", "Atlantis", "Groningen"),
        ("entry", "walk_in", "no_dossierhouder"),
        ("decision_days", 7, "5"),
        ("client_ref", "123456789", "BSN"),
        ("client_ref", "1234.56.789", "BSN"),
    ],
)
async def test_bad_case_body_is_422_naming_the_field(api, engine, field, value, expected):
    r = await api.as_("coordinator", "POST", "/api/cases", json=CASE_BODY | {field: value})
    assert r.status_code == 422
    errors = r.json()["detail"]
    assert [e["loc"] for e in errors] == [["body", field]]
    assert expected in errors[0]["msg"]  # the allowed values (or the rule) are named
    assert str(value) not in str(errors) or field != "client_ref"  # input not echoed
    with Session(engine) as session:
        assert session.exec(select(Case)).all() == []


async def test_missing_field_and_unknown_field(api):
    body = {k: v for k, v in CASE_BODY.items() if k != "provider_org"} | {"bsn": "x"}
    r = await api.as_("coordinator", "POST", "/api/cases", json=body)
    assert r.status_code == 422
    assert {tuple(e["loc"]) for e in r.json()["detail"]} == {
        ("body", "provider_org"),
        ("body", "bsn"),
    }


async def test_only_coordinators_start_cases_in_their_region(api):
    r = await api.as_("aanbieder", "POST", "/api/cases", json=CASE_BODY)
    assert r.status_code == 403
    r = await api.as_("coordinator", "POST", "/api/cases", json=CASE_BODY | {"region": "Twente"})
    assert r.status_code == 403 and "region" in r.json()["detail"]
    r = await api.as_(
        "coordinator", "POST", "/api/cases", json=CASE_BODY | {"provider_org": OCO_ORG}
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "provider_org"]
    assert r.json()["code"] == "unknown_organisation"


async def test_unknown_or_missing_token_is_401(api):
    assert (await api.http.get("/api/cases")).status_code == 401
    r = await api.http.get("/api/cases", headers=bearer("not-a-token"))
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert (
        await api.http.get("/api/tasks", headers={"Authorization": "Basic x"})
    ).status_code == 401


class UnreachableTemporal:
    """A connected client whose server has gone away."""

    async def start_workflow(self, *args, **kwargs):
        raise RPCError("connection refused", RPCStatusCode.UNAVAILABLE, b"")

    async def execute_update_with_start_workflow(self, *args, start_workflow_operation, **kw):
        error = RPCError("connection refused", RPCStatusCode.UNAVAILABLE, b"")
        start_workflow_operation._workflow_handle.set_exception(error)  # as the SDK does
        raise error


async def test_temporal_down_is_503_and_nothing_half_created(api, engine):
    down = build_app(engine, UnreachableTemporal())  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=down)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        headers = bearer(api.tokens["coordinator"])
        r = await http.post("/api/cases", json=CASE_BODY, headers=headers)
        assert r.status_code == 503 and "Temporal" in r.json()["detail"]
        with Session(engine) as session:  # without a key: the row is gone
            assert session.exec(select(Case)).all() == []
            assert session.exec(select(CaseParticipant)).all() == []

        keyed = headers | {"Idempotency-Key": "retry-me"}
        assert (await http.post("/api/cases", json=CASE_BODY, headers=keyed)).status_code == 503
        with Session(engine) as session:  # with a key: kept pending for the retry
            (pending,) = session.exec(select(Case)).all()
            assert pending.workflow_state == "pending"
        listed = await http.get("/api/cases", headers=headers)
        assert listed.json()["total"] == 0  # pending cases are invisible

    # Temporal is back: the retry with the same key completes the same start
    r = await api.as_(
        "coordinator", "POST", "/api/cases", json=CASE_BODY, headers={"Idempotency-Key": "retry-me"}
    )
    assert r.status_code == 201 and r.json()["id"] == pending.id
    described = await api.temporal.get_workflow_handle(r.json()["workflow_id"]).describe()
    assert described.status == WorkflowExecutionStatus.RUNNING


async def test_no_temporal_connection_is_503_before_anything_is_written(
    engine, tokens, monkeypatch
):
    monkeypatch.setenv("CASUSREGIE_TEMPORAL_ADDRESS", "127.0.0.1:1")
    from core.config import get_settings

    get_settings.cache_clear()
    app = build_app(engine, None)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        r = await http.post("/api/cases", json=CASE_BODY, headers=bearer(tokens["coordinator"]))
    assert r.status_code == 503
    with Session(engine) as session:
        assert session.exec(select(Case)).all() == []


async def test_summary_only_for_the_organisations_named_on_the_case(api):
    case = await api.start_case()
    url = f"/api/cases/{case['id']}"
    assert case["summary"] == CASE_BODY["summary"]  # the coordinator's zorgkantoor
    for user, sees in (("aanbieder", True), ("oco", True), ("auditor", False)):
        assert ((await api.as_(user, "GET", url)).json()["summary"] is not None) is sees, user
    listed = (await api.as_("coordinator", "GET", "/api/cases")).json()
    assert "summary" not in listed["items"][0]


async def test_no_client_data_in_logs_or_workflow_input(api):
    import structlog

    with structlog.testing.capture_logs() as logs:
        case = await api.start_case()
    assert any(e["event"] == "case_started" for e in logs)
    assert CASE_BODY["client_ref"] not in str(logs) and "Vertrouwelijke" not in str(logs)
    history = await api.temporal.get_workflow_handle(case["workflow_id"]).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    raw = b"".join(p.data for p in started.input.payloads)
    assert b"case_id" not in raw  # encrypted by the codec
    decoded = await api.temporal.data_converter.decode(started.input.payloads, [dict])
    assert CASE_BODY["client_ref"] not in str(decoded) and "summary" not in decoded[0]


async def test_process_settings_reach_the_case(api, env, monkeypatch):
    """CASUSREGIE_DEFAULT_DECISION_DAYS and CASUSREGIE_REMINDER_DAYS_BEFORE end to end: a
    case started without decision_days gets the default, and its provider is reminded
    that many days before the deadline (time skipping)."""
    monkeypatch.setenv("CASUSREGIE_DEFAULT_DECISION_DAYS", "10")
    monkeypatch.setenv("CASUSREGIE_REMINDER_DAYS_BEFORE", "3")
    get_settings.cache_clear()
    body = {k: v for k, v in CASE_BODY.items() if k != "decision_days"}
    r = await api.as_("coordinator", "POST", "/api/cases", json=body)
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["decision_days"] == 10
    decision = await api.open_task(case["id"], "decide_dossierhouder")
    due_in = datetime.fromisoformat(decision["due_at"]) - datetime.fromisoformat(
        decision["created_at"]
    )
    assert due_in == timedelta(days=10)

    async def reminders() -> int:
        timeline = (await api.as_("coordinator", "GET", f"/api/cases/{case['id']}/timeline")).json()
        return [e["action"] for e in timeline].count("deadline_reminder")

    await env.sleep(timedelta(days=6.5))
    assert await reminders() == 0
    await env.sleep(timedelta(days=1))  # day 7.5: 3 days before the deadline, not 1
    for _ in range(100):  # the read model follows the workflow a moment later
        if await reminders():
            break
        await asyncio.sleep(0.05)
    assert await reminders() == 1

"""Traces: one task completion over HTTP is one connected trace, from the API's request
span through the Temporal client's update, the workflow's update handler, to the
read-model activity it causes (in-memory exporter, real dev server and worker)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from core import telemetry
from core.config import get_settings
from core.temporal import connect_client
from tests.api.conftest import CASE_BODY, bearer, build_app, terminate_started
from worker import build_worker

COMPLETION_SPANS = {
    "StartWorkflowUpdate:complete_task",  # the API's Temporal client
    "HandleUpdate:complete_task",  # the workflow
    # the read-model write the update causes, with the outbox rows of the task it opens
    "StartActivity:write_read_model_and_outbox",
    "RunActivity:write_read_model_and_outbox",  # the (local) activity in the worker
}


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    telemetry.use_tracer_provider(provider)
    yield spans
    telemetry.use_tracer_provider(None)


def test_tracing_is_off_without_an_endpoint(monkeypatch):
    monkeypatch.delenv(telemetry.ENDPOINT_VARIABLE, raising=False)
    assert telemetry.configure_tracing("casusregie-test") is None
    assert telemetry.temporal_interceptors() == []


async def test_one_completion_is_one_connected_trace(
    exporter, dev_server, engine, tokens, monkeypatch
):
    monkeypatch.setenv("CASUSREGIE_TASK_QUEUE", f"tq-{uuid.uuid4()}")
    get_settings.cache_clear()
    client = await connect_client(get_settings(), dev_server)
    app = build_app(engine, client)
    transport = httpx.ASGITransport(app=app)
    with ThreadPoolExecutor(4) as executor:
        async with build_worker(client, get_settings(), executor, engine):
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                r = await http.post(
                    "/api/cases", json=CASE_BODY, headers=bearer(tokens["coordinator"])
                )
                assert r.status_code == 201, r.text
                task = next(t for t in r.json()["open_tasks"] if t["key"] == "decide_dossierhouder")
                exporter.clear()
                r = await http.post(
                    f"/api/tasks/{task['id']}/complete",
                    json={"outcome": "accepted"},
                    headers=bearer(tokens["aanbieder"]),
                )
                assert r.status_code == 200, r.text
            spans = exporter.get_finished_spans()
            await terminate_started(client, engine)

    root = next(
        s
        for s in spans
        if s.kind == SpanKind.SERVER and s.name == "POST /api/tasks/{task_id}/complete"
    )
    assert root.parent is None
    trace = [s for s in spans if s.context.trace_id == root.context.trace_id]
    assert {s.name for s in trace} >= COMPLETION_SPANS, sorted(s.name for s in trace)
    ids = {s.context.span_id for s in trace}
    orphans = [s.name for s in trace if s is not root and s.parent.span_id not in ids]
    assert orphans == []  # connected: every span's parent is in the trace
    elsewhere = [
        s.name
        for s in spans
        if s.context.trace_id != root.context.trace_id and s.name in COMPLETION_SPANS
    ]
    assert elsewhere == []
    handler = next(s for s in trace if s.name == "HandleUpdate:complete_task")
    assert handler.attributes["temporalWorkflowID"] == f"case-{task['case_id']}"

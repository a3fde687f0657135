"""OpenTelemetry traces across API → Temporal client → workflow → activities.

Off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set (then spans go there over OTLP/HTTP;
the other standard ``OTEL_*`` variables, e.g. ``OTEL_SERVICE_NAME`` and
``OTEL_EXPORTER_OTLP_HEADERS``, apply as usual). Tests install their own provider with
``use_tracer_provider``.

The pieces: FastAPI's instrumentation (a server span per request), and Temporal's
``TracingInterceptor`` on the client (the worker inherits it), which carries the
context in Temporal headers. One adjustment to it: the stock interceptor runs an update
handler in the context of the *workflow start* and only links the caller; here the
handler runs in the caller's context, so one completion is one connected trace (the
case workflow hands that context on to the read-model write the update causes).
Spans carry ids only (workflow id, task queue, names), never client data.
"""

from __future__ import annotations

import os
from typing import Any

import structlog
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind
from temporalio import worker
from temporalio.contrib.opentelemetry import TracingInterceptor, TracingWorkflowInboundInterceptor
from temporalio.contrib.opentelemetry._context import attached_context

log = structlog.get_logger(__name__)

ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_ENDPOINT"
# probes and static files would drown the traces that matter
UNTRACED_URLS = "healthz,readyz,livez,metrics,static"

_provider: TracerProvider | None = None


def configure_tracing(service: str) -> TracerProvider | None:
    """Export traces over OTLP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set; else off."""
    if not os.environ.get(ENDPOINT_VARIABLE):
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": service}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    use_tracer_provider(provider)
    log.info("tracing_on", endpoint=os.environ[ENDPOINT_VARIABLE], service=service)
    return provider


def use_tracer_provider(provider: TracerProvider | None) -> None:
    global _provider
    _provider = provider


def shutdown_tracing() -> None:
    """Flush spans still buffered (the CLI ends with ``os._exit``, which skips atexit)."""
    if _provider is not None:
        _provider.shutdown()


def temporal_interceptors() -> list[Any]:
    """The Temporal client's interceptors: tracing when it is on, else none."""
    if _provider is None:
        return []
    return [CaseTracingInterceptor(_provider.get_tracer("casusregie"))]


def instrument_app(app: Any) -> None:
    if _provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, tracer_provider=_provider, excluded_urls=UNTRACED_URLS)


class CaseTracingInterceptor(TracingInterceptor):
    def workflow_interceptor_class(
        self,
        input: worker.WorkflowInterceptorClassInput,  # noqa: A002 (the SDK's name)
    ) -> type[TracingWorkflowInboundInterceptor]:
        super().workflow_interceptor_class(input)  # registers the span extern function
        return _UpdateInCallerContext


class _UpdateInCallerContext(TracingWorkflowInboundInterceptor):
    """Run an update handler in the context of the client that sent the update."""

    async def handle_update_handler(self, input: worker.HandleUpdateInput) -> Any:  # noqa: A002
        header = input.headers.get(self.header_key)
        if not header:
            return await super().handle_update_handler(input)
        carrier = self.payload_converter.from_payloads([header])[0]
        context = self._set_on_context(self.text_map_propagator.extract(carrier))
        with attached_context(context):
            self._completed_span(f"HandleUpdate:{input.update}", kind=SpanKind.SERVER)
            # skip the stock interceptor's own handling (which would re-parent it)
            return await worker.WorkflowInboundInterceptor.handle_update_handler(self, input)

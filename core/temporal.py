"""The one data converter (with the encryption codec) and the client factory, shared by
worker, API and CLI."""

from __future__ import annotations

import dataclasses

import temporalio.converter
from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from core.codec import EncryptionCodec
from core.config import Settings, get_settings
from core.telemetry import temporal_interceptors


def data_converter(settings: Settings | None = None) -> temporalio.converter.DataConverter:
    settings = settings or get_settings()
    return dataclasses.replace(
        temporalio.converter.default(),
        payload_codec=EncryptionCodec(settings.derived_key("temporal-payloads")),
    )


async def connect_client(
    settings: Settings | None = None, address: str | None = None, runtime: Runtime | None = None
) -> Client:
    settings = settings or get_settings()
    return await Client.connect(
        address or settings.effective_temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        runtime=runtime,
        interceptors=temporal_interceptors(),  # tracing, when on (the worker inherits it)
    )


def worker_runtime(settings: Settings) -> Runtime | None:
    """A runtime that serves the Temporal SDK's own worker metrics (poll latencies,
    task slots, activity and workflow task counts) for Prometheus, when configured."""
    if settings.worker_metrics_port is None:
        return None
    address = f"{settings.api_host}:{settings.worker_metrics_port}"
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))

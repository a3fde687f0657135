"""The one data converter (with the encryption codec) and the client factory, shared by
worker, API and CLI."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import temporalio.converter
import temporalio.converter._payload_converter
from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from core.codec import EncryptionCodec
from core.config import Settings, get_settings
from core.telemetry import temporal_interceptors


def _remember_type_hints() -> None:
    """temporalio's JSON converter asks ``typing.get_type_hints`` for every dataclass it
    turns a payload into, each time: with postponed annotations that evaluates every
    field's annotation again, 0.1 to 0.4 ms per class, and one batch of a case's changes
    holds a dozen tasks and events (a fifth of the simulator's CPU went there). A class's
    hints do not change: the converter gets them remembered per class (a copy each time,
    so no caller can change them for the next)."""
    module = temporalio.converter._payload_converter
    original = getattr(module, "get_type_hints", None)
    if original is None or hasattr(original, "remembered"):
        return  # another SDK version (tests/test_temporal.py notices), or done already

    @functools.lru_cache(maxsize=1024)
    def remembered(obj: Any) -> dict[str, Any]:
        return original(obj)  # type: ignore[no-any-return]

    def get_type_hints(obj: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if args or kwargs:
            return original(obj, *args, **kwargs)  # type: ignore[no-any-return]
        try:
            return dict(remembered(obj))
        except TypeError:  # not hashable
            return original(obj)  # type: ignore[no-any-return]

    get_type_hints.remembered = remembered  # type: ignore[attr-defined]
    setattr(module, "get_type_hints", get_type_hints)  # noqa: B010 (a private module)


_remember_type_hints()


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

"""The one data converter (with the encryption codec) and the client factory, shared by
worker, API and CLI."""

from __future__ import annotations

import dataclasses

import temporalio.converter
from temporalio.client import Client

from core.codec import EncryptionCodec
from core.config import Settings, get_settings
from core.telemetry import temporal_interceptors


def data_converter(settings: Settings | None = None) -> temporalio.converter.DataConverter:
    settings = settings or get_settings()
    return dataclasses.replace(
        temporalio.converter.default(),
        payload_codec=EncryptionCodec(settings.derived_key("temporal-payloads")),
    )


async def connect_client(settings: Settings | None = None, address: str | None = None) -> Client:
    settings = settings or get_settings()
    return await Client.connect(
        address or settings.effective_temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        interceptors=temporal_interceptors(),  # tracing, when on (the worker inherits it)
    )

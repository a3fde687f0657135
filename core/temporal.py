"""The one data converter (with the encryption codec) and the client factory, shared by
worker, API and CLI.

The codec needs the per-case data keys, which live in the database: importing ``db``
registers their source (``core.keys.set_case_key_source``), since ``core`` may not
import ``db``; a caller may also pass one explicitly.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, ClassVar

import temporalio.converter
import temporalio.converter._payload_converter
from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import TLSConfig

from core.codec import EncryptionCodec
from core.config import Settings, get_settings
from core.keys import CaseKeySource, case_key_source, key_ring
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


class _DataclassJSONEncoder(temporalio.converter.AdvancedJSONEncoder):
    """The SDK's JSON encoder, with dataclasses handed to the encoder as a shallow dict
    of their fields (the encoder calls back for the nested ones) instead of
    ``dataclasses.asdict``, which deep-copies every nested dict and list first: a batch
    of a case's changes is a dozen nested dataclasses, and the workers encode each one
    into the history (docs/benchmarks.md). The JSON is the same, byte for byte
    (``tests/test_converter.py``)."""

    _fields: ClassVar[dict[type, tuple[str, ...]]] = {}

    def default(self, o: Any) -> Any:
        names = self._fields.get(type(o))
        if names is None:
            if not dataclasses.is_dataclass(o) or isinstance(o, type):
                return super().default(o)
            names = self._fields[type(o)] = tuple(f.name for f in dataclasses.fields(o))
        return {name: getattr(o, name) for name in names}


class PayloadConverter(temporalio.converter.CompositePayloadConverter):
    """The SDK's default payload converters, its JSON one with ``_DataclassJSONEncoder``."""

    def __init__(self) -> None:
        defaults = temporalio.converter.DefaultPayloadConverter.default_encoding_payload_converters
        super().__init__(
            *(
                temporalio.converter.JSONPlainPayloadConverter(encoder=_DataclassJSONEncoder)
                if isinstance(c, temporalio.converter.JSONPlainPayloadConverter)
                else c
                for c in defaults
            )
        )


def data_converter(
    settings: Settings | None = None, case_keys: CaseKeySource | None = None
) -> temporalio.converter.DataConverter:
    settings = settings or get_settings()
    codec = EncryptionCodec(
        key_ring(settings),
        case_keys or case_key_source(settings),
        refresh=lambda: key_ring(settings, refresh=True),
    )
    return dataclasses.replace(
        temporalio.converter.default(),
        payload_converter_class=PayloadConverter,
        payload_codec=codec,
        # failure messages and stack traces go into an encrypted payload too
        failure_converter_class=temporalio.converter.DefaultFailureConverterWithEncodedAttributes,
    )


def tls_config(settings: Settings) -> TLSConfig | bool:
    """mTLS to the Temporal frontend when configured (client certificate and key, and the
    CA that signed the frontend's certificate); False: plaintext (development)."""
    if not (settings.temporal_tls_cert or settings.temporal_tls_ca):
        return False
    return TLSConfig(
        server_root_ca_cert=(
            settings.temporal_tls_ca.read_bytes() if settings.temporal_tls_ca else None
        ),
        client_cert=settings.temporal_tls_cert.read_bytes() if settings.temporal_tls_cert else None,
        client_private_key=(
            settings.temporal_tls_key.read_bytes() if settings.temporal_tls_key else None
        ),
        domain=settings.temporal_tls_server_name,
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
        tls=tls_config(settings),
    )


def worker_runtime(settings: Settings) -> Runtime | None:
    """A runtime that serves the Temporal SDK's own worker metrics (poll latencies,
    task slots, activity and workflow task counts) for Prometheus, when configured."""
    if settings.worker_metrics_port is None:
        return None
    address = f"{settings.api_host}:{settings.worker_metrics_port}"
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))

"""``casusregie temporal setup`` (the compose ``temporal-setup`` job): register the
namespace when missing and the custom search attributes (``core/search_attributes.py``,
the one list); idempotent, so it runs on every ``docker compose up``.

``casusregie temporal workers``: exit 0 when a worker polls the task queue (the worker
container's healthcheck; the same test as ``/healthz``'s ``worker``)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from temporalio.client import Client

    from core.config import Settings

temporal_app = typer.Typer(help="Temporal cluster tasks.", no_args_is_help=True)
NAMESPACE_VISIBLE_S = 60.0


async def _connect(settings: Settings) -> Client:
    import db  # noqa: F401  (registers the per-case key source of the payload codec)
    from core.temporal import connect_client

    return await connect_client(settings)


async def setup_namespace(retention_days: int) -> bool:
    """Register the configured namespace unless it exists; True when it was created."""
    from google.protobuf.duration_pb2 import Duration
    from temporalio.api.workflowservice.v1 import (
        DescribeNamespaceRequest,
        RegisterNamespaceRequest,
    )
    from temporalio.service import RPCError, RPCStatusCode

    from core.config import get_settings
    from core.search_attributes import CUSTOM_SEARCH_ATTRIBUTES, ensure_search_attributes

    settings = get_settings()
    client = await _connect(settings)
    namespace = settings.temporal_namespace
    created = False
    try:
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=namespace)
        )
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
        retention = Duration()
        retention.FromTimedelta(timedelta(days=retention_days))
        try:
            await client.workflow_service.register_namespace(
                RegisterNamespaceRequest(
                    namespace=namespace, workflow_execution_retention_period=retention
                )
            )
            created = True
        except RPCError as again:
            if again.status != RPCStatusCode.ALREADY_EXISTS:
                raise
    deadline = time.monotonic() + NAMESPACE_VISIBLE_S
    while True:  # a new namespace reaches every frontend's cache after a few seconds
        try:
            await ensure_search_attributes(client, CUSTOM_SEARCH_ATTRIBUTES, namespace)
            return created
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND or time.monotonic() > deadline:
                raise
            await asyncio.sleep(1)


@temporal_app.command("setup")
def setup(
    retention_days: Annotated[
        int, typer.Option("--retention-days", min=1, help="History kept after a case closes.")
    ] = 30,
    wait: Annotated[
        float, typer.Option("--wait", min=0, help="Seconds to wait for the cluster to serve.")
    ] = 120,
) -> None:
    """Register the namespace (if missing) and the search attributes."""
    import structlog

    from core.config import get_settings
    from core.logging import configure_logging

    settings = get_settings()
    configure_logging(settings)
    log = structlog.get_logger("casusregie.temporal")

    async def patiently() -> bool:
        deadline = time.monotonic() + wait
        while True:  # a freshly started cluster refuses calls for a while
            try:
                return await setup_namespace(retention_days)
            except Exception as err:
                if time.monotonic() > deadline:
                    raise
                log.info("temporal_not_serving_yet", error=type(err).__name__)
                await asyncio.sleep(2)

    created = asyncio.run(patiently())
    state = "registered" if created else "exists"
    typer.echo(f"namespace {settings.temporal_namespace} {state}; search attributes registered")


@temporal_app.command("workers")
def workers() -> None:
    """Exit 0 when a worker polls the task queue, 1 otherwise."""
    from api.workers import worker_polling
    from core.config import get_settings

    settings = get_settings()

    async def check() -> bool:
        return await worker_polling(await _connect(settings), settings.task_queue)

    try:
        polling = asyncio.run(check())
    except Exception as err:  # noqa: BLE001 - unreachable Temporal: no worker either
        typer.echo(f"Temporal unreachable: {type(err).__name__}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"task queue {settings.task_queue}: {'worker polling' if polling else 'no worker'}")
    raise typer.Exit(0 if polling else 1)

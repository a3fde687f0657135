"""The API's one Temporal client: connected lazily so the API starts (and /healthz
answers) while Temporal is still down; reconnects on the next request."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import structlog
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import Client

from api.workers import WorkerCheck
from core.config import Settings
from core.temporal import connect_client

log = structlog.get_logger()

CONNECT_TIMEOUT_S = 5.0
HEALTH_TIMEOUT = timedelta(seconds=2)


class TemporalUnavailable(Exception):
    """Temporal cannot be reached right now (the API answers 503)."""


class TemporalProvider:
    """Holds at most one client; ``client()`` connects on first use and after failures."""

    def __init__(self, settings: Settings, client: Client | None = None) -> None:
        self._settings = settings
        self._client = client
        self._lock = asyncio.Lock()
        self._workers = WorkerCheck(settings.task_queue)

    async def client(self) -> Client:
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                try:
                    self._client = await asyncio.wait_for(
                        connect_client(self._settings), timeout=CONNECT_TIMEOUT_S
                    )
                    log.info(
                        "temporal_connected", address=self._settings.effective_temporal_address
                    )
                except Exception as exc:  # connection refused, timeout, DNS ...
                    log.warning("temporal_unavailable", error=type(exc).__name__)
                    raise TemporalUnavailable(str(exc) or type(exc).__name__) from exc
        return self._client

    async def check(self) -> bool:
        """True when the frontend answers a cheap RPC within a short timeout."""
        try:
            client = await self.client()
            await client.workflow_service.get_system_info(
                GetSystemInfoRequest(), retry=False, timeout=HEALTH_TIMEOUT
            )
            return True
        except Exception:  # noqa: BLE001 - any failure means: not healthy
            return False

    async def worker_ok(self) -> bool:
        """True when a worker polls the task queue (cached for a few seconds)."""
        try:
            client = await self.client()
        except TemporalUnavailable:
            return False
        return await self._workers.ok(client)

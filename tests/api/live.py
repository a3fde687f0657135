"""The API on a real Temporal dev server (``dev_server``) with a worker the test can stop
and start: for what the time-skipping server does not do (update ids, task-queue
pollers, real time)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
from sqlmodel import Session, func, select

from core.config import get_settings
from core.temporal import connect_client
from db.models import AuditEvent
from domain.messages import workflow_id_for
from tests.api.conftest import Api, build_app, terminate_started
from worker import build_worker
from workflows.case_workflow import CaseWorkflow

TIMEOUT_S = 2.0


@dataclass
class Live(Api):
    engine: object = None
    worker: object = None  # the running worker's context manager, or None

    @asynccontextmanager
    async def _worker(self) -> AsyncIterator[None]:
        with ThreadPoolExecutor(4) as executor:
            async with build_worker(self.temporal, get_settings(), executor, self.engine):
                yield

    async def start_worker(self) -> None:
        self.worker = self._worker()
        await self.worker.__aenter__()

    async def stop_worker(self) -> None:
        await self.worker.__aexit__(None, None, None)
        self.worker = None

    async def until_ok(self, user: str, url: str, key: str, json: dict, within: float = 30):
        """Retry as a client would (same key) until a non-503 answer."""
        deadline = time.monotonic() + within
        while True:
            r = await self.as_(user, "POST", url, json=json, headers={"Idempotency-Key": key})
            if r.status_code != 503 or time.monotonic() > deadline:
                return r
            await asyncio.sleep(0.2)

    async def settle(self, case_id: str) -> None:
        """Returns once the workflow has handled every update sent before (in order)."""
        handle = self.temporal.get_workflow_handle(workflow_id_for(case_id))
        await handle.execute_update(CaseWorkflow.sync_read_model)

    def completions(self, task_id: str) -> int:
        with Session(self.engine) as session:
            query = select(func.count()).where(
                AuditEvent.task_id == task_id, AuditEvent.action == "task_completed"
            )
            return session.exec(query).one()


@pytest.fixture
async def live(dev_server, engine, tokens, monkeypatch) -> AsyncIterator[Live]:
    monkeypatch.setenv("CASUSREGIE_TASK_QUEUE", f"tq-{uuid.uuid4()}")
    monkeypatch.setenv("CASUSREGIE_UPDATE_TIMEOUT_S", str(TIMEOUT_S))
    get_settings.cache_clear()
    client = await connect_client(get_settings(), dev_server)
    app = build_app(engine, client)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        live = Live(http=http, temporal=client, tokens=tokens, app=app, engine=engine)
        await live.start_worker()
        try:
            yield live
        finally:
            if live.worker is None:
                await live.start_worker()
            await terminate_started(client, engine)
            await live.stop_worker()

"""The API against the time-skipping server: the real CaseWorkflow and read-model activity
on a worker, the app built with dependency overrides (engine, Temporal client), and
users of every role in two regions."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio.client import Client
from temporalio.service import RPCError

from api.deps import get_db_engine, get_temporal_provider
from api.main import create_app
from api.temporal import TemporalProvider
from core.config import get_settings
from db.accounts import add_organisation, add_user
from domain.messages import workflow_id_for
from tests.workflows.harness import running_worker


@pytest.fixture
def engine(any_engine: Engine) -> Engine:
    """Every test here runs on SQLite and on PostgreSQL (tests/conftest.py)."""
    return any_engine


ZK = "Zorgkantoor Groningen"
ZK_OTHER = "Zorgkantoor Twente"
PROVIDER = "Zorggroep Noord"
PROVIDER_OTHER = "Stichting Oost"
OCO_ORG = "MEE Groningen"

# name -> (role, organisation, region)
USERS = {
    "coordinator": ("coordinator", ZK, "Groningen"),
    "zorgkantoor": ("zorgkantoor", ZK, "Groningen"),
    "aanbieder": ("aanbieder", PROVIDER, None),
    "aanbieder2": ("aanbieder", PROVIDER, None),
    "oco": ("oco", OCO_ORG, None),
    "auditor": ("auditor", "Inspectie", None),
    "coordinator_other": ("coordinator", ZK_OTHER, "Twente"),
    "zorgkantoor_other": ("zorgkantoor", ZK_OTHER, "Twente"),
    "aanbieder_other": ("aanbieder", PROVIDER_OTHER, None),
    "oco_other": ("oco", "MEE Twente", None),
    # another zorgkantoor of the same region: sees the region's cases, steers none
    "coordinator_neighbour": ("coordinator", "Zorgkantoor Groningen-Oost", "Groningen"),
    "beheerder": ("beheerder", "Functioneel beheer", None),
}

CASE_BODY = {
    "client_ref": "CR-2026-0001",
    "sector": "GGZ",
    "region": "Groningen",
    "entry": "no_dossierhouder",
    "provider_org": PROVIDER,
    "oco_org": OCO_ORG,
    "decision_days": 5,
    "summary": "Vertrouwelijke samenvatting",
}


# registered organisations without users (the registry: ``casusregie org add``)
OTHER_ORGS = {"Zorg West": "aanbieder"}


def messages(response: httpx.Response) -> str:
    """The messages of a 422's detail list, as one string."""
    return " ".join(item["msg"] for item in response.json()["detail"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tokens(engine) -> dict[str, str]:
    with Session(engine) as session:
        made = {}
        for name, (role, org, region) in USERS.items():
            new = add_user(session, name=name, role=role, org=org, region=region)
            # reachable organisations: notifications go to the dev mail sink, so no
            # "delivery failed" follow-up tasks appear in the inboxes under test
            new.org.email = f"{new.org.id}@example.invalid"
            session.add(new.org)
            made[name] = new.token
        for org_name, kind in OTHER_ORGS.items():
            add_organisation(session, name=org_name, kind=kind)
        session.commit()
    return made


def build_app(engine, client: Client | None) -> FastAPI:
    app = create_app()
    provider = TemporalProvider(get_settings(), client=client)
    app.dependency_overrides[get_db_engine] = lambda: engine
    app.dependency_overrides[get_temporal_provider] = lambda: provider
    return app


@dataclass
class Api:
    http: httpx.AsyncClient
    temporal: Client
    tokens: dict[str, str]
    app: FastAPI

    async def as_(self, user: str, method: str, url: str, **kwargs) -> httpx.Response:
        headers = {**kwargs.pop("headers", {}), **bearer(self.tokens[user])}
        return await self.http.request(method, url, headers=headers, **kwargs)

    async def start_case(self, **overrides) -> dict:
        r = await self.as_("coordinator", "POST", "/api/cases", json=CASE_BODY | overrides)
        assert r.status_code == 201, r.text
        return r.json()

    async def open_task(self, case_id: str, key: str, user: str = "coordinator") -> dict:
        r = await self.as_(user, "GET", f"/api/cases/{case_id}")
        tasks = [t for t in r.json()["open_tasks"] if t["key"] == key]
        assert tasks, f"no open {key}: {[t['key'] for t in r.json()['open_tasks']]}"
        return tasks[0]


@pytest.fixture
async def api(env, engine, task_queue, tokens, monkeypatch) -> AsyncIterator[Api]:
    """HTTP client on the app, a worker running the real workflow on ``task_queue``."""
    monkeypatch.setenv("CASUSREGIE_TASK_QUEUE", task_queue)
    get_settings.cache_clear()
    async with running_worker(env, engine, task_queue) as client:
        app = build_app(engine, client)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield Api(http=http, temporal=client, tokens=tokens, app=app)
        await terminate_started(client, engine)


async def terminate_started(client: Client, engine) -> None:
    """Workflows left running (open cases, or closed ones still finishing their
    notifications, and signals not yet assessed) would keep timers on the shared
    time-skipping server without a worker, and stall later tests' time skips."""
    from sqlmodel import select

    from db.models import Case, Signal

    with Session(engine) as session:
        ids = [workflow_id_for(c) for c in session.exec(select(Case.id))]
        ids += list(session.exec(select(Signal.workflow_id)))
    for workflow_id in ids:
        with contextlib.suppress(RPCError):
            await client.get_workflow_handle(workflow_id).terminate("test done")


# imported last: tests/api/live.py imports this module's fixtures
from tests.api.live import live  # noqa: E402, F401  (fixture: the API on the dev server)

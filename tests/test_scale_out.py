"""Several of everything on one machine, for real: the Temporal dev server, PostgreSQL,
two workers and two API processes on one read model. Concurrent clients, spread over
both APIs, drive ``CASES`` cases from start to ``placed`` (start, decide, arrange); one
worker and one API are SIGKILLed mid-run. Clients do what a client should: on a
connection error or a 503 they retry, on the other API when theirs is gone, with the
same ``Idempotency-Key``.

Proven afterwards: every case is closed as ``placed``; every completion was applied
exactly once (one ``task_completed`` event per task); no notification reached its
receiver twice (webhook deliveries counted per delivery id); ``casusregie audit
verify`` finds the read model equal to the workflows. Figures: docs/operations.md.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, func, select

from cli.process import python_command, spawn, stop
from core.ports import free_port
from db.accounts import add_user
from db.engine import engine_for
from db.migrate import upgrade_to_head
from db.models import AuditEvent, Case, NotificationOutbox, Organisation
from tests.notifications.servers import WebhookReceiver
from tests.test_up import ROOT

CASES = 200
CLIENTS = 16  # cases driven at the same time
KILL_AT = 0.3  # share of cases started when a worker and an API are killed
OP_BUDGET_S = 90.0  # one client call, with its retries
RUN_BUDGET_S = 300.0
ZK, PROVIDER = "Zorgkantoor Groningen", "Zorggroep Noord"
CASE_BODY = {
    "client_ref": "CR-SCALE",
    "sector": "GZ",
    "region": "Groningen",
    "entry": "no_dossierhouder",
    "provider_org": PROVIDER,
}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses setpriv/proc"),
]


@dataclass
class Stack:
    env: dict[str, str]
    logs: Path
    apis: list[str] = field(default_factory=list)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, command: str, **extra: str) -> None:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - the child keeps it
        self.procs[name] = spawn(
            python_command(command), env={**self.env, **extra}, stdout=log, stderr=log, cwd=ROOT
        )
        log.close()

    def kill(self, name: str) -> None:
        os.kill(self.procs[name].pid, signal.SIGKILL)
        self.procs[name].wait(10)

    def stop_all(self) -> None:
        for name, proc in self.procs.items():
            stop(proc, name, timeout=15)


@dataclass
class Clients:
    http: httpx.AsyncClient
    apis: list[str]
    tokens: dict[str, str]
    retries: Counter = field(default_factory=Counter)
    started: int = 0
    completions: int = 0
    late_read_model: int = 0

    async def call(
        self, api: int, user: str, method: str, path: str, key: str | None = None, **kwargs
    ) -> dict:
        """One request as a careful client makes it: retried on 503 and on connection
        errors (then on the other API), with the same Idempotency-Key."""
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        if key:
            headers["Idempotency-Key"] = key
        deadline = time.monotonic() + OP_BUDGET_S
        while True:
            try:
                r = await self.http.request(
                    method, self.apis[api] + path, headers=headers, timeout=30, **kwargs
                )
                if r.status_code < 300:
                    return r.json()
                assert r.status_code == 503, f"{method} {path}: {r.status_code} {r.text}"
                self.retries["503"] += 1
            except httpx.TransportError:
                self.retries["connection"] += 1
                api = 1 - api  # that API is gone: the other one
            assert time.monotonic() < deadline, f"{method} {path}: no answer in time"
            await asyncio.sleep(0.2)

    async def open_task(self, api: int, case: dict, key: str) -> dict:
        deadline = time.monotonic() + OP_BUDGET_S
        while True:  # the read model may be a moment behind the case start
            found = [t for t in case["open_tasks"] if t["key"] == key]
            if found:
                return found[0]
            assert time.monotonic() < deadline, f"{key} never opened in {case['id']}"
            await asyncio.sleep(0.2)
            case = await self.call(api, "coordinator", "GET", f"/api/cases/{case['id']}")

    async def visible(self, api: int, task_id: str) -> None:
        """Wait until the read model shows a task the workflow reported as opened."""
        headers = {"Authorization": f"Bearer {self.tokens['provider']}"}
        deadline = time.monotonic() + OP_BUDGET_S
        while True:
            try:
                r = await self.http.get(f"{self.apis[api]}/api/tasks/{task_id}", headers=headers)
                if r.status_code == 200:
                    return
            except httpx.TransportError:
                api = 1 - api
            assert time.monotonic() < deadline, f"task {task_id} never reached the read model"
            await asyncio.sleep(0.2)

    async def drive(self, i: int) -> str:
        api = i % 2
        case = await self.call(
            api, "coordinator", "POST", "/api/cases", f"case-{i}", json=CASE_BODY
        )
        self.started += 1
        decide = await self.open_task(api, case, "decide_dossierhouder")
        done = await self.call(
            api,
            "provider",
            "POST",
            f"/api/tasks/{decide['id']}/complete",
            f"decide-{i}",
            json={"outcome": "accepted"},
        )
        arrange = next(t for t in done["opened"] if t["key"] == "arrange_care")
        if not done["read_model_synced"]:  # the write was late (its worker was killed)
            self.late_read_model += 1
            await self.visible(api, arrange["id"])
        placed = await self.call(
            api,
            "provider",
            "POST",
            f"/api/tasks/{arrange['id']}/complete",
            f"arrange-{i}",
            json={"outcome": "placed", "data": {"placed_at": PROVIDER}},
        )
        assert (placed["status"], placed["outcome"]) == ("closed", "placed")
        self.late_read_model += not placed["read_model_synced"]
        self.completions += 2
        return case["id"]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(url + "/healthz", timeout=2).json().get("status") == "ok":
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not become healthy")


def _users(url: str, webhook: str) -> dict[str, str]:
    with Session(engine_for(url)) as session:
        tokens = {
            "coordinator": add_user(
                session, name="Carla", role="coordinator", org=ZK, region="Groningen"
            ).token,
            "provider": add_user(session, name="Petra", role="aanbieder", org=PROVIDER).token,
        }
        for org in session.exec(select(Organisation)):
            org.channels, org.webhook_url, org.webhook_secret = ["webhook"], webhook, "s3cret"
            session.add(org)
        session.commit()
    return tokens


async def _run(clients: Clients, stack: Stack) -> tuple[list[str], dict]:
    gate = asyncio.Semaphore(CLIENTS)
    figures: dict = {}

    async def one(i: int) -> str:
        async with gate:
            return await clients.drive(i)

    async def killer() -> None:
        while clients.started < CASES * KILL_AT:
            await asyncio.sleep(0.05)
        stack.kill("worker-1")
        stack.kill("api-1")
        figures["killed_after_s"] = round(time.monotonic() - figures["start"], 1)
        figures["completions_at_kill"] = clients.completions

    figures["start"] = time.monotonic()
    async with asyncio.timeout(RUN_BUDGET_S):
        kill = asyncio.create_task(killer())
        case_ids = await asyncio.gather(*(one(i) for i in range(CASES)))
        await kill
    figures["duration_s"] = round(time.monotonic() - figures.pop("start"), 1)
    return case_ids, figures


def _read_model_settles(engine, case_ids: list[str], timeout: float = 150) -> float:
    """Seconds until the read model shows every case closed: a write that was running on
    the killed worker is retried elsewhere after its 30 s activity timeout."""
    started = time.monotonic()
    while True:
        with Session(engine) as session:
            open_cases = session.exec(
                select(func.count()).where(Case.id.in_(case_ids), Case.status != "closed")
            ).one()
        if open_cases == 0:
            return time.monotonic() - started
        assert time.monotonic() - started < timeout, f"{open_cases} cases never closed"
        time.sleep(0.5)


def _delivered_twice(webhooks: WebhookReceiver) -> list[str]:
    counts = Counter(hook.headers.get("X-Casusregie-Delivery") for hook in webhooks.received)
    return [delivery for delivery, n in counts.items() if n > 1]


# its own bounds (the run's budget, the read model settling) are the ones that matter;
# the suite's 90 s per test only guards against a hang, and a loaded machine needs more
@pytest.mark.timeout(240)
def test_two_workers_two_apis_kill_one_of_each(dev_server, postgres_url, tmp_path: Path):
    upgrade_to_head(postgres_url)
    logs = tmp_path / "logs"
    logs.mkdir()
    ports = [free_port(), free_port()]
    env = {
        **os.environ,
        "CASUSREGIE_DATABASE_URL": postgres_url,
        "CASUSREGIE_TEMPORAL_ADDRESS": dev_server,
        "CASUSREGIE_TASK_QUEUE": f"scale-{uuid.uuid4()}",
        "CASUSREGIE_DATA_DIR": str(tmp_path / "data"),
        "CASUSREGIE_LOG_JSON": "true",
    }
    stack = Stack(env=env, logs=logs)
    with WebhookReceiver() as webhooks:
        tokens = _users(postgres_url, webhooks.url)
        try:
            for n in (1, 2):
                stack.start(f"worker-{n}", "worker")
                stack.start(f"api-{n}", "api", CASUSREGIE_API_PORT=str(ports[n - 1]))
            apis = [f"http://127.0.0.1:{port}" for port in ports]
            for n, api in enumerate(apis, start=1):
                _wait_healthy(api, stack.procs[f"api-{n}"])

            async def main() -> tuple[list[str], dict, Clients]:
                limits = httpx.Limits(max_connections=CLIENTS * 2)
                async with httpx.AsyncClient(limits=limits) as http:
                    clients = Clients(http=http, apis=apis, tokens=tokens)
                    case_ids, figures = await _run(clients, stack)
                    return case_ids, figures, clients

            case_ids, figures, clients = asyncio.run(main())
            assert stack.procs["worker-2"].poll() is None and stack.procs["api-2"].poll() is None

            engine = engine_for(postgres_url)
            figures["read_model_settled_after_s"] = round(_read_model_settles(engine, case_ids), 1)
            with Session(engine) as session:
                states = Counter(
                    session.exec(
                        select(Case.status, Case.outcome).where(Case.id.in_(case_ids))
                    ).all()
                )
                completed = Counter(
                    session.exec(
                        select(AuditEvent.task_id).where(AuditEvent.action == "task_completed")
                    ).all()
                )
                unsent = session.exec(
                    select(func.count()).where(NotificationOutbox.status != "sent")
                ).one()
            assert len(set(case_ids)) == CASES
            assert states == {("closed", "placed"): CASES}, states
            assert len(completed) == 2 * CASES and set(completed.values()) == {1}
            assert _delivered_twice(webhooks) == []

            verify = subprocess.run(
                python_command("audit", "verify"),
                check=False,
                env={**env, "CASUSREGIE_LOG_LEVEL": "WARNING"},
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert verify.returncode == 0, verify.stdout[-3000:] + verify.stderr[-3000:]
            assert f"{CASES} ok, 0 with differences" in verify.stdout
            figures |= {
                "cases": CASES,
                "completions": 2 * CASES,
                "clients": CLIENTS,
                "retries": dict(clients.retries),
                "read_model_late": clients.late_read_model,
                "webhook_deliveries": len(webhooks.received),
                "notifications_not_yet_sent": unsent,
            }
            print("scale-out figures:", json.dumps(figures))
        finally:
            stack.stop_all()

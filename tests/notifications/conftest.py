"""Fixtures of the notification tests: real SMTP/webhook servers, organisations with
notification settings, and a runner for ``send_notifications`` inside a workflow."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.registry import build_activities
from core.config import get_settings
from db.models import NotificationOutbox, Organisation, User
from domain.messages import NotificationIntent
from notifications import outbox
from tests.notifications.notify_workflow import NotifyInput, NotifyWorkflow
from tests.notifications.servers import RecordingSmtpHandler, SmtpServer, WebhookReceiver
from workflows.notifications import NotificationFailure


@pytest.fixture
def engine(any_engine: Engine) -> Engine:
    """Every test here runs on SQLite and on PostgreSQL (tests/conftest.py)."""
    return any_engine


CASE_ID = "5b1e7c2a-0d4f-4c1e-9a37-2f8d6b0c9e11"
ZK = "Zorgkantoor Groningen"
PROVIDER = "Zorggroep Noord"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingSmtpHandler]:
    """An aiosmtpd server on a free port; settings point the smtp backend at it."""
    server = SmtpServer()
    monkeypatch.setenv("CASUSREGIE_MAIL_BACKEND", "smtp")
    monkeypatch.setenv("CASUSREGIE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CASUSREGIE_SMTP_PORT", str(server.port))
    monkeypatch.setenv("CASUSREGIE_MAIL_FROM", "casusregie@zorgkantoor.test")
    monkeypatch.setenv("CASUSREGIE_PUBLIC_URL", "https://casusregie.test")
    get_settings.cache_clear()
    with server as handler:
        yield handler


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def crash_after_handover(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The first delivery crashes right after handing the message over (before it can
    record ``sent``); returns the outbox ids that crashed."""
    real_mark_sent, crashes = outbox.mark_sent, []

    def crash_once(engine_: Engine, outbox_id: str) -> None:
        if not crashes:
            crashes.append(outbox_id)
            raise RuntimeError("simulated worker crash after hand-over")
        real_mark_sent(engine_, outbox_id)

    monkeypatch.setattr(outbox, "mark_sent", crash_once)
    return crashes


def add_org(engine: Engine, name: str, kind: str, **settings: Any) -> Organisation:
    with Session(engine, expire_on_commit=False) as session:
        org = Organisation(name=name, kind=kind, **settings)
        session.add(org)
        session.commit()
        return org


def add_user(
    engine: Engine, org: Organisation, name: str, email: str | None, notify: str = "direct"
) -> None:
    with Session(engine) as session:
        session.add(
            User(
                name=name,
                role=org.kind,
                org_id=org.id,
                token_hash=uuid.uuid4().hex,
                email=email,
                notify=notify,
            )
        )
        session.commit()


def intent(event: str, recipients: list[str], **context: Any) -> NotificationIntent:
    return NotificationIntent(
        id=f"{CASE_ID}:e{uuid.uuid4().hex[:6]}",
        event=event,
        case_id=CASE_ID,
        at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        recipients=recipients,
        task_id=context.get("task_id"),
        context=context,
    )


def outbox_rows(engine: Engine) -> list[NotificationOutbox]:
    with Session(engine) as session:
        return list(session.exec(select(NotificationOutbox).order_by(NotificationOutbox.address)))


Notify = Callable[..., Awaitable[list[NotificationFailure]]]


@pytest.fixture
def notify(env: WorkflowEnvironment, engine: Engine, task_queue: str) -> Notify:
    """Run ``send_notifications`` in a workflow with the worker's real activities."""

    async def run(intents: list[NotificationIntent], max_attempts: int = 3):
        activities = build_activities(engine, get_settings())
        with ThreadPoolExecutor(max_workers=2) as executor:
            async with Worker(
                env.client,
                task_queue=task_queue,
                workflows=[NotifyWorkflow],
                activities=activities,
                activity_executor=executor,
            ):
                return await env.client.execute_workflow(
                    NotifyWorkflow.run,
                    NotifyInput(intents, max_attempts),
                    id=f"notify-{uuid.uuid4()}",
                    task_queue=task_queue,
                )

    return run

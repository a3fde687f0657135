"""Drive real cases on the time-skipping server: the real workflow, the real read-model
activity on a SQLite database, and helpers that act as the parties would.

Reused by the workflow tests, the golden-history script and the API tests.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.notifications import NotificationActivities
from activities.read_model import ReadModelActivities
from activities.registry import build_activities
from core.config import get_settings
from core.sandbox_code import remember_workflow_code
from core.temporal import data_converter
from db.models import AuditEvent, Case, Organisation, Task
from domain.messages import (
    Actor,
    CaseAction,
    CaseInput,
    CaseState,
    ClaimTask,
    CompleteTask,
    NotificationIntent,
    ReadModelChanges,
    TaskState,
    UpdateResult,
    workflow_id_for,
)
from domain.notification_messages import (
    DeliverNotificationInput,
    DeliveryReport,
    EnqueueNotificationsInput,
    EnqueueNotificationsResult,
)
from workflows.case_workflow import CaseWorkflow
from workflows.registry import WORKFLOWS

PROVIDER = Actor("u-prov", "Petra Aanbieder", "aanbieder", "Zorggroep Noord")
NEXT_PROVIDER = Actor("u-prov2", "Bram Aanbieder", "aanbieder", "Stichting Oost")
THIRD_PROVIDER = Actor("u-prov3", "Cor Aanbieder", "aanbieder", "Zorg West")
ZORGKANTOOR = Actor("u-zk", "Zeynep Zorgkantoor", "zorgkantoor", "Zorgkantoor Groningen")
COORDINATOR = Actor("u-coord", "Carla Coördinator", "coordinator", "Zorgkantoor Groningen")
OCO = Actor("u-oco", "Olaf Ondersteuner", "oco", "MEE Groningen")


def encrypted_client(env: WorkflowEnvironment) -> Client:
    """The environment's connection with the project's (encrypting) data converter."""
    config = env.client.config()
    config["data_converter"] = data_converter(get_settings())
    return Client(**config)


def insert_case_row(engine: Engine, inp: CaseInput) -> None:
    with Session(engine) as session:
        session.add(
            Case(
                id=inp.case_id,
                workflow_id=workflow_id_for(inp.case_id),
                client_ref="CR-TEST",
                sector=inp.sector,
                region=inp.region,
                entry=inp.entry,
                provider_org=inp.provider_org,
                zorgkantoor_org=inp.zorgkantoor_org,
                oco_org=inp.oco_org,
                decision_days=inp.decision_days,
                definition_version=inp.definition_version,
                phase="",
                workflow_state="running",
            )
        )
        session.commit()


@dataclass
class CaseDriver:
    """One running case and the moves the parties make in it."""

    client: Client
    env: WorkflowEnvironment
    engine: Engine
    handle: WorkflowHandle
    case_id: str
    results: list[UpdateResult] = field(default_factory=list)

    async def state(self) -> CaseState:
        return await self.handle.query(CaseWorkflow.state)

    async def open_task(self, key: str) -> TaskState:
        state = await self.state()
        matches = [t for t in state.open_tasks if t.key == key]
        assert matches, f"no open task {key}; open: {[t.key for t in state.open_tasks]}"
        return matches[-1]

    async def complete(
        self, key: str, outcome: str = "done", actor: Actor = PROVIDER, note: str = "", **data: Any
    ) -> UpdateResult:
        task = await self.open_task(key)
        result = await self.handle.execute_update(
            CaseWorkflow.complete_task,
            CompleteTask(task_id=task.id, outcome=outcome, actor=actor, note=note, data=data),
        )
        self.results.append(result)
        return result

    async def claim(
        self, key: str, actor: Actor, release: bool = False, force: bool = False
    ) -> UpdateResult:
        task = await self.open_task(key)
        return await self.handle.execute_update(
            CaseWorkflow.claim_task,
            ClaimTask(task_id=task.id, actor=actor, release=release, force=force),
        )

    async def act(
        self, action: str, actor: Actor = COORDINATOR, note: str = "", **data: Any
    ) -> UpdateResult:
        return await self.handle.execute_update(
            CaseWorkflow.case_action, CaseAction(action=action, actor=actor, note=note, data=data)
        )

    async def sleep(self, days: float) -> None:
        await self.env.sleep(timedelta(days=days))

    def read_model_tasks(self) -> list[Task]:
        with Session(self.engine) as session:
            return list(session.exec(select(Task).where(Task.case_id == self.case_id)))

    def read_model_case(self) -> Case:
        with Session(self.engine) as session:
            case = session.get(Case, self.case_id)
            assert case is not None
            return case

    def audit_actions(self) -> list[str]:
        with Session(self.engine) as session:
            events = session.exec(
                select(AuditEvent)
                .where(AuditEvent.case_id == self.case_id)
                .order_by(AuditEvent.seq)
            )
            return [e.action for e in events]

    async def assert_read_model_matches(self) -> None:
        """The read model shows exactly what the workflow's own query says."""
        state = await self.state()
        rows = {t.id: t for t in self.read_model_tasks()}
        assert set(rows) == {t.id for t in state.tasks}
        for task in state.tasks:
            row = rows[task.id]
            assert (row.status, row.outcome, row.owner_org, row.overdue) == (
                task.status,
                task.outcome,
                task.owner_org,
                task.overdue,
            ), task.key
        case = self.read_model_case()
        assert (case.phase, case.status, case.outcome) == (state.phase, state.status, state.outcome)


def case_input(entry: str = "no_dossierhouder", oco: bool = False, **overrides: Any) -> CaseInput:
    values: dict[str, Any] = {
        "case_id": str(uuid.uuid4()),
        "entry": entry,
        "sector": "GGZ",
        "region": "Groningen",
        "provider_org": PROVIDER.org,
        "zorgkantoor_org": ZORGKANTOOR.org,
        "oco_org": OCO.org if oco else None,
        "started_by": COORDINATOR,
    }
    return CaseInput(**(values | overrides))


@asynccontextmanager
async def running_worker(
    env: WorkflowEnvironment,
    engine: Engine,
    task_queue: str,
    activities: list[Callable[..., Any]] | None = None,
) -> AsyncIterator[Client]:
    client = encrypted_client(env)
    remember_workflow_code()  # the sandbox as the worker runs it (worker.build_worker)
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=WORKFLOWS,
            activities=activities or build_activities(engine, get_settings()),
            activity_executor=executor,
        ):
            yield client


async def start_case(
    client: Client, env: WorkflowEnvironment, engine: Engine, task_queue: str, inp: CaseInput
) -> CaseDriver:
    insert_case_row(engine, inp)
    handle = await client.start_workflow(
        CaseWorkflow.run, inp, id=workflow_id_for(inp.case_id), task_queue=task_queue
    )
    assert await handle.execute_update(CaseWorkflow.sync_read_model)
    return CaseDriver(client=client, env=env, engine=engine, handle=handle, case_id=inp.case_id)


# ---------------------------------------------------------------- moves shared by tests
MEETING = "2026-12-10T14:00"
PARTICIPANTS = [
    {"name": "Zorgkantoor", "org": ZORGKANTOOR.org, "mandate": True},
    {"name": "Aanbieder", "org": PROVIDER.org, "mandate": False},
]


async def to_meeting(case: CaseDriver) -> None:
    """care_not_suitable -> not suitable -> no place in either round -> phase 4."""
    await case.complete("establish_place_not_suitable", "not_suitable", note="Incidenten")
    await case.complete(
        "first_registration_round",
        "no_place",
        note="Geen plek",
        providers=[NEXT_PROVIDER.org, THIRD_PROVIDER.org],
    )
    await case.complete(
        "second_registration_round",
        "no_place",
        actor=ZORGKANTOOR,
        note="Wachtlijsten vol",
        providers=[THIRD_PROVIDER.org],
    )


async def no_solution(case: CaseDriver) -> None:
    await case.complete(
        "hold_meeting",
        "no_solution",
        actor=ZORGKANTOOR,
        meeting_at=MEETING,
        participants=PARTICIPANTS,
        note="Geen mandaat bij aanbieder",
    )


async def to_plan_of_action(case: CaseDriver) -> UpdateResult:
    """From the start of a care_not_suitable case to a plan of action with reports."""
    await to_meeting(case)
    await no_solution(case)
    return await case.complete("evaluate_meeting", "continue_with_plan")


class FlakyReadModel(ReadModelActivities):
    """The real read-model activity, failing while ``down`` is set (a database outage)."""

    down = False

    def write(
        self, changes: ReadModelChanges, intents: list[NotificationIntent] | None = None
    ) -> EnqueueNotificationsResult:
        if self.down:
            raise RuntimeError("database unavailable")
        return super().write(changes, intents)


def activities_with(read_model: ReadModelActivities, engine: Engine) -> list[Callable[..., Any]]:
    """All the worker's activities, with this read model instead of the real one."""
    mine = [
        read_model.apply_changes,
        read_model.write_read_model,
        read_model.write_read_model_and_outbox,
    ]
    names = {a.__name__ for a in mine}
    others = [a for a in build_activities(engine, get_settings()) if a.__name__ not in names]
    return [*mine, *others]


class GatedNotifications(NotificationActivities):
    """The real outbox, held shut until ``gate`` is set: a workflow that drains (before
    continuing as new, or after closing) waits for its notifications meanwhile. The
    parties get an e-mail address (the file sink), so there is something to deliver."""

    GATED = ("enqueue_notifications", "deliver_notification")

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, get_settings())
        self.gate = asyncio.Event()
        with Session(engine) as session:
            for party in (PROVIDER, ZORGKANTOOR):
                session.add(Organisation(name=party.org, kind=party.role, email="p@test.invalid"))
            session.commit()

    @activity.defn(name="enqueue_notifications")
    async def enqueue_notifications(
        self, data: EnqueueNotificationsInput
    ) -> EnqueueNotificationsResult:
        await self.gate.wait()
        return await super().enqueue_notifications(data)

    @activity.defn(name="deliver_notification")
    async def deliver_notification(self, data: DeliverNotificationInput) -> DeliveryReport:
        await self.gate.wait()
        return await super().deliver_notification(data)


def activities_with_gated_notifications(
    notifications: GatedNotifications, engine: Engine
) -> list[Callable[..., Any]]:
    others = build_activities(engine, get_settings())
    return [
        *(a for a in others if a.__name__ not in GatedNotifications.GATED),
        notifications.enqueue_notifications,
        notifications.deliver_notification,
    ]

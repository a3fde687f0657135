"""The worker process: runs ``CaseWorkflow`` and every activity on the task queue until
SIGTERM/SIGINT, then shuts down gracefully (running activities get time to finish). At
start it makes sure the daily digest's Temporal schedule exists."""

from __future__ import annotations

import asyncio
import signal
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import structlog
from sqlalchemy.engine import Engine
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
)
from temporalio.worker import Worker

from activities.registry import build_activities
from core.config import Settings, get_settings
from core.sandbox_code import remember_workflow_code
from core.search_attributes import CUSTOM_SEARCH_ATTRIBUTES, ensure_search_attributes
from core.temporal import connect_client, worker_runtime
from db.engine import get_engine
from workflows.digest_workflow import NotificationDigestWorkflow
from workflows.registry import WORKFLOWS

log = structlog.get_logger(__name__)

ACTIVITY_THREADS = 16
GRACEFUL_SHUTDOWN = timedelta(seconds=10)
# a case's workflow tasks go to the worker that has it cached; when that worker is gone,
# Temporal moves them to the shared queue after this long (SDK default 10 s): with a
# dead worker, changes to its cases wait this long before another worker takes them
STICKY_TIMEOUT = timedelta(seconds=3)


def build_worker(
    client: Client, settings: Settings, executor: ThreadPoolExecutor, engine: Engine
) -> Worker:
    remember_workflow_code()  # the sandbox imports the workflow module for every instance
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=build_activities(engine, settings),
        activity_executor=executor,
        max_concurrent_activities=ACTIVITY_THREADS,
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
        sticky_queue_schedule_to_start_timeout=STICKY_TIMEOUT,
    )


def digest_schedule_id(settings: Settings) -> str:
    return f"notification-digest-{settings.task_queue}"


def digest_schedule(settings: Settings) -> Schedule:
    """Every day at ``CASUSREGIE_DIGEST_HOUR`` (Amsterdam time), one digest run; a run
    still going when the next is due is not doubled, a missed one is made up within
    twelve hours (a worker or cluster that was down at that hour)."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            NotificationDigestWorkflow.run,
            id=f"{digest_schedule_id(settings)}-run",
            task_queue=settings.task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(hour=[ScheduleRange(settings.digest_hour)])],
            time_zone_name="Europe/Amsterdam",
        ),
        policy=SchedulePolicy(
            overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(hours=12)
        ),
    )


async def ensure_digest_schedule(client: Client, settings: Settings) -> None:
    """Create the daily digest's schedule, or bring an existing one up to date (every
    worker does this at start; the schedule itself runs in Temporal, once)."""
    schedule = digest_schedule(settings)
    try:
        await client.create_schedule(digest_schedule_id(settings), schedule)
    except ScheduleAlreadyRunningError:
        handle = client.get_schedule_handle(digest_schedule_id(settings))
        await handle.update(lambda _: ScheduleUpdate(schedule=schedule))


async def run_worker(
    settings: Settings | None = None,
    client: Client | None = None,
    stop: asyncio.Event | None = None,
    engine: Engine | None = None,
) -> None:
    """Run until ``stop`` is set or the process gets SIGTERM/SIGINT."""
    settings = settings or get_settings()
    engine = engine or get_engine()
    client = client or await connect_client(settings, runtime=worker_runtime(settings))
    await ensure_search_attributes(client, CUSTOM_SEARCH_ATTRIBUTES)
    await ensure_digest_schedule(client, settings)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        with ThreadPoolExecutor(ACTIVITY_THREADS, thread_name_prefix="activity") as executor:
            async with build_worker(client, settings, executor, engine):
                log.info(
                    "worker_started", task_queue=settings.task_queue, namespace=client.namespace
                )
                await stop.wait()
                log.info("worker_stopping")
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
    log.info("worker_stopped")

"""The worker process: runs ``CaseWorkflow`` and every activity on the task queue until
SIGTERM/SIGINT, then shuts down gracefully (running activities get time to finish)."""

from __future__ import annotations

import asyncio
import signal
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import structlog
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from activities.registry import build_activities
from core.config import Settings, get_settings
from core.search_attributes import CUSTOM_SEARCH_ATTRIBUTES, ensure_search_attributes
from core.temporal import connect_client, worker_runtime
from db.engine import get_engine
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

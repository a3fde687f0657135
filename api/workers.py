"""Is a worker there? Temporal's ``DescribeTaskQueue`` lists the pollers of the task
queue with their last access; the answer is cached for a few seconds per API process so
health probes cost Temporal at most one pair of calls per ``CACHE_S`` (``CACHE_DOWN_S``
while no worker is seen).

A worker long-polls (up to a minute per poll), so a poller counts as present when it was
seen within ``POLLER_FRESH``: a worker that vanished is reported down within about that
long (Temporal itself keeps dead pollers listed for minutes)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import PollerInfo, TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

CACHE_S = 5.0  # a present worker is re-checked after this long
CACHE_DOWN_S = 1.0  # a missing one sooner: starting up should not look down for long
POLLER_FRESH = timedelta(seconds=75)
DESCRIBE_TIMEOUT = timedelta(seconds=2)
QUEUE_TYPES = (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)


def fresh_pollers(pollers: Iterable[PollerInfo], now: datetime) -> list[str]:
    """Identities of the pollers seen within ``POLLER_FRESH`` of ``now``."""
    return [
        p.identity
        for p in pollers
        if now - p.last_access_time.ToDatetime(tzinfo=UTC) <= POLLER_FRESH
    ]


async def worker_polling(client: Client, task_queue: str) -> bool:
    """True when the workflow and the activity side of the queue both have a fresh poller."""

    async def describe(kind: TaskQueueType.ValueType) -> list[PollerInfo]:
        response = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=client.namespace,
                task_queue=TaskQueue(name=task_queue),
                task_queue_type=kind,
            ),
            retry=False,
            timeout=DESCRIBE_TIMEOUT,
        )
        return list(response.pollers)

    listed = await asyncio.gather(*(describe(kind) for kind in QUEUE_TYPES))
    now = datetime.now(UTC)
    return all(fresh_pollers(pollers, now) for pollers in listed)


class WorkerCheck:
    """``worker_polling`` cached for ``CACHE_S`` (one check at a time)."""

    def __init__(self, task_queue: str) -> None:
        self._task_queue = task_queue
        self._checked_at = float("-inf")
        self._ok = False
        self._lock = asyncio.Lock()

    async def ok(self, client: Client) -> bool:
        async with self._lock:
            keep = CACHE_S if self._ok else CACHE_DOWN_S
            if time.monotonic() - self._checked_at >= keep:
                try:
                    self._ok = await worker_polling(client, self._task_queue)
                except Exception:  # noqa: BLE001 - Temporal away: no worker we can see
                    self._ok = False
                self._checked_at = time.monotonic()
            return self._ok

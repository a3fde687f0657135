"""The API process's own Prometheus metrics (served by ``api/routes/metrics.py``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Histogram

REGISTRY = CollectorRegistry()
UPDATE_SECONDS = Histogram(
    "casusregie_update_seconds",
    "Time from the API sending a workflow update until its answer",
    ["update", "result"],
    registry=REGISTRY,
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


@contextmanager
def timed_update(name: str) -> Iterator[None]:
    """Observe one update's latency, labelled ``ok`` or ``refused`` (any error)."""
    start = time.perf_counter()
    result = "refused"
    try:
        yield
        result = "ok"
    finally:
        UPDATE_SECONDS.labels(update=name, result=result).observe(time.perf_counter() - start)

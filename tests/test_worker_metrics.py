"""The worker can serve the Temporal SDK's metrics for Prometheus."""

from __future__ import annotations

import time
import urllib.request

from core.config import Settings
from core.ports import free_port
from core.temporal import worker_runtime


def test_sdk_metrics_are_off_by_default_and_served_when_configured() -> None:
    assert worker_runtime(Settings()) is None
    port = free_port()
    runtime = worker_runtime(Settings(worker_metrics_port=port))
    assert runtime is not None
    deadline = time.monotonic() + 5
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1) as r:
                assert r.status == 200
                break
        except OSError:
            assert time.monotonic() < deadline, "the SDK's metrics endpoint did not come up"
            time.sleep(0.05)

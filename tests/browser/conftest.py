"""The browser tests reuse the API fixtures: users, the app with overrides and a worker
running the real workflows on the time-skipping server; the app is served by uvicorn
(``live_url``) to Debian's Chromium."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator

import pytest
import uvicorn

from core.ports import free_port
from tests.api.conftest import api, tokens  # noqa: F401  (fixtures)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def require_chromium() -> None:
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return
    if os.environ.get("CI"):
        pytest.fail(
            "Chromium is missing in CI: .ci/run should have installed "
            "the Debian packages chromium and chromium-driver"
        )
    pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver)")


@pytest.fixture
async def live_url(api) -> AsyncIterator[str]:  # noqa: F811  (the fixture imported above)
    """The test app served by uvicorn on a free port, in this event loop (the Temporal
    client of the time-skipping server lives here)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(api.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task

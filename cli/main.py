"""The ``casusregie`` command line (typer).

Commands live in their own modules and are registered here: ``up`` (cli/up.py), ``user``
(cli/users.py), and later ``replay``, ``history``, ``audit``, ``bench`` by their issues
(``app.add_typer(...)`` / ``app.command(...)(fn)`` below). Heavy imports stay inside the
commands so that ``--help`` and short commands start fast.

Exit codes are reliable: temporalio may abort the interpreter at exit after a command
has finished (temporalio/sdk-python#300), so ``main`` flushes and ends with ``os._exit``.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from core.config import Settings

from cli.audit import audit_app
from cli.history import history_app
from cli.keys import keys_app
from cli.replay import replay_command
from cli.retention import retention_app
from cli.simulate import simulate_command
from cli.temporal_admin import temporal_app
from cli.users import org_app, user_app

app = typer.Typer(
    name="casusregie",
    help="casusregie: durable orchestration of the Wlz complex-casuistry step plan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(user_app, name="user")
app.add_typer(org_app, name="org")
app.add_typer(history_app, name="history")
app.add_typer(audit_app, name="audit")
app.add_typer(temporal_app, name="temporal")
app.add_typer(keys_app, name="keys")
app.add_typer(retention_app, name="retention")
app.command("replay")(replay_command)
app.command("simulate")(simulate_command)


@app.command()
def up() -> None:
    """Migrate, start Temporal (dev server unless CASUSREGIE_TEMPORAL_ADDRESS), worker and
    API; stop all on Ctrl-C/SIGTERM."""
    from cli.up import run_up

    raise typer.Exit(run_up())


@app.command()
def api(
    fd: Annotated[
        int | None,
        typer.Option(hidden=True, help="serve on this inherited, listening socket (up)"),
    ] = None,
) -> None:
    """Run the HTTP API (uvicorn on CASUSREGIE_API_HOST:CASUSREGIE_API_PORT)."""
    import socket

    import uvicorn

    from core.config import get_settings
    from core.heap import freeze_startup_objects
    from core.logging import configure_logging
    from core.telemetry import configure_tracing, shutdown_tracing

    settings = get_settings()
    configure_logging(settings)
    _require_keys(settings)
    configure_tracing("casusregie-api")
    from api.main import app as asgi_app  # after logging and tracing: it instruments itself

    config = uvicorn.Config(
        asgi_app,
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,  # our configure_logging renders uvicorn's loggers
        # X-Forwarded-Proto/-For only from proxies named in the settings: then a request
        # that reached the proxy over TLS counts as https (Secure cookies, HSTS)
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        timeout_graceful_shutdown=10,
    )
    freeze_startup_objects()  # a full garbage collection then skips them (core/heap.py)
    try:
        # ``up`` binds the port before it starts Temporal and hands the socket down
        uvicorn.Server(config).run(sockets=[socket.socket(fileno=fd)] if fd is not None else None)
    finally:
        shutdown_tracing()


@app.command()
def worker() -> None:
    """Run the Temporal worker (CaseWorkflow and all activities) until SIGTERM/SIGINT."""
    import asyncio

    import structlog

    from core.config import get_settings
    from core.logging import configure_logging
    from core.telemetry import configure_tracing, shutdown_tracing
    from worker import run_worker

    settings = get_settings()
    configure_logging(settings)
    _require_keys(settings)
    configure_tracing("casusregie-worker")
    try:
        asyncio.run(run_worker(settings))
    except RuntimeError as err:  # e.g. Temporal unreachable at start-up
        structlog.get_logger("worker").error(
            "worker_failed", error=str(err), address=settings.effective_temporal_address
        )
        raise typer.Exit(1) from None
    finally:
        shutdown_tracing()


@app.command()
def migrate() -> None:
    """Apply all database migrations (alembic upgrade head)."""
    from core.config import get_settings
    from core.logging import configure_logging
    from db.migrate import upgrade_to_head

    configure_logging(get_settings())
    revision = upgrade_to_head()
    typer.echo(f"database at revision {revision}")


def _require_keys(settings: Settings) -> None:
    """Refuse to start without a usable key ring (production never generates one)."""
    from core.keys import KeyRingError, key_ring

    try:
        key_ring(settings)
    except KeyRingError as exc:
        print(f"casusregie: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (never raises)."""
    try:
        app(args=argv, prog_name="casusregie")
    except SystemExit as exc:
        return _exit_code(exc.code)
    except KeyboardInterrupt:
        return 130
    except Exception:  # noqa: BLE001 - last resort: report, and exit non-zero
        traceback.print_exc()
        return 1
    return 0


def main() -> None:
    code = run()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
